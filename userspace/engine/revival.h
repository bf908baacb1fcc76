// Bringing connections back (strongSwan's closeaction/dpdaction=restart,
// libreswan's revival): what the engine does for a connection when one of
// its IKE SAs is gone, by how it went. Documentation/lifecycle.md has the
// table; the engine calls this from its reaper.
#pragma once

#include <cstdint>

#include "engine/context.h"
#include "engine/engine.h"

namespace ipsec::engine {

class IkeSa;

// Per connection: wanted up (auto=start, ipsecctl up, an acquire) and the
// keying tries spent on the current attempt.
struct ConnState {
  bool wanted = false;
  uint32_t tries_used = 0;
  int64_t retry_at_ms = 0;  // 0: no retry scheduled
};

// Back-off between failed attempts: 2 s, doubling, at most 60 s.
int64_t KeyingRetryDelayMs(uint32_t tries_used);

// `dead` is gone; st is its connection's state (wanted). other_alive:
// another IKE SA of the connection is established or connecting (a rekey,
// a duplicate, INITIAL_CONTACT), so nothing is to be done. Sets
// st.retry_at_ms when the connection is to be started again, or clears
// st.wanted when it is given up.
void PlanRevival(EngineContext& ctx, const Connection& c, const IkeSa& dead, bool other_alive,
                 ConnState& st);

}  // namespace ipsec::engine
