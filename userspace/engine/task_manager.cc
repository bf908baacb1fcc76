#include "engine/task_manager.h"

#include <algorithm>

#include "engine/ike_sa.h"
#include "engine/peer_address.h"
#include "engine/resend_limit.h"
#include "engine/tasks/tasks.h"
#include "ike/codec.h"

namespace ipsec::engine {

using ike::ExchangeType;

const std::vector<ExchangeComposition>& ExchangeCompositions() {
  // The named task order: what each kind of exchange we start carries.
  static const std::vector<ExchangeComposition> kTable = {
      {TaskType::kIkeSaInit, ExchangeType::kIkeSaInit, {TaskType::kIkeSaInit, TaskType::kNatd}},
      {TaskType::kIkeAuth, ExchangeType::kIkeAuth, {TaskType::kIkeAuth, TaskType::kChildCreate}},
      {TaskType::kChildCreate, ExchangeType::kCreateChildSa, {TaskType::kChildCreate}},
      {TaskType::kIkeRekey, ExchangeType::kCreateChildSa, {TaskType::kIkeRekey}},
      {TaskType::kChildDelete, ExchangeType::kInformational, {TaskType::kChildDelete}},
      {TaskType::kIkeDelete, ExchangeType::kInformational, {TaskType::kIkeDelete}},
      {TaskType::kDpd, ExchangeType::kInformational, {TaskType::kDpd}},
  };
  return kTable;
}

std::string_view TaskTypeName(TaskType t) {
  switch (t) {
    case TaskType::kIkeSaInit:
      return "IKE_SA_INIT";
    case TaskType::kNatd:
      return "NATD";
    case TaskType::kIkeAuth:
      return "IKE_AUTH";
    case TaskType::kChildCreate:
      return "CHILD_CREATE";
    case TaskType::kChildDelete:
      return "CHILD_DELETE";
    case TaskType::kIkeDelete:
      return "IKE_DELETE";
    case TaskType::kDpd:
      return "DPD";
    case TaskType::kIkeRekey:
      return "IKE_REKEY";
  }
  return "?";
}

bool TaskManager::HasQueued(TaskType t) const {
  return std::any_of(queued_.begin(), queued_.end(), [t](const auto& x) { return x->type() == t; });
}
bool TaskManager::HasActive(TaskType t) const {
  return std::any_of(active_.begin(), active_.end(), [t](const auto& x) { return x->type() == t; });
}

bool TaskManager::EncodeAndSend(const ike::Message& msg, std::vector<uint8_t>* out) {
  Result<ike::Bytes> bytes =
      msg.header.exchange == ExchangeType::kIkeSaInit
          ? ike::Encode(msg)
          : (sa_.outbound() ? ike::EncodeEncrypted(msg, *sa_.outbound(), ctx_.random)
                            : Result<ike::Bytes>(MakeError("no SK keys")));
  if (!bytes) {
    ctx_.Error(sa_.conn_name(),
               "cannot encode " + ike::Summarize(msg) + ": " + bytes.error().message);
    return false;
  }
  *out = std::move(bytes).value();
  ctx_.Log(LogLevel::kDebug, sa_.conn_name(),
           "sending " + ike::Summarize(msg) + " to " + sa_.remote.ToString());
  ctx_.sender.Send(*out, sa_.local, sa_.remote);
  ++ctx_.counters.tx_messages;
  return true;
}

void TaskManager::InitiateNext() {
  if (outstanding_ || queued_.empty() || sa_.state == IkeSa::State::kDead) return;
  // Before IKE_AUTH is done only the IKE_SA_INIT/IKE_AUTH leads may start.
  const TaskType lead = queued_.front()->type();
  const ExchangeComposition* row = nullptr;
  for (const auto& r : ExchangeCompositions())
    if (r.lead == lead) row = &r;
  if (!row) {
    queued_.pop_front();  // nothing we can initiate with it
    return;
  }
  active_.clear();
  active_.push_back(std::move(queued_.front()));
  queued_.pop_front();
  for (size_t m = 1; m < row->members.size(); ++m) {
    auto it = std::find_if(queued_.begin(), queued_.end(),
                           [&](const auto& t) { return t->type() == row->members[m]; });
    if (it == queued_.end()) continue;
    active_.push_back(std::move(*it));
    queued_.erase(it);
  }

  ike::Message req;
  req.header.spi_i = sa_.spi_i;
  req.header.spi_r = sa_.spi_r;
  req.header.exchange = row->exchange;
  req.header.flags = sa_.initiator() ? ike::kFlagInitiator : 0;
  req.header.message_id = next_request_id_;
  req.encrypted = row->exchange != ExchangeType::kIkeSaInit;
  for (auto it = active_.begin(); it != active_.end();) {
    TaskResult r = (*it)->BuildRequest(sa_, req);
    if (r == TaskResult::kDestroySa) {
      sa_.Kill("failed to build " + std::string(TaskTypeName((*it)->type())));
      return;
    }
    if (r == TaskResult::kFailed || r == TaskResult::kDone) {
      it = active_.erase(it);
      continue;
    }
    ++it;
  }
  if (active_.empty()) {
    InitiateNext();
    return;
  }
  if (!EncodeAndSend(req, &request_bytes_)) {
    sa_.Kill("cannot encode request");
    return;
  }
  if (row->exchange == ExchangeType::kIkeSaInit) sa_.init_request = request_bytes_;
  outstanding_ = true;
  outstanding_exchange_ = row->exchange;
  retransmits_ = 0;
  retransmit_at_ms_ = ctx_.NowMs() + kRetransmitBaseMs;
  give_up_at_ms_ = 0;
  for (const auto& t : active_)
    if (auto after = t->GiveUpAfterMs(sa_)) {
      const int64_t at = ctx_.NowMs() + *after;
      if (give_up_at_ms_ == 0 || at < give_up_at_ms_) give_up_at_ms_ = at;
    }
}

void TaskManager::OnMessage(const ike::Message& msg, std::span<const uint8_t> raw,
                            const Endpoint& local, const Endpoint& remote) {
  from_local_ = &local;
  from_remote_ = &remote;
  if (msg.header.response())
    HandleResponse(msg, raw);
  else
    HandleRequest(msg, raw);
  from_local_ = from_remote_ = nullptr;
}

void TaskManager::OnFresh(const ike::Message& msg) {
  if (msg.encrypted) OnFreshAuthenticatedMessage(ctx_, sa_, *from_local_, *from_remote_);
}

void TaskManager::HandleResponse(const ike::Message& msg, std::span<const uint8_t> raw) {
  if (!outstanding_ || msg.header.message_id != next_request_id_ ||
      msg.header.exchange != outstanding_exchange_) {
    ++ctx_.counters.dropped_unexpected;
    ctx_.Log(LogLevel::kDebug, sa_.conn_name(), "dropping unexpected " + ike::Summarize(msg));
    return;
  }
  outstanding_ = false;
  OnFresh(msg);
  if (msg.header.exchange == ExchangeType::kIkeSaInit)
    sa_.init_response.assign(raw.begin(), raw.end());
  bool destroy = false;
  std::vector<std::unique_ptr<Task>> again;
  for (auto& task : active_) {
    if (destroy) break;
    switch (task->ProcessResponse(sa_, msg)) {
      case TaskResult::kDone:
      case TaskResult::kFailed:
        break;
      case TaskResult::kNeedMore:
        again.push_back(std::move(task));
        break;
      case TaskResult::kDestroySa:
        destroy = true;
        break;
    }
  }
  active_.clear();
  if (destroy || sa_.state == IkeSa::State::kDead) {
    if (sa_.state != IkeSa::State::kDead) sa_.Kill("exchange failed");
    return;
  }
  // IKE_SA_INIT retried (INVALID_KE_PAYLOAD, COOKIE) keeps message ID 0;
  // every completed exchange advances it.
  if (!(msg.header.exchange == ExchangeType::kIkeSaInit && sa_.spi_r == 0)) ++next_request_id_;
  for (auto it = again.rbegin(); it != again.rend(); ++it) queued_.push_front(std::move(*it));
  InitiateNext();
}

void TaskManager::HandleRequest(const ike::Message& msg, std::span<const uint8_t> raw) {
  const uint32_t mid = msg.header.message_id;
  if (have_cached_response_ && mid == cached_response_id_) {
    // A retransmitted request: our response was lost. Resend it unchanged.
    ++ctx_.counters.duplicate_requests;
    if (!MayResend(sa_.resend_budget, ctx_.resend_budget, ctx_.NowMs())) {
      ++ctx_.counters.resends_limited;
      return;
    }
    ctx_.Log(LogLevel::kDebug, sa_.conn_name(),
             "retransmitting response to duplicate " + ike::Summarize(msg));
    ctx_.sender.Send(cached_response_, sa_.local, sa_.remote);
    ++ctx_.counters.tx_messages;
    return;
  }
  // IKE_SA_INIT only ever opens a responder SA (the engine hands us no other).
  const bool misplaced_init = msg.header.exchange == ExchangeType::kIkeSaInit &&
                              (sa_.initiator() || expected_request_id_ != 0);
  if (mid != expected_request_id_ || misplaced_init) {
    ++ctx_.counters.dropped_unexpected;
    ctx_.Log(LogLevel::kDebug, sa_.conn_name(),
             "dropping request with message ID " + std::to_string(mid) + ", expected " +
                 std::to_string(expected_request_id_));
    return;
  }
  OnFresh(msg);
  if (msg.header.exchange == ExchangeType::kIkeSaInit)
    sa_.init_request.assign(raw.begin(), raw.end());

  std::vector<std::unique_ptr<Task>> tasks = CreateResponderTasks(ctx_, sa_, msg);
  bool destroy = false;
  for (auto& t : tasks) {
    if (destroy || sa_.fatal_response) break;
    if (t->ProcessRequest(sa_, msg) == TaskResult::kDestroySa) destroy = true;
  }
  ike::Message resp;
  resp.header = msg.header;
  resp.header.flags = ike::kFlagResponse | (sa_.initiator() ? ike::kFlagInitiator : 0);
  resp.header.spi_r = sa_.spi_r;
  resp.encrypted = msg.header.exchange != ExchangeType::kIkeSaInit;
  if (sa_.fatal_response) {
    resp.Add(ike::PayloadType::kNotify, *sa_.fatal_response);
    destroy = true;
    if (msg.header.exchange == ExchangeType::kIkeSaInit) resp.header.spi_r = 0;
  } else {
    for (auto& t : tasks)
      if (t->BuildResponse(sa_, resp) == TaskResult::kDestroySa) destroy = true;
  }
  std::vector<uint8_t> bytes;
  if (EncodeAndSend(resp, &bytes)) {
    if (msg.header.exchange == ExchangeType::kIkeSaInit) sa_.init_response = bytes;
    cached_response_ = std::move(bytes);
    cached_response_id_ = mid;
    have_cached_response_ = true;
  }
  ++expected_request_id_;
  if (destroy && sa_.state != IkeSa::State::kDead) sa_.Kill("destroyed by exchange");
  if (!destroy) InitiateNext();
}

void TaskManager::OnTimer(int64_t now_ms) {
  const bool give_up = give_up_at_ms_ != 0 && now_ms >= give_up_at_ms_;
  if (!outstanding_ || (now_ms < retransmit_at_ms_ && !give_up)) return;
  if (retransmits_ >= kRetransmitTries || give_up) {
    outstanding_ = false;
    ctx_.Error(sa_.conn_name(), "peer " + sa_.remote.ToString() + " did not answer " +
                                    ike::ExchangeName(outstanding_exchange_) + " request " +
                                    std::to_string(next_request_id_) + " after " +
                                    std::to_string(retransmits_) + " retransmits, giving up");
    for (auto& t : active_) t->OnTimeout(sa_);
    active_.clear();
    sa_.Kill("retransmits exhausted");
    return;
  }
  ++retransmits_;
  ++ctx_.counters.retransmits;
  ctx_.Log(LogLevel::kDebug, sa_.conn_name(),
           "retransmit " + std::to_string(retransmits_) + " of " +
               ike::ExchangeName(outstanding_exchange_) + " request " +
               std::to_string(next_request_id_));
  ctx_.sender.Send(request_bytes_, sa_.local, sa_.remote);
  ++ctx_.counters.tx_messages;
  retransmit_at_ms_ = now_ms + (kRetransmitBaseMs << retransmits_);
}

void TaskManager::SendDeleteNow() {
  ike::Message req;
  req.header.spi_i = sa_.spi_i;
  req.header.spi_r = sa_.spi_r;
  req.header.exchange = ExchangeType::kInformational;
  req.header.flags = sa_.initiator() ? ike::kFlagInitiator : 0;
  req.header.message_id = outstanding_ ? next_request_id_ + 1 : next_request_id_;
  req.encrypted = true;
  req.Add(ike::PayloadType::kDelete, ike::DeletePayload{});
  std::vector<uint8_t> bytes;
  (void)EncodeAndSend(req, &bytes);
}

std::optional<int64_t> TaskManager::NextTimerMs() const {
  if (!outstanding_) return std::nullopt;
  if (give_up_at_ms_ != 0) return std::min(retransmit_at_ms_, give_up_at_ms_);
  return retransmit_at_ms_;
}

}  // namespace ipsec::engine
