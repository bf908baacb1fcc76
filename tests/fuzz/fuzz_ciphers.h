// The fixed SK ciphers the IKE fuzz targets seal and open with: AES-GCM
// (AEAD) and AES-CBC with HMAC-SHA2-256, the two SK layouts.
#pragma once

#include "ike/sk_cipher.h"

namespace ipsec::ike::fuzz {

inline const SkCipher& Gcm() {
  static const SkCipher c =
      *SkCipher::Create(encr::kAesGcm16, 128, integ::kNone, SecureBytes(Bytes(20, 0x11)), {});
  return c;
}
inline const SkCipher& Cbc() {
  static const SkCipher c =
      *SkCipher::Create(encr::kAesCbc, 128, integ::kHmacSha2_256_128, SecureBytes(Bytes(16, 0x22)),
                        SecureBytes(Bytes(32, 0x33)));
  return c;
}

}  // namespace ipsec::ike::fuzz
