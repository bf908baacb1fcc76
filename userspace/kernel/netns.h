// Devices in another network namespace than the daemon's (seed 004's
// private routing netns): how a device is named ("ipsec1@private", the
// device ipsec1 in the netns `ip netns add private` made), and the two
// things needed to act on it there: a file descriptor of that netns (for
// the module's NETNS_FD and rtnetlink's IFLA_NET_NS_FD) and sockets opened
// inside it (rtnetlink for its routes, addresses and links).
#pragma once

#include <string>
#include <string_view>

#include "common/result.h"

namespace ipsec::kernel {

// "ipsec1" or "ipsec1@private": the device's name, and the name of the
// netns it lives in ("" = the caller's own).
struct DeviceRef {
  std::string name;
  std::string netns;
};
DeviceRef ParseDeviceRef(std::string_view ref);
std::string DeviceRefString(const DeviceRef& ref);

// A netns name as `ip netns` keeps them (/run/netns/NAME): 1..255
// characters, no '/', not "." or "..".
bool ValidNetnsName(std::string_view name);

// Opens /run/netns/NAME (O_RDONLY | O_CLOEXEC); the caller closes it.
Result<int> OpenNetns(const std::string& name);

// socket(domain, type, protocol) created inside the netns netns_fd names:
// the thread enters it, creates the socket and returns to its own netns
// (the socket stays in the netns it was created in). Needs CAP_SYS_ADMIN.
Result<int> SocketInNetns(int netns_fd, int domain, int type, int protocol);

}  // namespace ipsec::kernel
