// IKEv1 codec: a main-mode message 1 laid out by hand from RFC 2408/2409
// (not produced by our encoder) decodes to the expected fields and encodes
// back to the same bytes; every payload kind round-trips; the typed
// attribute views accept and build what RFC 2409 App. A / RFC 2407 4.5 say.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "common/hex.h"
#include "ike/v1/attributes.h"
#include "ike/v1/codec.h"
#include "ike/v1/payload_codec.h"
#include "v1_test_messages.h"

namespace ipsec::ike::v1 {
namespace {

using namespace ipsec::ike::v1::testing;

TEST(V1Codec, MainModeMessage1FromTheRfcLayout) {
  Bytes wire = Hex(kMainMode1);
  auto m = Decode(wire);
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_EQ(m->header.cookie_i, 0x0102030405060708u);
  EXPECT_EQ(m->header.cookie_r, 0u);
  EXPECT_EQ(m->header.exchange, exchange::kIdentityProtection);
  EXPECT_FALSE(m->header.encrypted());
  ASSERT_EQ(m->payloads.size(), 2u);
  ASSERT_EQ(m->payloads[0].type, payload::kSa);
  const auto& sa = std::get<SaPayload>(m->payloads[0].body);
  ASSERT_EQ(sa.proposals.size(), 1u);
  EXPECT_EQ(sa.proposals[0].protocol, protocol::kIsakmp);
  ASSERT_EQ(sa.proposals[0].transforms.size(), 1u);
  EXPECT_EQ(sa.proposals[0].transforms[0].id, kTransformKeyIke);
  auto t = ParseIsakmpAttributes(sa.proposals[0].transforms[0].attributes);
  ASSERT_TRUE(t) << t.error().message;
  EXPECT_EQ(t->encryption, p1encr::kAesCbc);
  EXPECT_EQ(t->key_bits, 128);
  EXPECT_EQ(t->hash, p1hash::kSha1);
  EXPECT_EQ(t->auth_method, p1auth::kPreSharedKey);
  EXPECT_EQ(t->group, 2);
  EXPECT_EQ(t->life_seconds, 28800u);
  EXPECT_FALSE(t->unknown_attribute);
  EXPECT_EQ(std::get<VendorIdPayload>(m->payloads[1].body).id,
            Hex("4a131c81070358455c5728f20e95452f"));
  // wire keeps the payload as received (SAi_b = wire minus 4 bytes).
  EXPECT_EQ(m->payloads[0].wire, Bytes(wire.begin() + 28, wire.begin() + 28 + 60));
  auto again = Encode(*m);
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(ToHex(*again), ToHex(wire));
}

Message EveryPayload() {
  Message m;
  m.header.cookie_i = 0x1111111111111111;
  m.header.cookie_r = 0x2222222222222222;
  m.header.exchange = exchange::kQuickMode;
  m.header.message_id = 0xdeadbeef;
  IpsecTransformAttrs qa;
  qa.encap_mode = encap::kUdpTunnel;
  qa.auth = qmauth::kHmacSha2_256;
  qa.key_bits = 256;
  qa.group = 14;
  qa.life_seconds = 3600;
  qa.life_kilobytes = 0x123456789;  // 8-byte variable duration
  SaPayload sa;
  sa.proposals.push_back(Proposal{0,
                                  protocol::kEsp,
                                  Hex("c0ffee01"),
                                  {Transform{1, esp::kAesCbc, BuildIpsecAttributes(qa)},
                                   Transform{2, esp::k3Des,
                                             BuildIpsecAttributes(IpsecTransformAttrs{
                                                 encap::kUdpTunnelDraft, qmauth::kHmacSha1})}}});
  sa.proposals.push_back(
      Proposal{1, protocol::kEsp, Hex("c0ffee02"), {Transform{1, esp::kAesGcm16, {}}}});
  m.payloads = {
      {payload::kHash, HashPayload{Bytes(20, 0xaa)}, {}},
      {payload::kSa, sa, {}},
      {payload::kNonce, NoncePayload{Bytes(32, 0x4e)}, {}},
      {payload::kKe, KePayload{Bytes(256, 0x4b)}, {}},
      {payload::kId, IdPayload{idtype::kIpv4Subnet, 0, 0, Hex("0a010000ffff0000")}, {}},
      {payload::kId, IdPayload{idtype::kIpv6Subnet, 17, 500, Bytes(32, 0xff)}, {}},
      {payload::kId, IdPayload{idtype::kIpv4Addr, 17, 500, Hex("c0000201")}, {}},
      {payload::kId, IdPayload{idtype::kIpv6Addr, 0, 0, Bytes(16, 0x20)}, {}},
      {payload::kId, IdPayload{idtype::kFqdn, 0, 0, Bytes{'v', 'p', 'n'}}, {}},
      {payload::kId, IdPayload{idtype::kUserFqdn, 0, 0, Bytes{'a', '@', 'b'}}, {}},
      {payload::kId, IdPayload{idtype::kKeyId, 0, 0, Bytes{1, 2, 3}}, {}},
      {payload::kNotification,
       NotifyPayload{kDoiIpsec, protocol::kIsakmp, notify::kDpdRUThere, Bytes(16, 1),
                     Hex("00000007")},
       {}},
      {payload::kDelete,
       DeletePayload{kDoiIpsec, protocol::kEsp, 4, {Hex("01020304"), Hex("05060708")}},
       {}},
      {payload::kVendorId, VendorIdPayload{Hex("afcad71368a1f1c96b8696fc77570100")}, {}},
      {payload::kNatD, NatDPayload{Bytes(20, 0xd0)}, {}},
      {payload::kNatOa, NatOaPayload{idtype::kIpv4Addr, Hex("c0a80001")}, {}},
      {payload::kNatOa, NatOaPayload{idtype::kIpv6Addr, Bytes(16, 0xfe)}, {}},
      {payload::kCert, RawPayload{Bytes{4, 0x30, 0x00}}, {}},
  };
  return m;
}

TEST(V1Codec, EveryPayloadKindRoundTrips) {
  Message m = EveryPayload();
  auto wire = Encode(m);
  ASSERT_TRUE(wire) << wire.error().message;
  auto back = Decode(*wire);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->header.length, wire->size());
  back->header.length = 0;
  back->header.next_payload = 0;
  EXPECT_TRUE(back->header == m.header);
  ASSERT_EQ(back->payloads.size(), m.payloads.size());
  for (size_t i = 0; i < m.payloads.size(); ++i)
    EXPECT_TRUE(back->payloads[i] == m.payloads[i]) << "payload " << i;
  // The typed quick-mode view survives the trip, 8-byte lifetime included.
  const auto& sa = std::get<SaPayload>(back->payloads[1].body);
  auto qa = ParseIpsecAttributes(sa.proposals[0].transforms[0].attributes);
  ASSERT_TRUE(qa) << qa.error().message;
  EXPECT_EQ(qa->encap_mode, encap::kUdpTunnel);
  EXPECT_EQ(qa->life_kilobytes, 0x123456789u);
  EXPECT_EQ(qa->group, 14);
  EXPECT_TRUE(IsUdpEncapsulated(qa->encap_mode) && IsTunnelMode(qa->encap_mode));
  auto draft = ParseIpsecAttributes(sa.proposals[0].transforms[1].attributes);
  ASSERT_TRUE(draft);
  EXPECT_TRUE(IsUdpEncapsulated(draft->encap_mode) && IsTunnelMode(draft->encap_mode));
}

TEST(V1Codec, EncryptedMessageKeepsItsBody) {
  Message m;
  m.header.exchange = exchange::kIdentityProtection;
  m.header.flags = kFlagEncryption;
  m.header.next_payload = payload::kId;
  m.encrypted_body = Bytes(48, 0x77);
  auto wire = Encode(m);
  ASSERT_TRUE(wire);
  auto back = Decode(*wire);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_TRUE(back->payloads.empty());
  EXPECT_EQ(back->encrypted_body, m.encrypted_body);
  EXPECT_EQ(back->header.next_payload, payload::kId);
}

TEST(V1Codec, DecryptedChainMayCarryPadding) {
  auto chain = EncodePayloads({{payload::kHash, HashPayload{Bytes(20, 1)}, {}}});
  ASSERT_TRUE(chain);
  Bytes padded = *chain;
  padded.insert(padded.end(), 8, 0);
  EXPECT_TRUE(DecodePayloads(payload::kHash, padded, 28, true));
  auto strict = DecodePayloads(payload::kHash, padded, 28, false);
  ASSERT_FALSE(strict);
  EXPECT_NE(strict.error().message.find("8 bytes after the last payload"), std::string::npos);
}

TEST(V1Codec, EncodeRefusesABodyOfAnotherType) {
  EXPECT_FALSE(EncodePayloads({{payload::kNonce, HashPayload{Bytes(20, 1)}, {}}}));
  EXPECT_FALSE(EncodePayloads({{payload::kSa, RawPayload{Bytes(4, 1)}, {}}}));
  EXPECT_FALSE(
      EncodePayloads({{payload::kId, IdPayload{idtype::kIpv4Addr, 0, 0, Bytes(3, 1)}, {}}}));
}

TEST(V1Attributes, PhaseOneBuildParse) {
  IsakmpTransformAttrs a;
  a.encryption = p1encr::kAesCbc;
  a.key_bits = 256;
  a.hash = p1hash::kSha2_256;
  a.auth_method = p1auth::kPreSharedKey;
  a.group = 14;
  a.life_seconds = 86400;  // > 0xffff: variable
  auto attrs = BuildIsakmpAttributes(a);
  auto back = ParseIsakmpAttributes(attrs);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_TRUE(*back == a);
  bool variable = false;
  for (const auto& at : attrs)
    if (at.type == p1attr::kLifeDuration) variable = !at.basic && at.data.size() == 4;
  EXPECT_TRUE(variable);
}

TEST(V1Attributes, RejectsWhatTheRfcsForbid) {
  using A = std::vector<Attribute>;
  Attribute var_encr{p1attr::kEncryption, false, 0, {0, 7}};
  struct Case {
    A attrs;
    const char* expect;
  } cases[] = {
      {{var_encr}, "must be basic"},
      {{{p1attr::kHash, true, 2, {}}, {p1attr::kHash, true, 2, {}}}, "duplicate"},
      {{{p1attr::kLifeDuration, true, 10, {}}}, "without a Life Type"},
      {{{p1attr::kLifeType, true, 1, {}}}, "without a duration"},
      {{{p1attr::kLifeType, true, 3, {}}, {p1attr::kLifeDuration, true, 1, {}}}, "unknown"},
      {{{p1attr::kLifeType, true, 1, {}}, {p1attr::kLifeDuration, false, 0, Bytes(9, 1)}}, "1..8"},
      {{{p1attr::kLifeType, true, 1, {}}, {p1attr::kLifeDuration, true, 0, {}}}, "of 0"},
      {{{p1attr::kKeyLength, true, 0, {}}}, "of 0"},
  };
  for (const auto& c : cases) {
    auto r = ParseIsakmpAttributes(c.attrs);
    ASSERT_FALSE(r) << c.expect;
    EXPECT_NE(r.error().message.find(c.expect), std::string::npos) << r.error().message;
  }
  auto esn = ParseIpsecAttributes({{qmattr::kEsn, true, 2, {}}});
  EXPECT_FALSE(esn);
  // Unknown types are flagged, not rejected (such a transform is not chosen).
  auto unknown = ParseIsakmpAttributes({{p1attr::kGroupType, true, 1, {}}});
  ASSERT_TRUE(unknown);
  EXPECT_TRUE(unknown->unknown_attribute);
}

// The fuzzer's seeds come from a separate Python builder (messages of every
// exchange and payload kind): all must decode, or the fuzzer starts blind.
TEST(V1Codec, FuzzSeedsDecode) {
  std::filesystem::path dir = std::string(IKE_TEST_DATA_DIR) + "/../../../fuzz/corpus/ikev1_decode";
  size_t n = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    std::ifstream in(e.path(), std::ios::binary);
    Bytes b((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto m = Decode(b);
    EXPECT_TRUE(m) << e.path() << ": " << (m ? "" : m.error().message);
    ++n;
  }
  EXPECT_GE(n, 7u);
}

}  // namespace
}  // namespace ipsec::ike::v1
