// SystemHostInfo: the machine's addresses (getifaddrs) and the source address
// of the default route. The default route comes from /proc/net/route and
// /proc/net/ipv6_route; its source address is what the kernel picks when a UDP
// socket is connected towards the gateway (connect() on UDP sends nothing).
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

#include "config/config.h"

namespace ipsec::config {
namespace {

struct DefaultRoute {
  std::string ifname;
  std::optional<IpAddress> gateway;
};

std::optional<DefaultRoute> FindDefaultV4() {
  std::ifstream in("/proc/net/route");
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    std::istringstream ss(line);
    std::string ifname, dest, gw, flags, refcnt, use, metric, mask;
    if (!(ss >> ifname >> dest >> gw >> flags >> refcnt >> use >> metric >> mask)) continue;
    if (dest != "00000000" || mask != "00000000") continue;
    DefaultRoute r{ifname, std::nullopt};
    uint32_t g = static_cast<uint32_t>(std::stoul(gw, nullptr, 16));  // host order of a LE dump
    if (g != 0) {
      uint8_t b[4];
      std::memcpy(b, &g, 4);  // /proc prints the raw network-order word in host order
      r.gateway = IpAddress::V4(std::span<const uint8_t, 4>(b, 4));
    }
    return r;
  }
  return std::nullopt;
}

std::optional<DefaultRoute> FindDefaultV6() {
  std::ifstream in("/proc/net/ipv6_route");
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream ss(line);
    std::string dst, dst_len, src, src_len, next_hop, metric, refcnt, use, flags, ifname;
    if (!(ss >> dst >> dst_len >> src >> src_len >> next_hop >> metric >> refcnt >> use >> flags >>
          ifname))
      continue;
    if (dst != std::string(32, '0') || dst_len != "00" || ifname == "lo") continue;
    DefaultRoute r{ifname, std::nullopt};
    if (next_hop != std::string(32, '0')) {
      uint8_t b[16];
      for (int i = 0; i < 16; ++i)
        b[i] = static_cast<uint8_t>(std::stoul(next_hop.substr(i * 2, 2), nullptr, 16));
      r.gateway = IpAddress::V6(std::span<const uint8_t, 16>(b, 16));
    }
    return r;
  }
  return std::nullopt;
}

// The kernel's source address choice for a destination.
std::optional<IpAddress> SourceFor(const IpAddress& dst, const std::string& ifname) {
  int fd = socket(dst.family(), SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return std::nullopt;
  if (dst.is_v6() && !ifname.empty())  // link-local gateways need the interface
    setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, ifname.c_str(), ifname.size());
  sockaddr_storage ss{};
  socklen_t len = dst.ToSockaddr(9, &ss);
  if (dst.is_v6() && !ifname.empty())
    reinterpret_cast<sockaddr_in6*>(&ss)->sin6_scope_id = if_nametoindex(ifname.c_str());
  std::optional<IpAddress> out;
  if (connect(fd, reinterpret_cast<sockaddr*>(&ss), len) == 0) {
    sockaddr_storage local{};
    socklen_t llen = sizeof local;
    if (getsockname(fd, reinterpret_cast<sockaddr*>(&local), &llen) == 0)
      out = IpAddress::FromSockaddr(reinterpret_cast<sockaddr*>(&local));
  }
  close(fd);
  return out;
}

class SystemHost : public HostInfo {
 public:
  std::vector<IpAddress> LocalAddresses() const override {
    std::vector<IpAddress> out;
    ifaddrs* list = nullptr;
    if (getifaddrs(&list) != 0) return out;
    for (ifaddrs* i = list; i; i = i->ifa_next) {
      if (!i->ifa_addr) continue;
      if (auto a = IpAddress::FromSockaddr(i->ifa_addr)) out.push_back(*a);
    }
    freeifaddrs(list);
    return out;
  }

  std::optional<IpAddress> DefaultRouteSource(int family) const override {
    auto route = family == AF_INET6 ? FindDefaultV6() : FindDefaultV4();
    if (!route) return std::nullopt;
    if (route->gateway) {
      if (auto src = SourceFor(*route->gateway, route->ifname)) return src;
    }
    // A device route (no gateway): the first address of that interface.
    ifaddrs* list = nullptr;
    if (getifaddrs(&list) != 0) return std::nullopt;
    std::optional<IpAddress> out;
    for (ifaddrs* i = list; i && !out; i = i->ifa_next) {
      if (!i->ifa_addr || route->ifname != i->ifa_name) continue;
      auto a = IpAddress::FromSockaddr(i->ifa_addr);
      if (a && a->family() == family) out = a;
    }
    freeifaddrs(list);
    return out;
  }
};

}  // namespace

std::unique_ptr<HostInfo> SystemHostInfo() {
  return std::make_unique<SystemHost>();
}

}  // namespace ipsec::config
