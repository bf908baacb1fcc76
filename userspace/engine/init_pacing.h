// Pacing of our own IKE_SA_INITs (issue 25). An IKE SA we initiate is
// half-open from its IKE_SA_INIT until its IKE_AUTH response; a responder
// counts such SAs per source address and defends itself when there are too
// many (strongSwan: a COOKIE from cookie_threshold_ip = 3 half-open SAs of
// one IP on, and IKE_SA_INITs dropped from block_threshold = 5 on). Started
// all at once, 100 connections to 100 addresses of one strongSwan box get
// dropped and wait out the retransmission back-off. So at most `per_peer`
// of our initiations towards one remote address, and `global` in all, are
// half-open at once; the others wait in start order and go as slots free
// up. A waiting one never blocks another peer's that may go.
//
//   per_peer   ike-init-limit-per-peer= in config setup (0: no limit)
//   global     ike-init-limit= (0: no limit). The responder sees only our
//              address, not which of its addresses we talk to: the bench's
//              "100 peers" are one charon, so the global limit is what keeps
//              us under its per-IP threshold. A hub whose peers are separate
//              machines far away may raise it.
//
// The defaults stay below strongSwan's default thresholds: no COOKIE round
// trip, no drop. An initiation whose IKE_SA_INIT has had no answer for
// kUnansweredInitMs stops counting (the engine calls Finish; it goes on
// retransmitting): a peer that is down must not hold a slot for the ~31 s
// of back-off, and one that dropped our request holds no state for it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <set>
#include <utility>
#include <vector>

#include "common/ip_address.h"

namespace ipsec::engine {

inline constexpr int64_t kUnansweredInitMs = 3000;

struct InitLimits {
  size_t per_peer = 3;
  size_t global = 3;
  bool operator==(const InitLimits&) const = default;
};

class InitPacer {
 public:
  explicit InitPacer(InitLimits limits = {}) : limits_(limits) {}
  const InitLimits& limits() const { return limits_; }
  // New limits apply to the next Request/Release (call Release after).
  void set_limits(InitLimits l) { limits_ = l; }

  // An initiation (by the IKE SA's serial) towards peer: true when it may
  // send its IKE_SA_INIT now (it then counts as half-open), false when it
  // must wait for Release (also whenever others are waiting already).
  bool Request(uint64_t id, const IpAddress& peer, int64_t now_ms);
  // id no longer needs a slot: its IKE_AUTH completed or failed, or the SA
  // is gone (waiting or not). Unknown ids are ignored.
  void Finish(uint64_t id);
  // Waiting initiations that may go now, oldest first; each counts as
  // half-open from here on.
  std::vector<uint64_t> Release(int64_t now_ms);

  bool Waiting(uint64_t id) const { return waiting_ids_.count(id) != 0; }
  size_t half_open() const { return half_open_.size(); }
  // The half-open ones with the time each was let go.
  std::vector<std::pair<uint64_t, int64_t>> HalfOpen() const;
  size_t waiting() const { return waiting_.size(); }

 private:
  bool MayGo(const IpAddress& peer) const;
  void Count(uint64_t id, const IpAddress& peer, int64_t now_ms);

  InitLimits limits_;
  struct Slot {
    IpAddress peer;
    int64_t since_ms;
  };
  std::map<uint64_t, Slot> half_open_;                  // by serial
  std::map<IpAddress, size_t> per_peer_;                // half-open ones per remote address
  std::deque<std::pair<uint64_t, IpAddress>> waiting_;  // in start order
  std::set<uint64_t> waiting_ids_;
};

}  // namespace ipsec::engine
