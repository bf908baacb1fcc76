#include "ike/v1/message_cipher.h"

#include <openssl/evp.h>

#include <memory>
#include <string>

#include "ike/v1/algorithms.h"

namespace ipsec::ike::v1 {

namespace {
struct Free {
  void operator()(EVP_CIPHER* p) const { EVP_CIPHER_free(p); }
  void operator()(EVP_CIPHER_CTX* p) const { EVP_CIPHER_CTX_free(p); }
};
}  // namespace

Result<MessageCipher> MessageCipher::Create(uint16_t encryption, uint16_t key_bits,
                                            SecureBytes key) {
  auto info = LookupPhase1Cipher(encryption, key_bits);
  if (!info)
    return MakeError("IKEv1: unsupported cipher " + std::to_string(encryption) + " with " +
                     std::to_string(key_bits) + "-bit key");
  if (key.size() != info->key_bytes)
    return MakeError("IKEv1: cipher key of " + std::to_string(key.size()) + " bytes, expected " +
                     std::to_string(info->key_bytes));
  MessageCipher c;
  c.block_ = info->block_bytes;
  c.cipher_name_ = info->openssl;
  c.key_ = std::move(key);
  return c;
}

Result<Bytes> MessageCipher::Run(bool encrypt, std::span<const uint8_t> iv,
                                 std::span<const uint8_t> in) const {
  if (iv.size() != block_) return MakeError("IKEv1: IV of " + std::to_string(iv.size()) + " bytes");
  if (in.empty() || in.size() % block_ != 0)
    return MakeError("IKEv1: " + std::to_string(in.size()) + " bytes are not whole " +
                     std::to_string(block_) + "-byte blocks");
  std::unique_ptr<EVP_CIPHER, Free> cipher(EVP_CIPHER_fetch(nullptr, cipher_name_, nullptr));
  std::unique_ptr<EVP_CIPHER_CTX, Free> ctx(EVP_CIPHER_CTX_new());
  if (!cipher || !ctx) return MakeError(std::string("IKEv1: ") + cipher_name_ + " unavailable");
  Bytes out(in.size() + block_);
  int len = 0, fin = 0;
  if (EVP_CipherInit_ex2(ctx.get(), cipher.get(), key_.data(), iv.data(), encrypt ? 1 : 0,
                         nullptr) != 1 ||
      EVP_CIPHER_CTX_set_padding(ctx.get(), 0) != 1 ||
      EVP_CipherUpdate(ctx.get(), out.data(), &len, in.data(), static_cast<int>(in.size())) != 1 ||
      EVP_CipherFinal_ex(ctx.get(), out.data() + len, &fin) != 1)
    return MakeError("IKEv1: CBC failed");
  out.resize(static_cast<size_t>(len + fin));
  return out;
}

Result<Bytes> MessageCipher::Encrypt(std::span<const uint8_t> iv,
                                     std::span<const uint8_t> payloads) const {
  Bytes padded(payloads.begin(), payloads.end());
  padded.resize((payloads.size() / block_ + (payloads.size() % block_ != 0)) * block_, 0);
  if (padded.empty()) padded.resize(block_, 0);
  return Run(true, iv, padded);
}

Result<Bytes> MessageCipher::Decrypt(std::span<const uint8_t> iv,
                                     std::span<const uint8_t> ciphertext) const {
  return Run(false, iv, ciphertext);
}

}  // namespace ipsec::ike::v1
