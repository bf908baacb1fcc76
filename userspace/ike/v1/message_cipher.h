// Protection of an IKEv1 message body (RFC 2408 3.5, RFC 2409 Appendix B):
// CBC with the phase-1 key, no integrity value (the HASH payloads
// authenticate the exchange), the IV chained as keymat.h says. The payload
// chain is zero-padded to a whole block; the receiver finds the end of the
// chain by its next-payload fields (codec.h DecodePayloads, padded = true).
#pragma once

#include <cstdint>
#include <span>

#include "common/result.h"
#include "common/secure_bytes.h"
#include "ike/v1/message.h"

namespace ipsec::ike::v1 {

class MessageCipher {
 public:
  // encryption: p1encr (AES-CBC with 128/192/256-bit keys, 3DES); key:
  // Phase1Keys::encr_key, whose size must match.
  static Result<MessageCipher> Create(uint16_t encryption, uint16_t key_bits, SecureBytes key);

  size_t block_size() const { return block_; }
  // The ciphertext of payloads padded with zeros to whole blocks (at least
  // one block). The next IV in this exchange is its last block (NextIv).
  Result<Bytes> Encrypt(std::span<const uint8_t> iv, std::span<const uint8_t> payloads) const;
  // The padded plaintext. Fails on an IV or ciphertext that is not whole
  // blocks; a wrong key gives garbage that the payload parser and the HASH
  // check reject, as IKEv1 has nothing else to tell.
  Result<Bytes> Decrypt(std::span<const uint8_t> iv, std::span<const uint8_t> ciphertext) const;

 private:
  MessageCipher() = default;
  Result<Bytes> Run(bool encrypt, std::span<const uint8_t> iv, std::span<const uint8_t> in) const;
  const char* cipher_name_ = nullptr;
  size_t block_ = 0;
  SecureBytes key_;
};

}  // namespace ipsec::ike::v1
