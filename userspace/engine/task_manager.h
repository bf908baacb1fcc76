// The task manager of one IKE SA (strongSwan's task_manager_v2): the only
// place that knows message IDs, the request windows (RFC 7296 2.3), the
// retransmission of each outstanding request with exponential back-off, the
// cached responses for duplicate requests, and which tasks share an
// exchange.
//
// Windows: as initiator, up to the peer's window (SET_WINDOW_SIZE in its
// IKE_AUTH, 1 without it) of CREATE_CHILD_SA exchanges for new children
// are outstanding at once, each retransmitted on its own and matched by
// message ID; every other exchange (IKE_SA_INIT, IKE_AUTH, rekeys,
// deletes, DPD) runs alone. As responder, requests are accepted anywhere in
// our window (ike-window=, kDefaultOurIkeWindow, advertised in IKE_AUTH;
// fixed per IKE SA at its creation), in any order, each
// processed once; the responses of the last window of IDs stay cached.
#pragma once

#include <algorithm>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <vector>

#include "engine/engine.h"
#include "engine/peer_busy.h"
#include "engine/task.h"
#include "ike/message.h"

namespace ipsec::engine {

struct EngineContext;

// Retransmission schedule: kRetransmitBase * 2^n, n = 0..kRetransmitTries-1,
// then the request is given up (0.5 1 2 4 8 16 s: ~31 s in all).
inline constexpr int64_t kRetransmitBaseMs = 500;
inline constexpr int kRetransmitTries = 6;

// The window we advertise: requests the peer may have outstanding towards
// us. Each costs one cached response (at most one IKE message) per IKE SA.
// ike-window= in config setup sets it (Engine::SetIkeWindow), within
// 1..kMaxOurIkeWindow.
inline constexpr uint32_t kDefaultOurIkeWindow = 8;
inline constexpr uint32_t kMaxOurIkeWindow = 256;
// The largest peer window we use, whatever it advertises.
inline constexpr uint32_t kMaxPeerIkeWindow = 64;

// Which queued tasks travel together: the first queued task picks the row
// whose lead it is; the other members are pulled from the queue (the first
// of each type) into the same exchange. The exchange type of kChildCreate
// alone is CREATE_CHILD_SA.
struct ExchangeComposition {
  TaskType lead;
  ike::ExchangeType exchange;
  std::vector<TaskType> members;
};
const std::vector<ExchangeComposition>& ExchangeCompositions();

class TaskManager {
 public:
  TaskManager(EngineContext& ctx, IkeSa& sa);

  void Queue(std::unique_ptr<Task> task) {
    queued_.push_back(std::move(task));
    Touch();
  }
  bool HasQueued(TaskType t) const;
  bool HasActive(TaskType t) const;
  bool Idle() const { return outstanding_.empty() && queued_.empty(); }
  bool Outstanding() const { return !outstanding_.empty(); }
  size_t OutstandingCount() const { return outstanding_.size(); }
  void ClearQueue() {
    queued_.clear();
    Touch();
  }
  // The SA's timers may have changed: the engine sets its deadline again
  // (EngineContext::TouchSa); killed: it is dead, for the engine's Reap().
  // Every call here that may change them does it itself.
  void Touch(bool killed = false);
  // The peer's window (its SET_WINDOW_SIZE), capped at kMaxPeerIkeWindow.
  void SetPeerWindow(uint32_t n) { peer_window_ = std::clamp<uint32_t>(n, 1, kMaxPeerIkeWindow); }
  uint32_t peer_window() const { return peer_window_; }
  // Ours (SET_WINDOW_SIZE in IKE_AUTH): the engine's ike-window= when the
  // SA was created.
  uint32_t our_window() const { return our_window_; }

  // Starts queued exchanges as far as the window allows.
  void InitiateNext();
  // A decoded message for this SA, received on local from remote. raw: the
  // datagram (IKE_SA_INIT AUTH input). Only a message that passes the
  // message-ID checks (a new request, the awaited response) may move the
  // peer or count as liveness (peer_address.h).
  void OnMessage(const ike::Message& msg, std::span<const uint8_t> raw, const Endpoint& local,
                 const Endpoint& remote);
  // Retransmits or gives up.
  void OnTimer(int64_t now_ms);
  std::optional<int64_t> NextTimerMs() const;

  // Shutdown: an IKE Delete sent once, outside the window bookkeeping
  // (nobody waits for the answer).
  void SendDeleteNow();

 private:
  // A message as sent: one datagram, or its fragments, resent together.
  using Datagrams = std::vector<std::vector<uint8_t>>;
  // One request of ours awaiting its response.
  struct Exchange {
    ike::ExchangeType type = ike::ExchangeType::kIkeSaInit;
    std::vector<std::unique_ptr<Task>> tasks;
    Datagrams datagrams;  // one, or its SKF fragments (RFC 7383)
    int retransmits = 0;
    int64_t retransmit_at_ms = 0;
    int64_t give_up_at_ms = 0;  // 0: when the retransmits run out
  };
  // Starts one exchange from the queue; false when none may start now.
  bool InitiateOne();
  bool MayStartWith(TaskType lead) const;
  void HandleRequest(const ike::Message& msg, std::span<const uint8_t> raw);
  void HandleResponse(const ike::Message& msg, std::span<const uint8_t> raw);
  void OnFresh(const ike::Message& msg);
  bool EncodeAndSend(const ike::Message& msg, Datagrams* out);
  // A protected message larger than the fragment size as SKF fragments
  // (RFC 7383 2.5), when fragmentation was negotiated; else unchanged.
  Result<Datagrams> MaybeFragment(const ike::Message& msg, std::vector<uint8_t> whole);
  void SendAll(const Datagrams& datagrams);

  EngineContext& ctx_;
  IkeSa& sa_;
  std::deque<std::unique_ptr<Task>> queued_;

  // Initiator window: outstanding requests by message ID; the next ID.
  std::map<uint32_t, Exchange> outstanding_;
  uint32_t next_request_id_ = 0;
  uint32_t peer_window_ = 1;
  uint32_t our_window_;

  // Responder window: every request below lowest_unanswered_ is answered;
  // answered_ holds those above it answered out of order; cached_ the
  // responses of the IDs from lowest_unanswered_ - our_window_ on.
  uint32_t lowest_unanswered_ = 0;
  std::set<uint32_t> answered_;
  std::map<uint32_t, Datagrams> cached_;

  // Our new requests wait while the peer sends a series of its own
  // (peer_busy.h); only once the IKE SA is established.
  PeerBusyHold peer_busy_;

  // Where the message being handled came from (valid during OnMessage).
  const Endpoint* from_local_ = nullptr;
  const Endpoint* from_remote_ = nullptr;
};

}  // namespace ipsec::engine
