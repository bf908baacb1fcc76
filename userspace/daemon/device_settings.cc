#include "daemon/device_settings.h"

#include <optional>

namespace ipsec::daemon {
namespace {

// Device name -> (value, conn) of a per-device conn setting: the first loaded
// conn that sets it on a device wins.
template <class Out, class T>
std::map<std::string, Out> FirstPerDevice(const std::vector<config::Connection>& conns,
                                          std::optional<T> config::Connection::*setting) {
  std::map<std::string, Out> out;
  for (const auto& c : conns)
    if (c.*setting && c.auto_action != config::AutoAction::kIgnore)
      out.emplace(config::DeviceName(c), Out{*(c.*setting), c.name});
  return out;
}

}  // namespace

std::map<std::string, DeviceMtu> DeviceMtus(const std::vector<config::Connection>& conns) {
  return FirstPerDevice<DeviceMtu>(conns, &config::Connection::mtu);
}

std::map<std::string, DeviceMssClamp> DeviceMssClamps(
    const std::vector<config::Connection>& conns) {
  return FirstPerDevice<DeviceMssClamp>(conns, &config::Connection::mss_clamp);
}

}  // namespace ipsec::daemon
