// ipsecctl argument parsing: good lines become exactly the SA/policy the
// kernel will get; every bad line is refused with a message naming the
// argument (and, being pure, nothing was sent).
#include "ctl/args.h"

#include <gtest/gtest.h>
#include <linux/ipsec_tun.h>

#include <sstream>

namespace ipsec::ctl {
namespace {

std::vector<std::string> Split(const std::string& line) {
  std::istringstream in(line);
  std::vector<std::string> w;
  for (std::string s; in >> s;) w.push_back(s);
  return w;
}

std::string Hex(size_t n, const char* byte = "ab") {
  std::string s = "0x";
  for (size_t i = 0; i < n; i++) s += byte;
  return s;
}

const std::string kGcm =
    "dev ipsec0 dir out spi 0x1000 reqid 1 src 192.0.2.1 dst 192.0.2.2 "
    "enc aes-gcm-128 key " +
    Hex(20);

Result<SaAddArgs> SaAdd(const std::string& line) {
  return ParseSaAdd(Split(line));
}

// The error message for a line, or "" if it parsed.
std::string SaAddError(const std::string& line) {
  auto r = SaAdd(line);
  return r ? "" : r.error().message;
}

TEST(SaAddTest, MinimalAead) {
  auto r = SaAdd(kGcm);
  ASSERT_TRUE(r) << r.error().message;
  const auto& sa = r->sa;
  EXPECT_EQ(r->dev, "ipsec0");
  EXPECT_EQ(sa.dir, kernel::Direction::kOut);
  EXPECT_EQ(sa.spi, 0x1000u);
  EXPECT_EQ(sa.reqid, 1u);
  EXPECT_EQ(sa.src.ToString(), "192.0.2.1");
  EXPECT_EQ(sa.encr_id, IPSEC_TUN_ENCR_AES_GCM_16);
  EXPECT_EQ(sa.encr_key_bits, 128);
  EXPECT_EQ(sa.enc_key.size(), 20u);
  EXPECT_EQ(sa.enc_key[0], 0xab);
  EXPECT_EQ(sa.integ_id, 0);
  EXPECT_TRUE(sa.auth_key.empty());
  EXPECT_FALSE(sa.esn);
  EXPECT_FALSE(sa.encap_sport);
  EXPECT_EQ(sa.replay_window, 1024u);  // the Kernel interface's default
  EXPECT_TRUE(sa.selectors.empty());
}

TEST(SaAddTest, EverythingGiven) {
  auto r = SaAdd(
      "dev ipsec1 dir in spi 4096 src 2001:db8::1 dst 2001:db8::2 enc aes-cbc-256 key " + Hex(32) +
      " auth hmac-sha384 authkey " + Hex(48, "01") +
      " replay-window 4096 esn encap 4500:4501 sel 10.1.0.0/24-10.2.0.0/24 "
      "sel fd00:1::/64-fd00:2::/64 soft-bytes 100 hard-bytes 200 soft-packets 1 hard-packets 2 "
      "soft-seconds 30 hard-seconds 60");
  ASSERT_TRUE(r) << r.error().message;
  const auto& sa = r->sa;
  EXPECT_EQ(sa.dir, kernel::Direction::kIn);
  EXPECT_EQ(sa.spi, 4096u);
  EXPECT_EQ(sa.reqid, 0u);  // optional for inbound
  EXPECT_TRUE(sa.src.is_v6());
  EXPECT_EQ(sa.encr_id, IPSEC_TUN_ENCR_AES_CBC);
  EXPECT_EQ(sa.encr_key_bits, 256);
  EXPECT_EQ(sa.integ_id, IPSEC_TUN_AUTH_HMAC_SHA2_384_192);
  EXPECT_EQ(sa.auth_key.size(), 48u);
  EXPECT_EQ(sa.auth_key[47], 0x01);
  EXPECT_EQ(sa.replay_window, 4096u);
  EXPECT_TRUE(sa.esn);
  EXPECT_EQ(sa.encap_sport, 4500);
  EXPECT_EQ(sa.encap_dport, 4501);
  ASSERT_EQ(sa.selectors.size(), 2u);
  EXPECT_EQ(sa.selectors[0].src.ToString(), "10.1.0.0/24");
  EXPECT_EQ(sa.selectors[1].dst.ToString(), "fd00:2::/64");
  EXPECT_EQ(sa.soft.bytes, 100u);
  EXPECT_EQ(sa.hard.bytes, 200u);
  EXPECT_EQ(sa.soft.packets, 1u);
  EXPECT_EQ(sa.hard.packets, 2u);
  EXPECT_EQ(sa.soft.seconds, 30u);
  EXPECT_EQ(sa.hard.seconds, 60u);
}

TEST(SaAddTest, EveryAlgorithmWithItsKeyLength) {
  struct Case {
    const char* enc;
    size_t key;
    const char* auth;
    size_t authkey;
  } cases[] = {
      {"aes-gcm-128", 20, nullptr, 0},        {"aes-gcm-256", 36, nullptr, 0},
      {"aes-gcm-128-icv8", 20, nullptr, 0},   {"aes-gcm-256-icv12", 36, nullptr, 0},
      {"chacha20-poly1305", 36, nullptr, 0},  {"aes-gmac-128", 20, nullptr, 0},
      {"aes-gmac-256", 36, nullptr, 0},       {"aes-cbc-128", 16, "hmac-sha1", 20},
      {"aes-cbc-128", 16, "hmac-sha256", 32}, {"aes-cbc-256", 32, "hmac-sha512", 64},
  };
  for (const auto& c : cases) {
    std::string line = "dev ipsec0 dir in spi 0x300 src 10.0.0.1 dst 10.0.0.2 enc " +
                       std::string(c.enc) + " key " + Hex(c.key);
    if (c.auth) line += " auth " + std::string(c.auth) + " authkey " + Hex(c.authkey);
    EXPECT_EQ(SaAddError(line), "") << line;
    // One byte short and one byte long are refused, naming the argument.
    std::string shorter = "dev ipsec0 dir in spi 0x300 src 10.0.0.1 dst 10.0.0.2 enc " +
                          std::string(c.enc) + " key " + Hex(c.key - 1);
    if (c.auth) shorter += " auth " + std::string(c.auth) + " authkey " + Hex(c.authkey);
    EXPECT_EQ(SaAddError(shorter).rfind("key: ", 0), 0u) << shorter;
    if (c.auth) {
      std::string longer = "dev ipsec0 dir in spi 0x300 src 10.0.0.1 dst 10.0.0.2 enc " +
                           std::string(c.enc) + " key " + Hex(c.key) + " auth " + c.auth +
                           " authkey " + Hex(c.authkey + 1);
      EXPECT_EQ(SaAddError(longer).rfind("authkey: ", 0), 0u) << longer;
    }
  }
}

TEST(SaAddTest, BadLinesNameTheArgument) {
  struct Case {
    std::string line;
    std::string error_contains;
  } cases[] = {
      {"", "'dev' is required"},
      {kGcm + " bogus 1", "unknown argument 'bogus'"},
      {kGcm + " esn esn", "'esn' given more than once"},
      {kGcm + " spi 0x2000", "'spi' given more than once"},
      {kGcm + " replay-window", "'replay-window' needs a value"},
      {kGcm + " replay-window 4097", "replay-window: 4097 is out of range"},
      {kGcm + " replay-window -1", "replay-window: '-1' is not a number"},
      {kGcm + " encap 4500", "encap: expected SPORT:DPORT"},
      {kGcm + " encap 0:4500", "encap: port 0"},
      {kGcm + " encap 4500:70000", "encap: 70000 is out of range"},
      {kGcm + " sel 10.1.0.0/24", "sel: expected SRC-DST"},
      {kGcm + " sel 10.1.0.0/24-fd00::/8", "sel: '10.1.0.0/24-fd00::/8' mixes IPv4 and IPv6"},
      {kGcm + " sel 10.1.0.0/33-10.2.0.0/24", "sel: '10.1.0.0/33'"},
      {kGcm + " auth hmac-sha256 authkey " + Hex(32), "auth: aes-gcm-128 authenticates by itself"},
      {kGcm + " soft-bytes 10 hard-bytes 5", "soft-bytes: soft limit above the hard limit"},
      {kGcm + " hard-seconds 99999999999999999999",
       "hard-seconds: 99999999999999999999 is out of range"},
      {"dev ipsec0 dir up spi 0x1000", "dir: expected 'in' or 'out'"},
      {"dev ipsec0/x dir in", "dev: 'ipsec0/x' is not a valid interface name"},
      {"dev ipsec0 dir in spi 255", "spi: 255 is reserved"},
      {"dev ipsec0 dir in spi 0x1g", "spi: '0x1g' is not a number"},
      {"dev ipsec0 dir in spi 0x100000000", "spi: 0x100000000 is out of range"},
      {"dev ipsec0 dir out spi 0x1000 src 1.1.1.1", "'reqid' is required for dir out"},
      {"dev ipsec0 dir in spi 0x1000 src 1.1.1 dst 1.1.1.2", "src: '1.1.1' is not an IPv4"},
      {"dev ipsec0 dir in spi 0x1000 src 1.1.1.1 dst ::1", "src and dst: one is IPv4"},
      {"dev ipsec0 dir in spi 0x1000 src 1.1.1.1 dst 1.1.1.2 enc des key 0x00",
       "enc: unknown algorithm 'des'"},
      {"dev ipsec0 dir in spi 0x1000 src 1.1.1.1 dst 1.1.1.2 enc aes-gcm-128 key abcd",
       "key: expected hex starting with 0x"},
      {"dev ipsec0 dir in spi 0x1000 src 1.1.1.1 dst 1.1.1.2 enc aes-gcm-128 key 0xabc",
       "key: not a valid hex string"},
      {"dev ipsec0 dir in spi 0x1000 src 1.1.1.1 dst 1.1.1.2 enc aes-gcm-128 key 0xzz",
       "key: not a valid hex string"},
      {"dev ipsec0 dir in spi 0x1000 src 1.1.1.1 dst 1.1.1.2 enc aes-gcm-128 key " + Hex(16),
       "key: aes-gcm-128 needs 20 bytes (16 key + 4 salt), got 16"},
      {"dev ipsec0 dir in spi 0x1000 src 1.1.1.1 dst 1.1.1.2 enc aes-cbc-128 key " + Hex(16),
       "'auth' is required with aes-cbc-128"},
      {"dev ipsec0 dir in spi 0x1000 src 1.1.1.1 dst 1.1.1.2 enc aes-cbc-128 key " + Hex(16) +
           " auth hmac-md5 authkey 0x00",
       "auth: unknown algorithm 'hmac-md5'"},
      {"dev ipsec0 dir in spi 0x1000 src 1.1.1.1 dst 1.1.1.2 enc aes-cbc-128 key " + Hex(16) +
           " auth hmac-sha1",
       "'authkey' is required"},
  };
  for (const auto& c : cases) {
    std::string err = SaAddError(c.line);
    EXPECT_NE(err.find(c.error_contains), std::string::npos)
        << "line: " << c.line << "\n  got: '" << err << "'\n  want: " << c.error_contains;
  }
}

TEST(SaAddTest, ErrorsNeverShowTheKey) {
  std::string key = Hex(19, "5a");
  std::string err = SaAddError(
      "dev ipsec0 dir in spi 0x1000 src 1.1.1.1 dst 1.1.1.2 enc "
      "aes-gcm-128 key " +
      key);
  EXPECT_NE(err, "");
  EXPECT_EQ(err.find("5a5a"), std::string::npos) << err;
}

TEST(SaDelTest, ParsesAndRefuses) {
  auto r = ParseSaDel(Split("dev ipsec0 dir in spi 0x1234"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->spi, 0x1234u);
  EXPECT_EQ(r->dir, kernel::Direction::kIn);
  EXPECT_FALSE(ParseSaDel(Split("dev ipsec0 dir in")));
  EXPECT_FALSE(ParseSaDel(Split("dev ipsec0 spi 0x1234")));
  EXPECT_FALSE(ParseSaDel(Split("dev ipsec0 dir in spi 0x1234 key 0x00")));
}

TEST(SaAddTest, SeqWithinTheSequenceSpace) {
  auto r = SaAdd(kGcm + " seq 0xfffffffd");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->sa.seq, 0xfffffffdu);
  EXPECT_FALSE(SaAdd(kGcm).value().sa.seq);  // unset unless given
  EXPECT_NE(SaAddError(kGcm + " seq 0x100000000").find("seq"), std::string::npos);
  auto esn = SaAdd(kGcm + " esn seq 0x7ffffffffffffffd");
  ASSERT_TRUE(esn) << esn.error().message;
  EXPECT_EQ(esn->sa.seq, 0x7ffffffffffffffdu);
  EXPECT_NE(SaAddError(kGcm + " esn seq 0x8000000000000000"), "");  // outbound ESN: 2^63 - 1
  std::string in =
      "dev ipsec0 dir in spi 0x1000 src 192.0.2.1 dst 192.0.2.2 "
      "enc aes-gcm-128 key " +
      Hex(20) + " esn seq 0xffffffffffffffff";
  EXPECT_TRUE(SaAdd(in)) << SaAddError(in);
}

TEST(SaUpdateTest, AddressesPortsLifetimes) {
  auto r = ParseSaUpdate(
      Split("dev ipsec0 dir out spi 0x1000 dst 192.0.2.3 encap 4500:4501 hard-packets 10"));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->dev, "ipsec0");
  EXPECT_EQ(r->upd.spi, 0x1000u);
  EXPECT_EQ(r->upd.dir, kernel::Direction::kOut);
  EXPECT_FALSE(r->upd.src);
  ASSERT_TRUE(r->upd.dst);
  EXPECT_EQ(r->upd.dst->ToString(), "192.0.2.3");
  EXPECT_EQ(r->upd.encap_sport, 4500);
  EXPECT_EQ(r->upd.encap_dport, 4501);
  ASSERT_TRUE(r->upd.hard);
  EXPECT_EQ(r->upd.hard->packets, 10u);
  auto only_src = ParseSaUpdate(Split("dev ipsec0 dir in spi 0x1000 src 2001:db8::9"));
  ASSERT_TRUE(only_src);
  EXPECT_FALSE(only_src->upd.hard);  // lifetimes untouched unless given
  EXPECT_FALSE(only_src->upd.encap_sport);
}

TEST(SaUpdateTest, RefusesWhatCannotChange) {
  auto err = [](const std::string& line) {
    auto r = ParseSaUpdate(Split(line));
    return r ? std::string() : r.error().message;
  };
  EXPECT_NE(err("dev ipsec0 dir out spi 0x1000").find("nothing to update"), std::string::npos);
  EXPECT_NE(err("dev ipsec0 dir out spi 0x1000 key 0x00").find("'key'"), std::string::npos);
  EXPECT_NE(err("dev ipsec0 dir out spi 0x1000 seq 5").find("'seq'"), std::string::npos);
  EXPECT_NE(err("dev ipsec0 dir out spi 0x1000 src 192.0.2.1 dst 2001:db8::1").find("IPv6"),
            std::string::npos);
  EXPECT_NE(err("dev ipsec0 dir out spi 0x1000 encap 4500").find("SPORT:DPORT"), std::string::npos);
  EXPECT_NE(err("dev ipsec0 spi 0x1000 dst 192.0.2.3").find("'dir'"), std::string::npos);
  EXPECT_NE(err("dev ipsec0 dir out spi 0x1000 soft-packets 5 hard-packets 2").find("soft"),
            std::string::npos);
}

TEST(PolicyTest, Full) {
  auto r =
      ParsePolicy(Split("dev ipsec0 src 10.1.0.0/24 dst 10.2.0.0/16 proto tcp sport 1024-65535 "
                        "dport 443 reqid 5 priority 10"),
                  true);
  ASSERT_TRUE(r) << r.error().message;
  const auto& p = r->policy;
  EXPECT_EQ(p.sel.src.ToString(), "10.1.0.0/24");
  EXPECT_EQ(p.sel.dst.ToString(), "10.2.0.0/16");
  EXPECT_EQ(p.sel.proto, 6);
  EXPECT_EQ(p.sel.sport_min, 1024);
  EXPECT_EQ(p.sel.sport_max, 65535);
  EXPECT_EQ(p.sel.dport_min, 443);
  EXPECT_EQ(p.sel.dport_max, 443);
  EXPECT_EQ(p.reqid, 5u);
  EXPECT_EQ(p.priority, 10u);
}

TEST(PolicyTest, HostBitsClearedAndDefaults) {
  auto r = ParsePolicy(Split("dev ipsec0 src 10.1.0.77/24 dst fd00::1 reqid 1"), true);
  EXPECT_FALSE(r);  // mixed families
  r = ParsePolicy(Split("dev ipsec0 src 10.1.0.77/24 dst 10.2.0.1 reqid 1"), true);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->policy.sel.src.ToString(), "10.1.0.0/24");
  EXPECT_EQ(r->policy.sel.dst.ToString(), "10.2.0.1/32");
  EXPECT_EQ(r->policy.sel.proto, 0);
  EXPECT_EQ(r->policy.sel.dport_max, 65535);
  EXPECT_EQ(r->policy.priority, 0u);
}

TEST(PolicyTest, BadLines) {
  auto err = [](const std::string& line, bool add = true) {
    auto r = ParsePolicy(Split(line), add);
    return r ? std::string() : r.error().message;
  };
  EXPECT_NE(err("dev ipsec0 src 10.1.0.0/24 dst 10.2.0.0/24").find("'reqid' is required"),
            std::string::npos);
  EXPECT_EQ(err("dev ipsec0 src 10.1.0.0/24 dst 10.2.0.0/24", false), "");  // del: optional
  EXPECT_NE(
      err("dev ipsec0 src 10.1.0.0/24 dst 10.2.0.0/24 dport 80 reqid 1").find("dport: ports need"),
      std::string::npos);
  EXPECT_NE(err("dev ipsec0 src 10.1.0.0/24 dst 10.2.0.0/24 proto tcp dport 90-80 reqid 1")
                .find("dport: range 90-80 is empty"),
            std::string::npos);
  EXPECT_NE(
      err("dev ipsec0 src 10.1.0.0/24 dst 10.2.0.0/24 proto frob reqid 1").find("proto: 'frob'"),
      std::string::npos);
  EXPECT_NE(err("dev ipsec0 src 10.1.0.0/24 dst 10.2.0.0/24 proto 256 reqid 1").find("proto:"),
            std::string::npos);
  EXPECT_NE(err("dev ipsec0 src 10.1.0.0/24 dst 10.2.0.0/24 reqid 1 priority x").find("priority:"),
            std::string::npos);
}

TEST(ProtoTest, NamesAndNumbers) {
  EXPECT_EQ(*ParseProto("tcp"), 6);
  EXPECT_EQ(*ParseProto("udp"), 17);
  EXPECT_EQ(*ParseProto("icmpv6"), 58);
  EXPECT_EQ(*ParseProto("47"), 47);
  EXPECT_EQ(*ParseProto("any"), 0);
}

TEST(DevAndEncapTest, Parse) {
  EXPECT_FALSE(ParseDev(Split(""), false)->dev);
  EXPECT_EQ(*ParseDev(Split("dev ipsec3"), false)->dev, "ipsec3");
  EXPECT_FALSE(ParseDev(Split(""), true));
  EXPECT_FALSE(ParseDev(Split("dev a-name-that-is-too-long"), false));
  auto e = ParseEncap(Split("dev ipsec0"));
  ASSERT_TRUE(e);
  EXPECT_EQ(e->port, 4500);
  EXPECT_FALSE(e->addr);
  e = ParseEncap(Split("dev ipsec0 port 14500 addr 2001:db8::1"));
  ASSERT_TRUE(e);
  EXPECT_EQ(e->port, 14500);
  EXPECT_TRUE(e->addr->is_v6());
  EXPECT_FALSE(ParseEncap(Split("dev ipsec0 port 0")));
  EXPECT_FALSE(ParseEncap(Split("port 4500")));
}

// dev set dev D mss-clamp on|off|yes|no|536..65535 -> IPSEC_TUN_A_MSS_CLAMP.
TEST(ArgsTest, DevSetMssClamp) {
  EXPECT_EQ(ParseDevSet(Split("dev ipsec1 mss-clamp on"))->mss_clamp, 65535);
  EXPECT_EQ(ParseDevSet(Split("dev ipsec1 mss-clamp yes"))->mss_clamp, 65535);
  EXPECT_EQ(ParseDevSet(Split("dev ipsec1 mss-clamp off"))->mss_clamp, 0);
  EXPECT_EQ(ParseDevSet(Split("dev ipsec1 mss-clamp no"))->mss_clamp, 0);
  EXPECT_EQ(ParseDevSet(Split("dev ipsec1 mss-clamp 536"))->mss_clamp, 536);
  EXPECT_EQ(ParseDevSet(Split("dev ipsec1 mss-clamp 1200"))->dev, "ipsec1");
  for (const char* bad :
       {"dev ipsec1 mss-clamp 535", "dev ipsec1 mss-clamp 65536", "dev ipsec1 mss-clamp 12x",
        "dev ipsec1 mss-clamp", "mss-clamp on", "dev ipsec1"}) {
    auto r = ParseDevSet(Split(bad));
    EXPECT_FALSE(r) << bad;
  }
  EXPECT_EQ(ParseDevSet(Split("dev ipsec1 mss-clamp 100")).error().message,
            "mss-clamp: '100' is not yes, no or an MSS of 536 to 65535 bytes");
}

}  // namespace
}  // namespace ipsec::ctl
