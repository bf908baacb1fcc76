// Key derivation for IKE and child SAs (RFC 7296 2.14, 2.17, 2.18).
#pragma once

#include <cstdint>
#include <optional>
#include <span>

#include "common/proposal.h"
#include "common/result.h"
#include "common/secure_bytes.h"

namespace ipsec::ike {

// The negotiated IKE SA transforms (from a single-choice Proposal).
struct IkeSaTransforms {
  uint16_t encr = 0;
  uint16_t encr_key_bits = 0;
  uint16_t prf = 0;
  uint16_t integ = 0;  // 0 for AEAD
  uint16_t dh = 0;
};
// Picks the first transform of each type; fails naming the missing one.
Result<IkeSaTransforms> IkeSaTransformsFrom(const Proposal& p);

struct IkeSaKeys {
  SecureBytes sk_d, sk_ai, sk_ar, sk_ei, sk_er, sk_pi, sk_pr;  // sk_e* include AEAD salt
};

// SKEYSEED = prf(Ni | Nr, g^ir); {SK_d, SK_ai, SK_ar, SK_ei, SK_er, SK_pi,
// SK_pr} = prf+(SKEYSEED, Ni | Nr | SPIi | SPIr). For HMAC PRFs the key is
// Ni | Nr whole (RFC 7296 2.14).
Result<IkeSaKeys> DeriveIkeSaKeys(const IkeSaTransforms& t, std::span<const uint8_t> ni,
                                  std::span<const uint8_t> nr, const SecureBytes& g_ir,
                                  uint64_t spi_i, uint64_t spi_r);

// IKE SA rekey (2.18): SKEYSEED = prf(SK_d(old), g^ir(new) | Ni | Nr) with
// the OLD SA's PRF; the rest with the new SA's transforms and SPIs.
Result<IkeSaKeys> DeriveRekeyedIkeSaKeys(uint16_t old_prf, const SecureBytes& old_sk_d,
                                         const IkeSaTransforms& t, std::span<const uint8_t> ni,
                                         std::span<const uint8_t> nr, const SecureBytes& g_ir,
                                         uint64_t spi_i, uint64_t spi_r);

// The negotiated child SA transforms.
struct ChildSaTransforms {
  uint16_t encr = 0;
  uint16_t encr_key_bits = 0;
  uint16_t integ = 0;  // 0 for AEAD
  bool esn = false;
};
Result<ChildSaTransforms> ChildSaTransformsFrom(const Proposal& p);

struct ChildSaKeys {
  // Initiator -> responder and responder -> initiator. encr includes the
  // AEAD salt (key || salt), as the kernel wants it.
  SecureBytes encr_i, integ_i, encr_r, integ_r;
};

// KEYMAT = prf+(SK_d, [g^ir (new) |] Ni | Nr), taken in the order encr(i->r),
// integ(i->r), encr(r->i), integ(r->i) (2.17). g_ir null without PFS.
Result<ChildSaKeys> DeriveChildSaKeys(uint16_t prf_id, const SecureBytes& sk_d,
                                      const ChildSaTransforms& t, const SecureBytes* g_ir,
                                      std::span<const uint8_t> ni, std::span<const uint8_t> nr);

}  // namespace ipsec::ike
