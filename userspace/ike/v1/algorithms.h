// IKEv1 algorithm numbers mapped onto the crypto code we have: a phase-1
// Hash Algorithm becomes the HMAC Prf of ike/crypto/prf.h (RFC 2409 4: the
// PRF is the HMAC of the negotiated hash) plus the plain digest that phase
// 1's IV and NAT-D use; a phase-1 cipher has its key and block size.
#pragma once

#include <cstdint>
#include <optional>
#include <span>

#include "common/ip_address.h"
#include "common/result.h"
#include "ike/crypto/prf.h"
#include "ike/v1/message.h"

namespace ipsec::ike::v1 {

// The HMAC PRF for a phase-1 Hash Algorithm (p1hash). MD5 is refused.
Result<Prf> PrfForHash(uint16_t hash);

// The plain hash of data (the IV of RFC 2409 Appendix B, NAT-D of RFC 3947).
// Fails for a hash PrfForHash refuses.
Result<Bytes> Digest(uint16_t hash, std::span<const uint8_t> data);

// NAT-D payload data (RFC 3947 3.2): HASH(CKY-I | CKY-R | IP | Port) with
// the negotiated hash.
Result<Bytes> NatDHash(uint16_t hash, uint64_t cookie_i, uint64_t cookie_r, const IpAddress& ip,
                       uint16_t port);

struct Phase1CipherInfo {
  size_t key_bytes;
  size_t block_bytes;
  const char* openssl;  // EVP name, from the registry (common/algorithms.h)
};
// p1encr + Key Length attribute (bits; 0 when absent). AES-CBC needs
// 128/192/256; 3DES takes no Key Length. nullopt otherwise.
std::optional<Phase1CipherInfo> LookupPhase1Cipher(uint16_t encryption, uint16_t key_bits);

}  // namespace ipsec::ike::v1
