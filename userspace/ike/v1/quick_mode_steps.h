// The steps quick mode's two roles share (quick_mode.h): the exchange's IV,
// sealing and opening its encrypted messages with the HASH first, and the
// child's keys. Each works on a copy of the state the caller commits only
// when the whole message passed.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "common/result.h"
#include "ike/v1/quick_mode.h"

namespace ipsec::ike::v1 {

Error QuickModeError(int message, const std::string& what);

// The state of a new exchange: IV = hash(last phase-1 block | M-ID).
Result<QuickModeState> NewQuickMode(const Phase1Sa& p1, uint32_t message_id, uint32_t inbound_spi);

// The payloads after the HASH payload as they travel (generic headers
// included, no padding): what HASH(1) and HASH(2) cover.
Result<Bytes> AfterHash(const std::vector<Payload>& payloads);

// HASH(1) (message 1) or HASH(2) (message 2) over `rest`, or HASH(3)
// (message 3, rest empty).
Result<Bytes> QuickModeHash(const QuickModeState& s, int message, std::span<const uint8_t> rest);

// HDR*, HASH, rest...: encrypted under s->iv, which moves to its last block.
// An informational exchange (RFC 2409 5.7: HASH(1), then N or D) is sealed
// and opened the same way with exchange::kInformational and message 1.
Result<Bytes> SealQuickMode(QuickModeState* s, int message, std::vector<Payload> rest,
                            uint8_t exchange_type = exchange::kQuickMode);

// A received message of this exchange, decrypted under s.iv, its HASH
// checked. Returns the payloads after the HASH; *next_iv is the IV for the
// exchange's next message, for the caller to commit.
Result<std::vector<Payload>> OpenQuickMode(const QuickModeState& s,
                                           std::span<const uint8_t> datagram, int message,
                                           Bytes* next_iv,
                                           uint8_t exchange_type = exchange::kQuickMode);

// A fresh nonce and, with PFS (the transform's group), a key pair, into
// ni_b or nr_b and dh.
Status MakeQuickModeKeyExchange(QuickModeState* s, bool initiator, uint16_t group,
                                RandomSource& random, int message);
// Nr/Ni, KE (required with PFS, refused without) from the peer's message.
Status TakePeerKeyExchange(QuickModeState* s, const std::vector<Payload>& payloads, bool initiator,
                           int message);

// KEYMAT for both directions into s->result.keys (result's SPIs and
// transform set).
Status DeriveQuickModeKeys(QuickModeState* s, bool initiator, int message);

}  // namespace ipsec::ike::v1
