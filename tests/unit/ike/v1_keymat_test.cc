// IKEv1 key schedule against v1_generated_vectors.txt (gen_v1_vectors.py:
// Python hmac/hashlib/pow, each HMAC and digest re-checked by the openssl
// CLI): DH from fixed private values, SKEYID*, the Appendix B key
// extension, HASH_I/HASH_R, the phase-1 and phase-2 IVs, quick mode's
// HASH(1..3) and KEYMAT with and without PFS, NAT-D.
#include <gtest/gtest.h>

#include "common/hex.h"
#include "ike/crypto/auth.h"
#include "ike/crypto/dh.h"
#include "ike/v1/algorithms.h"
#include "ike/v1/keymat.h"
#include "vector_file.h"

namespace ipsec::ike::v1 {
namespace {

using ipsec::ike::testing::Load;
using ipsec::ike::testing::Of;
using ipsec::ike::testing::Record;

std::string H(const SecureBytes& s) {
  return ToHex(s.span());
}

uint64_t U64(const Bytes& b) {
  uint64_t v = 0;
  for (uint8_t x : b) v = v << 8 | x;
  return v;
}

TEST(V1Keymat, Phase1AgainstIndependentVectors) {
  auto v = Of(Load("v1_generated_vectors.txt"), "v1_phase1");
  ASSERT_EQ(v.size(), 3u);
  for (const auto& r : v) {
    SCOPED_TRACE("v1_generated_vectors.txt line " + std::to_string(r.line));
    auto group = static_cast<uint16_t>(r.N("group"));
    auto dh_i = DhKeyPairFromPrivate(group, r.H("priv_i"));
    auto dh_r = DhKeyPairFromPrivate(group, r.H("priv_r"));
    ASSERT_TRUE(dh_i && dh_r);
    EXPECT_EQ(ToHex((*dh_i)->public_value()), ToHex(r.H("g_xi")));
    EXPECT_EQ(ToHex((*dh_r)->public_value()), ToHex(r.H("g_xr")));  // leading 00 kept
    auto g_xy = (*dh_i)->ComputeSharedSecret((*dh_r)->public_value());
    ASSERT_TRUE(g_xy);
    EXPECT_EQ(H(*g_xy), ToHex(r.H("g_xy")));

    auto hash = static_cast<uint16_t>(r.N("hash"));
    auto prf = PrfForHash(hash);
    ASSERT_TRUE(prf) << prf.error().message;
    uint64_t cky_i = U64(r.H("cky_i")), cky_r = U64(r.H("cky_r"));
    auto k = DerivePhase1PskKeys(*prf, r.H("psk"), r.H("ni"), r.H("nr"), *g_xy, cky_i, cky_r,
                                 r.N("encr_key_len"));
    ASSERT_TRUE(k) << k.error().message;
    EXPECT_EQ(H(k->skeyid), ToHex(r.H("skeyid")));
    EXPECT_EQ(H(k->skeyid_d), ToHex(r.H("skeyid_d")));
    EXPECT_EQ(H(k->skeyid_a), ToHex(r.H("skeyid_a")));
    EXPECT_EQ(H(k->skeyid_e), ToHex(r.H("skeyid_e")));
    EXPECT_EQ(H(k->encr_key), ToHex(r.H("encr_key")));
    EXPECT_EQ(ToHex(HashI(*prf, k->skeyid, r.H("g_xi"), r.H("g_xr"), cky_i, cky_r, r.H("sai_b"),
                          r.H("idii_b"))),
              ToHex(r.H("hash_i")));
    EXPECT_EQ(ToHex(HashR(*prf, k->skeyid, r.H("g_xi"), r.H("g_xr"), cky_i, cky_r, r.H("sai_b"),
                          r.H("idir_b"))),
              ToHex(r.H("hash_r")));
    auto iv = Phase1Iv(hash, r.H("g_xi"), r.H("g_xr"), r.N("block"));
    ASSERT_TRUE(iv) << iv.error().message;
    EXPECT_EQ(ToHex(*iv), ToHex(r.H("iv")));
  }
}

TEST(V1Keymat, QuickModeAgainstIndependentVectors) {
  auto v = Of(Load("v1_generated_vectors.txt"), "v1_quick");
  ASSERT_EQ(v.size(), 2u);
  bool saw_pfs = false, saw_no_pfs = false;
  for (const auto& r : v) {
    SCOPED_TRACE("v1_generated_vectors.txt line " + std::to_string(r.line));
    auto hash = static_cast<uint16_t>(r.N("hash"));
    auto prf = PrfForHash(hash);
    ASSERT_TRUE(prf);
    auto mid = static_cast<uint32_t>(r.N("mid"));
    SecureBytes a = r.K("skeyid_a"), d = r.K("skeyid_d");
    EXPECT_EQ(ToHex(QuickModeHash1(*prf, a, mid, r.H("after1"))), ToHex(r.H("hash1")));
    EXPECT_EQ(ToHex(QuickModeHash2(*prf, a, mid, r.H("ni"), r.H("after2"))), ToHex(r.H("hash2")));
    EXPECT_EQ(ToHex(QuickModeHash3(*prf, a, mid, r.H("ni"), r.H("nr"))), ToHex(r.H("hash3")));
    SecureBytes g_qm = r.K("g_qm");
    bool pfs = r.N("pfs") == 1;
    (pfs ? saw_pfs : saw_no_pfs) = true;
    auto keymat =
        QuickModeKeymat(*prf, d, pfs ? &g_qm : nullptr, static_cast<uint8_t>(r.N("protocol")),
                        static_cast<uint32_t>(r.N("spi")), r.H("ni"), r.H("nr"), r.N("keymat_len"));
    EXPECT_EQ(H(keymat), ToHex(r.H("keymat")));
    auto iv = Phase2Iv(hash, r.H("last_p1_block"), mid, r.N("block"));
    ASSERT_TRUE(iv) << iv.error().message;
    EXPECT_EQ(ToHex(*iv), ToHex(r.H("iv2")));
  }
  EXPECT_TRUE(saw_pfs && saw_no_pfs);
}

// RFC 3947 NAT-D with the negotiated hash; with SHA-1 it is IKEv2's
// NAT_DETECTION hash of the same input (RFC 7296 2.23).
TEST(V1Keymat, NatDAgainstIndependentVectors) {
  auto v = Of(Load("v1_generated_vectors.txt"), "v1_natd");
  ASSERT_EQ(v.size(), 2u);
  for (const auto& r : v) {
    SCOPED_TRACE("v1_generated_vectors.txt line " + std::to_string(r.line));
    Bytes ip = r.H("ip");
    IpAddress addr = ip.size() == 4 ? IpAddress::V4(std::span<const uint8_t, 4>(ip.data(), 4))
                                    : IpAddress::V6(std::span<const uint8_t, 16>(ip.data(), 16));
    auto hash = static_cast<uint16_t>(r.N("hash"));
    auto port = static_cast<uint16_t>(r.N("port"));
    auto got = NatDHash(hash, U64(r.H("cky_i")), U64(r.H("cky_r")), addr, port);
    ASSERT_TRUE(got) << got.error().message;
    EXPECT_EQ(ToHex(*got), ToHex(r.H("natd")));
    if (hash == p1hash::kSha1) {
      EXPECT_EQ(ToHex(*got),
                ToHex(NatDetectionHash(U64(r.H("cky_i")), U64(r.H("cky_r")), addr, port)));
    }
  }
}

TEST(V1Keymat, KeyExtensionOnlyWhenSkeyidEIsShort) {
  auto prf = PrfForHash(p1hash::kSha1);
  ASSERT_TRUE(prf);
  SecureBytes e(Bytes(20, 0x5e));
  // Long enough: a prefix of SKEYID_e itself.
  EXPECT_EQ(H(ExtendEncryptionKey(*prf, e, 16)), ToHex(Bytes(16, 0x5e)));
  // Too short: K1 = prf(e, 0), K2 = prf(e, K1), nothing of e itself.
  uint8_t zero = 0;
  SecureBytes k1 = prf->Compute(e.span(), std::span<const uint8_t>(&zero, 1));
  SecureBytes k2 = prf->Compute(e.span(), k1.span());
  auto ext = ExtendEncryptionKey(*prf, e, 32);
  EXPECT_EQ(H(ext), H(k1) + H(k2).substr(0, 24));
}

TEST(V1Keymat, IvChaining) {
  Bytes ct = FromHex(
                 "00112233445566778899aabbccddeeff"
                 "0f0e0d0c0b0a09080706050403020100")
                 .value();
  auto next = NextIv(ct, 16);
  ASSERT_TRUE(next);
  EXPECT_EQ(ToHex(*next), "0f0e0d0c0b0a09080706050403020100");
  auto des = NextIv(ct, 8);
  ASSERT_TRUE(des);
  EXPECT_EQ(ToHex(*des), "0706050403020100");
  EXPECT_FALSE(NextIv(Bytes(20, 1), 16));
  EXPECT_FALSE(NextIv(Bytes{}, 16));
  // Each phase-2 exchange gets its own IV from the same phase-1 block.
  auto a = Phase2Iv(p1hash::kSha1, *next, 1, 16), b = Phase2Iv(p1hash::kSha1, *next, 2, 16);
  ASSERT_TRUE(a && b);
  EXPECT_NE(ToHex(*a), ToHex(*b));
  EXPECT_FALSE(Phase2Iv(p1hash::kSha1, Bytes(8, 0), 1, 16));            // block size mismatch
  EXPECT_FALSE(Phase1Iv(p1hash::kSha1, Bytes(4, 1), Bytes(4, 2), 32));  // SHA-1 has 20 bytes
}

TEST(V1Keymat, RefusesWhatItCannotDo) {
  auto md5 = PrfForHash(p1hash::kMd5);
  ASSERT_FALSE(md5);
  EXPECT_NE(md5.error().message.find("MD5"), std::string::npos);
  EXPECT_FALSE(Digest(3, Bytes{1}));  // Tiger
  auto prf = PrfForHash(p1hash::kSha1);
  ASSERT_TRUE(prf);
  SecureBytes g(Bytes(128, 1));
  EXPECT_FALSE(DerivePhase1PskKeys(*prf, {}, Bytes(16, 1), Bytes(16, 2), g, 1, 2, 16));
  EXPECT_FALSE(DerivePhase1PskKeys(*prf, Bytes{1}, Bytes{}, Bytes(16, 2), g, 1, 2, 16));
  EXPECT_FALSE(LookupPhase1Cipher(p1encr::kAesCbc, 0));
  EXPECT_FALSE(LookupPhase1Cipher(p1encr::kDesCbc, 0));
  EXPECT_FALSE(LookupPhase1Cipher(p1encr::k3DesCbc, 192));
  auto aes = LookupPhase1Cipher(p1encr::kAesCbc, 256);
  ASSERT_TRUE(aes);
  EXPECT_EQ(aes->key_bytes, 32u);
  EXPECT_EQ(aes->block_bytes, 16u);
  auto des3 = LookupPhase1Cipher(p1encr::k3DesCbc, 0);
  ASSERT_TRUE(des3);
  EXPECT_EQ(des3->key_bytes, 24u);
  EXPECT_EQ(des3->block_bytes, 8u);
}

}  // namespace
}  // namespace ipsec::ike::v1
