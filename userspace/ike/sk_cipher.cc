#include "ike/sk_cipher.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "ike/constants.h"
#include "ike/crypto/algorithms.h"

namespace ipsec::ike {

namespace {

struct Free {
  void operator()(EVP_CIPHER* p) const { EVP_CIPHER_free(p); }
  void operator()(EVP_CIPHER_CTX* p) const { EVP_CIPHER_CTX_free(p); }
  void operator()(EVP_MAC* p) const { EVP_MAC_free(p); }
  void operator()(EVP_MAC_CTX* p) const { EVP_MAC_CTX_free(p); }
};
template <class T>
using Owned = std::unique_ptr<T, Free>;

// A literal from the registry (common/algorithms.h): NUL-terminated.
const char* CipherName(uint16_t encr_id, size_t key_bytes) {
  const std::string_view name = alg::OpensslCipher(encr_id, key_bytes);
  return name.empty() ? nullptr : name.data();
}

const char* IntegDigest(uint16_t integ_id) {
  const alg::Integ* i = alg::FindInteg(integ_id);
  return i && i->implemented ? i->digest.data() : nullptr;  // a literal: NUL-terminated
}

// HMAC over the concatenation of parts, full length output.
bool Hmac(const char* digest, std::span<const uint8_t> key,
          std::initializer_list<std::span<const uint8_t>> parts, Bytes* out) {
  // Fetched once: immutable, shared between threads.
  static EVP_MAC* const mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  Owned<EVP_MAC_CTX> ctx(mac ? EVP_MAC_CTX_new(mac) : nullptr);
  if (!ctx) return false;
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, const_cast<char*>(digest), 0),
      OSSL_PARAM_construct_end()};
  if (EVP_MAC_init(ctx.get(), key.data(), key.size(), params) != 1) return false;
  for (auto p : parts)
    if (!p.empty() && EVP_MAC_update(ctx.get(), p.data(), p.size()) != 1) return false;
  out->resize(EVP_MAC_CTX_get_mac_size(ctx.get()));
  size_t len = 0;
  if (EVP_MAC_final(ctx.get(), out->data(), &len, out->size()) != 1) return false;
  out->resize(len);
  return true;
}

}  // namespace

// AEAD: salt || IV (RFC 5282 4, RFC 7634 2); CBC: the IV. Holds the salt,
// which is key material, hence SecureBytes.
static SecureBytes MakeNonce(bool aead, const SecureBytes& salt, std::span<const uint8_t> iv) {
  SecureBytes n;
  if (aead) n.Append(salt.span());
  n.Append(iv);
  return n;
}

Result<SkCipher> SkCipher::Create(uint16_t encr_id, uint16_t encr_key_bits, uint16_t integ_id,
                                  SecureBytes encr_key, SecureBytes integ_key) {
  if (encr_id == encr::kChaCha20Poly1305 && encr_key_bits == 0) encr_key_bits = 256;
  auto e = LookupEncr(encr_id, encr_key_bits);
  if (!e || !e->ike)
    return MakeError("SK: unsupported encryption transform " + std::to_string(encr_id) + " with " +
                     std::to_string(encr_key_bits) + "-bit key");
  if (encr_key.size() != e->key_bytes + e->salt_bytes)
    return MakeError("SK: encryption key has " + std::to_string(encr_key.size()) +
                     " bytes, expected " + std::to_string(e->key_bytes + e->salt_bytes));
  SkCipher c;
  c.encr_id_ = encr_id;
  c.aead_ = e->aead;
  c.iv_size_ = e->iv_bytes;
  c.block_size_ = e->block_bytes;
  c.key_ = encr_key.Slice(0, e->key_bytes);
  c.salt_ = encr_key.Slice(e->key_bytes, e->salt_bytes);
  if (e->aead) {
    if (integ_id != integ::kNone || !integ_key.empty())
      return MakeError("SK: AEAD cipher with an integrity transform");
    c.icv_size_ = e->icv_bytes;
  } else {
    auto i = LookupInteg(integ_id);
    if (!i) return MakeError("SK: unsupported integrity transform " + std::to_string(integ_id));
    if (integ_key.size() != i->key_bytes)
      return MakeError("SK: integrity key has " + std::to_string(integ_key.size()) +
                       " bytes, expected " + std::to_string(i->key_bytes));
    c.integ_id_ = integ_id;
    c.icv_size_ = i->icv_bytes;
    c.integ_key_ = std::move(integ_key);
  }
  return c;
}

Result<Bytes> SkCipher::Seal(std::span<const uint8_t> authenticated, std::span<const uint8_t> iv,
                             std::span<const uint8_t> plaintext) const {
  if (iv.size() != iv_size_) return MakeError("SK: IV size mismatch");
  if (plaintext.size() % block_size_ != 0) return MakeError("SK: plaintext not block aligned");
  Owned<EVP_CIPHER> cipher(EVP_CIPHER_fetch(nullptr, CipherName(encr_id_, key_.size()), nullptr));
  Owned<EVP_CIPHER_CTX> ctx(EVP_CIPHER_CTX_new());
  if (!cipher || !ctx) return MakeError("SK: cipher unavailable");
  SecureBytes nonce = MakeNonce(aead_, salt_, iv);
  Bytes out(plaintext.size() + icv_size_);
  int len = 0, fin = 0;
  if (EVP_EncryptInit_ex2(ctx.get(), cipher.get(), key_.data(), nonce.data(), nullptr) != 1 ||
      EVP_CIPHER_CTX_set_padding(ctx.get(), 0) != 1)
    return MakeError("SK: cipher init failed");
  if (aead_ && !authenticated.empty() &&
      EVP_EncryptUpdate(ctx.get(), nullptr, &len, authenticated.data(),
                        static_cast<int>(authenticated.size())) != 1)
    return MakeError("SK: AAD failed");
  if ((!plaintext.empty() && EVP_EncryptUpdate(ctx.get(), out.data(), &len, plaintext.data(),
                                               static_cast<int>(plaintext.size())) != 1) ||
      EVP_EncryptFinal_ex(ctx.get(), out.data() + len, &fin) != 1)
    return MakeError("SK: encryption failed");
  std::span<const uint8_t> ct(out.data(), plaintext.size());
  if (aead_) {
    if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_GET_TAG, static_cast<int>(icv_size_),
                            out.data() + plaintext.size()) != 1)
      return MakeError("SK: tag failed");
  } else {
    Bytes mac;
    if (!Hmac(IntegDigest(integ_id_), integ_key_.span(), {authenticated, iv, ct}, &mac))
      return MakeError("SK: integrity failed");
    std::copy(mac.begin(), mac.begin() + icv_size_, out.begin() + plaintext.size());
  }
  return out;
}

Result<Bytes> SkCipher::Open(std::span<const uint8_t> authenticated, std::span<const uint8_t> iv,
                             std::span<const uint8_t> ct_icv) const {
  if (iv.size() != iv_size_) return MakeError("SK: IV size mismatch");
  if (ct_icv.size() < icv_size_) return MakeError("SK: shorter than its ICV");
  auto ct = ct_icv.first(ct_icv.size() - icv_size_);
  auto icv = ct_icv.last(icv_size_);
  if (ct.size() % block_size_ != 0)
    return MakeError("SK: ciphertext length " + std::to_string(ct.size()) +
                     " is not a multiple of the block size " + std::to_string(block_size_));
  if (!aead_) {
    Bytes mac;
    if (!Hmac(IntegDigest(integ_id_), integ_key_.span(), {authenticated, iv, ct}, &mac))
      return MakeError("SK: integrity computation failed");
    if (CRYPTO_memcmp(mac.data(), icv.data(), icv_size_) != 0)
      return MakeError("SK: integrity check failed");
  }
  Owned<EVP_CIPHER> cipher(EVP_CIPHER_fetch(nullptr, CipherName(encr_id_, key_.size()), nullptr));
  Owned<EVP_CIPHER_CTX> ctx(EVP_CIPHER_CTX_new());
  if (!cipher || !ctx) return MakeError("SK: cipher unavailable");
  SecureBytes nonce = MakeNonce(aead_, salt_, iv);
  Bytes out(ct.size() + 16);
  int len = 0, fin = 0;
  if (EVP_DecryptInit_ex2(ctx.get(), cipher.get(), key_.data(), nonce.data(), nullptr) != 1 ||
      EVP_CIPHER_CTX_set_padding(ctx.get(), 0) != 1)
    return MakeError("SK: cipher init failed");
  if (aead_) {
    Bytes tag(icv.begin(), icv.end());
    if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_SET_TAG, static_cast<int>(tag.size()),
                            tag.data()) != 1)
      return MakeError("SK: tag setup failed");
    if (!authenticated.empty() && EVP_DecryptUpdate(ctx.get(), nullptr, &len, authenticated.data(),
                                                    static_cast<int>(authenticated.size())) != 1)
      return MakeError("SK: AAD failed");
  }
  len = 0;
  if (!ct.empty() &&
      EVP_DecryptUpdate(ctx.get(), out.data(), &len, ct.data(), static_cast<int>(ct.size())) != 1)
    return MakeError("SK: decryption failed");
  if (EVP_DecryptFinal_ex(ctx.get(), out.data() + len, &fin) != 1) {
    OPENSSL_cleanse(out.data(), out.size());
    return MakeError(aead_ ? "SK: integrity check failed" : "SK: decryption failed");
  }
  out.resize(static_cast<size_t>(len + fin));
  return out;
}

}  // namespace ipsec::ike
