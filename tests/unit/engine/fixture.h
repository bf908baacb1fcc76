// Two peers, A (192.0.2.1, site 10.1.0.0/24) and B (192.0.2.2, site
// 10.2.0.0/24), on one fake network; helpers to configure and to check
// that their kernels hold matching child SAs.
#pragma once

#include <gtest/gtest.h>

#include "common/hex.h"
#include "config/values.h"
#include "ike/constants.h"
#include "sim.h"

namespace ipsec::engine::test {

inline IpAddress Ip(const char* s) {
  return *IpAddress::Parse(s);
}
inline IpPrefix Net(const char* s) {
  return *IpPrefix::Parse(s);
}

inline Proposal P(ProtocolId proto, std::vector<Transform> t) {
  return Proposal{proto, std::move(t)};
}
inline Transform Encr(uint16_t id, uint16_t bits) {
  return {TransformType::kEncr, id, bits};
}
inline Transform Prf(uint16_t id) {
  return {TransformType::kPrf, id, 0};
}
inline Transform Integ(uint16_t id) {
  return {TransformType::kInteg, id, 0};
}
inline Transform Dh(uint16_t id) {
  return {TransformType::kDh, id, 0};
}

// An identity as ipsec.conf writes it ("@moon.example.org", "10.0.0.1",
// "C=CH, O=Example, CN=moon", "%any"); "" is kNone (the host address).
inline config::Identity Id(std::string_view text) {
  auto id = config::ParseIdentity(text, nullptr);
  return id ? *id : config::Identity{};
}

// A connection as a test starts from: loaded (auto=add), one try,
// dpdaction=clear; everything else config::Connection's defaults.
inline Connection Conn(const std::string& name, const IpAddress& left, const IpAddress& right,
                       std::vector<IpPrefix> lnets, std::vector<IpPrefix> rnets) {
  Connection c;
  c.name = name;
  c.auto_action = AutoAction::kAdd;
  c.dpd_action = DpdAction::kClear;
  c.local.host = left;
  c.remote.host = right;
  c.local.subnets = std::move(lnets);
  c.remote.subnets = std::move(rnets);
  c.keyingtries = 1;
  return c;
}

class EngineTest : public ::testing::Test {
 protected:
  EngineTest()
      : net(clock),
        a(net, clock, "A", Ip("192.0.2.1"), 1, 0x1000),
        b(net, clock, "B", Ip("192.0.2.2"), 2, 0x2000) {
    net.Attach(&a);
    net.Attach(&b);
    a.secrets.any_psk = "correct horse battery staple";
    b.secrets.any_psk = "correct horse battery staple";
  }

  Connection AtoB(std::vector<IpPrefix> l = {Net("10.1.0.0/24")},
                  std::vector<IpPrefix> r = {Net("10.2.0.0/24")}) {
    return Conn("site", a.addr, b.addr, std::move(l), std::move(r));
  }
  Connection BtoA(std::vector<IpPrefix> l = {Net("10.2.0.0/24")},
                  std::vector<IpPrefix> r = {Net("10.1.0.0/24")}) {
    return Conn("site", b.addr, a.addr, std::move(l), std::move(r));
  }
  void Load(Peer& p, Connection c) {
    std::vector<Connection> v;
    v.push_back(std::move(c));
    ASSERT_TRUE(p.engine.LoadConnections(std::move(v)).ok());
  }

  static size_t Established(const Peer& p) {
    size_t n = 0;
    for (const auto& s : p.engine.Status().ike_sas) n += s.state == "ESTABLISHED";
    return n;
  }

  // Every outbound SA of `from` has the inbound SA with the same SPI, keys,
  // algorithms and addresses in `to`.
  // check_addresses: false behind a NAT, where each side sees other outer addresses.
  static void ExpectOutboundMatchesInbound(const Peer& from, const Peer& to,
                                           bool check_addresses = true) {
    for (const auto* out : from.kernel.SasByDir(kernel::Direction::kOut)) {
      SCOPED_TRACE(from.name + " outbound SPI " + std::to_string(out->spi));
      const auto* in = to.kernel.FindSa(out->spi, kernel::Direction::kIn);
      ASSERT_NE(in, nullptr) << "peer has no inbound SA for it";
      EXPECT_TRUE(in->enc_key == out->enc_key);
      EXPECT_TRUE(in->auth_key == out->auth_key);
      EXPECT_EQ(in->encr_id, out->encr_id);
      EXPECT_EQ(in->encr_key_bits, out->encr_key_bits);
      EXPECT_EQ(in->integ_id, out->integ_id);
      if (check_addresses) {
        EXPECT_EQ(in->src, out->src);
        EXPECT_EQ(in->dst, out->dst);
      }
      EXPECT_FALSE(out->enc_key.empty());
      // Inbound selectors are the mirror of what the sender protects.
      ASSERT_EQ(in->selectors.size(), 1u);
      ASSERT_EQ(out->selectors.size(), 1u);
      EXPECT_EQ(in->selectors[0].src, out->selectors[0].src);
      EXPECT_EQ(in->selectors[0].dst, out->selectors[0].dst);
    }
  }
  static void ExpectMatchingChildren(const Peer& x, const Peer& y, size_t n,
                                     bool check_addresses = true) {
    EXPECT_EQ(x.kernel.SasByDir(kernel::Direction::kOut).size(), n);
    EXPECT_EQ(x.kernel.SasByDir(kernel::Direction::kIn).size(), n);
    EXPECT_EQ(y.kernel.SasByDir(kernel::Direction::kOut).size(), n);
    EXPECT_EQ(y.kernel.SasByDir(kernel::Direction::kIn).size(), n);
    ExpectOutboundMatchesInbound(x, y, check_addresses);
    ExpectOutboundMatchesInbound(y, x, check_addresses);
  }
  // Exchange type and response flag of an IKE datagram, for filters.
  static bool Is(const Datagram& d, ike::ExchangeType ex, bool response) {
    return d.bytes.size() >= 28 && d.bytes[18] == static_cast<uint8_t>(ex) &&
           ((d.bytes[19] & ike::kFlagResponse) != 0) == response;
  }
  static bool HasPolicy(const Peer& p, const char* src, const char* dst) {
    for (const auto& [ifindex, pol] : p.kernel.policies())
      if (pol.sel.src == Net(src) && pol.sel.dst == Net(dst) && pol.reqid != 0) return true;
    return false;
  }

  FakeClock clock;
  FakeNetwork net;
  Peer a, b;
};

}  // namespace ipsec::engine::test
