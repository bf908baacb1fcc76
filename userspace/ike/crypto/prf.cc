#include "ike/crypto/prf.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <memory>

#include "ike/constants.h"
#include "ike/crypto/algorithms.h"

namespace ipsec::ike {

Result<Prf> Prf::Create(uint16_t prf_id) {
  auto info = LookupPrf(prf_id);
  if (!info) return MakeError("unsupported PRF transform " + std::to_string(prf_id));
  Prf p;
  p.id_ = prf_id;
  p.output_size_ = info->output_bytes;
  p.key_size_ = info->key_bytes;
  p.digest_ = alg::FindPrf(prf_id)->digest.data();  // a literal: NUL-terminated
  return p;
}

namespace {
struct MacDeleter {
  void operator()(EVP_MAC* m) const { EVP_MAC_free(m); }
  void operator()(EVP_MAC_CTX* c) const { EVP_MAC_CTX_free(c); }
};
}  // namespace

// The HMAC implementation, fetched once (fetching is the expensive part of
// EVP_MAC; the object is immutable and safe to share between threads).
static EVP_MAC* HmacImpl() {
  static EVP_MAC* const mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  return mac;
}

// HMAC via EVP_MAC. Any OpenSSL failure here is a library error (every
// input is valid for HMAC); returning some output would be dangerous, so we
// abort instead.
SecureBytes Prf::Compute(std::span<const uint8_t> key, std::span<const uint8_t> data) const {
  EVP_MAC* mac = HmacImpl();
  std::unique_ptr<EVP_MAC_CTX, MacDeleter> ctx(mac ? EVP_MAC_CTX_new(mac) : nullptr);
  if (!ctx) abort();
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, const_cast<char*>(digest_), 0),
      OSSL_PARAM_construct_end()};
  // HMAC accepts an empty key but OpenSSL wants a non-null pointer.
  static const uint8_t kEmpty = 0;
  const uint8_t* k = key.empty() ? &kEmpty : key.data();
  SecureBytes out(output_size_);
  size_t outl = 0;
  if (EVP_MAC_init(ctx.get(), k, key.size(), params) != 1 ||
      EVP_MAC_update(ctx.get(), data.data(), data.size()) != 1 ||
      EVP_MAC_final(ctx.get(), out.data(), &outl, out.size()) != 1 || outl != output_size_)
    abort();
  return out;
}

Result<SecureBytes> Prf::Plus(std::span<const uint8_t> key, std::span<const uint8_t> seed,
                              size_t length) const {
  if (length > 255 * output_size_)
    return MakeError("prf+: " + std::to_string(length) + " bytes exceed 255 blocks");
  SecureBytes out;
  SecureBytes prev;
  for (uint8_t n = 1; out.size() < length; ++n) {
    SecureBytes input;
    input.Append(prev.span());
    input.Append(seed);
    uint8_t counter = n;
    input.Append(std::span<const uint8_t>(&counter, 1));
    prev = Compute(key, input.span());
    out.Append(prev.span());
  }
  return out.Slice(0, length);
}

}  // namespace ipsec::ike
