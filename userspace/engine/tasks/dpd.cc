// Dead peer detection (RFC 7296 2.4): an empty INFORMATIONAL request when
// nothing was heard from the peer for dpddelay; the task manager
// retransmits it and gives up at dpdtimeout (or when its schedule runs out,
// if sooner), and the engine applies dpdaction.
// The responder side (answering an empty INFORMATIONAL) needs no task of
// its own: InformationalResponderTask answers with an empty response.
#include "engine/ike_sa.h"
#include "engine/tasks/tasks.h"

namespace ipsec::engine {
namespace {

class DpdTask : public Task {
 public:
  explicit DpdTask(EngineContext& ctx) : ctx_(ctx) {}
  TaskType type() const override { return TaskType::kDpd; }
  TaskResult BuildRequest(IkeSa&, ike::Message&) override { return TaskResult::kNeedMore; }
  // dpdtimeout: the peer is declared dead this long after the first check
  // went unanswered, however far the retransmit schedule has got.
  std::optional<int64_t> GiveUpAfterMs(const IkeSa& sa) const override {
    if (!sa.conn || sa.conn->dpd_timeout.count() == 0) return std::nullopt;
    return sa.conn->dpd_timeout.count() * 1000;
  }
  TaskResult ProcessResponse(IkeSa& sa, const ike::Message&) override {
    ctx_.Log(LogLevel::kDebug, sa.conn_name(), "DPD: peer is alive");
    return TaskResult::kDone;
  }
  void OnTimeout(IkeSa& sa) override {
    ctx_.Error(sa.conn_name(), "DPD: peer " + sa.remote.ToString() + " is dead");
  }
  TaskResult ProcessRequest(IkeSa&, const ike::Message&) override { return TaskResult::kDone; }
  TaskResult BuildResponse(IkeSa&, ike::Message&) override { return TaskResult::kDone; }

 private:
  EngineContext& ctx_;
};

}  // namespace

std::unique_ptr<Task> MakeDpdTask(EngineContext& ctx) {
  return std::make_unique<DpdTask>(ctx);
}

}  // namespace ipsec::engine
