// NAT traversal for IKEv1 (RFC 3947, RFC 3948): once main mode's NAT-D
// payloads (messages 3/4) found a NAT and both ends sent RFC 3947's vendor
// ID, the initiator sends message 5 on from port 4500 to 4500 with the
// non-ESP marker (the daemon adds it for port 4500) and the responder
// follows the port message 5 came from. Children are then UDP-encapsulated
// (child_install.h reads IkeSa::nat_local/nat_remote) and the side behind
// the NAT keeps its mapping open with 0xff keepalives every 20 s.
#pragma once

#include <cstdint>
#include <optional>

#include "engine/v1/v1_sa.h"

namespace ipsec::engine::v1 {

inline constexpr uint16_t kNatTPort = 4500;
inline constexpr int64_t kKeepaliveIntervalMs = 20000;  // RFC 3948 4

// After main mode took a message (arrived on local/remote) and before our
// answer goes: moves sa to port 4500 when the rule above says so, and
// records what NAT-D found.
void FloatPorts(V1Sa& sa, const ike::v1::Phase1Sa& state, const Endpoint& local,
                const Endpoint& remote);

void NatKeepalive(EngineContext& ctx, V1Sa& sa, int64_t now);
std::optional<int64_t> NextKeepaliveMs(const V1Sa& sa);

}  // namespace ipsec::engine::v1
