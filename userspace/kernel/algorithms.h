// ESP algorithm names and their IANA IKEv2 transform IDs, a view of the
// registry (common/algorithms.h) that ipsecctl (manual keys) and the daemon
// use, so that a name means the same thing everywhere. Key sizes are those of the keying
// material the module wants in IPSEC_TUN_SA_A_ENC_KEY / AUTH_KEY (RFC 4106 8.1,
// RFC 4543 4, RFC 7634 2: AEAD and GMAC keys end in a 4-byte salt).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace ipsec::kernel {

struct EncrAlgorithm {
  std::string_view name;  // "aes-gcm-128"
  uint16_t encr_id;       // IPSEC_TUN_ENCR_*
  uint16_t key_bits;      // ENCR_KEYLEN: AES key size; 0 for ChaCha20 (fixed)
  size_t enc_key_bytes;   // bytes of ENC_KEY, salt included
  bool combined;          // AEAD or GMAC: no integrity algorithm
  uint8_t icv_bytes;      // for combined modes; 0 otherwise
};

struct IntegAlgorithm {
  std::string_view name;  // "hmac-sha256"
  uint16_t integ_id;      // IPSEC_TUN_AUTH_*
  size_t key_bytes;
  uint8_t icv_bytes;  // truncated ICV on the wire
};

// Every encryption algorithm the module implements, in display order.
std::span<const EncrAlgorithm> EncrAlgorithms();
std::span<const IntegAlgorithm> IntegAlgorithms();

// Lookup by name (case-sensitive, as listed) or by IDs; nullptr when unknown.
const EncrAlgorithm* FindEncr(std::string_view name);
const EncrAlgorithm* FindEncr(uint16_t encr_id, uint16_t key_bits);
const IntegAlgorithm* FindInteg(std::string_view name);
const IntegAlgorithm* FindInteg(uint16_t integ_id);

// "aes-gcm-128, aes-gcm-256, ..." for error messages and --help.
std::string EncrNames();
std::string IntegNames();

// Name of an algorithm for display; "encr-<id>/<bits>" when not in the table.
std::string EncrName(uint16_t encr_id, uint16_t key_bits);
std::string IntegName(uint16_t integ_id);

}  // namespace ipsec::kernel
