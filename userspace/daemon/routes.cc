#include "daemon/routes.h"

#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "kernel/netns.h"

namespace ipsec::daemon {
namespace {

// Appends an rtattr to a netlink message in buf, keeping alignment.
void PutAttr(std::vector<uint8_t>& buf, uint16_t type, const void* data, size_t len) {
  size_t off = NLMSG_ALIGN(buf.size());
  buf.resize(off + RTA_SPACE(len), 0);
  rtattr rta{};
  rta.rta_len = static_cast<unsigned short>(RTA_LENGTH(len));
  rta.rta_type = type;
  std::memcpy(buf.data() + off, &rta, sizeof rta);
  std::memcpy(buf.data() + off + RTA_LENGTH(0), data, len);
}

void FixLength(std::vector<uint8_t>& buf) {
  nlmsghdr h;
  std::memcpy(&h, buf.data(), sizeof h);
  h.nlmsg_len = static_cast<uint32_t>(buf.size());
  std::memcpy(buf.data(), &h, sizeof h);
}

// A request of type with flags and seq, its fixed header (rtmsg,
// ifinfomsg, ifaddrmsg) after the netlink one; attributes follow.
template <typename Hdr>
std::vector<uint8_t> StartRequest(uint16_t type, uint16_t flags, uint32_t seq, const Hdr& hdr) {
  std::vector<uint8_t> buf(NLMSG_SPACE(sizeof(Hdr)), 0);
  nlmsghdr h{};
  h.nlmsg_type = type;
  h.nlmsg_flags = flags;
  h.nlmsg_seq = seq;
  std::memcpy(buf.data(), &h, sizeof h);
  std::memcpy(buf.data() + NLMSG_HDRLEN, &hdr, sizeof hdr);
  return buf;
}

std::string Errno(const std::string& what, int err) {
  return what + ": " + std::strerror(err);
}

}  // namespace

std::string Route::ToString(const std::string& dev) const {
  std::string s = dst.ToString() + " dev " + dev;
  if (src) s += " src " + src->ToString();
  return s;
}

std::vector<uint8_t> BuildRouteRequest(const Route& r, bool add, uint32_t seq) {
  rtmsg rt{};
  rt.rtm_family = static_cast<unsigned char>(r.dst.family());
  rt.rtm_dst_len = r.dst.length();
  rt.rtm_table = RT_TABLE_MAIN;
  rt.rtm_protocol = RTPROT_STATIC;
  rt.rtm_scope = RT_SCOPE_LINK;
  rt.rtm_type = RTN_UNICAST;
  auto buf =
      StartRequest(add ? RTM_NEWROUTE : RTM_DELROUTE,
                   NLM_F_REQUEST | NLM_F_ACK | (add ? NLM_F_CREATE | NLM_F_REPLACE : 0), seq, rt);
  auto dst = r.dst.address().bytes();
  PutAttr(buf, RTA_DST, dst.data(), dst.size());
  uint32_t oif = static_cast<uint32_t>(r.ifindex);
  PutAttr(buf, RTA_OIF, &oif, sizeof oif);
  if (r.src && r.src->family() == r.dst.family()) {
    auto src = r.src->bytes();
    PutAttr(buf, RTA_PREFSRC, src.data(), src.size());
  }
  buf.resize(NLMSG_ALIGN(buf.size()));
  FixLength(buf);
  return buf;
}

Result<std::unique_ptr<RouteTable>> RouteTable::Open(int netns_fd) {
  std::unique_ptr<RouteTable> t(new RouteTable());
  if (netns_fd >= 0) {
    auto fd = kernel::SocketInNetns(netns_fd, AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
    if (!fd) return MakeError("rtnetlink socket: " + fd.error().message, fd.error().code);
    t->fd_ = *fd;
  } else {
    t->fd_ = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
  }
  if (t->fd_ < 0) return MakeError(Errno("rtnetlink socket", errno), errno);
  sockaddr_nl sa{};
  sa.nl_family = AF_NETLINK;
  if (bind(t->fd_, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0)
    return MakeError(Errno("rtnetlink bind", errno), errno);
  return t;
}

RouteTable::~RouteTable() {
  if (fd_ >= 0) close(fd_);
}

Status RouteTable::Transact(std::vector<uint8_t> req, const std::string& what) {
  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  if (sendto(fd_, req.data(), req.size(), 0, reinterpret_cast<sockaddr*>(&kernel), sizeof kernel) <
      0)
    return MakeError(Errno(what, errno), errno);
  nlmsghdr sent;
  std::memcpy(&sent, req.data(), sizeof sent);
  std::vector<uint8_t> buf(16384);
  for (;;) {
    ssize_t n = recv(fd_, buf.data(), buf.size(), 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      return MakeError(Errno(what, errno), errno);
    }
    size_t len = static_cast<size_t>(n);
    for (auto* h = reinterpret_cast<nlmsghdr*>(buf.data()); NLMSG_OK(h, len);
         h = NLMSG_NEXT(h, len)) {
      if (h->nlmsg_seq != sent.nlmsg_seq) continue;
      if (h->nlmsg_type == NLMSG_ERROR) {
        auto* e = static_cast<nlmsgerr*>(NLMSG_DATA(h));
        if (e->error == 0) return Status::Ok();
        return MakeError(Errno(what, -e->error), -e->error);
      }
    }
  }
}

namespace {
std::string NameOf(int ifindex, const std::string& dev) {
  if (!dev.empty()) return dev;
  char name[IF_NAMESIZE] = "?";
  if_indextoname(static_cast<unsigned>(ifindex), name);
  return name;
}
}  // namespace

Status RouteTable::Add(const Route& r, const std::string& dev) {
  return Transact(BuildRouteRequest(r, true, seq_++),
                  "add route " + r.ToString(NameOf(r.ifindex, dev)));
}

Status RouteTable::Del(const Route& r, const std::string& dev) {
  Status st = Transact(BuildRouteRequest(r, false, seq_++),
                       "delete route " + r.ToString(NameOf(r.ifindex, dev)));
  if (!st && st.error().code == ESRCH) return Status::Ok();
  return st;
}

// An RTM_NEWLINK request changing the flags in change to flags, and the
// MTU when given.
std::vector<uint8_t> BuildLinkRequest(int ifindex, unsigned flags, unsigned change,
                                      std::optional<uint32_t> mtu, uint32_t seq) {
  std::vector<uint8_t> buf(NLMSG_SPACE(sizeof(ifinfomsg)), 0);
  nlmsghdr h{};
  h.nlmsg_type = RTM_NEWLINK;
  h.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
  h.nlmsg_seq = seq;
  std::memcpy(buf.data(), &h, sizeof h);
  ifinfomsg ifi{};
  ifi.ifi_family = AF_UNSPEC;
  ifi.ifi_index = ifindex;
  ifi.ifi_flags = flags;
  ifi.ifi_change = change;
  std::memcpy(buf.data() + NLMSG_HDRLEN, &ifi, sizeof ifi);
  if (mtu) PutAttr(buf, IFLA_MTU, &*mtu, sizeof *mtu);
  FixLength(buf);
  return buf;
}

Status RouteTable::SetLinkUp(int ifindex) {
  return Transact(BuildLinkRequest(ifindex, IFF_UP, IFF_UP, std::nullopt, seq_++),
                  "set link " + std::to_string(ifindex) + " up");
}

Status RouteTable::SetLinkMtu(int ifindex, uint32_t mtu) {
  return Transact(BuildLinkRequest(ifindex, 0, 0, mtu, seq_++),
                  "set link " + std::to_string(ifindex) + " mtu " + std::to_string(mtu));
}

std::vector<uint8_t> BuildAddrRequest(int ifindex, const IpAddress& address, uint8_t prefix_len,
                                      bool add, uint32_t seq) {
  ifaddrmsg ifa{};
  ifa.ifa_family = static_cast<unsigned char>(address.family());
  ifa.ifa_prefixlen = prefix_len;
  ifa.ifa_scope = RT_SCOPE_UNIVERSE;
  ifa.ifa_index = static_cast<unsigned>(ifindex);
  auto buf =
      StartRequest(add ? RTM_NEWADDR : RTM_DELADDR,
                   NLM_F_REQUEST | NLM_F_ACK | (add ? NLM_F_CREATE | NLM_F_REPLACE : 0), seq, ifa);
  // As `ip addr add A/LEN dev D`: local and address both A, so the prefix
  // route of the /30 (or /126) goes into the device.
  auto a = address.bytes();
  PutAttr(buf, IFA_LOCAL, a.data(), a.size());
  PutAttr(buf, IFA_ADDRESS, a.data(), a.size());
  buf.resize(NLMSG_ALIGN(buf.size()));
  FixLength(buf);
  return buf;
}

Status RouteTable::AddAddress(int ifindex, const IpAddress& address, uint8_t prefix_len) {
  return Transact(BuildAddrRequest(ifindex, address, prefix_len, true, seq_++),
                  "add address " + address.ToString() + "/" + std::to_string(prefix_len));
}

Status RouteTable::DelAddress(int ifindex, const IpAddress& address, uint8_t prefix_len) {
  Status st = Transact(BuildAddrRequest(ifindex, address, prefix_len, false, seq_++),
                       "delete address " + address.ToString() + "/" + std::to_string(prefix_len));
  if (!st && (st.error().code == EADDRNOTAVAIL || st.error().code == ENODEV)) return Status::Ok();
  return st;
}

Result<std::vector<IpAddress>> RouteTable::LocalAddresses() {
  std::vector<uint8_t> req(NLMSG_SPACE(sizeof(ifaddrmsg)), 0);
  nlmsghdr h{};
  h.nlmsg_type = RTM_GETADDR;
  h.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  h.nlmsg_seq = seq_++;
  std::memcpy(req.data(), &h, sizeof h);
  FixLength(req);
  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  if (sendto(fd_, req.data(), req.size(), 0, reinterpret_cast<sockaddr*>(&kernel), sizeof kernel) <
      0)
    return MakeError(Errno("dump addresses", errno), errno);
  std::vector<IpAddress> out;
  std::vector<uint8_t> buf(32768);
  for (;;) {
    ssize_t n = recv(fd_, buf.data(), buf.size(), 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      return MakeError(Errno("dump addresses", errno), errno);
    }
    size_t len = static_cast<size_t>(n);
    for (auto* m = reinterpret_cast<nlmsghdr*>(buf.data()); NLMSG_OK(m, len);
         m = NLMSG_NEXT(m, len)) {
      if (m->nlmsg_seq != h.nlmsg_seq) continue;
      if (m->nlmsg_type == NLMSG_DONE) return out;
      if (m->nlmsg_type == NLMSG_ERROR) {
        auto* e = static_cast<nlmsgerr*>(NLMSG_DATA(m));
        return MakeError(Errno("dump addresses", -e->error), -e->error);
      }
      if (m->nlmsg_type != RTM_NEWADDR) continue;
      auto* ifa = static_cast<ifaddrmsg*>(NLMSG_DATA(m));
      int alen = static_cast<int>(IFA_PAYLOAD(m));
      for (auto* a = IFA_RTA(ifa); RTA_OK(a, alen); a = RTA_NEXT(a, alen)) {
        if (a->rta_type != IFA_LOCAL && a->rta_type != IFA_ADDRESS) continue;
        size_t plen = RTA_PAYLOAD(a);
        const auto* p = static_cast<const uint8_t*>(RTA_DATA(a));
        std::optional<IpAddress> addr;
        if (ifa->ifa_family == AF_INET && plen == 4)
          addr = IpAddress::V4(std::span<const uint8_t, 4>(p, 4));
        else if (ifa->ifa_family == AF_INET6 && plen == 16)
          addr = IpAddress::V6(std::span<const uint8_t, 16>(p, 16));
        if (addr && std::find(out.begin(), out.end(), *addr) == out.end()) out.push_back(*addr);
      }
    }
  }
}

std::optional<IpAddress> PickSource(const std::vector<IpAddress>& addrs,
                                    const std::vector<IpPrefix>& local_subnets, int family) {
  for (const auto& net : local_subnets) {
    if (net.family() != family) continue;
    for (const auto& a : addrs)
      if (net.Contains(a)) return a;
  }
  return std::nullopt;
}

}  // namespace ipsec::daemon
