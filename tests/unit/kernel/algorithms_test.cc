// The algorithm table agrees with the uapi IDs and with the key sizes the
// RFCs give (key || 4-byte salt for AEAD and GMAC).
#include "kernel/algorithms.h"

#include <gtest/gtest.h>
#include <linux/ipsec_tun.h>

#include <set>

namespace ipsec::kernel {
namespace {

TEST(AlgorithmsTest, KnownNames) {
  const EncrAlgorithm* gcm = FindEncr("aes-gcm-128");
  ASSERT_NE(gcm, nullptr);
  EXPECT_EQ(gcm->encr_id, IPSEC_TUN_ENCR_AES_GCM_16);
  EXPECT_EQ(gcm->key_bits, 128);
  EXPECT_EQ(gcm->enc_key_bytes, 20u);
  EXPECT_TRUE(gcm->combined);
  EXPECT_EQ(FindEncr("aes-gcm-256")->enc_key_bytes, 36u);
  EXPECT_EQ(FindEncr("aes-gcm-128-icv8")->encr_id, IPSEC_TUN_ENCR_AES_GCM_8);
  EXPECT_EQ(FindEncr("aes-gcm-128-icv12")->encr_id, IPSEC_TUN_ENCR_AES_GCM_12);
  EXPECT_EQ(FindEncr("chacha20-poly1305")->encr_id, IPSEC_TUN_ENCR_CHACHA20_POLY1305);
  EXPECT_EQ(FindEncr("chacha20-poly1305")->enc_key_bytes, 36u);
  EXPECT_EQ(FindEncr("aes-gmac-256")->encr_id, IPSEC_TUN_ENCR_NULL_AUTH_AES_GMAC);
  EXPECT_EQ(FindEncr("aes-cbc-128")->enc_key_bytes, 16u);
  EXPECT_FALSE(FindEncr("aes-cbc-128")->combined);
  EXPECT_EQ(FindInteg("hmac-sha1")->integ_id, IPSEC_TUN_AUTH_HMAC_SHA1_96);
  EXPECT_EQ(FindInteg("hmac-sha384")->key_bytes, 48u);
  EXPECT_EQ(FindInteg("hmac-sha512")->icv_bytes, 32);
  EXPECT_EQ(FindEncr("aes-ccm-128"), nullptr);
  EXPECT_EQ(FindInteg("md5"), nullptr);
}

TEST(AlgorithmsTest, IdsRoundTripToNames) {
  std::set<std::string_view> names;
  for (const auto& a : EncrAlgorithms()) {
    EXPECT_TRUE(names.insert(a.name).second) << a.name;
    EXPECT_EQ(EncrName(a.encr_id, a.key_bits), a.name);
  }
  for (const auto& a : IntegAlgorithms()) EXPECT_EQ(IntegName(a.integ_id), a.name);
  EXPECT_EQ(EncrName(99, 128), "encr-99/128");
  EXPECT_EQ(IntegName(0), "none");
}

}  // namespace
}  // namespace ipsec::kernel
