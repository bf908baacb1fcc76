#include "daemon/route_plan.h"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace ipsec::daemon {

std::vector<ConnRoute> PlanRoutes(const std::vector<config::Connection>& conns,
                                  const std::map<std::string, int>& devices,
                                  const std::vector<IpAddress>* addrs) {
  std::vector<ConnRoute> out;
  for (const auto& c : conns) {
    if (c.auto_action == config::AutoAction::kIgnore) continue;
    std::string dev = config::DeviceName(c);
    auto idx = devices.find(dev);
    if (idx == devices.end()) continue;
    std::vector<IpPrefix> remotes;
    for (const auto& p : c.subnet_pairs)
      if (std::find(remotes.begin(), remotes.end(), p.remote) == remotes.end())
        remotes.push_back(p.remote);
    for (const auto& dst : remotes) {
      if (c.remote.host.is_set() && dst.Contains(c.remote.host)) {
        spdlog::warn(
            "\"{}\" not routing {} into {}: it holds the peer's address {} (IKE and ESP "
            "to the peer would loop into the tunnel)",
            c.name, dst.ToString(), dev, c.remote.host.ToString());
        continue;
      }
      Route r{dst, idx->second, std::nullopt};
      if (c.local.sourceip && c.local.sourceip->family() == dst.family())
        r.src = c.local.sourceip;
      else if (addrs)
        r.src = PickSource(*addrs, c.local.subnets, dst.family());
      bool dup = std::any_of(out.begin(), out.end(),
                             [&](const auto& o) { return o.route.dst == r.dst && o.dev == dev; });
      if (!dup) out.push_back({r, dev, c.name});
    }
  }
  return out;
}

std::vector<DevAddress> PlanAddresses(const std::vector<config::Connection>& conns,
                                      const std::map<std::string, int>& devices) {
  std::vector<DevAddress> out;
  for (const auto& c : conns) {
    if (c.auto_action == config::AutoAction::kIgnore || !c.local.interface_ip) continue;
    std::string dev = config::DeviceName(c);
    auto idx = devices.find(dev);
    if (idx == devices.end()) continue;
    DevAddress a{dev, idx->second, *c.local.interface_ip, c.name};
    if (std::none_of(out.begin(), out.end(), [&](const auto& o) { return o.SameAs(a); }))
      out.push_back(std::move(a));
  }
  return out;
}

std::vector<DevAddress> StaleAddresses(const std::vector<DevAddress>& installed,
                                       const std::vector<DevAddress>& wanted) {
  std::vector<DevAddress> out;
  for (const auto& a : installed)
    if (std::none_of(wanted.begin(), wanted.end(), [&](const auto& w) { return w.SameAs(a); }))
      out.push_back(a);
  return out;
}

}  // namespace ipsec::daemon
