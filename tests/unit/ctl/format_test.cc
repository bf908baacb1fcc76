// ipsecctl output: the counter names scripts read from --json, and text that
// shows what matters (and never anything that could be a key).
#include "ctl/format.h"

#include <gtest/gtest.h>
#include <linux/ipsec_tun.h>

namespace ipsec::ctl {
namespace {

kernel::SaInfo Sa() {
  kernel::SaInfo sa;
  sa.ifindex = 4;
  sa.spi = 0x1000;
  sa.dir = kernel::Direction::kOut;
  sa.reqid = 1;
  sa.src = *IpAddress::Parse("192.0.2.1");
  sa.dst = *IpAddress::Parse("192.0.2.2");
  sa.encr_id = IPSEC_TUN_ENCR_AES_CBC;
  sa.encr_key_bits = 256;
  sa.integ_id = IPSEC_TUN_AUTH_HMAC_SHA2_256_128;
  sa.replay_window = 128;
  sa.esn = true;
  sa.encap_sport = 4500;
  sa.encap_dport = 4500;
  sa.seq = 42;
  sa.stats.tx_packets = 41;
  sa.stats.drop_replay = 2;
  sa.hard.bytes = 1 << 30;
  kernel::TrafficSelector ts;
  ts.src = *IpPrefix::Parse("10.1.0.0/24");
  ts.dst = *IpPrefix::Parse("10.2.0.0/24");
  ts.proto = 6;
  ts.dport_min = ts.dport_max = 80;
  sa.selectors.push_back(ts);
  return sa;
}

TEST(FormatTest, SaText) {
  std::string s = FormatSa(Sa(), {{4, "ipsec0"}});
  EXPECT_NE(s.find("ipsec0 out spi 0x00001000 reqid 1 192.0.2.1 -> 192.0.2.2"), std::string::npos)
      << s;
  EXPECT_NE(s.find("enc aes-cbc-256 auth hmac-sha256 replay-window 128 esn encap 4500:4500"),
            std::string::npos)
      << s;
  EXPECT_NE(s.find("sel 10.1.0.0/24 -> 10.2.0.0/24 proto tcp dport 80"), std::string::npos) << s;
  EXPECT_NE(s.find("hard lifetime: bytes 1073741824"), std::string::npos) << s;
  EXPECT_NE(s.find("tx 41 packets"), std::string::npos) << s;
  EXPECT_NE(s.find("replay 2"), std::string::npos) << s;
  EXPECT_EQ(s.find("key"), std::string::npos) << s;
}

TEST(FormatTest, SaJson) {
  auto j = SaJson(Sa(), {});
  EXPECT_EQ(j["dev"], "if4");  // unknown device: named by index
  EXPECT_EQ(j["spi"], "0x00001000");
  EXPECT_EQ(j["enc"], "aes-cbc-256");
  EXPECT_EQ(j["auth"], "hmac-sha256");
  EXPECT_EQ(j["encap"]["dport"], 4500);
  EXPECT_EQ(j["stats"]["tx_packets"], 41);
  EXPECT_EQ(j["stats"]["drop_replay"], 2);
  EXPECT_EQ(j["hard"]["bytes"], 1 << 30);
  EXPECT_EQ(j["selectors"][0]["dport_min"], 80);
  EXPECT_FALSE(j.contains("key"));
  EXPECT_FALSE(j.contains("enc_key"));
}

TEST(FormatTest, CountersJsonHasEveryDropCause) {
  auto j = CountersJson({});
  for (const char* k :
       {"rx_packets", "rx_bytes", "tx_packets", "tx_bytes", "drop_auth", "drop_replay", "drop_pad",
        "drop_header", "drop_no_sa", "drop_no_policy", "drop_selector", "drop_mtu", "drop_expired",
        "drop_nomem", "drop_ecn", "drop_hold_expired", "drop_hold_full", "icmp_pmtu",
        "icmp_ignored", "rx_held"})
    EXPECT_TRUE(j.contains(k)) << k;
  EXPECT_EQ(j.size(), 20u);
}

TEST(FormatTest, Events) {
  kernel::ExpireEvent e;
  e.ifindex = 2;
  e.spi = 0x1234;
  e.dir = kernel::Direction::kIn;
  e.reqid = 3;
  e.hard = true;
  e.reason = IPSEC_TUN_EXPIRE_PACKETS;
  EXPECT_EQ(FormatExpire(e, {{2, "ipsec0"}}),
            "expire hard ipsec0 in spi 0x00001234 reqid 3 reason packets");
  kernel::AcquireEvent a;
  a.ifindex = 2;
  a.packet.src = *IpPrefix::Parse("10.1.0.1/32");
  a.packet.dst = *IpPrefix::Parse("10.2.0.1/32");
  a.packet.proto = 1;
  EXPECT_EQ(FormatAcquire(a, {{2, "ipsec0"}}),
            "acquire ipsec0 no-policy packet 10.1.0.1/32 -> 10.2.0.1/32 proto icmp");
}

}  // namespace
}  // namespace ipsec::ctl
