// Sizes and properties of the transforms we implement, by IANA ID: what the
// key derivation needs (key lengths) and what the engine needs to decide
// whether a proposal is usable at all. A view of common/algorithms.h.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

namespace ipsec::ike {

struct EncrInfo {
  bool aead;
  size_t key_bytes;   // cipher key only
  size_t salt_bytes;  // AEAD implicit salt taken from keymat (4), else 0
  size_t iv_bytes;
  size_t block_bytes;  // padding alignment in the SK payload
  size_t icv_bytes;    // AEAD tag; 0 for non-AEAD
  bool ike;            // usable for the IKE SA (GMAC is ESP-only)
};

// nullopt when unsupported (by the IKE SA or the module's ESP: GMAC is
// ESP-only, and SkCipher refuses it). key_bits: from the Key Length
// attribute; AES requires 128/192/256; ChaCha20-Poly1305 0 (absent) or 256.
std::optional<EncrInfo> LookupEncr(uint16_t encr_id, uint16_t key_bits);

struct IntegInfo {
  size_t key_bytes;
  size_t icv_bytes;  // truncated output
};
std::optional<IntegInfo> LookupInteg(uint16_t integ_id);

struct PrfInfo {
  size_t key_bytes;  // preferred key length (RFC 7296 2.14: SK_d, SK_pi, SK_pr)
  size_t output_bytes;
};
std::optional<PrfInfo> LookupPrf(uint16_t prf_id);

// DH groups we can compute. Weak ones (2, 5) are supported but the engine
// only offers/accepts them when configuration names them.
bool IsDhGroupSupported(uint16_t group);
bool IsWeakDhGroup(uint16_t group);
// Size of the KE payload data for the group (0 if unsupported).
size_t DhPublicValueSize(uint16_t group);

}  // namespace ipsec::ike
