#include "engine/peer_address.h"

#include "engine/child_install.h"
#include "engine/context.h"
#include "engine/ike_sa.h"

namespace ipsec::engine {
namespace {

constexpr uint16_t kNatTPort = 4500;

bool MayMove(const IkeSa& sa, const Endpoint& remote) {
  if (sa.nat_remote) return true;
  return sa.nat_local && remote.addr == sa.remote.addr && remote.port == kNatTPort;
}

// RFC 7296 2.23: "An initiator can use port 4500 for both IKE and ESP,
// regardless of whether or not there is a NAT". strongSwan does from
// IKE_AUTH on when it offers MOBIKE. Both ends then talk 4500 to 4500: were
// we to go on sending our requests to its port 500, strongSwan would take
// that for a move and re-install its SAs, losing packets (VM 541 at our
// first rekey). Same addresses, ports only; ESP stays unencapsulated.
bool FloatedToNatTPort(const IkeSa& sa, const Endpoint& local, const Endpoint& remote) {
  return remote.addr == sa.remote.addr && local.addr == sa.local.addr && remote.port == kNatTPort &&
         local.port == kNatTPort && sa.remote.port != kNatTPort;
}

}  // namespace

void OnFreshAuthenticatedMessage(EngineContext& ctx, IkeSa& sa, const Endpoint& local,
                                 const Endpoint& remote) {
  sa.last_inbound_ms = ctx.NowMs();
  if (sa.remote == remote && sa.local == local) return;
  if (FloatedToNatTPort(sa, local, remote)) {
    ctx.Log(LogLevel::kDebug, sa.conn_name(),
            "peer switched to port " + std::to_string(kNatTPort) + " (no NAT): so do we");
    sa.remote = remote;
    sa.local = local;
    return;
  }
  if (!MayMove(sa, remote)) {
    ++ctx.counters.peer_moves_refused;
    ctx.Log(LogLevel::kDebug, sa.conn_name(),
            "authenticated message from " + remote.ToString() + " while the peer is at " +
                sa.remote.ToString() + ": no NAT on its side, not moving the SA");
    return;
  }
  ctx.Log(LogLevel::kInfo, sa.conn_name(),
          "peer moved from " + sa.remote.ToString() + " to " + remote.ToString() + ", " +
              std::to_string(sa.children.size()) + " child SA(s) follow");
  sa.remote = remote;
  sa.local = local;
  // The child SAs go where the IKE SA goes (XFRM's MAPPING and strongSwan's
  // update_sa do the same): without it ESP keeps leaving for the old
  // mapping, which the NAT no longer forwards.
  MoveChildren(ctx, sa);
}

void OnEspMapping(EngineContext& ctx, IkeSa& sa, const Endpoint& remote) {
  if (sa.remote == remote) return;
  if (!sa.nat_remote) {
    ++ctx.counters.peer_moves_refused;
    ctx.Log(LogLevel::kDebug, sa.conn_name(),
            "ESP from " + remote.ToString() + " while the peer is at " + sa.remote.ToString() +
                ": no NAT on its side, not moving the SA");
    return;
  }
  ctx.Log(LogLevel::kInfo, sa.conn_name(),
          "peer's NAT mapping moved from " + sa.remote.ToString() + " to " + remote.ToString() +
              " (ESP-in-UDP), " + std::to_string(sa.children.size()) + " child SA(s) follow");
  sa.remote = remote;
  MoveChildren(ctx, sa);
}

}  // namespace ipsec::engine
