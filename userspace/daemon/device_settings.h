// Per-device settings that connections carry (mtu=, mss-clamp=): which
// value each ipsecN device gets when several conns share it.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "config/connection.h"

namespace ipsec::daemon {

// The MTU each ipsecN device gets from mtu= (device name -> MTU and the
// conn it came from): the first loaded connection with mtu= on a device
// wins, as the config's warning about disagreeing conns says.
struct DeviceMtu {
  uint32_t mtu = 0;
  std::string conn;
};
std::map<std::string, DeviceMtu> DeviceMtus(const std::vector<config::Connection>& conns);

// TCP MSS clamping per ipsecN device from mss-clamp= (IPSEC_TUN_A_MSS_CLAMP
// value and the conn it came from), the first loaded conn setting it wins.
// A device no conn sets it on gets 0 (off).
struct DeviceMssClamp {
  uint16_t clamp = 0;
  std::string conn;
};
std::map<std::string, DeviceMssClamp> DeviceMssClamps(const std::vector<config::Connection>& conns);

}  // namespace ipsec::daemon
