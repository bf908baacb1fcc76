// IKEv1 informational exchanges under an ISAKMP SA (RFC 2409 5.7: HDR*,
// HASH(1), N or D; one message, no answer): Delete of a child's ESP SA or of
// the ISAKMP SA (RFC 2408 3.15), and DPD's R-U-THERE / R-U-THERE-ACK
// notifies (RFC 3706). Each goes under a fresh message ID, its IV from the
// last phase-1 block (ike/v1/quick_mode_steps.h seals it).
#pragma once

#include <cstdint>
#include <span>

#include "engine/v1/v1_sa.h"

namespace ipsec::engine::v1 {

// Delete for child's ESP SA: the SPI we receive on, as RFC 2408 3.15 asks.
void SendDeleteChild(EngineContext& ctx, V1Sa& sa, const ChildSa& child);
// Delete for the ISAKMP SA itself (both cookies as the SPI).
void SendDeleteIsakmp(EngineContext& ctx, V1Sa& sa);
// R-U-THERE with sequence number seq.
// An unencrypted informational with one error notify (RFC 2408 3.14), for a
// main mode we refuse before any key exists (NO-PROPOSAL-CHOSEN).
void SendPlainNotify(EngineContext& ctx, const Endpoint& local, const Endpoint& remote,
                     uint64_t cookie_i, uint16_t type);
void SendDpdRequest(EngineContext& ctx, V1Sa& sa, uint32_t seq);

// A received informational on sa's ISAKMP SA, HASH(1) checked first: a
// Delete of one of our children's outbound SPIs removes that child; a
// Delete of this ISAKMP SA kills sa (its children go when it is reaped); an
// R-U-THERE is answered; an ACK of our last R-U-THERE clears it. Anything
// that does not decrypt or verify is dropped and counted. One that does, on
// local from remote, tells where the peer is (peer_address.h: a NATed peer
// whose mapping moved is followed, its children too).
void OnInformational(EngineContext& ctx, V1Sa& sa, std::span<const uint8_t> datagram,
                     uint32_t message_id, const Endpoint& local, const Endpoint& remote);

}  // namespace ipsec::engine::v1
