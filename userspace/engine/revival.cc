#include "engine/revival.h"

#include <algorithm>
#include <string>

#include "engine/ike_sa.h"

namespace ipsec::engine {
namespace {

constexpr int64_t kRetryBaseMs = 2000;
constexpr int64_t kRetryMaxMs = 60000;
// After a peer Delete: a moment, so that a peer that is restarting or
// reloading is ready again, and two ends that both revive rarely collide.
constexpr int64_t kAfterDeleteMs = 2000;

}  // namespace

int64_t KeyingRetryDelayMs(uint32_t tries_used) {
  const uint32_t doublings = std::min<uint32_t>(tries_used > 0 ? tries_used - 1 : 0, 5);
  return std::min(kRetryBaseMs << doublings, kRetryMaxMs);
}

void PlanRevival(EngineContext& ctx, const Connection& c, const IkeSa& dead, bool other_alive,
                 ConnState& st) {
  if (!st.wanted || other_alive || !c.remote.host.is_set()) return;
  const std::string& name = c.name;
  const int64_t now = ctx.NowMs();
  if (dead.established_ms == 0) {
    // A failed attempt of ours (a responder's half-open SA is not one).
    if (!dead.initiator()) return;
    if (c.keyingtries != 0 && st.tries_used >= c.keyingtries) {
      ctx.Error(name, "giving up after " + std::to_string(st.tries_used) + " keying tries" +
                          (ctx.last_error.count(name) ? ": " + ctx.last_error[name] : ""));
      st.wanted = false;
      return;
    }
    const int64_t delay = KeyingRetryDelayMs(st.tries_used);
    st.retry_at_ms = now + delay;
    ctx.Log(
        LogLevel::kInfo, name,
        "establishing failed, keying try " + std::to_string(st.tries_used + 1) +
            (c.keyingtries ? " of " + std::to_string(c.keyingtries) : std::string(" (%forever)")) +
            " in " + std::to_string(delay / 1000) + " s");
    return;
  }
  // It was up. Which way did it go?
  const bool peer_dead = dead.death_reason == "retransmits exhausted";
  if (peer_dead && c.dpd_action == DpdAction::kClear) {
    ctx.Log(LogLevel::kInfo, name, "peer dead, dpdaction=clear: connection left down");
    st.wanted = false;
    return;
  }
  if (peer_dead && c.dpd_action == DpdAction::kHold) {
    ctx.Log(LogLevel::kInfo, name, "peer dead, dpdaction=hold: waiting for traffic");
    return;  // policies stay; the kernel's ACQUIRE starts it again
  }
  // dpdaction=restart brings back whatever was wanted up; a peer Delete or
  // an exchange that failed brings back auto=start connections only (one
  // started by hand stays down, as strongSwan's closeaction=none does).
  if (!peer_dead && c.auto_action != AutoAction::kStart) {
    st.wanted = false;
    return;
  }
  if (peer_dead && c.dpd_action == DpdAction::kNone && c.auto_action != AutoAction::kStart) {
    st.wanted = false;
    return;
  }
  st.tries_used = 0;
  st.retry_at_ms = now + (peer_dead ? 0 : kAfterDeleteMs);
  const std::string when =
      peer_dead ? std::string() : " in " + std::to_string(kAfterDeleteMs / 1000) + " s";
  ctx.Log(LogLevel::kInfo, name,
          dead.death_reason == "deleted by peer"
              ? "IKE SA deleted by peer: re-establishing" + when
              : "IKE SA gone (" + dead.death_reason + "): starting the connection again" + when);
}

}  // namespace ipsec::engine
