// Holding our new requests on an IKE SA while the peer is busy with a
// series of its own (Documentation/lifecycle.md, "Both ends start at
// once"). libreswan 4.10 sends its requests one after the other (revival
// of each pair, Deletes of its stale children), each as soon as our answer
// to the previous one is processed; a request of ours that crosses one of
// them is dropped while its crypto runs ("discarding packet received
// during asynchronous work"), and crossings in its message window ended in
// "EXPECTATION FAILED" and child SAs only one end had. So after we answer
// a request of the peer, our next exchange on that IKE SA waits until the
// peer has sent nothing new for kPeerBusyHoldMs, and at most
// kPeerBusyMaxHoldMs in all, so a chatty peer cannot hold back a rekey or
// a Delete for long. Retransmits are never held.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>

namespace ipsec::engine {

inline constexpr int64_t kPeerBusyHoldMs = 1000;
inline constexpr int64_t kPeerBusyMaxHoldMs = 10000;

class PeerBusyHold {
 public:
  // We answered a new request of the peer at now.
  void OnAnswered(int64_t now) { answered_ms_ = now; }
  // Our next exchange started: the next hold is counted afresh.
  void OnInitiated() { held_since_ms_.reset(); }
  // When a new request of ours may go; nullopt: now. The first call that
  // holds a request starts the kPeerBusyMaxHoldMs bound.
  std::optional<int64_t> HoldUntil(int64_t now) {
    auto until = Until();
    if (!until || now >= *until) return std::nullopt;
    if (!held_since_ms_) held_since_ms_ = now;
    until = Until();
    return until && now < *until ? until : std::nullopt;
  }
  // The same without starting the bound (for timers).
  std::optional<int64_t> Until() const {
    if (!answered_ms_) return std::nullopt;
    int64_t until = *answered_ms_ + kPeerBusyHoldMs;
    if (held_since_ms_) until = std::min(until, *held_since_ms_ + kPeerBusyMaxHoldMs);
    return until;
  }

 private:
  std::optional<int64_t> answered_ms_;
  std::optional<int64_t> held_since_ms_;
};

}  // namespace ipsec::engine
