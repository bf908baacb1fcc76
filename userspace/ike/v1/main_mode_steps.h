// The steps main mode's two roles share (main_mode.h): checking a received
// message's header, finding payloads, NAT-D, the key exchange, and sealing or
// opening an encrypted body. Each works on copies the caller commits only
// when the whole message was accepted.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "common/result.h"
#include "ike/v1/main_mode.h"
#include "ike/v1/message.h"

namespace ipsec::ike::v1 {

// "main mode message N: " + what, as every error of main mode starts.
Error MainModeError(int message, const std::string& what);

// Decode plus the checks every main-mode message needs: exchange type,
// message ID 0, our cookie(s), the encryption flag as the step expects.
// A cookie given as 0 means "any" (not known yet: message 1 or 2).
Result<Message> DecodeMainMode(std::span<const uint8_t> datagram, int message, uint64_t cookie_i,
                               uint64_t cookie_r, bool encrypted);

// A non-zero cookie; a 32-byte nonce (RFC 2409 5: 8..256 bytes).
Result<uint64_t> RandomCookie(RandomSource& random);
Result<Bytes> RandomNonce(RandomSource& random, int message);

// The first payload of this type, or nullptr.
const Payload* FindPayload(const std::vector<Payload>& payloads, uint8_t type);
// Its body as RFC 2409 hashes it: received bytes without the generic header,
// or our own encoding for a payload we built.
Result<Bytes> HashedBody(const Payload& p);

// Vendor IDs of message 1 or 2 into sa (peer_nat_t, peer_dpd).
void NoteVendorIds(const std::vector<Payload>& payloads, Phase1Sa* sa);
std::vector<Payload> OurVendorIds();

// The two NAT-D payloads of message 3 or 4: the peer's address as we see
// it first, then ours (RFC 3947 3.2).
Result<std::vector<Payload>> BuildNatD(const MainModeState& s);
// Sets local_behind_nat / remote_behind_nat from the peer's NAT-D payloads.
Status CheckNatD(const std::vector<Payload>& payloads, int message, MainModeState* s);

// Our half of the key exchange for message 3 or 4: a key pair for the
// chosen group and a nonce (into g_xi/ni_b or g_xr/nr_b).
Status MakeOurKeyExchange(MainModeState* s, bool initiator, RandomSource& random, int message);
// Message 3 or 4's payloads: KE, nonce, and NAT-D when the peer does NAT-T.
Result<std::vector<Payload>> KeyExchangePayloads(const MainModeState& s, bool initiator);
// A cleartext message with both cookies, encoded; recorded as last_sent
// with step `step` (the caller commits s).
Result<Bytes> SendCleartext(MainModeState* s, std::vector<Payload> payloads, int step);

// KE + Nonce of message 3 or 4 as the peer's half: returns (KE data, nonce).
Result<std::pair<Bytes, Bytes>> PeerKeyExchange(const std::vector<Payload>& payloads, int message);

// g^xy, SKEYID..., the cipher key and the first phase-1 IV, into s (its
// dh, g_xi, g_xr, ni_b, nr_b set).
Status DerivePhase1(MainModeState* s, bool initiator, int message);

// Message 5 or 6: the payloads encrypted under s->iv. Returns the datagram
// and moves s->iv to its last cipher block.
Result<Bytes> SealMainMode(MainModeState* s, const std::vector<Payload>& payloads);
// An encrypted message's payloads under iv (not moved: the caller does
// that once the message is accepted).
Result<std::vector<Payload>> OpenMainMode(const MainModeState& s, const Message& m, int message);

// ID + HASH of message 5/6 checked: the ID matches expected_peer_id if set,
// HASH equals prf(...) computed by hash_of(ID body). Sets s->sa.peer_id.
Status CheckIdentity(const std::vector<Payload>& payloads, int message, bool initiator_hash,
                     MainModeState* s);
// Our ID + HASH for message 5 (initiator_hash) or 6.
Result<std::vector<Payload>> BuildIdentity(const MainModeState& s, bool initiator_hash);

}  // namespace ipsec::ike::v1
