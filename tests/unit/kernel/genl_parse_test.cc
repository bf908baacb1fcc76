// genl_parse: requests carry exactly the attributes the uapi asks for, and
// replies shaped like the module's (kmod/netlink.c fill_sa, fill_dev, events)
// parse back; malformed replies give nullopt instead of garbage.
#include "kernel/genl_parse.h"

#include <gtest/gtest.h>
#include <linux/ipsec_tun.h>
#include <netlink/attr.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include <memory>

#include "kernel/netns.h"

namespace ipsec::kernel {
namespace {

struct MsgFree {
  void operator()(nl_msg* m) const { nlmsg_free(m); }
};
using Msg = std::unique_ptr<nl_msg, MsgFree>;

Msg NewMsg(uint8_t cmd) {
  Msg m(nlmsg_alloc_size(16384));
  genlmsg_put(m.get(), 0, 0, 42, 0, 0, cmd, IPSEC_TUN_GENL_VERSION);
  return m;
}

// Top-level attributes of a genetlink message.
struct Parsed {
  nlattr* tb[IPSEC_TUN_A_MAX + 1];
  nlattr* sa[IPSEC_TUN_SA_A_MAX + 1];
  nlattr* pol[IPSEC_TUN_POL_A_MAX + 1];
};

void ParseMsg(nl_msg* m, Parsed* p) {
  ASSERT_EQ(genlmsg_parse(nlmsg_hdr(m), 0, p->tb, IPSEC_TUN_A_MAX, nullptr), 0);
  std::fill(std::begin(p->sa), std::end(p->sa), nullptr);
  std::fill(std::begin(p->pol), std::end(p->pol), nullptr);
  if (p->tb[IPSEC_TUN_A_SA]) {
    ASSERT_EQ(nla_parse_nested(p->sa, IPSEC_TUN_SA_A_MAX, p->tb[IPSEC_TUN_A_SA], nullptr), 0);
  }
  if (p->tb[IPSEC_TUN_A_POLICY]) {
    ASSERT_EQ(nla_parse_nested(p->pol, IPSEC_TUN_POL_A_MAX, p->tb[IPSEC_TUN_A_POLICY], nullptr), 0);
  }
}

IpAddress Addr(const char* s) {
  return *IpAddress::Parse(s);
}
IpPrefix Prefix(const char* s) {
  return *IpPrefix::Parse(s);
}

SaParams GcmSa() {
  SaParams sa;
  sa.spi = 0x1000;
  sa.dir = Direction::kOut;
  sa.reqid = 7;
  sa.src = Addr("192.0.2.1");
  sa.dst = Addr("192.0.2.2");
  sa.encr_id = IPSEC_TUN_ENCR_AES_GCM_16;
  sa.encr_key_bits = 128;
  sa.enc_key = SecureBytes(std::vector<uint8_t>(20, 0xab));
  sa.replay_window = 256;
  sa.esn = true;
  sa.encap_sport = 4500;
  sa.encap_dport = 4501;
  sa.soft.bytes = 1000;
  sa.hard.bytes = 2000;
  sa.hard.seconds = 3600;
  TrafficSelector ts;
  ts.src = Prefix("10.1.0.0/24");
  ts.dst = Prefix("10.2.0.0/24");
  sa.selectors = {ts, ts};
  sa.selectors[1].dst = Prefix("10.3.0.0/16");
  return sa;
}

TEST(GenlPutTest, NewSaCarriesEveryField) {
  Msg m = NewMsg(IPSEC_TUN_CMD_NEW_SA);
  ASSERT_TRUE(PutNewSa(m.get(), 5, GcmSa()));
  Parsed p;
  ParseMsg(m.get(), &p);
  EXPECT_EQ(GetU32(p.tb[IPSEC_TUN_A_IFINDEX]), 5u);
  EXPECT_EQ(GetU32(p.sa[IPSEC_TUN_SA_A_SPI]), 0x1000u);
  EXPECT_EQ(GetU8(p.sa[IPSEC_TUN_SA_A_DIR]), IPSEC_TUN_DIR_OUT);
  EXPECT_EQ(GetU32(p.sa[IPSEC_TUN_SA_A_REQID]), 7u);
  EXPECT_EQ(GetU16(p.sa[IPSEC_TUN_SA_A_FAMILY]), AF_INET);
  EXPECT_EQ(GetAddr(p.sa[IPSEC_TUN_SA_A_SRC], AF_INET), Addr("192.0.2.1"));
  EXPECT_EQ(GetAddr(p.sa[IPSEC_TUN_SA_A_DST], AF_INET), Addr("192.0.2.2"));
  EXPECT_EQ(GetU16(p.sa[IPSEC_TUN_SA_A_ENCR_ID]), IPSEC_TUN_ENCR_AES_GCM_16);
  EXPECT_EQ(GetU16(p.sa[IPSEC_TUN_SA_A_ENCR_KEYLEN]), 128);
  ASSERT_NE(p.sa[IPSEC_TUN_SA_A_ENC_KEY], nullptr);
  EXPECT_EQ(nla_len(p.sa[IPSEC_TUN_SA_A_ENC_KEY]), 20);
  EXPECT_EQ(static_cast<uint8_t*>(nla_data(p.sa[IPSEC_TUN_SA_A_ENC_KEY]))[19], 0xab);
  // AEAD: no integrity algorithm, no auth key.
  EXPECT_EQ(p.sa[IPSEC_TUN_SA_A_INTEG_ID], nullptr);
  EXPECT_EQ(p.sa[IPSEC_TUN_SA_A_AUTH_KEY], nullptr);
  EXPECT_EQ(GetU32(p.sa[IPSEC_TUN_SA_A_REPLAY_WINDOW]), 256u);
  EXPECT_EQ(GetU32(p.sa[IPSEC_TUN_SA_A_FLAGS]), IPSEC_TUN_SA_F_ESN);
  EXPECT_EQ(GetU16(p.sa[IPSEC_TUN_SA_A_ENCAP_SPORT]), 4500);
  EXPECT_EQ(GetU16(p.sa[IPSEC_TUN_SA_A_ENCAP_DPORT]), 4501);
  EXPECT_EQ(GetU64(p.sa[IPSEC_TUN_SA_A_SOFT_BYTES]), 1000u);
  EXPECT_EQ(GetU64(p.sa[IPSEC_TUN_SA_A_HARD_BYTES]), 2000u);
  EXPECT_EQ(GetU64(p.sa[IPSEC_TUN_SA_A_HARD_SECONDS]), 3600u);
  EXPECT_EQ(p.sa[IPSEC_TUN_SA_A_SOFT_PACKETS], nullptr);  // 0 = none: not sent
  // Selectors: a nest of nests, in order.
  ASSERT_NE(p.sa[IPSEC_TUN_SA_A_SEL], nullptr);
  std::vector<TrafficSelector> sels;
  nlattr* a;
  int rem;
  nla_for_each_nested(a, p.sa[IPSEC_TUN_SA_A_SEL], rem) {
    auto ts = ParseSelector(a);
    ASSERT_TRUE(ts);
    sels.push_back(*ts);
  }
  EXPECT_EQ(sels, GcmSa().selectors);
}

TEST(GenlPutTest, CbcSaCarriesIntegrity) {
  SaParams sa = GcmSa();
  sa.dir = Direction::kIn;
  sa.encr_id = IPSEC_TUN_ENCR_AES_CBC;
  sa.encr_key_bits = 256;
  sa.enc_key = SecureBytes(std::vector<uint8_t>(32, 1));
  sa.integ_id = IPSEC_TUN_AUTH_HMAC_SHA2_256_128;
  sa.auth_key = SecureBytes(std::vector<uint8_t>(32, 2));
  sa.src = Addr("2001:db8::1");
  sa.dst = Addr("2001:db8::2");
  sa.esn = false;
  Msg m = NewMsg(IPSEC_TUN_CMD_NEW_SA);
  ASSERT_TRUE(PutNewSa(m.get(), 5, sa));
  Parsed p;
  ParseMsg(m.get(), &p);
  EXPECT_EQ(GetU8(p.sa[IPSEC_TUN_SA_A_DIR]), IPSEC_TUN_DIR_IN);
  EXPECT_EQ(GetU16(p.sa[IPSEC_TUN_SA_A_FAMILY]), AF_INET6);
  EXPECT_EQ(nla_len(p.sa[IPSEC_TUN_SA_A_SRC]), 16);
  EXPECT_EQ(GetU16(p.sa[IPSEC_TUN_SA_A_INTEG_ID]), IPSEC_TUN_AUTH_HMAC_SHA2_256_128);
  EXPECT_EQ(nla_len(p.sa[IPSEC_TUN_SA_A_AUTH_KEY]), 32);
  EXPECT_EQ(GetU32(p.sa[IPSEC_TUN_SA_A_FLAGS]), 0u);
}

TEST(GenlPutTest, PolicyAndSaId) {
  Policy pol;
  pol.sel.src = Prefix("10.1.0.0/24");
  pol.sel.dst = Prefix("10.2.0.0/24");
  pol.sel.proto = 6;
  pol.sel.dport_min = 80;
  pol.sel.dport_max = 90;
  pol.reqid = 3;
  pol.priority = 9;
  Msg m = NewMsg(IPSEC_TUN_CMD_NEW_POLICY);
  ASSERT_TRUE(PutPolicy(m.get(), 4, pol));
  Parsed p;
  ParseMsg(m.get(), &p);
  auto sel = ParseSelector(p.tb[IPSEC_TUN_A_POLICY]);
  ASSERT_TRUE(sel);
  EXPECT_EQ(*sel, pol.sel);
  EXPECT_EQ(GetU32(p.pol[IPSEC_TUN_POL_A_REQID]), 3u);
  EXPECT_EQ(GetU32(p.pol[IPSEC_TUN_POL_A_PRIORITY]), 9u);

  Msg d = NewMsg(IPSEC_TUN_CMD_DEL_SA);
  ASSERT_TRUE(PutSaId(d.get(), 4, 0xdeadbeef, Direction::kIn));
  Parsed q;
  ParseMsg(d.get(), &q);
  EXPECT_EQ(GetU32(q.sa[IPSEC_TUN_SA_A_SPI]), 0xdeadbeefu);
  EXPECT_EQ(GetU8(q.sa[IPSEC_TUN_SA_A_DIR]), IPSEC_TUN_DIR_IN);
  EXPECT_EQ(q.sa[IPSEC_TUN_SA_A_ENC_KEY], nullptr);
}

TEST(GenlPutTest, UpdateSendsOnlyWhatChanges) {
  SaUpdate upd;
  upd.spi = 0x2000;
  upd.dir = Direction::kOut;
  upd.dst = Addr("198.51.100.9");
  upd.encap_sport = 4500;
  upd.encap_dport = 31000;
  Msg m = NewMsg(IPSEC_TUN_CMD_UPD_SA);
  ASSERT_TRUE(PutSaUpdate(m.get(), 4, upd));
  Parsed p;
  ParseMsg(m.get(), &p);
  EXPECT_EQ(p.sa[IPSEC_TUN_SA_A_SRC], nullptr);
  EXPECT_EQ(GetAddr(p.sa[IPSEC_TUN_SA_A_DST], AF_INET), Addr("198.51.100.9"));
  EXPECT_EQ(GetU16(p.sa[IPSEC_TUN_SA_A_ENCAP_DPORT]), 31000);
  // The kernel refuses these on update; we must not send them.
  EXPECT_EQ(p.sa[IPSEC_TUN_SA_A_FAMILY], nullptr);
  EXPECT_EQ(p.sa[IPSEC_TUN_SA_A_REQID], nullptr);
  EXPECT_EQ(p.sa[IPSEC_TUN_SA_A_FLAGS], nullptr);
}

// A GET_SA reply the way kmod/netlink.c fill_sa builds it.
Msg SaReply(bool with_family = true, int src_len = 4) {
  Msg m = NewMsg(IPSEC_TUN_CMD_GET_SA);
  nl_msg* r = m.get();
  nla_put_u32(r, IPSEC_TUN_A_IFINDEX, 9);
  nlattr* sa = nla_nest_start(r, IPSEC_TUN_A_SA);
  uint8_t src[16] = {192, 0, 2, 1}, dst[4] = {192, 0, 2, 2};
  nla_put_u32(r, IPSEC_TUN_SA_A_SPI, 0x1234);
  nla_put_u8(r, IPSEC_TUN_SA_A_DIR, IPSEC_TUN_DIR_IN);
  nla_put_u32(r, IPSEC_TUN_SA_A_REQID, 2);
  if (with_family) nla_put_u16(r, IPSEC_TUN_SA_A_FAMILY, AF_INET);
  nla_put(r, IPSEC_TUN_SA_A_SRC, src_len, src);
  nla_put(r, IPSEC_TUN_SA_A_DST, 4, dst);
  nla_put_u16(r, IPSEC_TUN_SA_A_ENCR_ID, IPSEC_TUN_ENCR_CHACHA20_POLY1305);
  nla_put_u16(r, IPSEC_TUN_SA_A_INTEG_ID, 0);
  nla_put_u32(r, IPSEC_TUN_SA_A_REPLAY_WINDOW, 64);
  nla_put_u32(r, IPSEC_TUN_SA_A_FLAGS, IPSEC_TUN_SA_F_ESN);
  nla_put_u64(r, IPSEC_TUN_SA_A_HARD_PACKETS, 77);
  nla_put_u64(r, IPSEC_TUN_SA_A_SEQ, 1000);
  nla_put_u64(r, IPSEC_TUN_SA_A_ADD_TIME, 55);
  nlattr* st = nla_nest_start(r, IPSEC_TUN_SA_A_STATS);
  nla_put_u64(r, IPSEC_TUN_STAT_RX_PACKETS, 10);
  nla_put_u64(r, IPSEC_TUN_STAT_RX_BYTES, 840);
  nla_put_u64(r, IPSEC_TUN_STAT_DROP_REPLAY, 3);
  nla_put_u64(r, IPSEC_TUN_STAT_DROP_NOMEM, 1);
  nla_put_u64(r, IPSEC_TUN_STAT_DROP_ECN, 4);  // numbered after STAT_PAD
  nla_nest_end(r, st);
  nlattr* sels = nla_nest_start(r, IPSEC_TUN_SA_A_SEL);
  TrafficSelector ts;
  ts.src = Prefix("fd00:1::/64");
  ts.dst = Prefix("fd00:2::/64");
  ts.proto = 17;
  ts.sport_min = ts.sport_max = 53;
  PutSelector(r, 1, ts);
  nla_nest_end(r, sels);
  nla_nest_end(r, sa);
  return m;
}

TEST(GenlParseTest, SaReply) {
  Msg m = SaReply();
  auto sa = ParseSaInfo(nlmsg_hdr(m.get()));
  ASSERT_TRUE(sa);
  EXPECT_EQ(sa->ifindex, 9);
  EXPECT_EQ(sa->spi, 0x1234u);
  EXPECT_EQ(sa->dir, Direction::kIn);
  EXPECT_EQ(sa->reqid, 2u);
  EXPECT_EQ(sa->src, Addr("192.0.2.1"));
  EXPECT_EQ(sa->dst, Addr("192.0.2.2"));
  EXPECT_EQ(sa->encr_id, IPSEC_TUN_ENCR_CHACHA20_POLY1305);
  EXPECT_EQ(sa->encr_key_bits, 0);
  EXPECT_EQ(sa->replay_window, 64u);
  EXPECT_TRUE(sa->esn);
  EXPECT_FALSE(sa->encap_sport);
  EXPECT_EQ(sa->hard.packets, 77u);
  EXPECT_EQ(sa->soft.packets, 0u);
  EXPECT_EQ(sa->seq, 1000u);
  EXPECT_EQ(sa->add_time, 55u);
  EXPECT_EQ(sa->stats.rx_packets, 10u);
  EXPECT_EQ(sa->stats.rx_bytes, 840u);
  EXPECT_EQ(sa->stats.drop_replay, 3u);
  EXPECT_EQ(sa->stats.drop_nomem, 1u);
  EXPECT_EQ(sa->stats.drop_ecn, 4u);
  EXPECT_EQ(sa->stats.drop_auth, 0u);
  ASSERT_EQ(sa->selectors.size(), 1u);
  EXPECT_EQ(sa->selectors[0].src, Prefix("fd00:1::/64"));
  EXPECT_EQ(sa->selectors[0].proto, 17);
  EXPECT_EQ(sa->selectors[0].sport_max, 53);
  EXPECT_EQ(sa->selectors[0].dport_max, 65535);
}

TEST(GenlParseTest, AllocSpiRequestAndReply) {
  Msg req = NewMsg(IPSEC_TUN_CMD_ALLOC_SPI);
  ASSERT_TRUE(PutAllocSpi(req.get(), Addr("2001:db8::1"), 0));
  Parsed p;
  ParseMsg(req.get(), &p);
  EXPECT_FALSE(p.tb[IPSEC_TUN_A_IFINDEX]);  // the caller's netns, nothing reserved
  EXPECT_EQ(GetU16(p.sa[IPSEC_TUN_SA_A_FAMILY]), AF_INET6);
  EXPECT_EQ(GetAddr(p.sa[IPSEC_TUN_SA_A_DST], AF_INET6), Addr("2001:db8::1"));
  Msg on_dev = NewMsg(IPSEC_TUN_CMD_ALLOC_SPI);
  ASSERT_TRUE(PutAllocSpi(on_dev.get(), Addr("192.0.2.1"), 7));
  Parsed pd;
  ParseMsg(on_dev.get(), &pd);
  EXPECT_EQ(GetU32(pd.tb[IPSEC_TUN_A_IFINDEX]), 7u);  // reserved on ifindex 7

  for (uint32_t spi : {0xc0ffee01u, 255u}) {
    Msg r = NewMsg(IPSEC_TUN_CMD_ALLOC_SPI);
    nlattr* sa = nla_nest_start(r.get(), IPSEC_TUN_A_SA);
    nla_put_u32(r.get(), IPSEC_TUN_SA_A_SPI, spi);
    nla_nest_end(r.get(), sa);
    auto got = ParseAllocSpi(nlmsg_hdr(r.get()));
    if (spi >= 256)
      EXPECT_EQ(got, spi);
    else
      EXPECT_FALSE(got) << "reserved SPI " << spi << " accepted";
  }
  Msg empty = NewMsg(IPSEC_TUN_CMD_ALLOC_SPI);
  EXPECT_FALSE(ParseAllocSpi(nlmsg_hdr(empty.get())));
}

TEST(GenlParseTest, MalformedSaReplyIsRejected) {
  Msg no_family = SaReply(false);
  EXPECT_FALSE(ParseSaInfo(nlmsg_hdr(no_family.get())));
  Msg wrong_len = SaReply(true, 16);  // 16-byte address with AF_INET
  EXPECT_FALSE(ParseSaInfo(nlmsg_hdr(wrong_len.get())));
  Msg empty = NewMsg(IPSEC_TUN_CMD_GET_SA);
  EXPECT_FALSE(ParseSaInfo(nlmsg_hdr(empty.get())));
}

TEST(GenlParseTest, ShortScalarIsNotRead) {
  Msg m = NewMsg(IPSEC_TUN_CMD_GET_DEV);
  uint8_t one = 1;
  nla_put(m.get(), IPSEC_TUN_A_IFINDEX, 1, &one);  // u32 attribute, 1 byte long
  nla_put_string(m.get(), IPSEC_TUN_A_IFNAME, "ipsec0");
  Parsed p;
  ParseMsg(m.get(), &p);
  EXPECT_FALSE(GetU32(p.tb[IPSEC_TUN_A_IFINDEX]));
  EXPECT_FALSE(ParseDevInfo(nlmsg_hdr(m.get())));
}

TEST(GenlParseTest, DevReply) {
  Msg m = NewMsg(IPSEC_TUN_CMD_GET_DEV);
  nl_msg* r = m.get();
  nla_put_u32(r, IPSEC_TUN_A_IFINDEX, 3);
  nla_put_string(r, IPSEC_TUN_A_IFNAME, "ipsec1");
  nla_put_u32(r, IPSEC_TUN_A_MTU, 1438);
  nla_put_u32(r, IPSEC_TUN_A_SA_COUNT, 2);
  nla_put_u32(r, IPSEC_TUN_A_POLICY_COUNT, 1);
  nla_put_u16(r, IPSEC_TUN_A_ENCAP_PORT, 4500);
  nla_put_s32(r, IPSEC_TUN_A_LINK_NETNSID, 0);
  nlattr* st = nla_nest_start(r, IPSEC_TUN_A_STATS);
  nla_put_u64(r, IPSEC_TUN_STAT_DROP_AUTH, 5);
  nla_put_u64(r, IPSEC_TUN_STAT_DROP_MTU, 6);
  nla_put_u64(r, IPSEC_TUN_STAT_TX_BYTES, 1 << 20);
  nla_put_u64(r, IPSEC_TUN_STAT_ICMP_PMTU, 7);
  nla_put_u64(r, IPSEC_TUN_STAT_ICMP_IGNORED, 8);
  nla_nest_end(r, st);
  auto dev = ParseDevInfo(nlmsg_hdr(r));
  ASSERT_TRUE(dev);
  EXPECT_EQ(dev->ifindex, 3);
  EXPECT_EQ(dev->name, "ipsec1");
  EXPECT_EQ(dev->mtu, 1438u);
  EXPECT_EQ(dev->sa_count, 2u);
  EXPECT_EQ(dev->policy_count, 1u);
  EXPECT_EQ(dev->encap_port, 4500);
  EXPECT_EQ(dev->link_netnsid, 0);
  EXPECT_FALSE(dev->netnsid);
  EXPECT_EQ(dev->stats.drop_auth, 5u);
  EXPECT_EQ(dev->stats.drop_mtu, 6u);
  EXPECT_EQ(dev->stats.tx_bytes, 1u << 20);
  EXPECT_EQ(dev->stats.icmp_pmtu, 7u);
  EXPECT_EQ(dev->stats.icmp_ignored, 8u);
}

// A device moved out of the caller's netns, as the underlay's dump shows it.
TEST(GenlParseTest, DevReplyOfAMovedDevice) {
  Msg m = NewMsg(IPSEC_TUN_CMD_GET_DEV);
  nla_put_u32(m.get(), IPSEC_TUN_A_IFINDEX, 9);
  nla_put_string(m.get(), IPSEC_TUN_A_IFNAME, "ipsec1");
  nla_put_s32(m.get(), IPSEC_TUN_A_NETNSID, 4);
  auto dev = ParseDevInfo(nlmsg_hdr(m.get()));
  ASSERT_TRUE(dev);
  EXPECT_EQ(dev->netnsid, 4);
  EXPECT_FALSE(dev->link_netnsid);
}

TEST(DeviceRef, NameAndNetns) {
  EXPECT_EQ(ParseDeviceRef("ipsec1").name, "ipsec1");
  EXPECT_EQ(ParseDeviceRef("ipsec1").netns, "");
  EXPECT_EQ(ParseDeviceRef("ipsec1@private").name, "ipsec1");
  EXPECT_EQ(ParseDeviceRef("ipsec1@private").netns, "private");
  EXPECT_EQ(DeviceRefString(ParseDeviceRef("ipsec2@vrf-a")), "ipsec2@vrf-a");
  EXPECT_EQ(DeviceRefString(ParseDeviceRef("ipsec0")), "ipsec0");
  EXPECT_TRUE(ValidNetnsName("private"));
  EXPECT_FALSE(ValidNetnsName(""));
  EXPECT_FALSE(ValidNetnsName(".."));
  EXPECT_FALSE(ValidNetnsName("a/b"));
  EXPECT_FALSE(ValidNetnsName(std::string(256, 'n')));
  auto missing = OpenNetns("no-such-netns-for-this-test");
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("/run/netns/no-such-netns-for-this-test"),
            std::string::npos)
      << missing.error().message;
  EXPECT_FALSE(OpenNetns("../etc"));
}

TEST(GenlParseTest, Events) {
  Msg a = NewMsg(IPSEC_TUN_CMD_ACQUIRE);
  nla_put_u32(a.get(), IPSEC_TUN_A_IFINDEX, 2);
  nla_put_u32(a.get(), IPSEC_TUN_A_REQID, 4);
  TrafficSelector ts;
  ts.src = Prefix("10.1.0.5/32");
  ts.dst = Prefix("10.2.0.7/32");
  ts.proto = 1;
  PutSelector(a.get(), IPSEC_TUN_A_PACKET_SEL, ts);
  auto acq = ParseAcquire(nlmsg_hdr(a.get()));
  ASSERT_TRUE(acq);
  EXPECT_EQ(acq->ifindex, 2);
  EXPECT_EQ(acq->reqid, 4u);
  EXPECT_EQ(acq->packet, ts);

  Msg e = NewMsg(IPSEC_TUN_CMD_EXPIRE);
  nla_put_u32(e.get(), IPSEC_TUN_A_IFINDEX, 2);
  nlattr* sa = nla_nest_start(e.get(), IPSEC_TUN_A_SA);
  nla_put_u32(e.get(), IPSEC_TUN_SA_A_SPI, 0x999);
  nla_put_u8(e.get(), IPSEC_TUN_SA_A_DIR, IPSEC_TUN_DIR_OUT);
  nla_put_u32(e.get(), IPSEC_TUN_SA_A_REQID, 4);
  nla_nest_end(e.get(), sa);
  nla_put_flag(e.get(), IPSEC_TUN_A_EXPIRE_HARD);
  nla_put_u8(e.get(), IPSEC_TUN_A_EXPIRE_REASON, IPSEC_TUN_EXPIRE_BYTES);
  auto exp = ParseExpire(nlmsg_hdr(e.get()));
  ASSERT_TRUE(exp);
  EXPECT_EQ(exp->spi, 0x999u);
  EXPECT_EQ(exp->dir, Direction::kOut);
  EXPECT_EQ(exp->reqid, 4u);
  EXPECT_TRUE(exp->hard);
  EXPECT_EQ(exp->reason, IPSEC_TUN_EXPIRE_BYTES);

  Msg bad = NewMsg(IPSEC_TUN_CMD_EXPIRE);  // no SA nest
  nla_put_u32(bad.get(), IPSEC_TUN_A_IFINDEX, 2);
  EXPECT_FALSE(ParseExpire(nlmsg_hdr(bad.get())));

  Msg er = NewMsg(IPSEC_TUN_CMD_ERROR_EVENT);
  nla_put_u32(er.get(), IPSEC_TUN_A_IFINDEX, 2);
  nla_put_u32(er.get(), IPSEC_TUN_A_ERROR_CODE, IPSEC_TUN_ERR_ENCAP_CLOSED);
  auto err = ParseErrorEvent(nlmsg_hdr(er.get()));
  ASSERT_TRUE(err);
  EXPECT_EQ(err->code, static_cast<uint32_t>(IPSEC_TUN_ERR_ENCAP_CLOSED));
  EXPECT_EQ(err->spi, 0u);
}

// MAPPING: old endpoint in the SA nest, new one at the top level.
TEST(GenlParseTest, MappingEvent) {
  const uint8_t old_addr[4] = {192, 0, 2, 1}, new_addr[4] = {198, 51, 100, 7};
  Msg m = NewMsg(IPSEC_TUN_CMD_MAPPING);
  nla_put_u32(m.get(), IPSEC_TUN_A_IFINDEX, 3);
  nlattr* sa = nla_nest_start(m.get(), IPSEC_TUN_A_SA);
  nla_put_u32(m.get(), IPSEC_TUN_SA_A_SPI, 0x5481);
  nla_put_u8(m.get(), IPSEC_TUN_SA_A_DIR, IPSEC_TUN_DIR_IN);
  nla_put_u32(m.get(), IPSEC_TUN_SA_A_REQID, 7);
  nla_put_u16(m.get(), IPSEC_TUN_SA_A_FAMILY, AF_INET);
  nla_put(m.get(), IPSEC_TUN_SA_A_SRC, 4, old_addr);
  nla_put_u16(m.get(), IPSEC_TUN_SA_A_ENCAP_SPORT, 4500);
  nla_nest_end(m.get(), sa);
  nla_put(m.get(), IPSEC_TUN_A_MAPPING_ADDR, 4, new_addr);
  nla_put_u16(m.get(), IPSEC_TUN_A_MAPPING_PORT, 40007);
  auto ev = ParseMapping(nlmsg_hdr(m.get()));
  ASSERT_TRUE(ev);
  EXPECT_EQ(ev->ifindex, 3);
  EXPECT_EQ(ev->spi, 0x5481u);
  EXPECT_EQ(ev->reqid, 7u);
  EXPECT_EQ(ev->old_addr, Addr("192.0.2.1"));
  EXPECT_EQ(ev->old_port, 4500);
  EXPECT_EQ(ev->new_addr, Addr("198.51.100.7"));
  EXPECT_EQ(ev->new_port, 40007);

  Msg bad = NewMsg(IPSEC_TUN_CMD_MAPPING);  // no new endpoint
  nla_put_u32(bad.get(), IPSEC_TUN_A_IFINDEX, 3);
  sa = nla_nest_start(bad.get(), IPSEC_TUN_A_SA);
  nla_put_u32(bad.get(), IPSEC_TUN_SA_A_SPI, 0x5481);
  nla_put_u16(bad.get(), IPSEC_TUN_SA_A_FAMILY, AF_INET);
  nla_put(bad.get(), IPSEC_TUN_SA_A_SRC, 4, old_addr);
  nla_nest_end(bad.get(), sa);
  EXPECT_FALSE(ParseMapping(nlmsg_hdr(bad.get())));
}

}  // namespace
}  // namespace ipsec::kernel
