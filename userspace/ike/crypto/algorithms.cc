#include "ike/crypto/algorithms.h"

#include "ike/constants.h"

namespace ipsec::ike {

std::optional<EncrInfo> LookupEncr(uint16_t encr_id, uint16_t key_bits) {
  bool aes_size = key_bits == 128 || key_bits == 192 || key_bits == 256;
  switch (encr_id) {
    case encr::kAesCbc:
      if (!aes_size) return std::nullopt;
      return EncrInfo{false, key_bits / 8u, 0, 16, 16, 0};
    case encr::kAesGcm8:
    case encr::kAesGcm12:
    case encr::kAesGcm16: {
      if (!aes_size) return std::nullopt;
      size_t icv = encr_id == encr::kAesGcm8 ? 8 : encr_id == encr::kAesGcm12 ? 12 : 16;
      return EncrInfo{true, key_bits / 8u, 4, 8, 1, icv};
    }
    case encr::kChaCha20Poly1305:
      if (key_bits != 0 && key_bits != 256) return std::nullopt;
      return EncrInfo{true, 32, 4, 8, 1, 16};
    default:
      return std::nullopt;
  }
}

std::optional<IntegInfo> LookupInteg(uint16_t integ_id) {
  switch (integ_id) {
    case integ::kHmacSha1_96:
      return IntegInfo{20, 12};
    case integ::kHmacSha2_256_128:
      return IntegInfo{32, 16};
    case integ::kHmacSha2_384_192:
      return IntegInfo{48, 24};
    case integ::kHmacSha2_512_256:
      return IntegInfo{64, 32};
    default:
      return std::nullopt;
  }
}

std::optional<PrfInfo> LookupPrf(uint16_t prf_id) {
  switch (prf_id) {
    case prf::kHmacSha1:
      return PrfInfo{20, 20};
    case prf::kHmacSha2_256:
      return PrfInfo{32, 32};
    case prf::kHmacSha2_384:
      return PrfInfo{48, 48};
    case prf::kHmacSha2_512:
      return PrfInfo{64, 64};
    default:
      return std::nullopt;
  }
}

size_t DhPublicValueSize(uint16_t group) {
  switch (group) {
    case dh::kModp1024:
      return 128;
    case dh::kModp1536:
      return 192;
    case dh::kModp2048:
      return 256;
    case dh::kModp3072:
      return 384;
    case dh::kModp4096:
      return 512;
    case dh::kEcp256:
      return 64;
    case dh::kEcp384:
      return 96;
    case dh::kEcp521:
      return 132;
    case dh::kCurve25519:
      return 32;
    default:
      return 0;
  }
}

bool IsDhGroupSupported(uint16_t group) {
  return DhPublicValueSize(group) != 0;
}

bool IsWeakDhGroup(uint16_t group) {
  return group == dh::kModp1024 || group == dh::kModp1536;
}

}  // namespace ipsec::ike
