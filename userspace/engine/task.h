// The task interface (strongSwan's task_t): one protocol concern, built and
// processed as initiator (BuildRequest then ProcessResponse) or as
// responder (ProcessRequest then BuildResponse). Several tasks may share one
// exchange; the task manager (task_manager.h) decides which, from the
// named table kExchangeCompositions, and alone owns message IDs.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "ike/message.h"

namespace ipsec::engine {

class IkeSa;

enum class TaskType {
  kIkeSaInit,
  kNatd,
  kIkeAuth,
  kChildCreate,
  kChildDelete,
  kIkeDelete,
  kDpd,
  kIkeRekey,
};
std::string_view TaskTypeName(TaskType t);

enum class TaskResult {
  kDone,       // finished; drop the task
  kNeedMore,   // initiator: run another exchange with this task
  kFailed,     // this task failed; the IKE SA lives on
  kDestroySa,  // the IKE SA must go (after the response, for a responder)
};

class Task {
 public:
  virtual ~Task() = default;
  virtual TaskType type() const = 0;

  // Initiator.
  virtual TaskResult BuildRequest(IkeSa& sa, ike::Message& request) = 0;
  virtual TaskResult ProcessResponse(IkeSa& sa, const ike::Message& response) = 0;
  // Called instead of ProcessResponse when the request was never answered.
  virtual void OnTimeout(IkeSa& /*sa*/) {}
  // How long the task's request may go unanswered before the task manager
  // gives up (sooner than its retransmit schedule); nullopt: the schedule.
  virtual std::optional<int64_t> GiveUpAfterMs(const IkeSa& /*sa*/) const { return std::nullopt; }

  // Responder.
  virtual TaskResult ProcessRequest(IkeSa& sa, const ike::Message& request) = 0;
  virtual TaskResult BuildResponse(IkeSa& sa, ike::Message& response) = 0;
};

}  // namespace ipsec::engine
