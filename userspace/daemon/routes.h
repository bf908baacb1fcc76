// Routes into ipsecN over rtnetlink (a plain NETLINK_ROUTE socket: three
// message types do not justify libnl-route-3).
//
// The daemon routes each remote subnet of a loaded connection into the
// connection's ipsecN device as soon as the connection is loaded, so that
// traffic for a tunnel that is down is dropped by the device (no SA), never
// sent in clear on the underlay. The route's preferred source is a local
// address inside the local subnet when the host has one, so that traffic
// the gateway itself originates matches the tunnel's selectors.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/ip_address.h"
#include "common/result.h"

namespace ipsec::daemon {

struct Route {
  IpPrefix dst;
  int ifindex = 0;
  std::optional<IpAddress> src;
  bool operator==(const Route&) const = default;
  std::string ToString(
      const std::string& dev) const;  // "192.168.2.0/24 dev ipsec0 src 192.168.1.1"
};

// Builds the RTM_NEWROUTE / RTM_DELROUTE request for a route (main table,
// static protocol, link scope). Exposed for the unit tests.
std::vector<uint8_t> BuildRouteRequest(const Route& r, bool add, uint32_t seq);
// Builds the RTM_NEWLINK request changing the link flags in change to
// flags, and its MTU when given. Exposed for the unit tests.
std::vector<uint8_t> BuildLinkRequest(int ifindex, unsigned flags, unsigned change,
                                      std::optional<uint32_t> mtu, uint32_t seq);

// Builds the RTM_NEWADDR (add: create or replace) / RTM_DELADDR request for
// address/prefix_len on ifindex. Exposed for the unit tests.
std::vector<uint8_t> BuildAddrRequest(int ifindex, const IpAddress& address, uint8_t prefix_len,
                                      bool add, uint32_t seq);

class RouteTable {
 public:
  // The routing table of this netns, or (netns_fd >= 0) of the netns that
  // fd names (an ipsecN@NS device's: kernel/netns.h); the fd can be closed
  // after.
  static Result<std::unique_ptr<RouteTable>> Open(int netns_fd = -1);
  ~RouteTable();
  RouteTable(const RouteTable&) = delete;
  RouteTable& operator=(const RouteTable&) = delete;

  // Adds (or replaces: a stale route of a previous run is ours to take
  // over) the route. dev: the device's name for messages ("": looked up).
  Status Add(const Route& r, const std::string& dev = "");
  // Deletes the route; a route that is already gone is not an error.
  Status Del(const Route& r, const std::string& dev = "");
  // Sets the link administratively up.
  Status SetLinkUp(int ifindex);
  // Puts address/prefix_len on the link (leftinterface-ip=), or takes it
  // off (one already gone is not an error).
  Status AddAddress(int ifindex, const IpAddress& address, uint8_t prefix_len);
  Status DelAddress(int ifindex, const IpAddress& address, uint8_t prefix_len);
  // Sets the link's MTU (mtu= of the connections on it).
  Status SetLinkMtu(int ifindex, uint32_t mtu);
  // Every address configured on the host (this netns), for picking a
  // source inside the local subnet.
  Result<std::vector<IpAddress>> LocalAddresses();

 private:
  RouteTable() = default;
  // Sends a request and waits for its ack; the error names what.
  Status Transact(std::vector<uint8_t> req, const std::string& what);
  int fd_ = -1;
  uint32_t seq_ = 1;
};

// The first address in addrs inside any of the prefixes (the local
// subnets), of the family of dst.
std::optional<IpAddress> PickSource(const std::vector<IpAddress>& addrs,
                                    const std::vector<IpPrefix>& local_subnets, int family);

}  // namespace ipsec::daemon
