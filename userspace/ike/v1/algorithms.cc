#include "ike/v1/algorithms.h"

#include <openssl/evp.h>

#include <string>

#include "ike/constants.h"
#include "ike/crypto/auth.h"

namespace ipsec::ike::v1 {

namespace {

// IKEv2's PRF ID for the same HMAC, and the digest's OpenSSL name.
struct HashMap {
  uint16_t prf_id;
  const char* digest;
};

std::optional<HashMap> MapHash(uint16_t hash) {
  switch (hash) {
    case p1hash::kSha1:
      return HashMap{prf::kHmacSha1, "SHA1"};
    case p1hash::kSha2_256:
      return HashMap{prf::kHmacSha2_256, "SHA256"};
    case p1hash::kSha2_384:
      return HashMap{prf::kHmacSha2_384, "SHA384"};
    case p1hash::kSha2_512:
      return HashMap{prf::kHmacSha2_512, "SHA512"};
    default:
      return std::nullopt;
  }
}

Error Unsupported(uint16_t hash) {
  return MakeError("IKEv1 hash algorithm " + std::to_string(hash) + " not supported" +
                   (hash == p1hash::kMd5 ? " (MD5 is refused)" : ""));
}

}  // namespace

Result<Prf> PrfForHash(uint16_t hash) {
  auto m = MapHash(hash);
  if (!m) return Unsupported(hash);
  return Prf::Create(m->prf_id);
}

Result<Bytes> Digest(uint16_t hash, std::span<const uint8_t> data) {
  auto m = MapHash(hash);
  if (!m) return Unsupported(hash);
  Bytes out(EVP_MAX_MD_SIZE);
  size_t len = 0;
  if (EVP_Q_digest(nullptr, m->digest, nullptr, data.data(), data.size(), out.data(), &len) != 1)
    return MakeError(std::string("digest ") + m->digest + " failed");
  out.resize(len);
  return out;
}

Result<Bytes> NatDHash(uint16_t hash, uint64_t cookie_i, uint64_t cookie_r, const IpAddress& ip,
                       uint16_t port) {
  return Digest(hash, NatDetectionInput(cookie_i, cookie_r, ip, port));
}

std::optional<Phase1CipherInfo> LookupPhase1Cipher(uint16_t encryption, uint16_t key_bits) {
  // IKEv2's ciphers (common/algorithms.h) under their IKEv1 numbers.
  uint16_t id = 0;
  switch (encryption) {
    case p1encr::kAesCbc:
      if (key_bits != 128 && key_bits != 192 && key_bits != 256) return std::nullopt;
      id = alg::encr::kAesCbc;
      break;
    case p1encr::k3DesCbc:
      if (key_bits != 0) return std::nullopt;
      id = alg::encr::k3des;
      key_bits = 192;
      break;
    default:
      return std::nullopt;
  }
  const alg::Encr* e = alg::FindEncr(id);
  const std::string_view name = alg::OpensslCipher(id, key_bits / 8u);
  return Phase1CipherInfo{key_bits / 8u, e->block_bytes, name.data()};
}

}  // namespace ipsec::ike::v1
