// DH groups, SkCipher parameter checks and key-derivation edge cases
// (known answers are in kat_test.cc).
#include <gtest/gtest.h>

#include "common/hex.h"
#include "ike/crypto/algorithms.h"
#include "ike/crypto/dh.h"
#include "ike/crypto/keymat.h"
#include "ike/crypto/prf.h"
#include "ike/sk_cipher.h"

namespace ipsec::ike {
namespace {

class DhGroups : public ::testing::TestWithParam<uint16_t> {};

TEST_P(DhGroups, BothSidesAgreeAndValuesHaveGroupSize) {
  uint16_t g = GetParam();
  auto a = GenerateDhKeyPair(g);
  auto b = GenerateDhKeyPair(g);
  ASSERT_TRUE(a) << a.error().message;
  ASSERT_TRUE(b) << b.error().message;
  EXPECT_EQ((*a)->group(), g);
  EXPECT_EQ((*a)->public_value().size(), DhPublicValueSize(g));
  EXPECT_NE((*a)->public_value(), (*b)->public_value());
  auto s1 = (*a)->ComputeSharedSecret((*b)->public_value());
  auto s2 = (*b)->ComputeSharedSecret((*a)->public_value());
  ASSERT_TRUE(s1) << s1.error().message;
  ASSERT_TRUE(s2) << s2.error().message;
  EXPECT_TRUE(*s1 == *s2);
  // g^ir has the modulus / field size (MODP zero-padded, RFC 7296 2.14).
  size_t want = g == dh::kCurve25519 ? 32
                : g >= 19            ? DhPublicValueSize(g) / 2
                                     : DhPublicValueSize(g);
  EXPECT_EQ(s1->size(), want);
}

TEST_P(DhGroups, RejectsWrongLengthAndInvalidValues) {
  uint16_t g = GetParam();
  auto a = GenerateDhKeyPair(g);
  ASSERT_TRUE(a);
  Bytes pub = (*a)->public_value();
  Bytes shorter(pub.begin(), pub.end() - 1);
  auto r = (*a)->ComputeSharedSecret(shorter);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("expected " + std::to_string(pub.size())), std::string::npos);
  // All zeros: not on the curve / outside 2..p-2 / small-order X25519 point.
  EXPECT_FALSE((*a)->ComputeSharedSecret(Bytes(pub.size(), 0)));
  if (g < 19) {
    Bytes one(pub.size(), 0);
    one.back() = 1;
    EXPECT_FALSE((*a)->ComputeSharedSecret(one));                      // y = 1
    EXPECT_FALSE((*a)->ComputeSharedSecret(Bytes(pub.size(), 0xff)));  // y > p
  } else if (g != dh::kCurve25519) {
    Bytes off = pub;
    off.back() ^= 1;  // y no longer matches x
    EXPECT_FALSE((*a)->ComputeSharedSecret(off));
  }
}

INSTANTIATE_TEST_SUITE_P(All, DhGroups,
                         ::testing::Values(dh::kModp1024, dh::kModp1536, dh::kModp2048,
                                           dh::kModp3072, dh::kModp4096, dh::kEcp256, dh::kEcp384,
                                           dh::kEcp521, dh::kCurve25519));

TEST(Dh, UnsupportedGroups) {
  EXPECT_FALSE(GenerateDhKeyPair(dh::kModp768));
  EXPECT_FALSE(GenerateDhKeyPair(0));
  EXPECT_FALSE(DhKeyPairFromPrivate(dh::kCurve25519, Bytes(31, 1)));
  EXPECT_TRUE(IsWeakDhGroup(dh::kModp1024));
  EXPECT_FALSE(IsWeakDhGroup(dh::kModp2048));
  EXPECT_TRUE(IsDhGroupSupported(dh::kEcp521));
  EXPECT_FALSE(IsDhGroupSupported(22));
}

TEST(Dh, FixedPrivateModpMatchesGenerated) {
  // x = 2: g^x = 4, and both sides of a fixed pair agree with a random pair.
  auto a = DhKeyPairFromPrivate(dh::kModp2048, Bytes{0x02});
  ASSERT_TRUE(a) << a.error().message;
  Bytes four(256, 0);
  four.back() = 4;
  EXPECT_EQ((*a)->public_value(), four);
  auto b = GenerateDhKeyPair(dh::kModp2048);
  ASSERT_TRUE(b);
  auto s1 = (*a)->ComputeSharedSecret((*b)->public_value());
  auto s2 = (*b)->ComputeSharedSecret((*a)->public_value());
  ASSERT_TRUE(s1 && s2);
  EXPECT_TRUE(*s1 == *s2);
}

TEST(SkCipherCreate, ChecksKeySizesAndCombinations) {
  EXPECT_TRUE(SkCipher::Create(encr::kAesCbc, 128, integ::kHmacSha1_96, SecureBytes(Bytes(16)),
                               SecureBytes(Bytes(20))));
  auto r = SkCipher::Create(encr::kAesCbc, 128, integ::kHmacSha1_96, SecureBytes(Bytes(15)),
                            SecureBytes(Bytes(20)));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "SK: encryption key has 15 bytes, expected 16");
  EXPECT_FALSE(SkCipher::Create(encr::kAesCbc, 128, integ::kHmacSha1_96, SecureBytes(Bytes(16)),
                                SecureBytes(Bytes(32))));
  EXPECT_FALSE(SkCipher::Create(encr::kAesCbc, 100, integ::kHmacSha1_96, SecureBytes(Bytes(16)),
                                SecureBytes(Bytes(20))));
  EXPECT_FALSE(SkCipher::Create(encr::kAesCbc, 128, integ::kNone, SecureBytes(Bytes(16)), {}));
  EXPECT_FALSE(SkCipher::Create(encr::kAesGcm16, 128, integ::kHmacSha1_96, SecureBytes(Bytes(20)),
                                SecureBytes(Bytes(20))));
  EXPECT_FALSE(SkCipher::Create(encr::k3des, 0, integ::kHmacSha1_96, SecureBytes(Bytes(24)),
                                SecureBytes(Bytes(20))));
  auto g = SkCipher::Create(encr::kAesGcm12, 192, integ::kNone, SecureBytes(Bytes(28)), {});
  ASSERT_TRUE(g) << g.error().message;
  EXPECT_TRUE(g->aead());
  EXPECT_EQ(g->iv_size(), 8u);
  EXPECT_EQ(g->icv_size(), 12u);
  auto c = SkCipher::Create(encr::kAesCbc, 256, integ::kHmacSha2_384_192, SecureBytes(Bytes(32)),
                            SecureBytes(Bytes(48)));
  ASSERT_TRUE(c);
  EXPECT_EQ(c->icv_size(), 24u);
  EXPECT_EQ(c->block_size(), 16u);
}

TEST(Prf, PlusLimitAndUnsupported) {
  auto p = Prf::Create(prf::kHmacSha1);
  ASSERT_TRUE(p);
  EXPECT_TRUE(p->Plus(Bytes(20), Bytes(4), 255 * 20));
  EXPECT_FALSE(p->Plus(Bytes(20), Bytes(4), 255 * 20 + 1));
  EXPECT_FALSE(Prf::Create(prf::kHmacMd5));
  EXPECT_FALSE(Prf::Create(prf::kAes128Xcbc));
  // prf+ is a prefix-stable stream: shorter outputs are prefixes of longer ones.
  auto a = p->Plus(Bytes(20, 1), Bytes(8, 2), 30);
  auto b = p->Plus(Bytes(20, 1), Bytes(8, 2), 70);
  ASSERT_TRUE(a && b);
  EXPECT_TRUE(*a == b->Slice(0, 30));
}

TEST(Keymat, TransformsFromProposal) {
  Proposal p;
  p.transforms = {{TransformType::kEncr, encr::kChaCha20Poly1305, 0},
                  {TransformType::kPrf, prf::kHmacSha2_256, 0},
                  {TransformType::kDh, dh::kCurve25519, 0}};
  auto t = IkeSaTransformsFrom(p);
  ASSERT_TRUE(t);
  EXPECT_EQ(t->encr_key_bits, 256);
  EXPECT_EQ(t->integ, integ::kNone);
  EXPECT_EQ(t->dh, dh::kCurve25519);
  Proposal no_prf;
  no_prf.transforms = {{TransformType::kEncr, encr::kAesCbc, 128}};
  auto e = IkeSaTransformsFrom(no_prf);
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().message, "IKE proposal has no PRF transform");

  Proposal esp;
  esp.protocol = ProtocolId::kEsp;
  esp.transforms = {{TransformType::kEncr, encr::kAesCbc, 256},
                    {TransformType::kInteg, integ::kHmacSha2_256_128, 0},
                    {TransformType::kEsn, esn::kYes, 0}};
  auto c = ChildSaTransformsFrom(esp);
  ASSERT_TRUE(c);
  EXPECT_TRUE(c->esn);
  EXPECT_EQ(c->integ, integ::kHmacSha2_256_128);
}

TEST(Keymat, KeySizesPerSuite) {
  IkeSaTransforms t{encr::kAesGcm16, 256, prf::kHmacSha2_384, integ::kNone, dh::kEcp384};
  auto k = DeriveIkeSaKeys(t, Bytes(32, 1), Bytes(32, 2), SecureBytes(Bytes(96, 3)), 1, 2);
  ASSERT_TRUE(k) << k.error().message;
  EXPECT_EQ(k->sk_d.size(), 48u);
  EXPECT_EQ(k->sk_ai.size(), 0u);
  EXPECT_EQ(k->sk_ei.size(), 36u);  // key + 4-byte salt
  EXPECT_EQ(k->sk_pr.size(), 48u);
  // The derived keys build working SK ciphers in both directions.
  EXPECT_TRUE(SkCipher::Create(t.encr, t.encr_key_bits, t.integ, k->sk_ei, k->sk_ai));
  // AEAD with integrity is refused.
  t.integ = integ::kHmacSha1_96;
  EXPECT_FALSE(DeriveIkeSaKeys(t, Bytes(32, 1), Bytes(32, 2), SecureBytes(Bytes(96, 3)), 1, 2));

  ChildSaTransforms c{encr::kAesCbc, 128, integ::kHmacSha1_96, false};
  auto ck = DeriveChildSaKeys(prf::kHmacSha1, k->sk_d, c, nullptr, Bytes(32, 1), Bytes(32, 2));
  ASSERT_TRUE(ck);
  EXPECT_EQ(ck->encr_i.size(), 16u);
  EXPECT_EQ(ck->integ_r.size(), 20u);
  EXPECT_FALSE(ck->encr_i == ck->encr_r);
}

// GMAC is an ESP-only cipher (RFC 4543; IANA: not for IKEv2): a child SA
// gets key || 4-byte salt, an IKE SA cannot use it.
TEST(Keymat, GmacForChildSasOnly) {
  SecureBytes sk_d(Bytes(32, 7));
  for (uint16_t bits : {128, 192, 256}) {
    ChildSaTransforms c{encr::kNullAuthAesGmac, bits, integ::kNone, false};
    auto ck = DeriveChildSaKeys(prf::kHmacSha2_256, sk_d, c, nullptr, Bytes(32, 1), Bytes(32, 2));
    ASSERT_TRUE(ck) << ck.error().message;
    EXPECT_EQ(ck->encr_i.size(), bits / 8u + 4);
    EXPECT_EQ(ck->integ_i.size(), 0u);
  }
  EXPECT_FALSE(
      SkCipher::Create(encr::kNullAuthAesGmac, 128, integ::kNone, SecureBytes(Bytes(20)), {}));
}

TEST(Keymat, RekeyUsesOldPrfAndSkD) {
  IkeSaTransforms t{encr::kAesCbc, 128, prf::kHmacSha2_256, integ::kHmacSha2_256_128, 14};
  SecureBytes skd1(Bytes(20, 7)), skd2(Bytes(20, 8));
  auto a = DeriveRekeyedIkeSaKeys(prf::kHmacSha1, skd1, t, Bytes(16, 1), Bytes(16, 2),
                                  SecureBytes(Bytes(256, 3)), 5, 6);
  auto b = DeriveRekeyedIkeSaKeys(prf::kHmacSha1, skd2, t, Bytes(16, 1), Bytes(16, 2),
                                  SecureBytes(Bytes(256, 3)), 5, 6);
  auto c = DeriveRekeyedIkeSaKeys(prf::kHmacSha2_256, skd1, t, Bytes(16, 1), Bytes(16, 2),
                                  SecureBytes(Bytes(256, 3)), 5, 6);
  ASSERT_TRUE(a && b && c);
  EXPECT_FALSE(a->sk_d == b->sk_d);
  EXPECT_FALSE(a->sk_d == c->sk_d);
  EXPECT_EQ(a->sk_d.size(), 32u);  // new PRF's key size
}

}  // namespace
}  // namespace ipsec::ike
