// IKEv1 key material and exchange hashes with pre-shared keys (RFC 2409):
// SKEYID and its three children (5, 5.4), the encryption key with the
// Appendix B extension, HASH_I / HASH_R (5), the CBC IVs (Appendix B),
// quick mode's HASH(1..3) and KEYMAT (5.5) and the informational HASH (5.7).
// Pure functions of their inputs: the engine owns the state. "x_b" is the
// body of payload x without its generic header, as RFC 2409 writes it.
#pragma once

#include <cstdint>
#include <span>

#include "common/result.h"
#include "common/secure_bytes.h"
#include "ike/crypto/prf.h"
#include "ike/v1/message.h"

namespace ipsec::ike::v1 {

struct Phase1Keys {
  SecureBytes skeyid;    // prf(PSK, Ni_b | Nr_b)
  SecureBytes skeyid_d;  // keys quick mode's KEYMAT
  SecureBytes skeyid_a;  // authenticates phase-2 / informational messages
  SecureBytes skeyid_e;  // source of the cipher key
  SecureBytes encr_key;  // skeyid_e (extended if short) cut to the cipher's key size
};

// prf = HMAC of the negotiated hash (algorithms.h PrfForHash). g_xy: the DH
// shared secret as the fixed-size big-endian value (DhKeyPair gives it so).
Result<Phase1Keys> DerivePhase1PskKeys(const Prf& prf, std::span<const uint8_t> psk,
                                       std::span<const uint8_t> ni_b, std::span<const uint8_t> nr_b,
                                       const SecureBytes& g_xy, uint64_t cookie_i,
                                       uint64_t cookie_r, size_t encr_key_bytes);

// Appendix B: Ka = K1 | K2 | ..., K1 = prf(SKEYID_e, 0), Kn = prf(SKEYID_e,
// Kn-1), cut to length; SKEYID_e itself, cut, when it is long enough.
SecureBytes ExtendEncryptionKey(const Prf& prf, const SecureBytes& skeyid_e, size_t length);

// HASH_I = prf(SKEYID, g^xi | g^xr | CKY-I | CKY-R | SAi_b | IDii_b);
// HASH_R = prf(SKEYID, g^xr | g^xi | CKY-R | CKY-I | SAi_b | IDir_b).
// SAi_b is the initiator's SA body for both (the responder's answer is not
// hashed). Public once sent, so plain Bytes.
Bytes HashI(const Prf& prf, const SecureBytes& skeyid, std::span<const uint8_t> g_xi,
            std::span<const uint8_t> g_xr, uint64_t cookie_i, uint64_t cookie_r,
            std::span<const uint8_t> sai_b, std::span<const uint8_t> idii_b);
Bytes HashR(const Prf& prf, const SecureBytes& skeyid, std::span<const uint8_t> g_xi,
            std::span<const uint8_t> g_xr, uint64_t cookie_i, uint64_t cookie_r,
            std::span<const uint8_t> sai_b, std::span<const uint8_t> idir_b);

// Quick mode (5.5); after_hash: the message's payloads after the HASH
// payload, generic headers included, without padding.
//   HASH(1) = prf(SKEYID_a, M-ID | after_hash)          (also the informational HASH, 5.7)
//   HASH(2) = prf(SKEYID_a, M-ID | Ni_b | after_hash)
//   HASH(3) = prf(SKEYID_a, 0 | M-ID | Ni_b | Nr_b)
Bytes QuickModeHash1(const Prf& prf, const SecureBytes& skeyid_a, uint32_t message_id,
                     std::span<const uint8_t> after_hash);
Bytes QuickModeHash2(const Prf& prf, const SecureBytes& skeyid_a, uint32_t message_id,
                     std::span<const uint8_t> ni_b, std::span<const uint8_t> after_hash);
Bytes QuickModeHash3(const Prf& prf, const SecureBytes& skeyid_a, uint32_t message_id,
                     std::span<const uint8_t> ni_b, std::span<const uint8_t> nr_b);

// KEYMAT for one SA (one direction: the SPI is the one its receiver chose):
// K1 = prf(SKEYID_d, [g(qm)^xy |] protocol | SPI | Ni_b | Nr_b),
// Kn = prf(SKEYID_d, Kn-1 | [g(qm)^xy |] protocol | SPI | Ni_b | Nr_b), cut to
// length. g_qm: the quick-mode DH secret with PFS, else nullptr. The engine
// splits it: cipher key (|| salt for GCM) first, then the integrity key.
SecureBytes QuickModeKeymat(const Prf& prf, const SecureBytes& skeyid_d, const SecureBytes* g_qm,
                            uint8_t protocol, uint32_t spi, std::span<const uint8_t> ni_b,
                            std::span<const uint8_t> nr_b, size_t length);

// The CBC IVs (Appendix B). Phase 1 starts with hash(g^xi | g^xr); each
// later message's IV is the last cipher block of the one before (in either
// direction). Each phase-2 / informational exchange starts from the last
// phase-1 block: hash(last phase-1 block | M-ID), then chains on its own.
Result<Bytes> Phase1Iv(uint16_t hash, std::span<const uint8_t> g_xi, std::span<const uint8_t> g_xr,
                       size_t block_bytes);
Result<Bytes> Phase2Iv(uint16_t hash, std::span<const uint8_t> last_phase1_block,
                       uint32_t message_id, size_t block_bytes);
// The last block of a ciphertext; fails on a body that is not whole blocks.
Result<Bytes> NextIv(std::span<const uint8_t> ciphertext, size_t block_bytes);

}  // namespace ipsec::ike::v1
