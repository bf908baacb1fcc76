// Diffie-Hellman / ECDH for the KE payload, on OpenSSL 3 EVP_PKEY:
// MODP groups 2, 5, 14, 15, 16 (RFC 2409/3526), ECP 19, 20, 21 (RFC 5903:
// public value x || y, shared secret the x coordinate), curve25519 31
// (RFC 8031 / RFC 7748).
#pragma once

#include <cstdint>
#include <memory>
#include <span>

#include "common/random.h"
#include "common/result.h"
#include "common/secure_bytes.h"
#include "ike/message.h"

namespace ipsec::ike {

class DhKeyPair {
 public:
  virtual ~DhKeyPair() = default;
  uint16_t group() const { return group_; }
  // The KE payload data (fixed size for the group, leading zeros kept).
  const Bytes& public_value() const { return public_value_; }
  // g^ir. Rejects a peer value of the wrong length or not on the curve /
  // outside 2..p-2, and all-zero X25519 results.
  virtual Result<SecureBytes> ComputeSharedSecret(std::span<const uint8_t> peer_public) const = 0;

 protected:
  explicit DhKeyPair(uint16_t group) : group_(group) {}
  uint16_t group_;
  Bytes public_value_;
};

// New key pair for the group. Private values come from OpenSSL's CSPRNG.
Result<std::unique_ptr<DhKeyPair>> GenerateDhKeyPair(uint16_t group);
// Key pair from a fixed private value (known-answer tests, deterministic
// engine tests): MODP: big-endian exponent; ECP: big-endian scalar;
// curve25519: the 32-byte scalar.
Result<std::unique_ptr<DhKeyPair>> DhKeyPairFromPrivate(uint16_t group,
                                                        std::span<const uint8_t> private_value);

}  // namespace ipsec::ike
