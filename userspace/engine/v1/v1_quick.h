// IKEv1 quick mode in the engine: one exchange per child SA (per subnet
// pair) under an established ISAKMP SA, both roles, and the child's
// install through the engine's kernel path (child_install.h), the same as
// an IKEv2 child's. The initiator installs both SAs after QM2; the
// responder installs its inbound SA when it answers QM1 and its outbound SA
// when QM3 confirms the peer has the keys (the peer may send at once).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>

#include "engine/v1/v1_sa.h"

namespace ipsec::engine::v1 {

// Starts quick mode for conn's subnet pair `pair` (replaces: the inbound
// SPI of the child this one rekeys, which is deleted once the new one is
// in). Errors name the step.
Status StartQuickMode(EngineContext& ctx, V1Sa& sa, std::shared_ptr<const Connection> conn,
                      size_t pair, uint32_t replaces = 0);

// A quick-mode datagram on sa with this message ID, on local from remote.
// A fresh authenticated one (a new QM1 whose HASH(1) verifies, our awaited
// QM2, the peer's QM3) tells where the peer is (peer_address.h: a NATed
// peer whose mapping moved is followed, its children too).
void OnQuickMode(EngineContext& ctx, V1Sa& sa, std::span<const uint8_t> datagram,
                 uint32_t message_id, const Endpoint& local, const Endpoint& remote);

// Retransmits due by now, failed and finished exchanges dropped.
void QuickModeTimers(EngineContext& ctx, V1Sa& sa, int64_t now);
std::optional<int64_t> NextQuickModeMs(const V1Sa& sa);

}  // namespace ipsec::engine::v1
