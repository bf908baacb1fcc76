#include "daemon/ike_socket.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace ipsec::daemon {
namespace {

constexpr size_t kMaxDatagram = 65535;
constexpr uint8_t kNonEspMarker[4] = {0, 0, 0, 0};

std::string Errno(const std::string& what) {
  return what + ": " + std::strerror(errno);
}

}  // namespace

bool HasNonEspMarker(std::span<const uint8_t> d) {
  return d.size() >= 4 && std::memcmp(d.data(), kNonEspMarker, 4) == 0;
}

Result<std::unique_ptr<IkeSockets>> IkeSockets::Open(const IkeSocketOptions& opts) {
  std::unique_ptr<IkeSockets> s(new IkeSockets(opts));
  for (int family : {AF_INET, AF_INET6}) {
    if (family == AF_INET && !opts.ipv4) continue;
    if (family == AF_INET6 && !opts.ipv6) continue;
    const auto& bind = family == AF_INET ? opts.bind_v4 : opts.bind_v6;
    if (auto st = s->OpenOne(family, opts.ike_port, false, bind); !st) return st.error();
    if (opts.natt_port != 0) {
      if (auto st = s->OpenOne(family, opts.natt_port, true, bind); !st) return st.error();
    }
  }
  return s;
}

IkeSockets::~IkeSockets() {
  for (auto& s : socks_) close(s.fd);
}

Status IkeSockets::OpenOne(int family, uint16_t port, bool natt,
                           const std::optional<IpAddress>& bind_addr) {
  IpAddress addr = bind_addr ? *bind_addr : IpAddress::Any(family);
  std::string where = (family == AF_INET6 ? "[" + addr.ToString() + "]" : addr.ToString()) + ":" +
                      std::to_string(port);
  int fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_UDP);
  if (fd < 0) return MakeError(Errno("socket for " + where), errno);
  int one = 1;
  bool ok;
  if (family == AF_INET) {
    ok = setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof one) == 0;
  } else {
    ok = setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one) == 0 &&
         setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one, sizeof one) == 0;
  }
  if (!ok) {
    Error e = MakeError(Errno("setsockopt on " + where), errno);
    close(fd);
    return e;
  }
  sockaddr_storage ss{};
  socklen_t len = addr.ToSockaddr(port, &ss);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&ss), len) != 0) {
    Error e = MakeError(Errno("bind " + where), errno);
    if (errno == EADDRINUSE) e.message += " (is another IKE daemon running in this netns?)";
    close(fd);
    return e;
  }
  socks_.push_back(Sock{fd, family, port, natt});
  return Status::Ok();
}

std::vector<int> IkeSockets::fds() const {
  std::vector<int> out;
  for (const auto& s : socks_) out.push_back(s.fd);
  return out;
}

int IkeSockets::natt_fd(int family) const {
  for (const auto& s : socks_)
    if (s.family == family && s.natt) return s.fd;
  return -1;
}

const IkeSockets::Sock* IkeSockets::Find(int family, uint16_t port) const {
  for (const auto& s : socks_)
    if (s.family == family && s.port == port) return &s;
  return nullptr;
}

std::optional<ReceivedDatagram> IkeSockets::Receive(int fd) {
  const Sock* sock = nullptr;
  for (const auto& s : socks_)
    if (s.fd == fd) sock = &s;
  if (!sock) return std::nullopt;

  std::vector<uint8_t> buf(kMaxDatagram);
  sockaddr_storage from{};
  alignas(cmsghdr) char control[256];
  iovec iov{buf.data(), buf.size()};
  msghdr msg{};
  msg.msg_name = &from;
  msg.msg_namelen = sizeof from;
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  ssize_t n = recvmsg(fd, &msg, MSG_DONTWAIT);
  if (n < 0) {
    if (errno != EAGAIN && errno != EWOULDBLOCK) counters_.receive_errors++;
    return std::nullopt;
  }
  buf.resize(static_cast<size_t>(n));

  ReceivedDatagram out;
  auto remote = IpAddress::FromSockaddr(reinterpret_cast<sockaddr*>(&from));
  if (!remote) {
    counters_.receive_errors++;
    return std::nullopt;
  }
  out.remote.addr = *remote;
  out.remote.port =
      ntohs(from.ss_family == AF_INET ? reinterpret_cast<sockaddr_in*>(&from)->sin_port
                                      : reinterpret_cast<sockaddr_in6*>(&from)->sin6_port);
  out.local.port = sock->port;
  out.local.addr = IpAddress::Any(sock->family);
  for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
      in_pktinfo pi;
      std::memcpy(&pi, CMSG_DATA(c), sizeof pi);
      out.local.addr = IpAddress::V4(
          std::span<const uint8_t, 4>(reinterpret_cast<const uint8_t*>(&pi.ipi_addr), 4));
    } else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO) {
      in6_pktinfo pi;
      std::memcpy(&pi, CMSG_DATA(c), sizeof pi);
      out.local.addr = IpAddress::V6(std::span<const uint8_t, 16>(pi.ipi6_addr.s6_addr, 16));
    }
  }

  if (sock->natt) {
    if (buf.size() == 1 && buf[0] == 0xff) {
      counters_.keepalives++;
      return std::nullopt;
    }
    if (buf.size() < 4) {
      counters_.dropped_short++;
      return std::nullopt;
    }
    if (!HasNonEspMarker(buf)) {
      counters_.dropped_esp++;
      return std::nullopt;
    }
    buf.erase(buf.begin(), buf.begin() + 4);
  }
  // Shorter than the IKE header: the engine would drop it too; count it here.
  if (buf.size() < 28) {
    counters_.dropped_short++;
    return std::nullopt;
  }
  counters_.received++;
  out.data = std::move(buf);
  return out;
}

void IkeSockets::Send(std::span<const uint8_t> datagram, const engine::Endpoint& local,
                      const engine::Endpoint& remote) {
  int family = remote.addr.family();
  const Sock* sock = Find(family, local.port);
  if (!sock) {
    counters_.dropped_no_socket++;
    return;
  }
  std::vector<uint8_t> payload;
  bool marker =
      (local.port == opts_.natt_port || remote.port == opts_.natt_port) && datagram.size() != 1;
  if (marker) payload.assign(kNonEspMarker, kNonEspMarker + 4);
  payload.insert(payload.end(), datagram.begin(), datagram.end());

  sockaddr_storage to{};
  socklen_t tolen = remote.addr.ToSockaddr(remote.port, &to);
  iovec iov{payload.data(), payload.size()};
  msghdr msg{};
  msg.msg_name = &to;
  msg.msg_namelen = tolen;
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(in6_pktinfo))] = {};
  // The source address: the one the peer talks to (PKTINFO), unless the
  // engine has no opinion (wildcard).
  if (local.addr.is_set() && !local.addr.IsAny() && local.addr.family() == family) {
    msg.msg_control = control;
    cmsghdr* c = reinterpret_cast<cmsghdr*>(control);
    if (family == AF_INET) {
      msg.msg_controllen = CMSG_SPACE(sizeof(in_pktinfo));
      c->cmsg_level = IPPROTO_IP;
      c->cmsg_type = IP_PKTINFO;
      c->cmsg_len = CMSG_LEN(sizeof(in_pktinfo));
      in_pktinfo pi{};
      std::memcpy(&pi.ipi_spec_dst, local.addr.bytes().data(), 4);
      std::memcpy(CMSG_DATA(c), &pi, sizeof pi);
    } else {
      msg.msg_controllen = CMSG_SPACE(sizeof(in6_pktinfo));
      c->cmsg_level = IPPROTO_IPV6;
      c->cmsg_type = IPV6_PKTINFO;
      c->cmsg_len = CMSG_LEN(sizeof(in6_pktinfo));
      in6_pktinfo pi{};
      std::memcpy(pi.ipi6_addr.s6_addr, local.addr.bytes().data(), 16);
      std::memcpy(CMSG_DATA(c), &pi, sizeof pi);
    }
  }
  if (sendmsg(sock->fd, &msg, MSG_DONTWAIT) < 0) {
    counters_.send_errors++;
    return;
  }
  counters_.sent++;
}

}  // namespace ipsec::daemon
