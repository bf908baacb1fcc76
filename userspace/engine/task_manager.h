// The task manager of one IKE SA (strongSwan's task_manager_v2): the only
// place that knows message IDs, the request window (size 1 both ways),
// retransmission with exponential back-off, the cached last response for
// duplicate requests, and which tasks share an exchange.
#pragma once

#include <deque>
#include <memory>
#include <optional>
#include <vector>

#include "engine/engine.h"
#include "engine/task.h"
#include "ike/message.h"

namespace ipsec::engine {

struct EngineContext;

// Retransmission schedule: kRetransmitBase * 2^n, n = 0..kRetransmitTries-1,
// then the request is given up (0.5 1 2 4 8 16 s: ~31 s in all).
inline constexpr int64_t kRetransmitBaseMs = 500;
inline constexpr int kRetransmitTries = 6;

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
  TaskManager(EngineContext& ctx, IkeSa& sa) : ctx_(ctx), sa_(sa) {}

  void Queue(std::unique_ptr<Task> task) { queued_.push_back(std::move(task)); }
  bool HasQueued(TaskType t) const;
  bool HasActive(TaskType t) const;
  bool Idle() const { return !outstanding_ && queued_.empty(); }
  bool Outstanding() const { return outstanding_; }
  void ClearQueue() { queued_.clear(); }

  // Starts the next exchange if none is outstanding.
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

  // For INVALID_KE / COOKIE retries of IKE_SA_INIT: next request reuses ID 0.
  void ResetInitiatorMessageId() { next_request_id_ = 0; }

 private:
  void HandleRequest(const ike::Message& msg, std::span<const uint8_t> raw);
  void HandleResponse(const ike::Message& msg, std::span<const uint8_t> raw);
  void OnFresh(const ike::Message& msg);
  bool EncodeAndSend(const ike::Message& msg, std::vector<uint8_t>* out);

  EngineContext& ctx_;
  IkeSa& sa_;
  std::deque<std::unique_ptr<Task>> queued_;

  // Initiator window.
  std::vector<std::unique_ptr<Task>> active_;
  bool outstanding_ = false;
  ike::ExchangeType outstanding_exchange_ = ike::ExchangeType::kIkeSaInit;
  uint32_t next_request_id_ = 0;
  std::vector<uint8_t> request_bytes_;
  int retransmits_ = 0;
  int64_t retransmit_at_ms_ = 0;
  int64_t give_up_at_ms_ = 0;  // 0: when the retransmits run out

  // Responder window.
  uint32_t expected_request_id_ = 0;
  bool have_cached_response_ = false;
  uint32_t cached_response_id_ = 0;
  std::vector<uint8_t> cached_response_;

  // Where the message being handled came from (valid during OnMessage).
  const Endpoint* from_local_ = nullptr;
  const Endpoint* from_remote_ = nullptr;
};

}  // namespace ipsec::engine
