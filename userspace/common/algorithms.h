// The algorithm registry: every fact about an IKEv2 transform in one
// constexpr table per transform type (RFC 7296 3.3.2, the IANA "IKEv2
// Transform Type N" registries). Every other table is a view of this one:
// ike/crypto/algorithms (IKE SA and child SA key sizes), kernel/algorithms
// (the module's ESP names for ipsecctl), common/transform_names (log
// spelling), common/proposal_names (ike=/esp= tokens). kmod/crypto_algs.h,
// the module's own table, is checked against it by
// tests/unit/kmod/crypto_algs_test.cc.
//
// Rows also name transforms we recognise but do not implement (ike and esp
// both false), so logs print a peer's offer by name.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace ipsec::alg {

// Transform IDs (IANA). ike/constants.h re-exports them as ike::encr, ...
namespace encr {
inline constexpr uint16_t k3des = 3;
inline constexpr uint16_t kNull = 11;
inline constexpr uint16_t kAesCbc = 12;
inline constexpr uint16_t kAesCtr = 13;
inline constexpr uint16_t kAesGcm8 = 18;
inline constexpr uint16_t kAesGcm12 = 19;
inline constexpr uint16_t kAesGcm16 = 20;
inline constexpr uint16_t kNullAuthAesGmac = 21;
inline constexpr uint16_t kChaCha20Poly1305 = 28;
}  // namespace encr
namespace prf {
inline constexpr uint16_t kHmacMd5 = 1;
inline constexpr uint16_t kHmacSha1 = 2;
inline constexpr uint16_t kAes128Xcbc = 4;
inline constexpr uint16_t kHmacSha2_256 = 5;
inline constexpr uint16_t kHmacSha2_384 = 6;
inline constexpr uint16_t kHmacSha2_512 = 7;
}  // namespace prf
namespace integ {
inline constexpr uint16_t kNone = 0;
inline constexpr uint16_t kHmacMd5_96 = 1;
inline constexpr uint16_t kHmacSha1_96 = 2;
inline constexpr uint16_t kAesXcbc96 = 5;
inline constexpr uint16_t kHmacSha2_256_128 = 12;
inline constexpr uint16_t kHmacSha2_384_192 = 13;
inline constexpr uint16_t kHmacSha2_512_256 = 14;
}  // namespace integ
namespace dh {
inline constexpr uint16_t kNone = 0;
inline constexpr uint16_t kModp768 = 1;
inline constexpr uint16_t kModp1024 = 2;
inline constexpr uint16_t kModp1536 = 5;
inline constexpr uint16_t kModp2048 = 14;
inline constexpr uint16_t kModp3072 = 15;
inline constexpr uint16_t kModp4096 = 16;
inline constexpr uint16_t kEcp256 = 19;
inline constexpr uint16_t kEcp384 = 20;
inline constexpr uint16_t kEcp521 = 21;
inline constexpr uint16_t kCurve25519 = 31;
}  // namespace dh
namespace esn {
inline constexpr uint16_t kNo = 0;
inline constexpr uint16_t kYes = 1;
}  // namespace esn

// Spellings of one thing in ike=/esp= strings; unused slots empty.
using Tokens = std::array<std::string_view, 6>;

struct Encr {
  uint16_t id;
  std::string_view name;  // IANA name as strongSwan prints it: "AES_GCM_16"
  bool aead;              // combined mode (GCM, GMAC, ChaCha20-Poly1305): no INTEG
  // Key Length attribute values allowed (bits); all 0: the attribute is
  // absent and the key is fixed_key_bits long (ChaCha20, RFC 7634 2).
  std::array<uint16_t, 3> key_bits;
  uint16_t fixed_key_bits;
  uint8_t
      salt_bytes;    // taken from the keying material after the key (RFC 4106 8.1, 4543 4, 7634 2)
  uint8_t iv_bytes;  // explicit IV in each message/packet
  uint8_t block_bytes;      // cipher block, padding alignment (1: stream)
  uint8_t icv_bytes;        // AEAD tag; 0: from the integrity transform
  bool ike;                 // ike/ implements it for the IKE SA (SK payload)
  bool esp;                 // the module implements it for ESP
  std::string_view kernel;  // Linux crypto name, for the module and XFRM
  // OpenSSL's EVP cipher for each of key_bits (for a fixed key, [0]); ""
  // none: the IKE SA's SK payload (ike/sk_cipher) and IKEv1's messages.
  std::array<std::string_view, 3> openssl;
  // ike=/esp= spelling: for AES-GCM the ICV part of the token ("aes128gcm16",
  // "aes_gcm_c_256"; the parser knows the AES grammar), else whole tokens.
  Tokens tokens;
};

struct Integ {
  uint16_t id;
  std::string_view name;  // "HMAC_SHA2_256_128"
  uint8_t key_bytes;
  uint8_t icv_bytes;        // truncated output on the wire
  uint16_t prf;             // the PRF of the same hash: "sha256" names both
  bool implemented;         // for IKE and ESP alike
  std::string_view digest;  // OpenSSL digest name
  std::string_view kernel;  // "hmac(sha256)"
  std::string_view module;  // "hmac-sha256"
  Tokens tokens;            // "sha256"; "prf" + token names the PRF
};

struct Prf {
  uint16_t id;
  std::string_view name;  // "PRF_HMAC_SHA2_256"
  uint8_t key_bytes;      // preferred key length (RFC 7296 2.14)
  uint8_t output_bytes;
  bool implemented;
  std::string_view digest;
};

struct Dh {
  uint16_t id;
  std::string_view name;  // "MODP_2048"
  uint16_t public_bytes;  // KE payload data; 0: not implemented
  bool weak;              // RFC 8247 SHOULD NOT: only when configured
  Tokens tokens;          // "modp2048", "dh14"
};

inline constexpr Encr kEncrs[] = {
    {encr::k3des, "3DES_CBC", false, {}, 192, 0, 8, 8, 0, false, false, "", {"DES-EDE3-CBC"}, {}},
    {encr::kNull, "NULL", false, {}, 0, 0, 0, 1, 0, false, false, "", {}, {}},
    {encr::kAesCbc,
     "AES_CBC",
     false,
     {128, 192, 256},
     0,
     0,
     16,
     16,
     0,
     true,
     true,
     "cbc(aes)",
     {"AES-128-CBC", "AES-192-CBC", "AES-256-CBC"},
     {}},
    {encr::kAesCtr, "AES_CTR", false, {128, 192, 256}, 0, 4, 8, 1, 0, false, false, "", {}, {}},
    {encr::kAesGcm16,
     "AES_GCM_16",
     true,
     {128, 192, 256},
     0,
     4,
     8,
     1,
     16,
     true,
     true,
     "rfc4106(gcm(aes))",
     {"AES-128-GCM", "AES-192-GCM", "AES-256-GCM"},
     {"16", "128", "c", "_c", "_16"}},
    {encr::kAesGcm12,
     "AES_GCM_12",
     true,
     {128, 192, 256},
     0,
     4,
     8,
     1,
     12,
     true,
     true,
     "rfc4106(gcm(aes))",
     {"AES-128-GCM", "AES-192-GCM", "AES-256-GCM"},
     {"12", "96", "b", "_b", "_12"}},
    {encr::kAesGcm8,
     "AES_GCM_8",
     true,
     {128, 192, 256},
     0,
     4,
     8,
     1,
     8,
     true,
     true,
     "rfc4106(gcm(aes))",
     {"AES-128-GCM", "AES-192-GCM", "AES-256-GCM"},
     {"8", "64", "a", "_a", "_8"}},
    // GMAC authenticates only; IANA: not allowed for IKEv2 (RFC 4543 is ESP/AH).
    {encr::kNullAuthAesGmac,
     "NULL_AES_GMAC",
     true,
     {128, 192, 256},
     0,
     4,
     8,
     1,
     16,
     false,
     true,
     "rfc4543(gcm(aes))",
     {},
     {}},
    {encr::kChaCha20Poly1305,
     "CHACHA20_POLY1305",
     true,
     {},
     256,
     4,
     8,
     1,
     16,
     true,
     true,
     "rfc7539esp(chacha20,poly1305)",
     {"ChaCha20-Poly1305"},
     {"chacha20poly1305", "chacha20_poly1305"}},
};

inline constexpr Integ kIntegs[] = {
    {integ::kNone, "INTEG_NONE", 0, 0, 0, false, "", "", "", {}},
    {integ::kHmacMd5_96, "HMAC_MD5_96", 16, 12, prf::kHmacMd5, false, "", "", "", {}},
    {integ::kHmacSha1_96,
     "HMAC_SHA1_96",
     20,
     12,
     prf::kHmacSha1,
     true,
     "SHA1",
     "hmac(sha1)",
     "hmac-sha1",
     {"sha1", "sha"}},
    {integ::kAesXcbc96, "AES_XCBC_96", 16, 12, prf::kAes128Xcbc, false, "", "", "", {}},
    {integ::kHmacSha2_256_128,
     "HMAC_SHA2_256_128",
     32,
     16,
     prf::kHmacSha2_256,
     true,
     "SHA256",
     "hmac(sha256)",
     "hmac-sha256",
     {"sha256", "sha2_256", "sha2", "sha256_128"}},
    {integ::kHmacSha2_384_192,
     "HMAC_SHA2_384_192",
     48,
     24,
     prf::kHmacSha2_384,
     true,
     "SHA384",
     "hmac(sha384)",
     "hmac-sha384",
     {"sha384", "sha2_384", "sha384_192"}},
    {integ::kHmacSha2_512_256,
     "HMAC_SHA2_512_256",
     64,
     32,
     prf::kHmacSha2_512,
     true,
     "SHA512",
     "hmac(sha512)",
     "hmac-sha512",
     {"sha512", "sha2_512", "sha512_256"}},
};

inline constexpr Prf kPrfs[] = {
    {prf::kHmacMd5, "PRF_HMAC_MD5", 16, 16, false, ""},
    {prf::kHmacSha1, "PRF_HMAC_SHA1", 20, 20, true, "SHA1"},
    {prf::kAes128Xcbc, "PRF_AES128_XCBC", 16, 16, false, ""},
    {prf::kHmacSha2_256, "PRF_HMAC_SHA2_256", 32, 32, true, "SHA256"},
    {prf::kHmacSha2_384, "PRF_HMAC_SHA2_384", 48, 48, true, "SHA384"},
    {prf::kHmacSha2_512, "PRF_HMAC_SHA2_512", 64, 64, true, "SHA512"},
};

inline constexpr Dh kDhs[] = {
    {dh::kNone, "DH_NONE", 0, false, {}},
    {dh::kModp768, "MODP_768", 0, false, {}},
    {dh::kModp1024, "MODP_1024", 128, true, {"modp1024", "dh2"}},
    {dh::kModp1536, "MODP_1536", 192, true, {"modp1536", "dh5"}},
    {dh::kModp2048, "MODP_2048", 256, false, {"modp2048", "dh14"}},
    {dh::kModp3072, "MODP_3072", 384, false, {"modp3072", "dh15"}},
    {dh::kModp4096, "MODP_4096", 512, false, {"modp4096", "dh16"}},
    {dh::kEcp256, "ECP_256", 64, false, {"ecp256", "ecp_256", "dh19"}},
    {dh::kEcp384, "ECP_384", 96, false, {"ecp384", "ecp_384", "dh20"}},
    {dh::kEcp521, "ECP_521", 132, false, {"ecp521", "ecp_521", "dh21"}},
    {dh::kCurve25519, "CURVE_25519", 32, false, {"x25519", "curve25519", "dh31"}},
};

template <class Row>
constexpr const Row* FindById(std::span<const Row> rows, uint16_t id) {
  for (const auto& r : rows)
    if (r.id == id) return &r;
  return nullptr;
}
constexpr const Encr* FindEncr(uint16_t id) {
  return FindById<Encr>(kEncrs, id);
}
constexpr const Integ* FindInteg(uint16_t id) {
  return FindById<Integ>(kIntegs, id);
}
constexpr const Prf* FindPrf(uint16_t id) {
  return FindById<Prf>(kPrfs, id);
}
constexpr const Dh* FindDh(uint16_t id) {
  return FindById<Dh>(kDhs, id);
}

// Whether key_bits (the Key Length attribute, 0 = absent) is allowed.
constexpr bool KeyBitsAllowed(const Encr& e, uint16_t key_bits) {
  if (e.fixed_key_bits) return key_bits == 0 || key_bits == e.fixed_key_bits;
  for (uint16_t b : e.key_bits)
    if (b && b == key_bits) return true;
  return false;
}
// The cipher key in bytes (salt excluded) for an allowed key_bits.
constexpr size_t KeyBytes(const Encr& e, uint16_t key_bits) {
  return (e.fixed_key_bits ? e.fixed_key_bits : key_bits) / 8u;
}

// OpenSSL's EVP cipher name for encryption transform id with a key of
// key_bytes (salt excluded): "AES-256-GCM"; "" when we use none.
constexpr std::string_view OpensslCipher(uint16_t id, size_t key_bytes) {
  const Encr* e = FindEncr(id);
  if (!e) return "";
  if (e->fixed_key_bits) return e->fixed_key_bits / 8u == key_bytes ? e->openssl[0] : "";
  for (size_t i = 0; i < e->key_bits.size(); ++i)
    if (e->key_bits[i] && e->key_bits[i] / 8u == key_bytes) return e->openssl[i];
  return "";
}

// The module's ESP encryption algorithms as ipsecctl names them, in display
// order: every (ID, key length) of kEncrs with esp set, once
// (tests/unit/common/algorithms_test.cc).
struct EspSuite {
  std::string_view name;  // "aes-gcm-128-icv12"
  uint16_t encr_id;
  uint16_t key_bits;  // 0 for ChaCha20 (fixed)
};
inline constexpr EspSuite kEspSuites[] = {
    {"aes-gcm-128", encr::kAesGcm16, 128},
    {"aes-gcm-192", encr::kAesGcm16, 192},
    {"aes-gcm-256", encr::kAesGcm16, 256},
    {"aes-gcm-128-icv12", encr::kAesGcm12, 128},
    {"aes-gcm-192-icv12", encr::kAesGcm12, 192},
    {"aes-gcm-256-icv12", encr::kAesGcm12, 256},
    {"aes-gcm-128-icv8", encr::kAesGcm8, 128},
    {"aes-gcm-192-icv8", encr::kAesGcm8, 192},
    {"aes-gcm-256-icv8", encr::kAesGcm8, 256},
    {"chacha20-poly1305", encr::kChaCha20Poly1305, 0},
    {"aes-gmac-128", encr::kNullAuthAesGmac, 128},
    {"aes-gmac-192", encr::kNullAuthAesGmac, 192},
    {"aes-gmac-256", encr::kNullAuthAesGmac, 256},
    {"aes-cbc-128", encr::kAesCbc, 128},
    {"aes-cbc-192", encr::kAesCbc, 192},
    {"aes-cbc-256", encr::kAesCbc, 256},
};

// "aes-gcm-128, aes-gcm-192, ..." for error messages and --help.
std::string EspSuiteNames();

}  // namespace ipsec::alg
