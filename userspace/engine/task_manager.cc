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
  for (const auto& [id, ex] : outstanding_)
    for (const auto& x : ex.tasks)
      if (x->type() == t) return true;
  return false;
}

bool TaskManager::EncodeAndSend(const ike::Message& msg, Datagrams* out) {
  Result<ike::Bytes> bytes =
      msg.header.exchange == ExchangeType::kIkeSaInit
          ? ike::Encode(msg)
          : (sa_.outbound() ? ike::EncodeEncrypted(msg, *sa_.outbound(), ctx_.random)
                            : Result<ike::Bytes>(MakeError("no SK keys")));
  Result<Datagrams> datagrams =
      bytes ? MaybeFragment(msg, std::move(bytes).value()) : Result<Datagrams>(bytes.error());
  if (!datagrams) {
    ctx_.Error(sa_.conn_name(),
               "cannot encode " + ike::Summarize(msg) + ": " + datagrams.error().message);
    return false;
  }
  *out = std::move(datagrams).value();
  const size_t n = out->size();
  ctx_.Log(LogLevel::kDebug, sa_.conn_name(),
           "sending " + ike::Summarize(msg) + " to " + sa_.remote.ToString() +
               (n > 1 ? " in " + std::to_string(n) + " fragments" : ""));
  if (n > 1) ctx_.counters.fragments_sent += n;
  SendAll(*out);
  return true;
}

Result<TaskManager::Datagrams> TaskManager::MaybeFragment(const ike::Message& msg,
                                                          std::vector<uint8_t> whole) {
  const Connection* c = sa_.conn.get();
  const bool v6 = !sa_.remote.addr.is_v4();
  const size_t ip_size = c && c->fragment_size
                             ? *c->fragment_size
                             : (v6 ? ike::kDefaultFragmentSizeV6 : ike::kDefaultFragmentSizeV4);
  const size_t limit =
      ike::IkeBytesPerDatagram(ip_size, v6, sa_.local.port != 500 || sa_.remote.port != 500);
  if (!msg.encrypted || !sa_.fragmentation || whole.size() <= limit || !sa_.outbound())
    return Datagrams{std::move(whole)};
  auto fragments = ike::EncodeFragments(msg, *sa_.outbound(), ctx_.random, limit);
  if (!fragments) return fragments.error();
  return std::move(fragments).value();
}

void TaskManager::SendAll(const Datagrams& datagrams) {
  for (const auto& d : datagrams) ctx_.sender.Send(d, sa_.local, sa_.remote);
  ++ctx_.counters.tx_messages;
}

// Only new children are created in parallel (RFC 7296 2.3 allows any
// exchange, but a rekey or a delete racing our other requests gains
// nothing and makes collisions harder to reason about).
bool TaskManager::MayStartWith(TaskType lead) const {
  if (outstanding_.empty()) return true;
  // The window counts from the oldest request still unanswered, not the
  // number in flight (RFC 7296 2.3): past it the peer drops ours.
  if (lead != TaskType::kChildCreate ||
      next_request_id_ - outstanding_.begin()->first >= peer_window_)
    return false;
  for (const auto& [id, ex] : outstanding_)
    if (ex.type != ExchangeType::kCreateChildSa || ex.tasks.empty() ||
        ex.tasks.front()->type() != TaskType::kChildCreate)
      return false;
  return true;
}

TaskManager::TaskManager(EngineContext& ctx, IkeSa& sa)
    : ctx_(ctx), sa_(sa), our_window_(ctx.our_ike_window) {}

void TaskManager::Touch(bool killed) {
  ctx_.TouchSa(sa_.serial());
  if (killed) ctx_.killed_sas.push_back(sa_.serial());
}

void TaskManager::InitiateNext() {
  Touch();
  while (InitiateOne()) {
  }
}

bool TaskManager::InitiateOne() {
  if (queued_.empty() || sa_.state == IkeSa::State::kDead) return false;
  // Its IKE_SA_INIT waits for a slot (init_pacing.h); the engine calls us
  // again when it has one.
  if (sa_.waiting_to_initiate) return false;
  // Before IKE_AUTH is done only the IKE_SA_INIT/IKE_AUTH leads may start.
  const TaskType lead = queued_.front()->type();
  if (!MayStartWith(lead)) return false;
  if (sa_.state == IkeSa::State::kEstablished && peer_busy_.HoldUntil(ctx_.NowMs())) {
    ctx_.Log(LogLevel::kDebug, sa_.conn_name(),
             std::string(TaskTypeName(lead)) + " waits: the peer has just sent a request");
    return false;
  }
  peer_busy_.OnInitiated();
  const ExchangeComposition* row = nullptr;
  for (const auto& r : ExchangeCompositions())
    if (r.lead == lead) row = &r;
  if (!row) {
    queued_.pop_front();  // nothing we can initiate with it
    return true;
  }
  Exchange ex;
  ex.type = row->exchange;
  ex.tasks.push_back(std::move(queued_.front()));
  queued_.pop_front();
  for (size_t m = 1; m < row->members.size(); ++m) {
    auto it = std::find_if(queued_.begin(), queued_.end(),
                           [&](const auto& t) { return t->type() == row->members[m]; });
    if (it == queued_.end()) continue;
    ex.tasks.push_back(std::move(*it));
    queued_.erase(it);
  }

  ike::Message req;
  req.header.spi_i = sa_.spi_i;
  req.header.spi_r = sa_.spi_r;
  req.header.exchange = row->exchange;
  req.header.flags = sa_.initiator() ? ike::kFlagInitiator : 0;
  req.header.message_id = next_request_id_;
  req.encrypted = row->exchange != ExchangeType::kIkeSaInit;
  for (auto it = ex.tasks.begin(); it != ex.tasks.end();) {
    TaskResult r = (*it)->BuildRequest(sa_, req);
    if (r == TaskResult::kDestroySa) {
      sa_.Kill("failed to build " + std::string(TaskTypeName((*it)->type())));
      return false;
    }
    if (r == TaskResult::kFailed || r == TaskResult::kDone) {
      it = ex.tasks.erase(it);
      continue;
    }
    ++it;
  }
  if (ex.tasks.empty()) return true;
  if (!EncodeAndSend(req, &ex.datagrams)) {
    sa_.Kill("cannot encode request");
    return false;
  }
  if (row->exchange == ExchangeType::kIkeSaInit) sa_.init_request = ex.datagrams.front();
  const int64_t now = ctx_.NowMs();
  ex.retransmit_at_ms = now + kRetransmitBaseMs;
  for (const auto& t : ex.tasks)
    if (auto after = t->GiveUpAfterMs(sa_)) {
      const int64_t at = now + *after;
      if (ex.give_up_at_ms == 0 || at < ex.give_up_at_ms) ex.give_up_at_ms = at;
    }
  // With DPD on, dpdtimeout is how long the peer may stay silent, whatever
  // we asked: a rekey in flight when the peer dies must not stretch that to
  // the whole retransmit schedule (DPD itself waits for an idle SA).
  const Connection* c = sa_.conn.get();
  if (c && c->dpd_delay.count() > 0 && c->dpd_timeout.count() > 0 &&
      sa_.state == IkeSa::State::kEstablished) {
    const int64_t at = now + c->dpd_timeout.count() * 1000;
    if (ex.give_up_at_ms == 0 || at < ex.give_up_at_ms) ex.give_up_at_ms = at;
  }
  outstanding_[next_request_id_++] = std::move(ex);
  return true;
}

void TaskManager::OnMessage(const ike::Message& msg, std::span<const uint8_t> raw,
                            const Endpoint& local, const Endpoint& remote) {
  Touch();
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
  auto found = outstanding_.find(msg.header.message_id);
  if (found == outstanding_.end() || msg.header.exchange != found->second.type) {
    ++ctx_.counters.dropped_unexpected;
    ctx_.Log(LogLevel::kDebug, sa_.conn_name(), "dropping unexpected " + ike::Summarize(msg));
    return;
  }
  Exchange ex = std::move(found->second);
  outstanding_.erase(found);
  OnFresh(msg);
  if (msg.header.exchange == ExchangeType::kIkeSaInit)
    sa_.init_response.assign(raw.begin(), raw.end());
  bool destroy = false;
  std::vector<std::unique_ptr<Task>> again;
  for (auto& task : ex.tasks) {
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
  if (destroy || sa_.state == IkeSa::State::kDead) {
    if (sa_.state != IkeSa::State::kDead) sa_.Kill("exchange failed");
    return;
  }
  // IKE_SA_INIT retried (INVALID_KE_PAYLOAD, COOKIE) keeps message ID 0.
  if (msg.header.exchange == ExchangeType::kIkeSaInit && sa_.spi_r == 0) next_request_id_ = 0;
  for (auto it = again.rbegin(); it != again.rend(); ++it) queued_.push_front(std::move(*it));
  InitiateNext();
}

void TaskManager::HandleRequest(const ike::Message& msg, std::span<const uint8_t> raw) {
  const uint32_t mid = msg.header.message_id;
  if (auto cached = cached_.find(mid); cached != cached_.end()) {
    // A retransmitted request: our response was lost. Resend it unchanged.
    ++ctx_.counters.duplicate_requests;
    if (!MayResend(sa_.resend_budget, ctx_.resend_budget, ctx_.NowMs())) {
      ++ctx_.counters.resends_limited;
      return;
    }
    ctx_.Log(LogLevel::kDebug, sa_.conn_name(),
             "retransmitting response to duplicate " + ike::Summarize(msg));
    SendAll(cached->second);
    return;
  }
  // IKE_SA_INIT only ever opens a responder SA (the engine hands us no
  // other); before IKE_AUTH is done the window is 1 (RFC 7296 2.3).
  const uint32_t window = sa_.state == IkeSa::State::kEstablished ? our_window_ : 1;
  const bool misplaced_init = msg.header.exchange == ExchangeType::kIkeSaInit &&
                              (sa_.initiator() || lowest_unanswered_ != 0);
  if (mid < lowest_unanswered_ || mid - lowest_unanswered_ >= window || answered_.count(mid) ||
      misplaced_init) {
    ++ctx_.counters.dropped_unexpected;
    ctx_.Log(LogLevel::kDebug, sa_.conn_name(),
             "dropping request with message ID " + std::to_string(mid) + ", expected " +
                 std::to_string(lowest_unanswered_) +
                 (window > 1 ? " to " + std::to_string(lowest_unanswered_ + window - 1) : ""));
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
  Datagrams sent;
  if (EncodeAndSend(resp, &sent)) {
    if (msg.header.exchange == ExchangeType::kIkeSaInit) sa_.init_response = sent.front();
    cached_[mid] = std::move(sent);
  }
  // Never processed twice: answered, and the window moves past every
  // request answered in order. The peer may still retransmit any of the
  // last window of IDs (its lowest outstanding one is at most that far
  // back), so their responses stay cached and older ones go.
  answered_.insert(mid);
  while (answered_.erase(lowest_unanswered_)) ++lowest_unanswered_;
  if (msg.header.exchange != ExchangeType::kIkeSaInit &&
      msg.header.exchange != ExchangeType::kIkeAuth)
    peer_busy_.OnAnswered(ctx_.NowMs());
  const uint32_t keep_from =
      lowest_unanswered_ > our_window_ ? lowest_unanswered_ - our_window_ : 0;
  cached_.erase(cached_.begin(), cached_.lower_bound(keep_from));
  if (destroy && sa_.state != IkeSa::State::kDead) sa_.Kill("destroyed by exchange");
  if (!destroy) InitiateNext();
}

void TaskManager::OnTimer(int64_t now_ms) {
  Touch();
  for (auto& [id, ex] : outstanding_) {
    const bool give_up = ex.give_up_at_ms != 0 && now_ms >= ex.give_up_at_ms;
    if (now_ms < ex.retransmit_at_ms && !give_up) continue;
    if (ex.retransmits >= kRetransmitTries || give_up) {
      ctx_.Error(sa_.conn_name(),
                 "peer " + sa_.remote.ToString() + " did not answer " + ike::ExchangeName(ex.type) +
                     " request " + std::to_string(id) +
                     (give_up ? " within dpdtimeout"
                              : " after " + std::to_string(ex.retransmits) + " retransmits") +
                     ", giving up");
      // The whole IKE SA goes: every exchange in flight ends with it.
      auto gone = std::move(outstanding_);
      outstanding_.clear();
      for (auto& [gid, g] : gone)
        for (auto& t : g.tasks) t->OnTimeout(sa_);
      sa_.Kill("retransmits exhausted");
      return;
    }
    ++ex.retransmits;
    ++ctx_.counters.retransmits;
    ctx_.Log(LogLevel::kDebug, sa_.conn_name(),
             "retransmit " + std::to_string(ex.retransmits) + " of " + ike::ExchangeName(ex.type) +
                 " request " + std::to_string(id));
    SendAll(ex.datagrams);
    ex.retransmit_at_ms = now_ms + (kRetransmitBaseMs << ex.retransmits);
  }
  if (!queued_.empty()) InitiateNext();  // a request held for the peer (peer_busy.h)
}

void TaskManager::SendDeleteNow() {
  Touch();
  ike::Message req;
  req.header.spi_i = sa_.spi_i;
  req.header.spi_r = sa_.spi_r;
  req.header.exchange = ExchangeType::kInformational;
  req.header.flags = sa_.initiator() ? ike::kFlagInitiator : 0;
  req.header.message_id = next_request_id_;  // IDs in flight are below it
  req.encrypted = true;
  req.Add(ike::PayloadType::kDelete, ike::DeletePayload{});
  Datagrams sent;
  (void)EncodeAndSend(req, &sent);
}

std::optional<int64_t> TaskManager::NextTimerMs() const {
  std::optional<int64_t> next;
  for (const auto& [id, ex] : outstanding_) {
    int64_t t = ex.retransmit_at_ms;
    if (ex.give_up_at_ms != 0) t = std::min(t, ex.give_up_at_ms);
    if (!next || t < *next) next = t;
  }
  if (!queued_.empty() && sa_.state == IkeSa::State::kEstablished)
    if (auto held = peer_busy_.Until(); held && *held > ctx_.NowMs() && (!next || *held < *next))
      next = held;
  return next;
}

}  // namespace ipsec::engine
