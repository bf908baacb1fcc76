// IKEv1 message-body CBC against v1_generated_vectors.txt [v1_cbc] (openssl
// enc, AES also by Python's cryptography), then a main-mode message 5 body
// sealed, chained and opened the way the engine will: IV from keymat.h,
// payloads through the codec, the next IV from the ciphertext.
#include <gtest/gtest.h>

#include "common/hex.h"
#include "ike/v1/codec.h"
#include "ike/v1/keymat.h"
#include "ike/v1/message_cipher.h"
#include "vector_file.h"

namespace ipsec::ike::v1 {
namespace {

using ipsec::ike::testing::Load;
using ipsec::ike::testing::Of;

TEST(V1MessageCipher, AgainstIndependentVectors) {
  auto v = Of(Load("v1_generated_vectors.txt"), "v1_cbc");
  ASSERT_EQ(v.size(), 3u);
  for (const auto& r : v) {
    SCOPED_TRACE("v1_generated_vectors.txt line " + std::to_string(r.line));
    auto c = MessageCipher::Create(static_cast<uint16_t>(r.N("encr")),
                                   static_cast<uint16_t>(r.N("key_bits")), r.K("key"));
    ASSERT_TRUE(c) << c.error().message;
    auto ct = c->Encrypt(r.H("iv"), r.H("plain"));
    ASSERT_TRUE(ct) << ct.error().message;
    EXPECT_EQ(ToHex(*ct), ToHex(r.H("cipher")));
    auto pt = c->Decrypt(r.H("iv"), r.H("cipher"));
    ASSERT_TRUE(pt);
    Bytes plain = r.H("plain");
    ASSERT_GE(pt->size(), plain.size());
    EXPECT_EQ(ToHex(Bytes(pt->begin(), pt->begin() + plain.size())), ToHex(plain));
    for (size_t i = plain.size(); i < pt->size(); ++i) EXPECT_EQ((*pt)[i], 0) << "padding";
  }
}

TEST(V1MessageCipher, RefusesBadSizes) {
  EXPECT_FALSE(MessageCipher::Create(p1encr::kAesCbc, 128, SecureBytes(Bytes(24, 1))));
  EXPECT_FALSE(MessageCipher::Create(p1encr::kDesCbc, 0, SecureBytes(Bytes(8, 1))));
  auto c = MessageCipher::Create(p1encr::kAesCbc, 128, SecureBytes(Bytes(16, 1)));
  ASSERT_TRUE(c);
  EXPECT_FALSE(c->Encrypt(Bytes(8, 0), Bytes(16, 1)));   // IV of a 3DES block
  EXPECT_FALSE(c->Decrypt(Bytes(16, 0), Bytes(20, 1)));  // not whole blocks
  EXPECT_FALSE(c->Decrypt(Bytes(16, 0), Bytes{}));
}

// Main mode 5 (initiator) and 6 (responder) bodies: the IV of 5 is the
// phase-1 IV; 6 uses 5's last block; a quick mode then starts from 6's
// last block and its own M-ID.
TEST(V1MessageCipher, MainModeFiveAndSixChain) {
  Bytes g_xi(128, 0x11), g_xr(128, 0x22);
  auto iv5 = Phase1Iv(p1hash::kSha1, g_xi, g_xr, 16);
  ASSERT_TRUE(iv5);
  auto c = MessageCipher::Create(p1encr::kAesCbc, 128, SecureBytes(Bytes(16, 0x42)));
  ASSERT_TRUE(c);
  auto body5 =
      EncodePayloads({{payload::kId, IdPayload{idtype::kIpv4Addr, 17, 500, {192, 0, 2, 1}}, {}},
                      {payload::kHash, HashPayload{Bytes(20, 0xaa)}, {}}});
  ASSERT_TRUE(body5);
  auto ct5 = c->Encrypt(*iv5, *body5);
  ASSERT_TRUE(ct5);
  Message m5;
  m5.header.flags = kFlagEncryption;
  m5.header.next_payload = payload::kId;
  m5.encrypted_body = *ct5;
  auto wire = Encode(m5);
  ASSERT_TRUE(wire);

  // The responder: decode, decrypt with the same IV, parse the padded chain.
  auto got = Decode(*wire);
  ASSERT_TRUE(got) << got.error().message;
  auto pt = c->Decrypt(*iv5, got->encrypted_body);
  ASSERT_TRUE(pt);
  auto payloads = DecodePayloads(got->header.next_payload, *pt, kHeaderSize, true);
  ASSERT_TRUE(payloads) << payloads.error().message;
  ASSERT_EQ(payloads->size(), 2u);
  EXPECT_EQ(std::get<HashPayload>((*payloads)[1].body).data, Bytes(20, 0xaa));
  // With the IV of the next message instead, the chain does not parse back.
  auto iv6 = NextIv(got->encrypted_body, 16);
  ASSERT_TRUE(iv6);
  auto wrong = c->Decrypt(*iv6, got->encrypted_body);
  ASSERT_TRUE(wrong);
  EXPECT_NE(ToHex(*wrong), ToHex(*pt));

  auto body6 = EncodePayloads({{payload::kHash, HashPayload{Bytes(20, 0xbb)}, {}}});
  ASSERT_TRUE(body6);
  auto ct6 = c->Encrypt(*iv6, *body6);
  ASSERT_TRUE(ct6);
  auto last = NextIv(*ct6, 16);
  ASSERT_TRUE(last);
  auto qm_iv = Phase2Iv(p1hash::kSha1, *last, 0x01020304, 16);
  ASSERT_TRUE(qm_iv);
  EXPECT_NE(ToHex(*qm_iv), ToHex(*last));
}

}  // namespace
}  // namespace ipsec::ike::v1
