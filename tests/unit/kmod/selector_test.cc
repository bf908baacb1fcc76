// Selector matching and ordering (kmod/selector.h), RFC 4301 4.4.1.
#include "selector.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <cstring>
#include <random>

namespace {

// Matches selector s against a flow given by value.
bool Match(const ipsec_tun_selector& s, const ipsec_tun_flow& f) {
  return ipsec_tun_sel_match(&s, &f);
}

ipsec_tun_addr V4(const char* s) {
  ipsec_tun_addr a{};
  EXPECT_EQ(inet_pton(AF_INET, s, a.b), 1) << s;
  return a;
}

ipsec_tun_addr V6(const char* s) {
  ipsec_tun_addr a{};
  EXPECT_EQ(inet_pton(AF_INET6, s, a.b), 1) << s;
  return a;
}

ipsec_tun_selector Sel4(const char* src, u8 splen, const char* dst, u8 dplen) {
  ipsec_tun_selector s{};
  s.family = IPSEC_TUN_AF_INET;
  s.src = V4(src);
  s.src_plen = splen;
  s.dst = V4(dst);
  s.dst_plen = dplen;
  s.sport_max = s.dport_max = 0xffff;
  return s;
}

ipsec_tun_flow Flow4(const char* src, const char* dst, u8 proto = 1, u16 sport = 0, u16 dport = 0) {
  ipsec_tun_flow f{};
  f.family = IPSEC_TUN_AF_INET;
  f.src = V4(src);
  f.dst = V4(dst);
  f.proto = proto;
  f.sport = sport;
  f.dport = dport;
  return f;
}

TEST(Selector, PrefixMatch) {
  auto s = Sel4("10.1.0.0", 16, "10.2.3.0", 24);
  EXPECT_TRUE(Match(s, Flow4("10.1.200.7", "10.2.3.255")));
  EXPECT_FALSE(Match(s, Flow4("10.3.0.1", "10.2.3.4")));
  EXPECT_FALSE(Match(s, Flow4("10.1.0.1", "10.2.4.4")));
}

TEST(Selector, OddPrefixLengths) {
  auto s = Sel4("0.0.0.0", 0, "10.2.3.128", 25);
  EXPECT_TRUE(Match(s, Flow4("1.2.3.4", "10.2.3.200")));
  EXPECT_FALSE(Match(s, Flow4("1.2.3.4", "10.2.3.127")));
  auto host = Sel4("0.0.0.0", 0, "10.2.3.5", 32);
  EXPECT_TRUE(Match(host, Flow4("9.9.9.9", "10.2.3.5")));
  EXPECT_FALSE(Match(host, Flow4("9.9.9.9", "10.2.3.4")));
}

TEST(Selector, ProtocolAndPorts) {
  auto s = Sel4("0.0.0.0", 0, "0.0.0.0", 0);
  s.proto = 6;
  s.dport_min = 80;
  s.dport_max = 443;
  EXPECT_TRUE(Match(s, Flow4("1.1.1.1", "2.2.2.2", 6, 5555, 80)));
  EXPECT_TRUE(Match(s, Flow4("1.1.1.1", "2.2.2.2", 6, 5555, 443)));
  EXPECT_FALSE(Match(s, Flow4("1.1.1.1", "2.2.2.2", 6, 5555, 444)));
  EXPECT_FALSE(Match(s, Flow4("1.1.1.1", "2.2.2.2", 17, 5555, 80)));
  EXPECT_FALSE(Match(s, Flow4("1.1.1.1", "2.2.2.2", 1)));  // ICMP: no ports
}

TEST(Selector, FamilyMustAgree) {
  auto s = Sel4("0.0.0.0", 0, "0.0.0.0", 0);
  ipsec_tun_flow f{};
  f.family = IPSEC_TUN_AF_INET6;
  f.src = V6("2001:db8::1");
  f.dst = V6("2001:db8::2");
  EXPECT_FALSE(ipsec_tun_sel_match(&s, &f));
}

TEST(Selector, Ipv6Prefixes) {
  ipsec_tun_selector s{};
  s.family = IPSEC_TUN_AF_INET6;
  s.src = V6("::");
  s.dst = V6("2001:db8:1:2::");
  s.dst_plen = 63;
  s.sport_max = s.dport_max = 0xffff;
  ASSERT_TRUE(ipsec_tun_sel_valid(&s));
  ipsec_tun_flow f{};
  f.family = IPSEC_TUN_AF_INET6;
  f.src = V6("2001:db8:ffff::1");
  f.dst = V6("2001:db8:1:3::9");  // bit 63 differs from ...:2:: only in bit 64
  EXPECT_TRUE(ipsec_tun_sel_match(&s, &f));
  f.dst = V6("2001:db8:1:4::9");
  EXPECT_FALSE(ipsec_tun_sel_match(&s, &f));
}

TEST(Selector, Validity) {
  auto ok = Sel4("10.0.0.0", 8, "0.0.0.0", 0);
  EXPECT_TRUE(ipsec_tun_sel_valid(&ok));
  auto host_bits = Sel4("10.0.0.1", 8, "0.0.0.0", 0);
  EXPECT_FALSE(ipsec_tun_sel_valid(&host_bits));
  auto too_long = Sel4("10.0.0.0", 33, "0.0.0.0", 0);
  EXPECT_FALSE(ipsec_tun_sel_valid(&too_long));
  auto reversed = Sel4("10.0.0.0", 8, "0.0.0.0", 0);
  reversed.dport_min = 100;
  reversed.dport_max = 99;
  EXPECT_FALSE(ipsec_tun_sel_valid(&reversed));
  auto bad_family = Sel4("10.0.0.0", 8, "0.0.0.0", 0);
  bad_family.family = 7;
  EXPECT_FALSE(ipsec_tun_sel_valid(&bad_family));
}

TEST(Selector, OrderPriorityThenDstThenSrc) {
  auto wide = Sel4("0.0.0.0", 0, "10.0.0.0", 8);
  auto narrow = Sel4("0.0.0.0", 0, "10.1.0.0", 16);
  auto narrow_src = Sel4("192.168.0.0", 16, "10.1.0.0", 16);
  EXPECT_LT(ipsec_tun_sel_order(0, &narrow, 0, &wide), 0);
  EXPECT_GT(ipsec_tun_sel_order(0, &wide, 0, &narrow), 0);
  EXPECT_LT(ipsec_tun_sel_order(0, &narrow_src, 0, &narrow), 0);
  EXPECT_LT(ipsec_tun_sel_order(1, &wide, 2, &narrow), 0);  // priority first
  EXPECT_EQ(ipsec_tun_sel_order(3, &wide, 3, &wide), 0);
}

TEST(Selector, Equality) {
  auto a = Sel4("10.0.0.0", 8, "0.0.0.0", 0);
  auto b = a;
  EXPECT_TRUE(ipsec_tun_sel_equal(&a, &b));
  b.proto = 6;
  EXPECT_FALSE(ipsec_tun_sel_equal(&a, &b));
}

// policy.c finds candidate policies by hashing the flow's addresses masked to
// each prefix length in use; that is sound only if masking an address equals
// a (well-formed) selector prefix exactly when the prefix matches.
TEST(Selector, MaskedAddressEqualsPrefixExactlyWhenItMatches) {
  ipsec_tun_addr m;
  ipsec_tun_addr a = V6("2001:db8:ffff:ffff:ffff:ffff:ffff:ffff");
  ipsec_tun_addr_mask(&m, &a, 35);
  EXPECT_EQ(std::memcmp(m.b, V6("2001:db8:e000::").b, 16), 0);
  a = V4("10.2.3.200");
  ipsec_tun_addr_mask(&m, &a, 25);
  EXPECT_EQ(std::memcmp(m.b, V4("10.2.3.128").b, 16), 0);
  ipsec_tun_addr_mask(&m, &a, 0);
  EXPECT_EQ(std::memcmp(m.b, ipsec_tun_addr{}.b, 16), 0);

  std::mt19937 rng(7);
  for (int i = 0; i < 20000; i++) {
    ipsec_tun_selector s{};
    s.family = IPSEC_TUN_AF_INET6;
    s.dst_plen = static_cast<u8>(rng() % 129);
    ipsec_tun_addr x{};
    for (auto& b : x.b) b = static_cast<u8>(rng());
    ipsec_tun_addr_mask(&s.dst, &x, s.dst_plen);
    s.sport_max = s.dport_max = 0xffff;
    ASSERT_TRUE(ipsec_tun_sel_valid(&s));
    // A flow near the prefix: x with a few random bits flipped.
    ipsec_tun_flow f{};
    f.family = IPSEC_TUN_AF_INET6;
    f.dst = x;
    for (int k = rng() % 3; k > 0; k--) f.dst.b[rng() % 16] ^= static_cast<u8>(1u << (rng() % 8));
    ipsec_tun_addr_mask(&m, &f.dst, s.dst_plen);
    bool same = std::memcmp(m.b, s.dst.b, 16) == 0;
    ASSERT_EQ(same, Match(s, f)) << "plen " << int(s.dst_plen);
  }
}

}  // namespace
