#include "engine/v1/v1_nat.h"

namespace ipsec::engine::v1 {

void FloatPorts(V1Sa& sa, const ike::v1::Phase1Sa& state, const Endpoint& local,
                const Endpoint& remote) {
  if (!state.peer_nat_t) return;
  sa.ike.nat_local = state.local_behind_nat;
  sa.ike.nat_remote = state.remote_behind_nat;
  if (sa.ike.initiator()) {
    // Message 4 told us: message 5 and all after it go 4500 -> 4500.
    if ((sa.ike.nat_local || sa.ike.nat_remote) && sa.ike.local.port != kNatTPort) {
      sa.ike.local.port = kNatTPort;
      sa.ike.remote.port = kNatTPort;
    }
  } else if (local.port == kNatTPort && sa.ike.local.port != kNatTPort) {
    // The initiator moved (behind a NAT its source port is the mapping's).
    sa.ike.local = local;
    sa.ike.remote = remote;
  }
}

void NatKeepalive(EngineContext& ctx, V1Sa& sa, int64_t now) {
  if (!sa.p1 || !sa.ike.nat_local || now < sa.ike.next_keepalive_ms) return;
  if (sa.ike.next_keepalive_ms != 0) {
    static const uint8_t kKeepalive[1] = {0xff};
    ctx.sender.Send(kKeepalive, sa.ike.local, sa.ike.remote);
  }
  sa.ike.next_keepalive_ms = now + kKeepaliveIntervalMs;
}

std::optional<int64_t> NextKeepaliveMs(const V1Sa& sa) {
  if (!sa.p1 || !sa.ike.nat_local) return std::nullopt;
  return sa.ike.next_keepalive_ms;
}

}  // namespace ipsec::engine::v1
