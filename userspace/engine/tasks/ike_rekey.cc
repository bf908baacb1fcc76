// IKE SA rekeying (RFC 7296 2.18), responder side: not implemented yet.
// A CREATE_CHILD_SA whose SA payload proposes protocol IKE is answered with
// TEMPORARY_FAILURE, which strongSwan and libreswan treat as "retry later";
// the IKE SA keeps working until its lifetime ends and the peer
// reauthenticates.
#include "engine/ike_sa.h"
#include "engine/tasks/tasks.h"

namespace ipsec::engine {
namespace {

class IkeRekeyResponderTask : public Task {
 public:
  explicit IkeRekeyResponderTask(EngineContext& ctx) : ctx_(ctx) {}
  TaskType type() const override { return TaskType::kIkeRekeyRefuse; }
  TaskResult BuildRequest(IkeSa&, ike::Message&) override { return TaskResult::kDone; }
  TaskResult ProcessResponse(IkeSa&, const ike::Message&) override { return TaskResult::kDone; }
  TaskResult ProcessRequest(IkeSa& sa, const ike::Message&) override {
    ctx_.Log(LogLevel::kWarning, sa.conn_name(),
             "peer wants to rekey the IKE SA; not supported, answering TEMPORARY_FAILURE");
    return TaskResult::kDone;
  }
  TaskResult BuildResponse(IkeSa&, ike::Message& resp) override {
    ike::NotifyPayload n;
    n.type = static_cast<uint16_t>(ike::NotifyType::kTemporaryFailure);
    resp.Add(ike::PayloadType::kNotify, n);
    return TaskResult::kDone;
  }

 private:
  EngineContext& ctx_;
};

}  // namespace

std::unique_ptr<Task> MakeIkeRekeyResponderTask(EngineContext& ctx) {
  return std::make_unique<IkeRekeyResponderTask>(ctx);
}

}  // namespace ipsec::engine
