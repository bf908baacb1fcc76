// The Engine facade: the IKE SA table (by our SPI, and responder SAs by the
// initiator's SPI and address in half_open.h), dispatch of datagrams to task
// managers, timers (retransmits, DPD, NAT-T keepalives, keyingtries), and
// the connection table. Dead IKE SAs are reaped only here, after a task
// manager call has returned, so no task ever sees its SA freed under it.
//
// Timers: each IKE SA's next deadline and each connection's retry time sit
// in a TimerQueue (timer_queue.h). What a call may have changed is set
// again lazily, in NextTimeout() and OnTimer(): the IKE SAs a task manager
// call or Kill() touched (EngineContext::TouchSa) and the connections whose
// state the engine changed (TouchConn). A turn of the daemon's loop then
// costs O(log n) in the number of SAs and connections, not a walk over all
// of them; NextTimeoutByScan() is that walk, kept for the tests to compare.
#include "engine/engine.h"

#include <algorithm>
#include <cstdint>
#include <map>
#include <set>
#include <unordered_set>
#include <utility>

#include "engine/child_install.h"
#include "engine/child_retry.h"
#include "engine/context.h"
#include "engine/cookie.h"
#include "engine/duplicate_sas.h"
#include "engine/fragment_receive.h"
#include "engine/half_open.h"
#include "engine/identity.h"
#include "engine/ike_sa.h"
#include "engine/ike_sa_sharing.h"
#include "engine/init_pacing.h"
#include "engine/peer_address.h"
#include "engine/proposals.h"
#include "engine/rekey_timing.h"
#include "engine/revival.h"
#include "engine/sa_status.h"
#include "engine/sas_by_identity.h"
#include "engine/tasks/tasks.h"
#include "engine/timer_queue.h"
#include "engine/v1/v1_engine.h"
#include "ike/codec.h"

namespace ipsec::engine {

namespace {

constexpr int64_t kKeepaliveIntervalMs = 20000;  // RFC 3948 4: default 20 s
// How long a duplicate IKE SA the peer initiated waits for the peer's Delete
// before we delete it ourselves (ResolveDuplicates).
constexpr int64_t kDuplicateGraceMs = 10000;
// And how long the IKE SA we keep must have heard nothing from the peer
// first: the peer may still be creating its pairs on it, one exchange at a
// time (pluto does). Our Delete crossing one of its requests made pluto 4.10
// discard our answer (it drops what arrives during its crypto) and never
// retransmit, leaving a child only we had (VM 547).
constexpr int64_t kDuplicateQuietMs = 2000;

constexpr int64_t kNever = INT64_MAX;

// When the IKE SA is due for rekeying (engine/rekey_timing.h: ikelifetime
// less rekeymargin and fuzz), or the retry time a refused rekey set.
int64_t RekeyDueMs(const IkeSa& sa) {
  if (sa.state != IkeSa::State::kEstablished) return kNever;
  if (sa.next_rekey_ms != 0) return sa.next_rekey_ms;
  const int64_t delay = IkeRekeyDelayMs(*sa.conn, sa.our_spi());
  return delay < 0 ? kNever : sa.established_ms + delay;
}

std::string EndText(const config::End& e) {
  std::string s = e.host.is_set() ? e.host.ToString() : "%any";
  if (e.id.kind != config::Identity::Kind::kNone) s += " [" + e.id.ToString() + "]";
  for (size_t i = 0; i < e.subnets.size(); ++i) s += (i ? "," : " ") + e.subnets[i].ToString();
  return s;
}

}  // namespace

std::string Endpoint::ToString() const {
  if (addr.is_v6()) return "[" + addr.ToString() + "][" + std::to_string(port) + "]";
  return addr.ToString() + "[" + std::to_string(port) + "]";
}

class EngineImpl {
 public:
  EngineImpl(Clock& clock, RandomSource& random, DatagramSender& sender, kernel::Kernel& kernel,
             SecretProvider& secrets, EventSink& events)
      : ctx_{clock, random, sender, kernel, secrets, events}, cookies_(random), v1_(ctx_) {
    ctx_.find_sa = [this](uint64_t serial) -> IkeSa* {
      if (auto it = sas_.find(serial); it != sas_.end()) return it->second.get();
      for (auto& born : ctx_.adopted)
        if (born->serial() == serial) return born.get();
      return nullptr;
    };
    ctx_.other_ike_sa_with_peer = [this](const IkeSa& sa) {
      for (const auto& [serial, other] : sas_)
        if (SupersedesInitialContact(*other, sa)) return true;
      return false;
    };
    // An IKEv1 attempt of ours failed: keyingtries and back-off as IKEv2's.
    v1_.on_attempt_failed = [this](const IkeSa& sa) {
      auto conn = FindConn(sa.conn_name());
      auto cs = conn_state_.find(sa.conn_name());
      if (!conn || cs == conn_state_.end() || shut_down_) return;
      PlanRevival(ctx_, *conn, sa, v1_.HasLiveSa(sa.conn_name(), &sa), cs->second);
      TouchConn(cs->first);
    };
  }

  ipsec::Status LoadConnections(std::vector<Connection> conns);
  ipsec::Status Initiate(std::string_view name);
  ipsec::Status Terminate(std::string_view name);
  void OnDatagram(std::span<const uint8_t> datagram, const Endpoint& local, const Endpoint& remote);
  void OnTimer();
  std::optional<Millis> NextTimeout();
  std::optional<Millis> NextTimeoutByScan() const;
  void OnKernelAcquire(const kernel::AcquireEvent& ev);
  void OnKernelExpire(const kernel::ExpireEvent& ev);
  void OnKernelMapping(const kernel::MappingEvent& ev);
  StatusSnapshot Snapshot() const;
  void Shutdown();

  void SetCookieThreshold(std::optional<size_t> n) {
    half_open_.set_cookie_threshold(n.value_or(HalfOpenLimits{}.cookie_threshold));
  }
  void SetInitLimits(std::optional<size_t> global, std::optional<size_t> per_peer) {
    pacer_.set_limits(
        {per_peer.value_or(InitLimits{}.per_peer), global.value_or(InitLimits{}.global)});
    Reap();
  }
  void SetIkeWindow(std::optional<uint32_t> n) {
    ctx_.our_ike_window =
        std::clamp<uint32_t>(n.value_or(kDefaultOurIkeWindow), 1, kMaxOurIkeWindow);
  }

 private:
  std::shared_ptr<const Connection> FindConn(std::string_view name) const {
    for (const auto& c : ctx_.connections)
      if (c->name == name) return c;
    return nullptr;
  }
  uint64_t NewSpi() {
    uint64_t spi = 0;
    while (spi == 0 || by_spi_.count(spi)) {
      uint8_t b[8];
      if (!ctx_.random.Fill(b)) return 0;
      spi = 0;
      for (uint8_t x : b) spi = spi << 8 | x;
    }
    return spi;
  }
  IkeSa* NewSa(bool initiator) {
    auto sa = std::make_unique<IkeSa>(ctx_, ctx_.next_serial++, initiator);
    IkeSa* raw = sa.get();
    raw->created_ms = ctx_.NowMs();
    sas_[raw->serial()] = std::move(sa);
    return raw;
  }
  ipsec::Status StartIkeSa(const std::shared_ptr<const Connection>& conn);
  // An IKE SA conn can put its children under (ike_sa_sharing.h): being
  // established, or being established by a connection it shares with.
  IkeSa* FindSharedSa(const Connection& conn);
  // Queues conn's missing children on sa and makes conn one of its riders.
  void Join(IkeSa* sa, const std::shared_ptr<const Connection>& conn);
  // Tries again the children the peer refused whose back-off is over
  // (child_retry.h), on the connection's established IKE SA.
  void RetryRefusedChildren(int64_t now);
  // Tries again the rekeys of sa's children the peer refused whose pause is
  // over (child_retry.h), for the children still there and not replaced.
  void RetryRefusedRekeys(IkeSa& sa, int64_t now);
  // The IKE SA `sa` carrying conn (one of its riders) is gone.
  void RiderLost(const std::string& name, const IkeSa& sa);
  void Reap();
  // The per-IKE-SA part of the timers: when sa's next one is due
  // (retransmit, DPD, NAT-T keepalive, rekey, a duplicate's grace).
  std::optional<int64_t> SaDueMs(const IkeSa& sa) const;
  // What is neither an IKE SA's nor a connection's: lingering inbound SAs,
  // IKEv1, half-open expiry, duplicates, refused children.
  std::optional<int64_t> EngineDueMs() const;
  static std::optional<int64_t> ConnDueMs(const ConnState& st) {
    if (st.retry_at_ms == 0 || !st.wanted) return std::nullopt;
    return st.retry_at_ms;
  }
  std::optional<Millis> Remaining(std::optional<int64_t> at) const {
    if (!at) return std::nullopt;
    return Millis(std::max<int64_t>(0, *at - ctx_.NowMs()));
  }
  void TouchConn(const std::string& name) { touched_conns_.insert(name); }
  // Sets again the deadlines of what was touched since the last call.
  void RefreshTimers();
  // Our initiations that are no longer half-open free their slots; waiting
  // ones take them (init_pacing.h).
  void PaceInitiations();
  // INITIAL_CONTACT from the peer of `fresh`: our other IKE SAs with the
  // same IDs are from its previous life; they go without a Delete. Only
  // those already up when `fresh` began: two ends that start at once both
  // send it, and each one's own new SA must survive the other's.
  void DropStaleSas(IkeSa& fresh) {
    fresh.peer_initial_contact = false;
    for (IkeSa* other : by_identity_.WithIdentitiesOf(fresh))
      if (other != &fresh && other->state != IkeSa::State::kDead && other->established_ms != 0 &&
          other->established_ms < fresh.created_ms) {
        ctx_.Log(LogLevel::kInfo, other->conn_name(),
                 "peer sent INITIAL_CONTACT: removing its old IKE SA");
        other->Kill("replaced: peer sent INITIAL_CONTACT");
      }
  }
  void HoldPolicies(const IkeSa& sa);
  bool OtherSaAlive(const std::string& name, const IkeSa& sa) const {
    for (const auto& [serial, other] : sas_)
      if (other.get() != &sa && (other->conn_name() == name || other->riders.count(name)) &&
          (other->state == IkeSa::State::kEstablished || other->state == IkeSa::State::kConnecting))
        return true;
    return false;
  }
  void ResolveDuplicates();
  // The IKE SA a duplicate we deleted leaves its connections to, if alive.
  IkeSa* KeptFor(const IkeSa& duplicate);
  // Once a deleted duplicate is gone and the peer has been quiet for
  // kDuplicateQuietMs: its connections join the kept SA, and the kept
  // children of the pairs both carried are rekeyed (RefreshSharedPairs).
  // Returns when the next follow-up is due, 0 for none.
  int64_t FollowUpDuplicates();
  void RefreshSharedPairs(const IkeSa::DuplicateGone& gone, IkeSa& keeper);
  void DestroySa(IkeSa* sa);
  void OnInitForExistingSa(IkeSa& sa, std::span<const uint8_t> datagram, const Endpoint& local,
                           const Endpoint& remote);
  bool AdmitNewSa(const ike::Message& init, const Endpoint& local, const Endpoint& remote);

  EngineContext ctx_;
  std::map<uint64_t, std::unique_ptr<IkeSa>> sas_;  // by serial
  int64_t duplicate_quiet_at_ms_ = 0;               // ResolveDuplicates waits for it (0: no)
  int64_t follow_up_at_ms_ = 0;                     // FollowUpDuplicates waits for it (0: no)
  std::map<uint64_t, IkeSa*> by_spi_;               // by our SPI
  HalfOpenTable half_open_;                         // responder SAs by (SPIi, peer); limits
  SasByIdentity by_identity_;                       // established SAs (ResolveDuplicates)
  InitPacer pacer_;                                 // our IKE_SA_INITs (by serial)
  CookieJar cookies_;
  std::map<std::string, ConnState> conn_state_;
  TimerQueue<uint64_t> sa_timers_;           // IKE SAs by serial: SaDueMs
  TimerQueue<std::string> conn_retries_;     // connections by name: ConnDueMs
  std::set<std::string> touched_conns_;      // for RefreshTimers
  std::set<uint64_t> with_duplicates_gone_;  // serials of SAs with duplicates_gone
  bool shut_down_ = false;
  v1::V1Engine v1_;  // ISAKMP SAs: IKEv1 connections and version-1 datagrams
};

ipsec::Status EngineImpl::LoadConnections(std::vector<Connection> conns) {
  std::vector<std::shared_ptr<const Connection>> table;
  for (auto& c : conns) {
    if (c.name.empty()) return MakeError("connection without a name");
    for (const auto& t : table)
      if (t->name == c.name) return MakeError("connection '" + c.name + "' defined twice");
    if (c.subnet_pairs.empty()) {
      std::vector<IpPrefix> l = c.local.subnets, r = c.remote.subnets;
      if (l.empty() && c.local.host.is_set()) l.push_back(IpPrefix::Host(c.local.host));
      if (r.empty() && c.remote.host.is_set()) r.push_back(IpPrefix::Host(c.remote.host));
      for (const auto& a : l)
        for (const auto& b : r)
          if (a.family() == b.family()) c.subnet_pairs.push_back({a, b, ""});
    }
    for (const auto& p : c.subnet_pairs)
      if (p.local.family() != p.remote.family())
        return MakeError("connection '" + c.name + "': subnet pair " + p.local.ToString() +
                         " === " + p.remote.ToString() + " mixes address families");
    if (c.subnet_pairs.empty())
      return MakeError("connection '" + c.name +
                       "': no traffic selectors (set leftsubnet/rightsubnet or both hosts)");
    table.push_back(std::make_shared<const Connection>(std::move(c)));
  }
  // Everything is valid: from here on the table changes. An unchanged
  // connection keeps its very object, which its SAs point to; a changed one
  // goes like a removed one and comes back like a new one.
  std::vector<std::string> gone, fresh;
  for (const auto& old : ctx_.connections)
    if (std::none_of(table.begin(), table.end(),
                     [&](const auto& n) { return n->name == old->name; }))
      gone.push_back(old->name);
  for (auto& n : table) {
    auto old = FindConn(n->name);
    if (old && config::SameSettings(*old, *n)) {
      n = old;
      continue;
    }
    if (old) gone.push_back(n->name);
    fresh.push_back(n->name);
  }
  for (const auto& g : gone) {
    (void)Terminate(g);
    ReleaseTrapPolicies(ctx_, g);
  }
  ctx_.connections = std::move(table);
  ++ctx_.connections_generation;
  for (const auto& g : gone) {
    conn_state_.erase(g);
    TouchConn(g);
  }
  // A replaced connection keeps its total (its name's traffic goes on); a
  // removed one's is dropped here or, for SAs deleted later, at the next load.
  std::erase_if(ctx_.retired_traffic, [this](const auto& kv) { return !FindConn(kv.first); });
  for (const auto& name : fresh) {
    auto c = FindConn(name);
    if (c->auto_action == AutoAction::kStart && c->remote.host.is_set()) {
      if (auto st = Initiate(name); !st) ctx_.Error(name, st.error().message);
    } else if (c->auto_action == AutoAction::kRoute && c->remote.host.is_set()) {
      if (auto st = InstallTrapPolicies(ctx_, *c); !st)
        ctx_.Error(name, "auto=route: " + st.error().message);
      else
        ctx_.Log(LogLevel::kInfo, name, "policies installed, waiting for traffic (auto=route)");
    }
  }
  return ipsec::Status::Ok();
}

ipsec::Status EngineImpl::StartIkeSa(const std::shared_ptr<const Connection>& conn) {
  if (config::IsIkev1(*conn)) {
    ++conn_state_[conn->name].tries_used;
    return v1_.Initiate(conn);
  }
  if (!conn->local.host.is_set())
    return MakeError("connection '" + conn->name + "' needs a local address (left=) to initiate");
  IkeSa* sa = NewSa(true);
  sa->conn = conn;
  sa->spi_i = NewSpi();
  sa->local = {conn->local.host, conn->local.ike_port};
  sa->remote = {conn->remote.host, conn->remote.ike_port};
  by_spi_[sa->spi_i] = sa;
  sa->riders.insert(conn->name);
  ++conn_state_[conn->name].tries_used;
  ctx_.Log(LogLevel::kInfo, conn->name, "initiating IKE SA to " + sa->remote.ToString());
  sa->tasks.Queue(MakeIkeSaInitTask(ctx_));
  sa->tasks.Queue(MakeNatdTask(ctx_));
  sa->tasks.Queue(MakeIkeAuthTask(ctx_));
  for (size_t i = 0; i < conn->subnet_pairs.size(); ++i)
    sa->tasks.Queue(MakeChildCreateTask(ctx_, i));
  if (pacer_.Request(sa->serial(), sa->remote.addr, ctx_.NowMs())) {
    sa->tasks.InitiateNext();
  } else {
    sa->waiting_to_initiate = true;
    ctx_.Log(LogLevel::kDebug, conn->name,
             "IKE_SA_INIT waits: " + std::to_string(pacer_.half_open()) +
                 " of our IKE SAs are half-open (ike-init-limit)");
  }
  Reap();
  return ipsec::Status::Ok();
}

ipsec::Status EngineImpl::Initiate(std::string_view name) {
  if (shut_down_) return MakeError("engine is shutting down");
  auto conn = FindConn(name);
  if (!conn) return MakeError("no connection named '" + std::string(name) + "'");
  if (!conn->remote.host.is_set())
    return MakeError("connection '" + conn->name +
                     "' has no remote address (right=%any): it can only respond");
  ConnState& st = conn_state_[conn->name];
  st.wanted = true;
  st.retry_at_ms = 0;
  TouchConn(conn->name);
  if (IkeSa* sa = FindSharedSa(*conn)) {
    Join(sa, conn);
    Reap();
    return ipsec::Status::Ok();
  }
  st.tries_used = 0;
  return StartIkeSa(conn);
}

IkeSa* EngineImpl::FindSharedSa(const Connection& conn) {
  IkeSa* connecting = nullptr;
  for (auto& [serial, sa] : sas_) {
    // One waiting for its Delete to go out (busy with another exchange) is
    // on its way out: a connection replaced by a reload must not join it.
    if (!sa->conn || sa->tasks.HasQueued(TaskType::kIkeDelete)) continue;
    if (sa->state == IkeSa::State::kEstablished && MayJoinIkeSa(conn, *sa)) return sa.get();
    if (sa->state == IkeSa::State::kConnecting && sa->initiator() && !connecting &&
        SharesIkeSa(*sa->conn, conn))
      connecting = sa.get();
  }
  return connecting;
}

void EngineImpl::Join(IkeSa* sa, const std::shared_ptr<const Connection>& conn) {
  const bool joining = sa->riders.insert(conn->name).second;
  if (joining && sa->conn_name() != conn->name)
    ctx_.Log(LogLevel::kInfo, conn->name,
             "joining the IKE SA of '" + sa->conn_name() + "' with " + sa->remote.ToString() +
                 " (" + std::to_string(sa->riders.size()) +
                 " connections share it): its children via CREATE_CHILD_SA");
  // A connecting SA already has its own connection's children queued.
  if (sa->state == IkeSa::State::kConnecting && sa->conn_name() == conn->name) return;
  // Bring up the pairs that have no child SA; a queued duplicate finds the
  // pair up when its turn comes and drops out.
  for (size_t i = 0; i < conn->subnet_pairs.size(); ++i)
    if (!sa->HasLiveChildFor(conn->name, i)) sa->tasks.Queue(MakeChildCreateTask(ctx_, i, 0, conn));
  sa->tasks.InitiateNext();
}

void EngineImpl::RetryRefusedRekeys(IkeSa& sa, int64_t now) {
  auto& retries = sa.rekey_retries;
  while (!retries.empty() && retries.begin()->first <= now) {
    const uint32_t spi = retries.begin()->second;
    retries.erase(retries.begin());
    ChildSa* c = sa.FindChildByInbound(spi);
    // Gone (deleted, its hard lifetime) or rekeyed by the peer since: done.
    if (!c || c->state != ChildSa::State::kInstalled || c->replaced) continue;
    c->rekey_queued = true;
    if (sa.HasNewerChildFor(*c)) {
      // The peer made another child for the pair meanwhile: that one
      // carries it, this one goes (as at the soft lifetime).
      ctx_.Log(LogLevel::kInfo, c->conn_name(),
               "child SA " + ChildText(*c) +
                   ": a newer child SA carries the same pair; deleting this one instead of "
                   "retrying its rekey");
      sa.tasks.Queue(MakeChildDeleteTask(ctx_, spi));
    } else {
      ctx_.Log(LogLevel::kInfo, c->conn_name(), "retrying the rekey of child SA " + ChildText(*c));
      sa.tasks.Queue(MakeChildCreateTask(ctx_, c->pair_index, spi, c->conn));
    }
  }
  sa.tasks.InitiateNext();
}

void EngineImpl::RetryRefusedChildren(int64_t now) {
  for (const auto& [name, pair] : DueChildRetries(ctx_, now)) {
    auto conn = FindConn(name);
    auto cs = conn_state_.find(name);
    IkeSa* sa = conn ? FindSharedSa(*conn) : nullptr;
    // Down, gone, or its IKE SA too: the connection's revival takes over.
    if (shut_down_ || !conn || pair >= conn->subnet_pairs.size() || cs == conn_state_.end() ||
        !cs->second.wanted || !sa || sa->state != IkeSa::State::kEstablished ||
        sa->HasLiveChildFor(name, pair)) {
      ChildRetryDone(ctx_, name, pair);
      continue;
    }
    sa->riders.insert(name);
    sa->tasks.Queue(MakeChildCreateTask(ctx_, pair, 0, conn));
    sa->tasks.InitiateNext();
  }
}

ipsec::Status EngineImpl::Terminate(std::string_view name) {
  auto it = conn_state_.find(std::string(name));
  if (it != conn_state_.end()) {
    it->second.wanted = false;
    it->second.retry_at_ms = 0;
    TouchConn(it->first);
  }
  ForgetChildRetries(ctx_, std::string(name));
  bool found = FindConn(name) != nullptr;
  found |= v1_.Terminate(name);
  for (auto& [serial, sa] : sas_) {
    if (sa->conn_name() != name && !sa->riders.count(std::string(name))) continue;
    found = true;
    // Other connections still ride this IKE SA: only this one's children go.
    sa->riders.erase(std::string(name));
    if (!sa->riders.empty() && sa->state == IkeSa::State::kEstablished) {
      // Its own connection leaves (ipsecctl delete, reload): the IKE SA
      // lives on under one that stays, whose IKE settings are the same.
      if (sa->conn_name() == name)
        if (auto heir = FindConn(*sa->riders.begin())) sa->conn = heir;
      for (const auto& c : sa->children)
        if (c->conn_name() == name && c->state == ChildSa::State::kInstalled)
          sa->tasks.Queue(MakeChildDeleteTask(ctx_, c->inbound_spi));
      sa->tasks.InitiateNext();
      continue;
    }
    if (!sa->riders.empty() && sa->state == IkeSa::State::kConnecting) continue;
    if (sa->state == IkeSa::State::kEstablished) {
      sa->tasks.ClearQueue();
      sa->tasks.Queue(MakeIkeDeleteTask(ctx_));
      sa->tasks.InitiateNext();
    } else if (sa->state == IkeSa::State::kConnecting) {
      sa->Kill("terminated while connecting");
    }
  }
  Reap();
  ReleaseHeldPolicies(ctx_, name);
  if (!found) return MakeError("no connection named '" + std::string(name) + "'");
  return ipsec::Status::Ok();
}

void EngineImpl::OnDatagram(std::span<const uint8_t> datagram, const Endpoint& local,
                            const Endpoint& remote) {
  if (datagram.size() == 1 && datagram[0] == 0xff) return;  // NAT-T keepalive
  ++ctx_.counters.rx_messages;
  // The version dispatcher: ISAKMP 1.0 goes to IKEv1, the rest is IKEv2's
  // (whose header decoder refuses any other major version).
  if (v1::V1Engine::IsIkev1(datagram)) {
    v1_.OnDatagram(datagram, local, remote);
    return;
  }
  auto hdr = ike::DecodeHeader(datagram);
  if (!hdr) {
    ++ctx_.counters.dropped_malformed;
    ctx_.Log(LogLevel::kDebug, "",
             "dropping datagram from " + remote.ToString() + ": " + hdr.error().message);
    return;
  }
  IkeSa* sa = nullptr;
  const bool init_request = !hdr->response() && hdr->exchange == ike::ExchangeType::kIkeSaInit;
  if (init_request) {
    if (IkeSa* known = half_open_.Find(hdr->spi_i, remote)) {
      OnInitForExistingSa(*known, datagram, local, remote);
      return;
    }
  } else {
    const uint64_t ours = hdr->initiator() ? hdr->spi_r : hdr->spi_i;
    if (auto it = by_spi_.find(ours); it != by_spi_.end()) sa = it->second;
    if (sa) {
      const uint64_t peer = hdr->initiator() ? hdr->spi_i : hdr->spi_r;
      const uint64_t expect = sa->initiator() ? sa->spi_r : sa->spi_i;
      // Roles must fit, and the peer's SPI too (unknown only before the
      // IKE_SA_INIT response).
      if (hdr->initiator() == sa->initiator() || (expect != 0 && peer != expect)) sa = nullptr;
    }
    if (!sa) {
      ++ctx_.counters.dropped_unknown_spi;
      ctx_.Log(LogLevel::kDebug, "",
               "dropping " + ike::ExchangeName(hdr->exchange) + " from " + remote.ToString() +
                   ": no IKE SA for its SPIs");
      return;
    }
  }

  std::optional<ike::DecodeResult<ike::Message>> decoded;
  if (sa && hdr->next_payload == static_cast<uint8_t>(ike::PayloadType::kEncryptedFragment)) {
    decoded = ReceiveFragment(ctx_, *sa, datagram, remote);
    if (!decoded) return;
  } else {
    decoded.emplace(ike::Decode(datagram, sa ? sa->inbound() : nullptr));
  }
  auto& msg = *decoded;
  if (!msg) {
    const auto& e = msg.error();
    if (e.kind == ike::DecodeErrorKind::kIntegrityFailed)
      ++ctx_.counters.dropped_unauthenticated;
    else if (e.kind == ike::DecodeErrorKind::kNeedKeys)
      ++ctx_.counters.dropped_unexpected;
    else
      ++ctx_.counters.dropped_malformed;
    ctx_.Log(LogLevel::kDebug, sa ? sa->conn_name() : "",
             "dropping message from " + remote.ToString() + ": " +
                 ike::DecodeErrorKindName(e.kind) + ": " + e.message);
    return;
  }
  ctx_.Log(LogLevel::kDebug, sa ? sa->conn_name() : "",
           "received " + ike::Summarize(*msg) + " from " + remote.ToString());

  if (!sa) {
    if (shut_down_) return;
    // A new IKE_SA_INIT: the connection is chosen by addresses now and by
    // IDs in IKE_AUTH.
    std::shared_ptr<const Connection> conn;
    for (const auto& c : ctx_.connections)
      if (c->auto_action != AutoAction::kIgnore && !config::IsIkev1(*c) &&
          AddressMatches(c->local.host, local.addr) &&
          AddressMatches(c->remote.host, remote.addr)) {
        conn = c;
        break;
      }
    if (!conn) {
      ++ctx_.counters.dropped_unexpected;
      ctx_.Log(LogLevel::kWarning, "",
               "no connection for IKE_SA_INIT from " + remote.ToString() + " to " +
                   local.ToString() + ", ignored");
      return;
    }
    if (!AdmitNewSa(*msg, local, remote)) return;
    sa = NewSa(false);
    sa->conn = conn;
    sa->spi_i = hdr->spi_i;
    sa->spi_r = NewSpi();
    sa->local = local;
    sa->remote = remote;
    by_spi_[sa->spi_r] = sa;
    half_open_.Add(sa, ctx_.NowMs());
  }
  sa->tasks.OnMessage(*msg, datagram, local, remote);
  if (sa->state == IkeSa::State::kEstablished) {
    half_open_.Settle(sa);
    if (sa->last_inbound_ms == 0) sa->last_inbound_ms = ctx_.NowMs();
  }
  if (sa->established_ms != 0) by_identity_.Add(sa);  // its IDs are final from here on
  if (sa->peer_initial_contact) DropStaleSas(*sa);
  Reap();
}

// IKE_SA_INIT naming an SA that already has one (RFC 7296 2.1): only an
// exact copy of the request that created it is a retransmission, answered
// from the cache within the resend limit. Anything else — a forged request
// with the SPIi of a live SA — is dropped: it must never reach the SA.
void EngineImpl::OnInitForExistingSa(IkeSa& sa, std::span<const uint8_t> datagram,
                                     const Endpoint& local, const Endpoint& remote) {
  const bool copy =
      !sa.init_response.empty() &&
      std::equal(datagram.begin(), datagram.end(), sa.init_request.begin(), sa.init_request.end());
  if (!copy) {
    ++ctx_.counters.dropped_init_for_existing_sa;
    ctx_.Log(LogLevel::kDebug, sa.conn_name(),
             "dropping IKE_SA_INIT from " + remote.ToString() +
                 ": its SPIi belongs to an IKE SA past IKE_SA_INIT and it is no retransmission");
    return;
  }
  ++ctx_.counters.duplicate_requests;
  if (!MayResend(sa.resend_budget, ctx_.resend_budget, ctx_.NowMs())) {
    ++ctx_.counters.resends_limited;
    return;
  }
  ctx_.sender.Send(sa.init_response, local, remote);
  ++ctx_.counters.tx_messages;
}

// Limits on half-open SAs and the cookie challenge (half_open.h, cookie.h):
// whether IKE_SA_INIT from remote may create state. Sends N(COOKIE) itself.
bool EngineImpl::AdmitNewSa(const ike::Message& init, const Endpoint& local,
                            const Endpoint& remote) {
  const auto admission = half_open_.Admit(remote.addr);
  if (admission == HalfOpenTable::Admission::kRefuseGlobal ||
      admission == HalfOpenTable::Admission::kRefuseSource) {
    ++ctx_.counters.dropped_half_open_limit;
    ctx_.Log(
        LogLevel::kDebug, "",
        "dropping IKE_SA_INIT from " + remote.ToString() + ": too many half-open IKE SAs" +
            (admission == HalfOpenTable::Admission::kRefuseSource ? " from this address" : ""));
    return false;
  }
  if (admission == HalfOpenTable::Admission::kAdmit) return true;
  const auto* nonce = init.Find<ike::NoncePayload>(ike::PayloadType::kNonce);
  if (!nonce) return true;  // the IKE_SA_INIT task answers INVALID_SYNTAX, keeping nothing
  const int64_t now = ctx_.NowMs();
  // 2.6: the COOKIE notify comes first in the request.
  const auto* first = init.payloads.empty()
                          ? nullptr
                          : std::get_if<ike::NotifyPayload>(&init.payloads.front().body);
  if (first && first->type == static_cast<uint16_t>(ike::NotifyType::kCookie) &&
      cookies_.Verify(first->data, nonce->nonce, remote.addr, init.header.spi_i, now))
    return true;
  auto cookie = cookies_.Make(nonce->nonce, remote.addr, init.header.spi_i, now);
  if (!cookie) return false;
  ctx_.Log(LogLevel::kDebug, "",
           "asking " + remote.ToString() + " for a COOKIE (" +
               std::to_string(half_open_.half_open()) + " IKE SAs half-open)");
  ike::Message resp;
  resp.header = init.header;
  resp.header.flags = ike::kFlagResponse;
  resp.header.spi_r = 0;
  ike::NotifyPayload n;
  n.type = static_cast<uint16_t>(ike::NotifyType::kCookie);
  n.data = std::move(*cookie);
  resp.Add(ike::PayloadType::kNotify, std::move(n));
  if (auto bytes = ike::Encode(resp)) {
    ctx_.sender.Send(*bytes, local, remote);
    ++ctx_.counters.tx_messages;
    ++ctx_.counters.cookies_sent;
  }
  return false;
}

void EngineImpl::DestroySa(IkeSa* sa) {
  for (auto& c : sa->children) RemoveChild(ctx_, *c);
  if (!sa->children.empty()) ctx_.events.OnStateChange(sa->conn_name());
  sa->children.clear();
  by_spi_.erase(sa->our_spi());
  half_open_.Remove(sa);
  // The one it leaves alone has no duplicate any more.
  if (IkeSa* alone = by_identity_.Remove(sa)) {
    alone->duplicate_since_ms = 0;
    ctx_.TouchSa(alone->serial());
  }
}

void EngineImpl::Reap() {
  // IKE SAs born from a rekey.
  for (auto& born : ctx_.adopted) {
    IkeSa* sa = born.get();
    if (by_spi_.count(sa->our_spi())) {  // 2^-64: refuse rather than mix SAs up
      ctx_.Error(sa->conn_name(), "rekeyed IKE SA has an SPI in use; dropping it");
      sa->Kill("SPI collision");
    } else {
      by_spi_[sa->our_spi()] = sa;
      by_identity_.Add(sa);
    }
    ctx_.TouchSa(sa->serial());
    if (!sa->duplicates_gone.empty()) with_duplicates_gone_.insert(sa->serial());
    sas_[sa->serial()] = std::move(born);
  }
  ctx_.adopted.clear();
  // The SAs killed since the last time (IkeSa::Kill), in serial order.
  std::vector<uint64_t> dead;
  dead.swap(ctx_.killed_sas);
  std::sort(dead.begin(), dead.end());
  dead.erase(std::unique(dead.begin(), dead.end()), dead.end());
  for (uint64_t serial : dead) {
    auto it = sas_.find(serial);
    if (it == sas_.end() || it->second->state != IkeSa::State::kDead) continue;
    IkeSa* sa = it->second.get();
    pacer_.Finish(serial);
    ctx_.Log(LogLevel::kDebug, sa->conn_name(), "IKE SA destroyed: " + sa->death_reason);
    HoldPolicies(*sa);
    if (IkeSa* keeper = KeptFor(*sa)) {
      sa->deleting_as_duplicate->gone_ms = ctx_.NowMs();
      keeper->duplicates_gone.push_back(*sa->deleting_as_duplicate);
      with_duplicates_gone_.insert(keeper->serial());
    }
    DestroySa(sa);
    std::set<std::string> riders = sa->riders;
    riders.insert(sa->conn_name());
    for (const auto& name : riders) RiderLost(name, *sa);
    sa_timers_.Cancel(serial);
    with_duplicates_gone_.erase(serial);
    sas_.erase(serial);
  }
  ResolveDuplicates();
  follow_up_at_ms_ = FollowUpDuplicates();
  PaceInitiations();
}

void EngineImpl::PaceInitiations() {
  const int64_t now = ctx_.NowMs();
  for (auto [serial, since] : pacer_.HalfOpen()) {
    auto it = sas_.find(serial);
    // Not answered (no responder SPI yet) for a while: the peer is down or
    // dropped it, and holds no state for it. Its retransmissions (whose
    // timer brings us here) go on outside the limit.
    if (it == sas_.end() || it->second->state != IkeSa::State::kConnecting ||
        (it->second->spi_r == 0 && now - since >= kUnansweredInitMs))
      pacer_.Finish(serial);
  }
  // A released SA that dies at once (nothing to send) frees its slot again.
  for (auto go = pacer_.Release(now); !go.empty(); go = pacer_.Release(now)) {
    for (uint64_t serial : go) {
      auto it = sas_.find(serial);
      if (it == sas_.end()) {
        pacer_.Finish(serial);
        continue;
      }
      IkeSa* sa = it->second.get();
      sa->waiting_to_initiate = false;
      sa->tasks.InitiateNext();
      if (sa->state != IkeSa::State::kConnecting) pacer_.Finish(serial);
    }
  }
}

// What its own connection would do when its IKE SA goes, every connection
// that shared it does: join another IKE SA with the peer if there is one
// (the peer replaced it, or a simultaneous start left two), else retry as
// keyingtries says, restart after DPD with dpdaction=restart, and come back
// after the peer deleted it.
void EngineImpl::RiderLost(const std::string& name, const IkeSa& sa) {
  auto conn = FindConn(name);
  auto cs = conn_state_.find(name);
  if (!conn || cs == conn_state_.end() || !cs->second.wanted || shut_down_) return;
  ConnState& st = cs->second;
  // A duplicate we deleted: its kept SA takes the connection over a little
  // later (FollowUpDuplicates).
  if (KeptFor(sa)) return;
  if (IkeSa* other = FindSharedSa(*conn)) {
    Join(other, conn);
    return;
  }
  // StartIkeSa counted the try for the connection that started the SA.
  if (sa.established_ms == 0 && sa.initiator() && name != sa.conn_name()) ++st.tries_used;
  PlanRevival(ctx_, *conn, sa, OtherSaAlive(name, sa), st);
  TouchConn(name);
}

// dpdaction=hold: the policies of a dead peer's children stay (child_install.h).
void EngineImpl::HoldPolicies(const IkeSa& sa) {
  if (sa.death_reason != "retransmits exhausted" || shut_down_) return;
  for (const auto& c : sa.children) {
    const auto& conn = c->conn ? c->conn : sa.conn;
    auto cs = conn_state_.find(conn->name);
    if (conn->dpd_action == DpdAction::kHold && cs != conn_state_.end() && cs->second.wanted)
      HoldPolicy(ctx_, *c, conn->name);
  }
}

// Both ends started the same connection at once (auto=start on both sides
// is the common case): two IKE SAs, each with its own children, both valid.
// Keep one. Both ends must pick the same one without talking, so the choice
// is by the SA's SPI pair, which both know alike; the initiator of each
// extra SA deletes it, so between two ipsecd exactly one Delete is sent for
// it. A peer that keeps both (libreswan, strongSwan) gets our Delete after
// kDuplicateGraceMs instead. An IKE SA just replaced by a rekey has given
// its children away and never counts.
void EngineImpl::ResolveDuplicates() {
  // Only SAs sharing their identities with another can be duplicates.
  const std::vector<IkeSa*> crowd = by_identity_.Crowded();
  const auto dups = FindDuplicateSas(crowd);
  std::unordered_set<const IkeSa*> extras;
  for (const auto& d : dups) extras.insert(d.extra);
  for (IkeSa* sa : crowd) {
    ctx_.TouchSa(sa->serial());  // its duplicate_since_ms may change here
    if (!extras.count(sa)) sa->duplicate_since_ms = 0;
  }
  const int64_t now = ctx_.NowMs();
  duplicate_quiet_at_ms_ = 0;
  for (auto [sa, keeper] : dups) {
    if (now < keeper->last_inbound_ms + kDuplicateQuietMs) {
      const int64_t at = keeper->last_inbound_ms + kDuplicateQuietMs;
      if (duplicate_quiet_at_ms_ == 0 || at < duplicate_quiet_at_ms_) duplicate_quiet_at_ms_ = at;
      continue;
    }
    // The peer initiated this one: it deletes it if it resolves duplicates
    // as we do (ours does, at once). libreswan and strongSwan keep both
    // (each child pair then twice), so after a grace we delete it ourselves
    // when the keeper is ours (the two crossed). Two the peer made are its
    // business: it may keep them apart on purpose (other IKE settings).
    if (!sa->initiator()) {
      if (!keeper->initiator()) continue;
      if (sa->duplicate_since_ms == 0) sa->duplicate_since_ms = now;
      if (now < sa->duplicate_since_ms + kDuplicateGraceMs) continue;
    }
    ctx_.Log(LogLevel::kInfo, sa->conn_name(),
             "duplicate IKE SA with " + sa->remote.ToString() +
                 (sa->initiator() ? " (both ends initiated)"
                                  : " (both ends initiated; the peer kept its own)") +
                 ": deleting this one, keeping the other");
    // The Delete goes first, alone: nothing is created or rekeyed on the
    // keeper until this SA is gone and the peer has been quiet a moment
    // (FollowUpDuplicates). When our rekey of a kept child went out with
    // the Delete, pluto 4.10 answered it late with TS_UNACCEPTABLE while
    // reviving the pair itself (it does so at once on our Delete), and the
    // two ends never converged (VM 547).
    IkeSa::DuplicateGone d;
    d.kept_serial = keeper->serial();
    d.deleting_ms = now;
    d.riders = sa->riders;
    d.riders.insert(sa->conn_name());
    for (const auto& gone : sa->children)
      if (gone->state == ChildSa::State::kInstalled &&
          keeper->HasLiveChildFor(gone->conn_name(), gone->pair_index))
        d.shared_pairs.emplace_back(gone->conn_name(), gone->pair_index);
    sa->deleting_as_duplicate = std::move(d);
    sa->tasks.Queue(MakeIkeDeleteTask(ctx_));
    sa->tasks.InitiateNext();
  }
}

// A pair both IKE SAs carried: the peer may have routed it to the child
// that died with the extra SA if that one was its newest. libreswan 4.10
// does: it then puts the pair's policy back to its trap (reqid 0) and leaves
// it there, although the keeper's older child lives on, and never rekeys
// that "stale" child either, so the pair carries nothing until it expires
// (VM 547). A rekey of the keeper's child makes the new one the peer's
// newest, whichever it had; a pair that got a new child on the keeper since
// the Delete (the peer revived it there) needs none.
IkeSa* EngineImpl::KeptFor(const IkeSa& duplicate) {
  if (!duplicate.deleting_as_duplicate || shut_down_) return nullptr;
  auto it = sas_.find(duplicate.deleting_as_duplicate->kept_serial);
  if (it == sas_.end() || it->second->state != IkeSa::State::kEstablished) return nullptr;
  return it->second.get();
}

// The peer may revive on the kept SA what died with the duplicate (pluto
// does, at once, one CREATE_CHILD_SA after the other): ours crossing its
// requests were refused or dropped. So we wait until it has been quiet for
// kDuplicateQuietMs, then create what is still missing (Join) and refresh
// the shared pairs it did not revive.
int64_t EngineImpl::FollowUpDuplicates() {
  const int64_t now = ctx_.NowMs();
  int64_t next = 0;
  for (auto at = with_duplicates_gone_.begin(); at != with_duplicates_gone_.end();) {
    auto found = sas_.find(*at);
    if (found == sas_.end() || found->second->duplicates_gone.empty()) {
      at = with_duplicates_gone_.erase(at);
      continue;
    }
    ++at;
    auto& sa = found->second;
    if (sa->state != IkeSa::State::kEstablished) continue;
    int64_t due = sa->last_inbound_ms + kDuplicateQuietMs;
    for (const auto& d : sa->duplicates_gone) due = std::max(due, d.gone_ms + kDuplicateQuietMs);
    if (now < due) {
      if (next == 0 || due < next) next = due;
      continue;
    }
    const auto gone = std::move(sa->duplicates_gone);
    sa->duplicates_gone.clear();
    for (const auto& d : gone) {
      for (const auto& name : d.riders) {
        auto cs = conn_state_.find(name);
        auto conn = FindConn(name);
        if (conn && cs != conn_state_.end() && cs->second.wanted) Join(sa.get(), conn);
      }
      RefreshSharedPairs(d, *sa);
    }
  }
  return next;
}

void EngineImpl::RefreshSharedPairs(const IkeSa::DuplicateGone& gone, IkeSa& keeper) {
  for (const auto& [name, pair] : gone.shared_pairs) {
    ChildSa* newest = nullptr;
    for (auto& c : keeper.children)
      if (c->state == ChildSa::State::kInstalled && c->pair_index == pair &&
          c->conn_name() == name && (!newest || c->established_ms >= newest->established_ms))
        newest = c.get();
    if (!newest || newest->established_ms > gone.deleting_ms || newest->rekey_queued ||
        newest->replaced)
      continue;
    newest->rekey_queued = true;
    ctx_.Log(LogLevel::kInfo, name,
             "the deleted duplicate IKE SA carried this pair too: rekeying its child SA on the "
             "IKE SA that stays, so that the peer routes the pair to a child that lives on");
    keeper.tasks.Queue(MakeChildCreateTask(ctx_, pair, newest->inbound_spi, newest->conn));
  }
  keeper.tasks.InitiateNext();
}

void EngineImpl::OnTimer() {
  const int64_t now = ctx_.NowMs();
  RefreshTimers();
  ReapRetiredInbound(ctx_, now);
  for (IkeSa* sa : half_open_.Expired(now)) {
    ++ctx_.counters.half_open_expired;
    sa->Kill("half-open for " + std::to_string(half_open_.limits().lifetime_ms / 1000) + " s");
  }
  // Only the IKE SAs with a timer due, earliest first.
  for (uint64_t serial : sa_timers_.Due(now)) {
    auto found = sas_.find(serial);
    if (found == sas_.end()) continue;
    IkeSa* sa = found->second.get();
    ctx_.TouchSa(serial);  // what fires below moves its deadline
    sa->tasks.OnTimer(now);
    if (sa->state != IkeSa::State::kEstablished) continue;
    RetryRefusedRekeys(*sa, now);
    const Connection& c = *sa->conn;
    if (c.dpd_delay.count() > 0 && sa->tasks.Idle() &&
        now >= sa->last_inbound_ms + c.dpd_delay.count() * 1000) {
      sa->tasks.Queue(MakeDpdTask(ctx_));
      sa->tasks.InitiateNext();
    }
    if (now >= RekeyDueMs(*sa) && sa->tasks.Idle()) {
      sa->next_rekey_ms = kNever;  // the task sets a retry time if refused
      sa->tasks.Queue(MakeIkeRekeyTask(ctx_));
      sa->tasks.InitiateNext();
    }
    if (sa->nat_local && now >= sa->next_keepalive_ms) {
      if (sa->next_keepalive_ms != 0) {
        static const uint8_t kKeepalive[1] = {0xff};
        ctx_.sender.Send(kKeepalive, sa->local, sa->remote);
      }
      sa->next_keepalive_ms = now + kKeepaliveIntervalMs;
    }
  }
  RetryRefusedChildren(now);
  for (const std::string& name : conn_retries_.Due(now)) {
    auto cs = conn_state_.find(name);
    TouchConn(name);
    if (cs == conn_state_.end()) continue;
    ConnState& st = cs->second;
    if (st.retry_at_ms == 0 || now < st.retry_at_ms || !st.wanted || shut_down_) continue;
    st.retry_at_ms = 0;
    if (auto c = FindConn(name)) {
      if (IkeSa* sa = FindSharedSa(*c))
        Join(sa, c);
      else if (auto s = StartIkeSa(c); !s)
        ctx_.Error(name, s.error().message);
    }
  }
  v1_.OnTimer();
  Reap();
}

namespace {

std::optional<int64_t> Earliest(std::optional<int64_t> a, std::optional<int64_t> b) {
  if (!a) return b;
  if (!b) return a;
  return std::min(*a, *b);
}

}  // namespace

std::optional<int64_t> EngineImpl::SaDueMs(const IkeSa& sa) const {
  std::optional<int64_t> next = sa.tasks.NextTimerMs();
  if (sa.state != IkeSa::State::kEstablished) return next;
  if (sa.conn->dpd_delay.count() > 0 && sa.tasks.Idle())
    next = Earliest(next, sa.last_inbound_ms + sa.conn->dpd_delay.count() * 1000);
  if (sa.nat_local) next = Earliest(next, sa.next_keepalive_ms);
  if (int64_t due = RekeyDueMs(sa); due != kNever && sa.tasks.Idle()) next = Earliest(next, due);
  if (sa.duplicate_since_ms != 0) next = Earliest(next, sa.duplicate_since_ms + kDuplicateGraceMs);
  if (!sa.rekey_retries.empty()) next = Earliest(next, sa.rekey_retries.begin()->first);
  return next;
}

std::optional<int64_t> EngineImpl::EngineDueMs() const {
  std::optional<int64_t> next = Earliest(NextRetiredInboundMs(ctx_), v1_.NextDueMs());
  next = Earliest(next, half_open_.NextExpiryMs());
  if (duplicate_quiet_at_ms_ != 0) next = Earliest(next, duplicate_quiet_at_ms_);
  if (follow_up_at_ms_ != 0) next = Earliest(next, follow_up_at_ms_);
  return Earliest(next, NextChildRetryMs(ctx_));
}

void EngineImpl::RefreshTimers() {
  for (uint64_t serial : ctx_.touched_sas) {
    auto it = sas_.find(serial);
    // Not one of ours (yet): an SA born in a rekey is touched again when
    // adopted; an IKEv1 SA has its own timers.
    if (it == sas_.end())
      sa_timers_.Cancel(serial);
    else
      sa_timers_.Set(serial, SaDueMs(*it->second));
  }
  ctx_.touched_sas.clear();
  for (const std::string& name : touched_conns_) {
    auto it = conn_state_.find(name);
    conn_retries_.Set(name, it == conn_state_.end() ? std::nullopt : ConnDueMs(it->second));
  }
  touched_conns_.clear();
}

std::optional<Millis> EngineImpl::NextTimeout() {
  RefreshTimers();
  return Remaining(Earliest(Earliest(EngineDueMs(), sa_timers_.Next()), conn_retries_.Next()));
}

std::optional<Millis> EngineImpl::NextTimeoutByScan() const {
  std::optional<int64_t> next = EngineDueMs();
  for (const auto& [serial, sa] : sas_) next = Earliest(next, SaDueMs(*sa));
  for (const auto& [name, st] : conn_state_) next = Earliest(next, ConnDueMs(st));
  return Remaining(next);
}

void EngineImpl::OnKernelAcquire(const kernel::AcquireEvent& ev) {
  for (const auto& c : ctx_.connections) {
    // auto=route, and a connection held after its peer died (dpdaction=hold).
    auto cs = conn_state_.find(c->name);
    if (c->auto_action != AutoAction::kRoute && (cs == conn_state_.end() || !cs->second.wanted))
      continue;
    bool covers = false;
    for (size_t i = 0; i < c->subnet_pairs.size(); ++i) {
      const auto& l = c->subnet_pairs[i].local;
      const auto& r = c->subnet_pairs[i].remote;
      if (ev.reqid) {
        auto it = ctx_.reqids.find({c->name, i, ""});
        if (it != ctx_.reqids.end() && it->second == *ev.reqid) covers = true;
      }
      if (l.Contains(ev.packet.src) && r.Contains(ev.packet.dst)) covers = true;
    }
    if (covers) {
      // Every dropped packet may bring one (rate-limited per device): only
      // the one that starts the connection is worth an info line.
      bool busy = false;
      for (const auto& [serial, sa] : sas_)
        busy |= (sa->conn_name() == c->name || sa->riders.count(c->name)) &&
                sa->state == IkeSa::State::kConnecting;
      ctx_.Log(
          busy ? LogLevel::kDebug : LogLevel::kInfo, c->name,
          "kernel acquire for " + ev.packet.src.ToString() + " -> " + ev.packet.dst.ToString());
      if (auto st = Initiate(c->name); !st) ctx_.Error(c->name, st.error().message);
      return;
    }
  }
}

void EngineImpl::OnKernelExpire(const kernel::ExpireEvent& ev) {
  if (v1_.OnKernelExpire(ev)) return;
  for (auto& [serial, sa] : sas_) {
    for (auto& c : sa->children) {
      const bool match =
          ev.dir == kernel::Direction::kIn ? c->inbound_spi == ev.spi : c->outbound_spi == ev.spi;
      if (!match || c->state != ChildSa::State::kInstalled) continue;
      if (sa->state != IkeSa::State::kEstablished) return;
      if (ev.hard) {
        ctx_.Log(LogLevel::kInfo, c->conn_name(), "child SA reached its hard lifetime");
        // A refused rekey's retries end with the child (child_retry.h).
        std::erase_if(sa->rekey_retries, [&](const auto& r) { return r.second == c->inbound_spi; });
        ctx_.TouchSa(serial);
        sa->tasks.Queue(MakeChildDeleteTask(ctx_, c->inbound_spi));
        // Not rekeyed (rekey=no, or the rekey failed): a wanted connection
        // gets a new child for the pair once the old one is gone. The
        // child's own connection: on a shared IKE SA it may ride another's.
        auto cs = conn_state_.find(c->conn_name());
        if (!c->replaced && cs != conn_state_.end() && cs->second.wanted)
          sa->tasks.Queue(MakeChildCreateTask(ctx_, c->pair_index, 0, c->conn));
      } else if (!c->rekey_queued && !c->replaced) {
        // Inbound and outbound SA both reach it: one rekey per child.
        c->rekey_queued = true;
        if (sa->HasNewerChildFor(*c)) {
          // Both ends created a child for this pair (a simultaneous start,
          // a peer reviving what it had on another IKE SA). The newest
          // carries our traffic; this one is redundant. libreswan does the
          // same ("not rekey stale Child SA"), so rekeying it would keep two
          // pairs alive for ever.
          ctx_.Log(LogLevel::kInfo, sa->conn_name(),
                   "child SA soft lifetime: a newer child SA carries the same pair; deleting "
                   "this one instead of rekeying it");
          sa->tasks.Queue(MakeChildDeleteTask(ctx_, c->inbound_spi));
        } else {
          ctx_.Log(LogLevel::kInfo, sa->conn_name(), "child SA soft lifetime: rekeying");
          sa->tasks.Queue(MakeChildCreateTask(ctx_, c->pair_index, c->inbound_spi));
        }
      }
      sa->tasks.InitiateNext();
      Reap();
      return;
    }
  }
}

void EngineImpl::OnKernelMapping(const kernel::MappingEvent& ev) {
  if (v1_.OnKernelMapping(ev)) return;
  for (auto& [serial, sa] : sas_) {
    if (sa->state != IkeSa::State::kEstablished) continue;
    for (auto& c : sa->children) {
      if (c->inbound_spi != ev.spi || c->state != ChildSa::State::kInstalled) continue;
      OnEspMapping(ctx_, *sa, Endpoint{ev.new_addr, ev.new_port});
      return;
    }
  }
}

StatusSnapshot EngineImpl::Snapshot() const {
  StatusSnapshot s;
  s.counters = ctx_.counters;
  for (const auto& c : ctx_.connections) {
    ConnectionStatus cs;
    cs.name = c->name;
    cs.auto_action = c->auto_action;
    cs.local = EndText(c->local);
    cs.remote = EndText(c->remote);
    if (auto it = conn_state_.find(c->name); it != conn_state_.end())
      cs.keyingtries_used = it->second.tries_used;
    if (auto it = ctx_.last_error.find(c->name); it != ctx_.last_error.end())
      cs.last_error = it->second;
    if (auto it = ctx_.retired_traffic.find(c->name); it != ctx_.retired_traffic.end())
      cs.retired = it->second;
    for (const auto& [key, r] : ctx_.retired_inbound)
      if (r.conn == c->name) cs.lingering_inbound.push_back(key);
    s.connections.push_back(std::move(cs));
  }
  for (const auto& [serial, sa] : sas_) s.ike_sas.push_back(StatusOf(*sa));
  v1_.AppendStatus(&s.ike_sas);
  return s;
}

void EngineImpl::Shutdown() {
  shut_down_ = true;
  for (auto& [name, st] : conn_state_) {
    st.wanted = false;
    st.retry_at_ms = 0;
    TouchConn(name);
  }
  v1_.Shutdown();
  for (auto& [serial, sa] : sas_) {
    if (sa->state == IkeSa::State::kEstablished) sa->tasks.SendDeleteNow();
    sa->Kill("shutdown");
  }
  Reap();
  ReleaseHeldPolicies(ctx_, "");
  ReleaseTrapPolicies(ctx_, "");
  ReapRetiredInbound(ctx_, 0, true);
}

// ---------------------------------------------------------------------------

Engine::Engine(Clock& clock, RandomSource& random, DatagramSender& sender, kernel::Kernel& kernel,
               SecretProvider& secrets, EventSink& events)
    : impl_(std::make_unique<EngineImpl>(clock, random, sender, kernel, secrets, events)) {}
Engine::~Engine() = default;
ipsec::Status Engine::LoadConnections(std::vector<Connection> c) {
  return impl_->LoadConnections(std::move(c));
}
ipsec::Status Engine::Initiate(std::string_view conn) {
  return impl_->Initiate(conn);
}
ipsec::Status Engine::Terminate(std::string_view conn) {
  return impl_->Terminate(conn);
}
void Engine::OnDatagram(std::span<const uint8_t> d, const Endpoint& l, const Endpoint& r) {
  impl_->OnDatagram(d, l, r);
}
void Engine::OnTimer() {
  impl_->OnTimer();
}
std::optional<Millis> Engine::NextTimeout() const {
  return impl_->NextTimeout();
}

std::optional<Millis> Engine::NextTimeoutByScan() const {
  return impl_->NextTimeoutByScan();
}
void Engine::OnKernelAcquire(const kernel::AcquireEvent& ev) {
  impl_->OnKernelAcquire(ev);
}
void Engine::OnKernelExpire(const kernel::ExpireEvent& ev) {
  impl_->OnKernelExpire(ev);
}
void Engine::OnKernelMapping(const kernel::MappingEvent& ev) {
  impl_->OnKernelMapping(ev);
}
StatusSnapshot Engine::Status() const {
  return impl_->Snapshot();
}
void Engine::Shutdown() {
  impl_->Shutdown();
}
void Engine::SetInitLimits(std::optional<size_t> global, std::optional<size_t> per_peer) {
  impl_->SetInitLimits(global, per_peer);
}
void Engine::SetIkeWindow(std::optional<uint32_t> n) {
  impl_->SetIkeWindow(n);
}
void Engine::SetCookieThreshold(std::optional<size_t> n) {
  impl_->SetCookieThreshold(n);
}

}  // namespace ipsec::engine
