// Which routes into ipsecN the loaded connections want (routes.h says
// why each remote subnet is routed into the device as soon as the
// connection is loaded). At start every one is added; on a reload the
// daemon adds the missing ones and removes those nobody wants any more,
// leaving the others untouched, so a reload never drops a kept tunnel's
// traffic for a moment.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "config/connection.h"
#include "daemon/routes.h"

namespace ipsec::daemon {

struct ConnRoute {
  Route route;
  std::string dev;   // "ipsec0"
  std::string conn;  // the first connection that wants it
};

// One route per (remote subnet, device) of the loaded connections, in file
// order. A subnet holding the peer's own address is left out (with a
// warning: IKE and ESP to the peer would loop into the tunnel). addrs: the
// host's addresses, for a source inside the local subnets (nullptr: none).
std::vector<ConnRoute> PlanRoutes(const std::vector<config::Connection>& conns,
                                  const std::map<std::string, int>& devices,
                                  const std::vector<IpAddress>* addrs);

// An inside address (leftinterface-ip=) on a device.
struct DevAddress {
  std::string dev;  // "ipsec1", "ipsec1@private"
  int ifindex = 0;
  config::InterfaceAddress addr;
  std::string conn;  // the first connection that wants it (for the logs)
  bool SameAs(const DevAddress& o) const {
    return dev == o.dev && ifindex == o.ifindex && addr == o.addr;
  }
};

// The local ends' leftinterface-ip= of the loaded connections on the
// devices set up, once per (device, address), in file order.
std::vector<DevAddress> PlanAddresses(const std::vector<config::Connection>& conns,
                                      const std::map<std::string, int>& devices);

// Of the addresses put on devices, those no loaded connection wants any
// more (its conn was dropped, set to auto=ignore, or its address changed):
// a reload takes them off, as it removes the routes nobody wants.
std::vector<DevAddress> StaleAddresses(const std::vector<DevAddress>& installed,
                                       const std::vector<DevAddress>& wanted);

}  // namespace ipsec::daemon
