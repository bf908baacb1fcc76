// Quick mode (RFC 2409 5.5) under a main-mode SA between our two ends:
// both derive the same child keys for the SPIs each chose, with and without
// PFS; a forged QM1 or QM3 changes nothing; a retransmitted QM1 gets the
// same QM2; selectors without a conn, an ESP mismatch and a PFS
// disagreement are refused with a line that names them.
#include <gtest/gtest.h>

#include "ike/constants.h"
#include "ike/v1/quick_mode.h"
#include "ike/v1/traffic_ids.h"
#include "v1_test_peers.h"

namespace ipsec::ike::v1 {
namespace {

std::vector<EspTransform> Esp(uint16_t encr_id, uint16_t bits, uint16_t integ_id,
                              uint16_t pfs = 0) {
  std::vector<ipsec::Transform> ts = {{TransformType::kEncr, encr_id, bits}};
  if (integ_id) ts.push_back({TransformType::kInteg, integ_id, 0});
  auto r = QuickModeTransformsFor({ipsec::Proposal{ProtocolId::kEsp, ts}}, pfs, 3600, false);
  EXPECT_TRUE(r) << r.error().message;
  return r ? *r : std::vector<EspTransform>{};
}

IpPrefix Net(const char* s) {
  return *IpPrefix::Parse(s);
}

struct Established {
  Pair p;
  Established() {
    auto m6 = RunTo(p, 6);
    EXPECT_TRUE(p.i.Receive(m6));
  }
};

QuickModeParams Left(std::vector<EspTransform> t) {
  return {std::move(t), Net("10.1.0.0/16"), Net("10.2.0.0/24")};
}

QuickModeResponder::Select Right(std::vector<EspTransform> t) {
  return [t](const IpPrefix& remote, const IpPrefix& local) -> std::optional<QuickModeParams> {
    if (remote != Net("10.1.0.0/16") || local != Net("10.2.0.0/24")) return std::nullopt;
    return QuickModeParams{t, local, remote};
  };
}

bool Has(const Result<Bytes>& r, const std::string& text) {
  return !r && r.error().message.find(text) != std::string::npos;
}

void ExpectSameKeys(const QuickModeResult& a, const QuickModeResult& b) {
  EXPECT_EQ(a.inbound_spi, b.outbound_spi);
  EXPECT_EQ(a.outbound_spi, b.inbound_spi);
  EXPECT_TRUE(a.keys.encr_i == b.keys.encr_i);
  EXPECT_TRUE(a.keys.integ_i == b.keys.integ_i);
  EXPECT_TRUE(a.keys.encr_r == b.keys.encr_r);
  EXPECT_TRUE(a.keys.integ_r == b.keys.integ_r);
  EXPECT_FALSE(a.keys.encr_i == a.keys.encr_r);  // each direction keyed by its own SPI
  EXPECT_EQ(a.local_ts, b.remote_ts);
  EXPECT_EQ(a.remote_ts, b.local_ts);
}

TEST(V1QuickMode, GcmWithoutPfs) {
  Established e;
  auto esp = Esp(encr::kAesGcm16, 256, 0);
  QuickModeInitiator qi(e.p.i.sa(), Left(esp), 0x11223344, 0xc0000001, e.p.random);
  QuickModeResponder qr(e.p.r.sa(), 0x11223344, 0xc0000002, e.p.random);
  auto qm1 = qi.Start();
  ASSERT_TRUE(qm1) << qm1.error().message;
  auto qm2 = qr.Receive(*qm1, Right(esp));
  ASSERT_TRUE(qm2) << qm2.error().message;
  auto qm3 = qi.Receive(*qm2);
  ASSERT_TRUE(qm3) << qm3.error().message;
  ASSERT_TRUE(qi.done());
  ASSERT_TRUE(qr.Receive(*qm3, Right(esp)));
  ASSERT_TRUE(qr.done());
  const auto& a = qi.result();
  const auto& b = qr.result();
  EXPECT_EQ(a.inbound_spi, 0xc0000001u);
  EXPECT_EQ(a.outbound_spi, 0xc0000002u);
  EXPECT_EQ(a.transforms.encr, encr::kAesGcm16);
  EXPECT_EQ(a.transforms.encr_key_bits, 256);
  EXPECT_EQ(a.keys.encr_i.size(), 36u);  // key || 4-byte salt
  EXPECT_TRUE(a.keys.integ_i.empty());
  EXPECT_EQ(DescribeEsp(a.transform), "AES_GCM_16_256");
  ExpectSameKeys(a, b);
}

TEST(V1QuickMode, CbcShaWithPfs) {
  Established e;
  auto esp = Esp(encr::kAesCbc, 128, integ::kHmacSha2_256_128, dh::kModp2048);
  QuickModeInitiator qi(e.p.i.sa(), Left(esp), 7, 0x1001, e.p.random);
  QuickModeResponder qr(e.p.r.sa(), 7, 0x2002, e.p.random);
  auto qm1 = qi.Start();
  ASSERT_TRUE(qm1);
  auto qm2 = qr.Receive(*qm1, Right(esp));
  ASSERT_TRUE(qm2) << qm2.error().message;
  ASSERT_TRUE(qi.Receive(*qm2));
  EXPECT_EQ(qi.result().keys.encr_i.size(), 16u);
  EXPECT_EQ(qi.result().keys.integ_i.size(), 32u);
  EXPECT_EQ(DescribeEsp(qi.result().transform), "AES_CBC_128/HMAC_SHA2_256_128+MODP_2048");
  ExpectSameKeys(qi.result(), qr.result());
}

// esp=...-esn (RFC 4304): every transform carries the ESN attribute and a
// responder without it refuses the offer; -esn-noesn offers both, and a
// noesn responder takes the second.
TEST(V1QuickMode, EsnIsOfferedAndMustMatch) {
  const ipsec::Transform cbc{TransformType::kEncr, encr::kAesCbc, 128};
  const ipsec::Transform sha1{TransformType::kInteg, integ::kHmacSha1_96, 0};
  const ipsec::Transform yes{TransformType::kEsn, esn::kYes, 0},
      no{TransformType::kEsn, esn::kNo, 0};
  auto esn_only = QuickModeTransformsFor({{ProtocolId::kEsp, {cbc, sha1, yes}}}, 0, 3600, false);
  auto both = QuickModeTransformsFor({{ProtocolId::kEsp, {cbc, sha1, yes, no}}}, 0, 3600, false);
  ASSERT_TRUE(esn_only && both);
  ASSERT_EQ(esn_only->size(), 1u);
  EXPECT_TRUE(esn_only->at(0).attrs.esn);
  EXPECT_EQ(DescribeEsp(esn_only->at(0)), "AES_CBC_128/HMAC_SHA1_96+ESN");
  ASSERT_EQ(both->size(), 2u);
  EXPECT_TRUE(both->at(0).attrs.esn);
  EXPECT_FALSE(both->at(1).attrs.esn);
  EXPECT_TRUE(ChildTransformsOf(esn_only->at(0)).esn);

  const auto plain = Esp(encr::kAesCbc, 128, integ::kHmacSha1_96);
  {
    Established e;
    QuickModeInitiator i(e.p.i.sa(), Left(*esn_only), 0x01020304, 0x1111, e.p.random);
    QuickModeResponder r(e.p.r.sa(), 0x01020304, 0x2222, e.p.random);
    auto qm1 = i.Start();
    ASSERT_TRUE(qm1);
    EXPECT_TRUE(Has(r.Receive(*qm1, Right(plain)),
                    "no quick-mode proposal chosen: peer offered AES_CBC_128/HMAC_SHA1_96+ESN"));
  }
  {
    Established e;
    QuickModeInitiator i(e.p.i.sa(), Left(*both), 0x01020304, 0x1111, e.p.random);
    QuickModeResponder r(e.p.r.sa(), 0x01020304, 0x2222, e.p.random);
    auto qm1 = i.Start();
    ASSERT_TRUE(qm1);
    auto qm2 = r.Receive(*qm1, Right(plain));
    ASSERT_TRUE(qm2) << qm2.error().message;
    ASSERT_TRUE(i.Receive(*qm2));
    EXPECT_FALSE(i.result().transforms.esn);
  }
}

TEST(V1QuickMode, ForgedMessagesChangeNothing) {
  Established e;
  auto esp = Esp(encr::kAesCbc, 256, integ::kHmacSha1_96);
  QuickModeInitiator qi(e.p.i.sa(), Left(esp), 9, 0x1001, e.p.random);
  QuickModeResponder qr(e.p.r.sa(), 9, 0x2002, e.p.random);
  auto qm1 = qi.Start();
  ASSERT_TRUE(qm1);
  Bytes forged = *qm1;
  forged[forged.size() - 17] ^= 0x01;  // second-last cipher block: garbles the last one
  EXPECT_FALSE(qr.Receive(forged, Right(esp)));
  auto qm2 = qr.Receive(*qm1, Right(esp));
  ASSERT_TRUE(qm2) << qm2.error().message;
  auto again = qr.Receive(*qm1, Right(esp));  // a retransmit: the same answer
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, *qm2);
  auto qm3 = qi.Receive(*qm2);
  ASSERT_TRUE(qm3);
  Bytes bad3 = *qm3;
  bad3.back() ^= 0x80;
  EXPECT_FALSE(qr.Receive(bad3, Right(esp)));
  EXPECT_FALSE(qr.done());
  ASSERT_TRUE(qr.Receive(*qm3, Right(esp)));
  EXPECT_TRUE(qr.done());
}

TEST(V1QuickMode, AnotherExchangesMessageIsRefused) {
  Established e;
  auto esp = Esp(encr::kAesCbc, 256, integ::kHmacSha1_96);
  QuickModeInitiator qi(e.p.i.sa(), Left(esp), 21, 0x1001, e.p.random);
  QuickModeResponder wrong_id(e.p.r.sa(), 22, 0x2002, e.p.random);
  auto qm1 = qi.Start();
  ASSERT_TRUE(qm1);
  EXPECT_TRUE(Has(wrong_id.Receive(*qm1, Right(esp)), "not this exchange"));
}

TEST(V1QuickMode, RefusalsNameTheirCause) {
  Established e;
  auto esp = Esp(encr::kAesCbc, 256, integ::kHmacSha1_96);
  {
    QuickModeInitiator qi(e.p.i.sa(), QuickModeParams{esp, Net("10.9.0.0/16"), Net("10.2.0.0/24")},
                          31, 1, e.p.random);
    QuickModeResponder qr(e.p.r.sa(), 31, 2, e.p.random);
    EXPECT_TRUE(
        Has(qr.Receive(*qi.Start(), Right(esp)), "no conn for 10.9.0.0/16 <-> 10.2.0.0/24"));
  }
  {
    QuickModeInitiator qi(e.p.i.sa(), Left(esp), 32, 1, e.p.random);
    QuickModeResponder qr(e.p.r.sa(), 32, 2, e.p.random);
    auto r = qr.Receive(*qi.Start(), Right(Esp(encr::k3des, 0, integ::kHmacSha1_96)));
    EXPECT_TRUE(Has(r, "AES_CBC_256/HMAC_SHA1_96")) << (r ? "accepted" : r.error().message);
    EXPECT_TRUE(Has(r, "ours: 3DES_CBC/HMAC_SHA1_96"));
  }
  {  // PFS on one side only: the groups differ, so no transform matches
    QuickModeInitiator qi(e.p.i.sa(), Left(esp), 33, 1, e.p.random);
    QuickModeResponder qr(e.p.r.sa(), 33, 2, e.p.random);
    auto r =
        qr.Receive(*qi.Start(), Right(Esp(encr::kAesCbc, 256, integ::kHmacSha1_96, dh::kModp2048)));
    EXPECT_TRUE(Has(r, "+MODP_2048")) << (r ? "accepted" : r.error().message);
  }
}

TEST(V1TrafficIds, PrefixesRoundTrip) {
  for (const char* s :
       {"10.1.0.0/16", "192.0.2.7/32", "0.0.0.0/0", "2001:db8::/48", "::/0", "2001:db8::1/128"}) {
    auto id = IdForPrefix(Net(s));
    auto back = PrefixForId(id);
    ASSERT_TRUE(back) << s << ": " << back.error().message;
    EXPECT_EQ(back->ToString(), Net(s).ToString());
  }
  EXPECT_EQ(IdForPrefix(Net("192.0.2.7/32")).id_type, idtype::kIpv4Addr);
  IdPayload holes{idtype::kIpv4Subnet, 0, 0, {10, 0, 0, 0, 255, 0, 255, 0}};
  EXPECT_FALSE(PrefixForId(holes));
  IdPayload port{idtype::kIpv4Subnet, 17, 500, {10, 0, 0, 0, 255, 0, 0, 0}};
  EXPECT_FALSE(PrefixForId(port));
}

}  // namespace
}  // namespace ipsec::ike::v1
