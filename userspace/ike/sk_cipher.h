// SkCipher: the protection of one direction of an IKE SA's SK payload
// (RFC 7296 3.14; RFC 5282 for AES-GCM; RFC 7634 for ChaCha20-Poly1305).
// Holds SK_e (+salt for AEAD) and SK_a; knows IV, block and ICV sizes.
// The codec lays out the SK payload; this class only seals and opens.
#pragma once

#include <cstdint>
#include <memory>
#include <span>

#include "common/result.h"
#include "common/secure_bytes.h"
#include "ike/message.h"

namespace ipsec::ike {

class SkCipher {
 public:
  // encr_id/encr_key_bits/integ_id: negotiated IKE SA transforms
  // (integ_id = integ::kNone for AEAD). encr_key: SK_ei or SK_er, which for
  // AEAD is key || salt (4 bytes for GCM and ChaCha20-Poly1305).
  // integ_key: SK_ai or SK_ar (empty for AEAD). Sizes are checked.
  static Result<SkCipher> Create(uint16_t encr_id, uint16_t encr_key_bits, uint16_t integ_id,
                                 SecureBytes encr_key, SecureBytes integ_key);

  bool aead() const { return aead_; }
  size_t iv_size() const { return iv_size_; }
  size_t block_size() const { return block_size_; }  // padding alignment (1 for AEAD)
  size_t icv_size() const { return icv_size_; }

  // Seal: plaintext must already be padded (incl. the Pad Length byte) to a
  // multiple of block_size(). `authenticated` is everything of the message
  // before the IV (IKE header + SK generic header): AAD for AEAD, the start of
  // the MAC input for CBC+HMAC (which then covers IV and ciphertext).
  // Returns ciphertext || ICV.
  Result<Bytes> Seal(std::span<const uint8_t> authenticated, std::span<const uint8_t> iv,
                     std::span<const uint8_t> plaintext) const;
  // Open: verifies the ICV first (constant time), then decrypts. Returns the
  // padded plaintext; the caller strips the padding.
  Result<Bytes> Open(std::span<const uint8_t> authenticated, std::span<const uint8_t> iv,
                     std::span<const uint8_t> ciphertext_and_icv) const;

 private:
  SkCipher() = default;
  uint16_t encr_id_ = 0;
  uint16_t integ_id_ = 0;
  bool aead_ = false;
  size_t iv_size_ = 0, block_size_ = 0, icv_size_ = 0;
  SecureBytes key_;   // cipher key without salt
  SecureBytes salt_;  // AEAD implicit nonce part
  SecureBytes integ_key_;
};

}  // namespace ipsec::ike
