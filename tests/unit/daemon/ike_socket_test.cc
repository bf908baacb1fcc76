// IkeSockets on loopback: the non-ESP marker is stripped and added on the
// NAT-T port only, keepalives and stray ESP are dropped and counted, and
// the local address comes from IP_PKTINFO.
#include "daemon/ike_socket.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <vector>

namespace ipsec::daemon {
namespace {

IpAddress Loopback() {
  return *IpAddress::Parse("127.0.0.1");
}

// Ports unlikely to clash with a parallel run of the same test.
uint16_t BasePort() {
  return static_cast<uint16_t>(40000 + (getpid() % 10000) * 2);
}

class IkeSocketTest : public ::testing::Test {
 protected:
  void SetUp() override {
    IkeSocketOptions o;
    o.ike_port = BasePort();
    o.natt_port = BasePort() + 1;
    o.ipv6 = false;
    o.bind_v4 = Loopback();
    auto s = IkeSockets::Open(o);
    ASSERT_TRUE(s) << s.error().message;
    socks_ = std::move(s).value();
    peer_ = socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_storage ss{};
    socklen_t len = Loopback().ToSockaddr(0, &ss);
    ASSERT_EQ(bind(peer_, reinterpret_cast<sockaddr*>(&ss), len), 0);
    sockaddr_in sin{};
    socklen_t sl = sizeof sin;
    getsockname(peer_, reinterpret_cast<sockaddr*>(&sin), &sl);
    peer_port_ = ntohs(sin.sin_port);
  }
  void TearDown() override { close(peer_); }

  void SendTo(uint16_t port, const std::vector<uint8_t>& d) {
    sockaddr_storage ss{};
    socklen_t len = Loopback().ToSockaddr(port, &ss);
    ASSERT_EQ(sendto(peer_, d.data(), d.size(), 0, reinterpret_cast<sockaddr*>(&ss), len),
              static_cast<ssize_t>(d.size()));
  }
  int FdFor(bool natt) {
    int fd = socks_->natt_fd(AF_INET);
    if (natt) return fd;
    for (int f : socks_->fds())
      if (f != fd) return f;
    return -1;
  }
  std::optional<ReceivedDatagram> Recv(bool natt) {
    pollfd p{FdFor(natt), POLLIN, 0};
    poll(&p, 1, 1000);
    return socks_->Receive(p.fd);
  }
  std::vector<uint8_t> PeerRecv() {
    std::vector<uint8_t> buf(2048);
    pollfd p{peer_, POLLIN, 0};
    if (poll(&p, 1, 1000) != 1) return {};
    ssize_t n = recv(peer_, buf.data(), buf.size(), 0);
    buf.resize(n < 0 ? 0 : static_cast<size_t>(n));
    return buf;
  }

  std::unique_ptr<IkeSockets> socks_;
  int peer_ = -1;
  uint16_t peer_port_ = 0;
};

std::vector<uint8_t> FakeIke(uint8_t fill) {
  return std::vector<uint8_t>(40, fill);
}

TEST_F(IkeSocketTest, Port500PassesDatagramUnchangedWithAddresses) {
  auto msg = FakeIke(0xab);
  SendTo(BasePort(), msg);
  auto d = Recv(false);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->data, msg);
  EXPECT_EQ(d->local.addr, Loopback());  // from IP_PKTINFO
  EXPECT_EQ(d->local.port, BasePort());
  EXPECT_EQ(d->remote.addr, Loopback());
  EXPECT_EQ(d->remote.port, peer_port_);
  EXPECT_EQ(socks_->counters().received, 1u);
}

TEST_F(IkeSocketTest, NattPortStripsNonEspMarker) {
  auto msg = FakeIke(0x11);
  // Non-ESP marker (four zero bytes) then the IKE message. Built by copy:
  // g++ 12 -O2 warns falsely (-Warray-bounds) on insert into a 4-byte vector.
  std::vector<uint8_t> wire(4 + msg.size(), 0);
  std::copy(msg.begin(), msg.end(), wire.begin() + 4);
  SendTo(BasePort() + 1, wire);
  auto d = Recv(true);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->data, msg);
  EXPECT_EQ(d->local.port, BasePort() + 1);
}

TEST_F(IkeSocketTest, NattPortDropsKeepaliveEspAndShort) {
  SendTo(BasePort() + 1, {0xff});
  EXPECT_FALSE(Recv(true));
  EXPECT_EQ(socks_->counters().keepalives, 1u);
  SendTo(BasePort() + 1, {0x00, 0x00, 0x10, 0x00, 1, 2, 3, 4, 5, 6, 7, 8});  // ESP, SPI 0x1000
  EXPECT_FALSE(Recv(true));
  EXPECT_EQ(socks_->counters().dropped_esp, 1u);
  SendTo(BasePort() + 1, {0, 0});
  EXPECT_FALSE(Recv(true));
  SendTo(BasePort(), {1, 2, 3});  // shorter than an IKE header
  EXPECT_FALSE(Recv(false));
  EXPECT_EQ(socks_->counters().dropped_short, 2u);
  EXPECT_EQ(socks_->counters().received, 0u);
}

TEST_F(IkeSocketTest, SendAddsMarkerOnlyOnNattPort) {
  auto msg = FakeIke(0x42);
  engine::Endpoint remote{Loopback(), peer_port_};
  socks_->Send(msg, engine::Endpoint{Loopback(), BasePort()}, remote);
  EXPECT_EQ(PeerRecv(), msg);
  socks_->Send(msg, engine::Endpoint{Loopback(), static_cast<uint16_t>(BasePort() + 1)}, remote);
  auto got = PeerRecv();
  ASSERT_EQ(got.size(), msg.size() + 4);
  EXPECT_TRUE(HasNonEspMarker(got));
  EXPECT_EQ(std::vector<uint8_t>(got.begin() + 4, got.end()), msg);
  // A keepalive goes without a marker.
  std::vector<uint8_t> ka = {0xff};
  socks_->Send(ka, engine::Endpoint{Loopback(), static_cast<uint16_t>(BasePort() + 1)}, remote);
  EXPECT_EQ(PeerRecv(), ka);
  EXPECT_EQ(socks_->counters().sent, 3u);
}

TEST_F(IkeSocketTest, SendWithoutMatchingSocketIsCounted) {
  auto msg = FakeIke(1);
  socks_->Send(msg, engine::Endpoint{Loopback(), 999}, engine::Endpoint{Loopback(), peer_port_});
  EXPECT_EQ(socks_->counters().dropped_no_socket, 1u);
  // No IPv6 socket was opened.
  socks_->Send(msg, engine::Endpoint{*IpAddress::Parse("::1"), BasePort()},
               engine::Endpoint{*IpAddress::Parse("::1"), peer_port_});
  EXPECT_EQ(socks_->counters().dropped_no_socket, 2u);
}

TEST(IkeSocketOpen, BindConflictNamesAddressAndPort) {
  IkeSocketOptions o;
  o.ike_port = static_cast<uint16_t>(BasePort() + 2);
  o.natt_port = 0;
  o.ipv6 = false;
  o.bind_v4 = Loopback();
  auto a = IkeSockets::Open(o);
  ASSERT_TRUE(a);
  auto b = IkeSockets::Open(o);
  ASSERT_FALSE(b);
  EXPECT_NE(b.error().message.find("127.0.0.1:" + std::to_string(o.ike_port)), std::string::npos)
      << b.error().message;
  EXPECT_NE(b.error().message.find("another IKE daemon"), std::string::npos);
}

}  // namespace
}  // namespace ipsec::daemon
