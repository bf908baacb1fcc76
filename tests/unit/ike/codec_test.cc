// Codec round trips and hand-checked wire layouts.
#include "ike/codec.h"

#include <gtest/gtest.h>

#include "common/hex.h"
#include "ike/sk_cipher.h"
#include "test_messages.h"

namespace ipsec::ike {
namespace {

using namespace ipsec::ike::testing;

SkCipher GcmCipher() {
  return *SkCipher::Create(encr::kAesGcm16, 256, integ::kNone, SecureBytes(Fill(36, 0x33)), {});
}
SkCipher CbcCipher() {
  return *SkCipher::Create(encr::kAesCbc, 128, integ::kHmacSha2_256_128,
                           SecureBytes(Fill(16, 0x44)), SecureBytes(Fill(32, 0x55)));
}

TEST(IkeCodec, SaInitRoundTrip) {
  Message m = SaInitRequest();
  auto wire = Encode(m);
  ASSERT_TRUE(wire) << wire.error().message;
  auto back = Decode(*wire);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->header.length, wire->size());
  EXPECT_EQ(back->header.next_payload, static_cast<uint8_t>(PayloadType::kSa));
  back->header.length = 0;
  back->header.next_payload = 0;
  EXPECT_EQ(*back, m);
  EXPECT_EQ(Summarize(*back),
            "IKE_SA_INIT request 0 [ SA KE No N(NAT_DETECTION_SOURCE_IP) "
            "N(NAT_DETECTION_DESTINATION_IP) V ]");
}

TEST(IkeCodec, HeaderLayout) {
  Message m;
  m.header.spi_i = 0x0102030405060708ULL;
  m.header.spi_r = 0;
  m.header.exchange = ExchangeType::kInformational;
  m.header.flags = kFlagResponse;
  m.header.message_id = 0x0a0b0c0d;
  auto wire = Encode(m);
  ASSERT_TRUE(wire);
  EXPECT_EQ(ToHex(*wire),
            "0102030405060708"  // SPIi
            "0000000000000000"  // SPIr
            "00"                // next payload
            "20"                // version 2.0
            "25"                // INFORMATIONAL
            "20"                // R flag
            "0a0b0c0d"          // message ID
            "0000001c");        // length 28
}

TEST(IkeCodec, SaPayloadLayout) {
  // One IKE proposal: AES-CBC-128, HMAC-SHA1 PRF, MODP2048, laid out by hand
  // from RFC 7296 3.3.
  Message m;
  m.header.exchange = ExchangeType::kIkeSaInit;
  SaPayload sa;
  SaProposal p;
  p.proposal.transforms = {{TransformType::kEncr, encr::kAesCbc, 128},
                           {TransformType::kPrf, prf::kHmacSha1, 0},
                           {TransformType::kDh, dh::kModp2048, 0}};
  sa.proposals = {p};
  m.Add(PayloadType::kSa, sa);
  auto wire = Encode(m);
  ASSERT_TRUE(wire);
  std::string hex = ToHex(*wire).substr(56);
  EXPECT_EQ(hex,
            "00000028"  // generic header: last, length 40
            "00000024"
            "01010003"  // proposal: last, len 36, #1, IKE, SPI 0, 3 transforms
            "0300000c"
            "0100000c"
            "800e0080"  // ENCR AES-CBC, key length 128
            "03000008"
            "02000002"  // PRF HMAC-SHA1
            "00000008"
            "0400000e");  // DH 14, last transform
}

TEST(IkeCodec, AuthRequestEncryptedRoundTripGcm) {
  Message m = AuthRequest();
  SkCipher c = GcmCipher();
  CountingRandom rnd;
  auto wire = EncodeEncrypted(m, c, rnd);
  ASSERT_TRUE(wire) << wire.error().message;
  EXPECT_EQ((*wire)[16], static_cast<uint8_t>(PayloadType::kEncrypted));
  EXPECT_EQ((*wire)[28], static_cast<uint8_t>(PayloadType::kIdi));  // SK's next payload
  auto back = Decode(*wire, &c);
  ASSERT_TRUE(back) << back.error().message;
  back->header.length = 0;
  back->header.next_payload = 0;
  EXPECT_EQ(*back, m);
}

TEST(IkeCodec, DeleteEncryptedRoundTripCbc) {
  Message m = DeleteRequest();
  SkCipher c = CbcCipher();
  CountingRandom rnd;
  auto wire = EncodeEncrypted(m, c, rnd);
  ASSERT_TRUE(wire);
  // header 28 + SK header 4 + IV 16 + blocks + ICV 16
  EXPECT_EQ((wire->size() - 28 - 4 - 16 - 16) % 16, 0u);
  auto back = Decode(*wire, &c);
  ASSERT_TRUE(back) << back.error().message;
  ASSERT_EQ(back->payloads.size(), 2u);
  EXPECT_EQ(std::get<DeletePayload>(back->payloads[0].body),
            (DeletePayload{3, 4, {{1, 2, 3, 4}, {5, 6, 7, 8}}}));
}

TEST(IkeCodec, EmptyInformationalIsDpd) {
  Message m;
  m.header.exchange = ExchangeType::kInformational;
  m.header.message_id = 3;
  SkCipher c = CbcCipher();
  CountingRandom rnd;
  auto wire = EncodeEncrypted(m, c, rnd);
  ASSERT_TRUE(wire);
  EXPECT_EQ((*wire)[28], 0);  // SK next payload: none
  auto back = Decode(*wire, &c);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_TRUE(back->encrypted);
  EXPECT_TRUE(back->payloads.empty());
}

TEST(IkeCodec, ChaChaRoundTrip) {
  auto c = SkCipher::Create(encr::kChaCha20Poly1305, 0, integ::kNone, SecureBytes(Fill(36, 9)), {});
  ASSERT_TRUE(c) << c.error().message;
  Message m = AuthRequest();
  CountingRandom rnd;
  auto wire = EncodeEncrypted(m, *c, rnd);
  ASSERT_TRUE(wire);
  auto back = Decode(*wire, &*c);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->payloads, m.payloads);
}

TEST(IkeCodec, UnknownNonCriticalPayloadIsKept) {
  Message m = SaInitRequest();
  m.payloads.push_back(Payload{static_cast<PayloadType>(200), false, RawPayload{{1, 2, 3}}});
  auto wire = Encode(m);
  ASSERT_TRUE(wire);
  auto back = Decode(*wire);
  ASSERT_TRUE(back) << back.error().message;
  ASSERT_EQ(back->payloads.size(), m.payloads.size());
  EXPECT_EQ(std::get<RawPayload>(back->payloads.back().body).body, (Bytes{1, 2, 3}));
}

TEST(IkeCodec, TransformAttributesUnknownAreFlagged) {
  Message m;
  m.header.exchange = ExchangeType::kIkeSaInit;
  SaPayload sa;
  SaProposal p;
  p.proposal.transforms = {{static_cast<TransformType>(9), 1, 0}};
  sa.proposals = {p};
  m.Add(PayloadType::kSa, sa);
  auto wire = Encode(m);
  ASSERT_TRUE(wire);
  auto back = DecodeUnchecked(*wire);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_TRUE(back->Find<SaPayload>(PayloadType::kSa)->proposals[0].has_unknown_transform_type);
}

TEST(IkeCodec, EncodeRejectsWhatDoesNotFit) {
  Message m;
  m.header.exchange = ExchangeType::kIkeSaInit;
  m.Add(PayloadType::kNotify, NotifyPayload{0, Fill(300, 1), 16384, {}});
  EXPECT_FALSE(Encode(m));
  Message big;
  big.Add(PayloadType::kVendorId, VendorIdPayload{Fill(70000, 0)});
  EXPECT_FALSE(Encode(big));
  Message enc = SaInitRequest();
  enc.encrypted = true;
  EXPECT_FALSE(Encode(enc));
}

TEST(IkeCodec, HelpersForIdsAndSelectors) {
  EXPECT_EQ(IdToString(MakeIdFromAddress(*IpAddress::Parse("192.0.2.1"))), "192.0.2.1");
  EXPECT_EQ(IdToString(MakeIdFqdn("vpn.example.org")), "vpn.example.org");
  EXPECT_EQ(ToHex(EncodeIdBody(MakeIdFromAddress(*IpAddress::Parse("192.0.2.1")))),
            "01000000c0000201");
  EXPECT_EQ(TsToString(MakeTrafficSelector(*IpPrefix::Parse("10.1.0.0/16"))), "10.1.0.0/16");
  TrafficSelector ts = MakeTrafficSelector(*IpPrefix::Parse("10.0.0.1"), 6, 80, 80);
  EXPECT_EQ(TsToString(ts), "10.0.0.1/32[6/80]");
}

}  // namespace
}  // namespace ipsec::ike

namespace ipsec::ike {
namespace {

TEST(IkeNames, ReadableForLogs) {
  EXPECT_EQ(NotifyName(static_cast<uint16_t>(NotifyType::kNoProposalChosen)), "NO_PROPOSAL_CHOSEN");
  EXPECT_EQ(NotifyName(40000), "NOTIFY_40000");
  EXPECT_EQ(ExchangeName(static_cast<ExchangeType>(99)), "EXCHANGE_99");
  EXPECT_EQ(PayloadName(static_cast<PayloadType>(200)), "PAYLOAD_200");
  EXPECT_STREQ(DecodeErrorKindName(DecodeErrorKind::kIntegrityFailed), "integrity check failed");
  Message m = testing::DeleteRequest();
  m.header.flags = kFlagResponse;
  EXPECT_EQ(Summarize(m), "INFORMATIONAL response 7 [ D D ] (encrypted)");
}

}  // namespace
}  // namespace ipsec::ike
