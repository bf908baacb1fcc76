// The registry (common/algorithms.h) against the RFCs and the uapi header,
// and its tables against each other.
#include "common/algorithms.h"

#include <gtest/gtest.h>
#include <linux/ipsec_tun.h>
#include <openssl/evp.h>

#include <set>
#include <string>
#include <utility>
#include <vector>

namespace ipsec::alg {
namespace {

TEST(AlgorithmRegistry, IdsAreUniqueAndNamed) {
  std::set<uint16_t> ids;
  for (const auto& e : kEncrs) EXPECT_TRUE(ids.insert(e.id).second) << e.name;
  ids.clear();
  for (const auto& i : kIntegs) EXPECT_TRUE(ids.insert(i.id).second) << i.name;
  ids.clear();
  for (const auto& p : kPrfs) EXPECT_TRUE(ids.insert(p.id).second) << p.name;
  ids.clear();
  for (const auto& d : kDhs) EXPECT_TRUE(ids.insert(d.id).second) << d.name;
}

TEST(AlgorithmRegistry, UapiIdsAreTheIanaIds) {
  EXPECT_EQ(encr::kAesCbc, IPSEC_TUN_ENCR_AES_CBC);
  EXPECT_EQ(encr::kAesGcm8, IPSEC_TUN_ENCR_AES_GCM_8);
  EXPECT_EQ(encr::kAesGcm12, IPSEC_TUN_ENCR_AES_GCM_12);
  EXPECT_EQ(encr::kAesGcm16, IPSEC_TUN_ENCR_AES_GCM_16);
  EXPECT_EQ(encr::kNullAuthAesGmac, IPSEC_TUN_ENCR_NULL_AUTH_AES_GMAC);
  EXPECT_EQ(encr::kChaCha20Poly1305, IPSEC_TUN_ENCR_CHACHA20_POLY1305);
  EXPECT_EQ(integ::kNone, IPSEC_TUN_AUTH_NONE);
  EXPECT_EQ(integ::kHmacSha1_96, IPSEC_TUN_AUTH_HMAC_SHA1_96);
  EXPECT_EQ(integ::kHmacSha2_256_128, IPSEC_TUN_AUTH_HMAC_SHA2_256_128);
  EXPECT_EQ(integ::kHmacSha2_384_192, IPSEC_TUN_AUTH_HMAC_SHA2_384_192);
  EXPECT_EQ(integ::kHmacSha2_512_256, IPSEC_TUN_AUTH_HMAC_SHA2_512_256);
}

// RFC 4106 8.1, RFC 4543 4, RFC 7634 2: 4-byte salt, 8-byte IV; RFC 3602:
// CBC has a 16-byte IV and block; RFC 4868: HMAC-SHA2 keys are the hash
// size, ICVs half of it.
TEST(AlgorithmRegistry, SizesFollowTheRfcs) {
  for (uint16_t id : {encr::kAesGcm8, encr::kAesGcm12, encr::kAesGcm16, encr::kNullAuthAesGmac,
                      encr::kChaCha20Poly1305}) {
    const Encr* e = FindEncr(id);
    ASSERT_NE(e, nullptr);
    EXPECT_TRUE(e->aead) << e->name;
    EXPECT_EQ(e->salt_bytes, 4) << e->name;
    EXPECT_EQ(e->iv_bytes, 8) << e->name;
  }
  EXPECT_EQ(FindEncr(encr::kAesGcm8)->icv_bytes, 8);
  EXPECT_EQ(FindEncr(encr::kAesGcm12)->icv_bytes, 12);
  EXPECT_EQ(FindEncr(encr::kAesGcm16)->icv_bytes, 16);
  EXPECT_EQ(FindEncr(encr::kNullAuthAesGmac)->icv_bytes, 16);
  const Encr* cbc = FindEncr(encr::kAesCbc);
  EXPECT_FALSE(cbc->aead);
  EXPECT_EQ(cbc->iv_bytes, 16);
  EXPECT_EQ(cbc->block_bytes, 16);
  for (uint16_t bits : {128, 192, 256}) {
    EXPECT_TRUE(KeyBitsAllowed(*cbc, bits));
    EXPECT_TRUE(KeyBitsAllowed(*FindEncr(encr::kNullAuthAesGmac), bits));
    EXPECT_EQ(KeyBytes(*cbc, bits), bits / 8u);
  }
  EXPECT_FALSE(KeyBitsAllowed(*cbc, 0));
  const Encr* chacha = FindEncr(encr::kChaCha20Poly1305);
  EXPECT_TRUE(KeyBitsAllowed(*chacha, 0));
  EXPECT_FALSE(KeyBitsAllowed(*chacha, 128));
  EXPECT_EQ(KeyBytes(*chacha, 0), 32u);
  // GMAC gives no confidentiality: ESP only (IANA: not for IKEv2).
  EXPECT_FALSE(FindEncr(encr::kNullAuthAesGmac)->ike);
  EXPECT_TRUE(FindEncr(encr::kNullAuthAesGmac)->esp);
  for (const auto& i : kIntegs) {
    if (i.id < integ::kHmacSha2_256_128) continue;
    EXPECT_EQ(i.icv_bytes * 2, i.key_bytes) << i.name;
    EXPECT_EQ(FindPrf(i.prf)->output_bytes, i.key_bytes) << i.name;
  }
}

// kEspSuites names every (ID, key length) the module implements, once.
TEST(AlgorithmRegistry, EspSuitesCoverTheModule) {
  std::set<std::pair<uint16_t, uint16_t>> want, have;
  for (const auto& e : kEncrs) {
    if (!e.esp) continue;
    if (e.fixed_key_bits) want.insert({e.id, 0});
    for (uint16_t b : e.key_bits)
      if (b) want.insert({e.id, b});
  }
  for (const auto& s : kEspSuites) {
    EXPECT_TRUE(have.insert({s.encr_id, s.key_bits}).second) << s.name;
    EXPECT_TRUE(FindEncr(s.encr_id)->esp) << s.name;
  }
  EXPECT_EQ(have, want);
}

// What is implemented has a name for the kernel and for OpenSSL.
TEST(AlgorithmRegistry, ImplementedRowsAreComplete) {
  for (const auto& e : kEncrs) {
    if (e.esp) {
      EXPECT_FALSE(e.kernel.empty()) << e.name;
    }
    if (e.ike || e.esp) {
      EXPECT_TRUE(e.key_bits[0] || e.fixed_key_bits) << e.name;
    }
  }
  for (const auto& i : kIntegs) {
    if (!i.implemented) continue;
    EXPECT_FALSE(i.kernel.empty() || i.module.empty() || i.digest.empty() || i.tokens[0].empty())
        << i.name;
    EXPECT_TRUE(FindPrf(i.prf)->implemented) << i.name;
  }
  for (const auto& p : kPrfs) {
    if (p.implemented) {
      EXPECT_FALSE(p.digest.empty()) << p.name;
    }
  }
  for (const auto& d : kDhs) {
    if (d.public_bytes) {
      EXPECT_FALSE(d.tokens[0].empty()) << d.name;
    }
  }
}

// Every cipher the IKE SA uses names an OpenSSL cipher for each of its key
// lengths, and OpenSSL has it with that key length (ike/sk_cipher and
// IKEv1's messages take the name from here).
TEST(AlgorithmRegistry, OpensslCiphersExistForEveryIkeKeyLength) {
  for (const auto& e : kEncrs) {
    if (!e.ike) continue;
    std::vector<uint16_t> bits;
    if (e.fixed_key_bits) bits.push_back(e.fixed_key_bits);
    for (uint16_t b : e.key_bits)
      if (b) bits.push_back(b);
    ASSERT_FALSE(bits.empty()) << e.name;
    for (uint16_t b : bits) {
      const std::string name(OpensslCipher(e.id, b / 8u));
      ASSERT_FALSE(name.empty()) << e.name << " " << b;
      EVP_CIPHER* c = EVP_CIPHER_fetch(nullptr, name.c_str(), nullptr);
      ASSERT_NE(c, nullptr) << name;
      EXPECT_EQ(EVP_CIPHER_get_key_length(c), b / 8) << name;
      EVP_CIPHER_free(c);
    }
  }
  EXPECT_EQ(OpensslCipher(encr::k3des, 24), "DES-EDE3-CBC");  // IKEv1
  EXPECT_EQ(OpensslCipher(encr::kAesCbc, 20), "");
  EXPECT_EQ(OpensslCipher(encr::kAesCtr, 16), "");
}

}  // namespace
}  // namespace ipsec::alg
