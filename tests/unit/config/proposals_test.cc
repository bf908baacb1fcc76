// ike=/esp= strings of both dialects -> IANA transform IDs, and the errors.
#include <gtest/gtest.h>

#include "common/proposal_names.h"
#include "ike/constants.h"

namespace ipsec {
namespace {

using TT = TransformType;

std::string Ike(const char* s) {
  auto r = ParseProposals(s, ProtocolId::kIke);
  return r ? ProposalsToString(r->proposals) : "error: " + r.error().message;
}

std::string Esp(const char* s) {
  auto r = ParseProposals(s, ProtocolId::kEsp);
  return r ? ProposalsToString(r->proposals) : "error: " + r.error().message;
}

TEST(Proposals, LibreswanIke) {
  EXPECT_EQ(Ike("aes128-sha1;modp1024"), "AES_CBC_128/HMAC_SHA1_96/PRF_HMAC_SHA1/MODP_1024");
  EXPECT_EQ(Ike("aes256-sha2_256-modp2048"),
            "AES_CBC_256/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_2048");
  // AEAD: the hash is the PRF.
  EXPECT_EQ(Ike("aes_gcm256-sha384-dh20"), "AES_GCM_16_256/PRF_HMAC_SHA2_384/ECP_384");
  EXPECT_EQ(Ike("aes_gcm_c_256-sha2_512;dh19"), "AES_GCM_16_256/PRF_HMAC_SHA2_512/ECP_256");
  EXPECT_EQ(Ike("aes_gcm_a128-sha256-dh14"), "AES_GCM_8_128/PRF_HMAC_SHA2_256/MODP_2048");
  EXPECT_EQ(Ike("aes-256-sha1-modp2048"), "AES_CBC_256/HMAC_SHA1_96/PRF_HMAC_SHA1/MODP_2048");
  // No group named: the default groups.
  EXPECT_EQ(Ike("aes256-sha1"),
            "AES_CBC_256/HMAC_SHA1_96/PRF_HMAC_SHA1/CURVE_25519/ECP_256/MODP_2048");
}

TEST(Proposals, StrongswanIke) {
  EXPECT_EQ(Ike("aes256gcm16-prfsha384-ecp384"), "AES_GCM_16_256/PRF_HMAC_SHA2_384/ECP_384");
  EXPECT_EQ(Ike("aes128-sha256-modp3072"),
            "AES_CBC_128/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_3072");
  EXPECT_EQ(Ike("chacha20poly1305-prfsha256-x25519"),
            "CHACHA20_POLY1305/PRF_HMAC_SHA2_256/CURVE_25519");
  // Several of one kind in one proposal, and a list.
  EXPECT_EQ(Ike("aes128-aes256-sha256-sha1-modp2048-ecp256,aes128gcm16-prfsha256-x25519"),
            "AES_CBC_128/AES_CBC_256/HMAC_SHA2_256_128/HMAC_SHA1_96/PRF_HMAC_SHA2_256/"
            "PRF_HMAC_SHA1/MODP_2048/ECP_256, AES_GCM_16_128/PRF_HMAC_SHA2_256/CURVE_25519");
  // Explicit PRF different from the integrity algorithm.
  EXPECT_EQ(Ike("aes128-sha1-prfsha256-modp2048"),
            "AES_CBC_128/HMAC_SHA1_96/PRF_HMAC_SHA2_256/MODP_2048");
}

TEST(Proposals, StrictMarker) {
  auto r = ParseProposals("aes256gcm16-prfsha384-ecp384!", ProtocolId::kIke);
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->strict);
  auto n = ParseProposals("aes256gcm16-prfsha384-ecp384", ProtocolId::kIke);
  ASSERT_TRUE(n);
  EXPECT_FALSE(n->strict);
}

TEST(Proposals, EspBothDialects) {
  EXPECT_EQ(Esp("aes_gcm128-null"), "AES_GCM_16_128/NO_EXT_SEQ");
  EXPECT_EQ(Esp("aes256-sha1"), "AES_CBC_256/HMAC_SHA1_96/NO_EXT_SEQ");
  EXPECT_EQ(Esp("aes256-sha2_256-modp2048"), "AES_CBC_256/HMAC_SHA2_256_128/MODP_2048/NO_EXT_SEQ");
  EXPECT_EQ(Esp("aes128-sha1;modp1024"), "AES_CBC_128/HMAC_SHA1_96/MODP_1024/NO_EXT_SEQ");
  EXPECT_EQ(Esp("aes256gcm16-ecp384-esn"), "AES_GCM_16_256/ECP_384/ESN");
  EXPECT_EQ(Esp("chacha20poly1305"), "CHACHA20_POLY1305/NO_EXT_SEQ");
  EXPECT_EQ(Esp("aes128gcm12"), "AES_GCM_12_128/NO_EXT_SEQ");
  auto r = ParseProposals("aes256gcm16-prfsha384-ecp384!", ProtocolId::kEsp);
  ASSERT_TRUE(r);
  EXPECT_EQ(ProposalsToString(r->proposals), "AES_GCM_16_256/ECP_384/NO_EXT_SEQ");
  ASSERT_EQ(r->warnings.size(), 1u);
  EXPECT_EQ(r->warnings[0],
            "prfsha384: a PRF has no meaning for ESP; ignored (as strongSwan does)");
  // IDs and kernel names.
  EXPECT_EQ(r->proposals[0].transforms[0], (Transform{TT::kEncr, ike::encr::kAesGcm16, 256}));
  EXPECT_EQ(KernelAlgorithmName(r->proposals[0].transforms[0]), "aes-gcm-256");
  EXPECT_EQ(KernelAlgorithmName({TT::kInteg, ike::integ::kHmacSha2_256_128, 0}), "hmac-sha256");
}

TEST(Proposals, WeakGroupsWarn) {
  auto r = ParseProposals("aes256-sha1-modp1024", ProtocolId::kIke);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->warnings.size(), 1u);
  EXPECT_EQ(r->warnings[0],
            "modp1024 is a weak DH group (RFC 8247: SHOULD NOT); accepted for interoperability");
}

TEST(Proposals, ErrorsNameTheToken) {
  EXPECT_EQ(Ike("3des-sha1-modp1024"),
            "error: 3des: 3DES is a 64-bit block cipher (Sweet32) deprecated by RFC 8221/8247 and "
            "not implemented; use aes128 or aes256");
  EXPECT_EQ(Ike("des-md5"), "error: des: DES is broken and not implemented; use aes128 or aes256");
  EXPECT_EQ(Ike("aes128-md5-modp2048"),
            "error: md5: MD5 is broken (RFC 8247: MUST NOT); use sha256");
  EXPECT_EQ(Esp("aes128-md5"), "error: md5: MD5 is broken (RFC 8247: MUST NOT); use sha256");
  EXPECT_EQ(Ike("aes128-sha1-modp768"),
            "error: modp768: the 768-bit group is broken (RFC 8247: MUST NOT); use modp2048 or "
            "ecp256");
  EXPECT_EQ(Ike("aes128-shaa1"), "error: shaa1: unknown algorithm");
  EXPECT_EQ(Ike("twofish256-sha1"), "error: twofish256: Twofish is not implemented; use aes");
  EXPECT_EQ(
      Ike("aes512-sha1"),
      "error: aes512: unknown AES variant (write aes128, aes256, aes128gcm16, aes_gcm256, ...)");
  EXPECT_EQ(Ike("sha1-modp2048"),
            "error: 'sha1-modp2048': no encryption algorithm (e.g. aes256, aes256gcm16)");
  EXPECT_EQ(Ike("aes128--sha1"),
            "error: 'aes128--sha1': empty algorithm name (doubled '-', ';' or '+')");
  EXPECT_EQ(Ike("aes128-sha1,,aes256-sha1"), "error: empty proposal between ','");
  EXPECT_EQ(Ike(""), "error: empty proposal list");
  EXPECT_EQ(Ike("aes128-aes128gcm16-sha256"),
            "error: 'aes128-aes128gcm16-sha256': mixes AEAD and non-AEAD ciphers in one proposal; "
            "separate them with ','");
  EXPECT_EQ(Esp("aes128gcm16-sha256"),
            "error: 'aes128gcm16-sha256': an AEAD cipher needs no integrity algorithm (write "
            "'-null' or nothing)");
  EXPECT_EQ(Esp("aes128-null"),
            "error: 'aes128-null': 'null' integrity is only allowed with an AEAD cipher (aes_gcm, "
            "chacha20)");
  EXPECT_EQ(Ike("aes128-sha1-esn"), "error: esn: ESN applies to ESP only");
  // ESP must be something the module can do: AES-192 is (kmod/crypto_algs.h
  // takes 16, 24 and 32-byte AES keys; RFC 3602, 4106, 4543 define all three).
  EXPECT_EQ(Esp("aes192-sha256"), "AES_CBC_192/HMAC_SHA2_256_128/NO_EXT_SEQ");
  EXPECT_EQ(Esp("aes_gcm192"), "AES_GCM_16_192/NO_EXT_SEQ");
  EXPECT_EQ(Ike("aes128ctr-sha1"),
            "error: aes128ctr: AES-CTR is not implemented; use aes_gcm or aes");
}

TEST(Proposals, Names) {
  EXPECT_EQ(TransformToString({TT::kEncr, 99, 0}), "ENCR_99");
  EXPECT_EQ(TransformToString({TT::kDh, ike::dh::kCurve25519, 0}), "CURVE_25519");
  EXPECT_EQ(TransformToString({TT::kEsn, 1, 0}), "ESN");
  EXPECT_EQ(KernelAlgorithmName({TT::kEncr, ike::encr::kAesCbc, 192}), "aes-cbc-192");
  EXPECT_EQ(KernelAlgorithmName({TT::kEncr, ike::encr::kNullAuthAesGmac, 192}), "aes-gmac-192");
  EXPECT_EQ(KernelAlgorithmName({TT::kEncr, ike::encr::kAesCbc, 512}), "");
  EXPECT_EQ(KernelAlgorithmName({TT::kInteg, ike::integ::kHmacMd5_96, 0}), "");
}

}  // namespace
}  // namespace ipsec
