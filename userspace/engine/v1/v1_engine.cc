#include "engine/v1/v1_engine.h"

#include <algorithm>

#include "engine/child_install.h"
#include "engine/identity.h"
#include "engine/peer_address.h"
#include "engine/rekey_timing.h"
#include "engine/revival.h"
#include "engine/sa_status.h"
#include "engine/v1/v1_informational.h"
#include "engine/v1/v1_nat.h"
#include "engine/v1/v1_params.h"
#include "engine/v1/v1_quick.h"
#include "ike/v1/codec.h"
#include "ike/v1/phase1_proposal.h"

namespace ipsec::engine::v1 {

namespace exchange = ike::v1::exchange;

namespace {

std::string NotifyName(uint16_t type) {
  namespace notify = ike::v1::notify;
  switch (type) {
    case notify::kNoProposalChosen:
      return "NO-PROPOSAL-CHOSEN";
    case notify::kPayloadMalformed:
      return "PAYLOAD-MALFORMED";
    case notify::kInvalidKeyInformation:
      return "INVALID-KEY-INFORMATION";
    case notify::kInvalidIdInformation:
      return "INVALID-ID-INFORMATION";
    case notify::kInvalidHashInformation:
      return "INVALID-HASH-INFORMATION";
    case notify::kAuthenticationFailed:
      return "AUTHENTICATION-FAILED";
    default:
      return "notify " + std::to_string(type);
  }
}

}  // namespace

bool V1Engine::IsIkev1(std::span<const uint8_t> datagram) {
  return datagram.size() >= ike::v1::kHeaderSize && (datagram[17] >> 4) == 1;
}

V1Sa* V1Engine::Find(const ike::v1::Header& h, const Endpoint& local, const Endpoint& remote) {
  auto it = sas_.find(h.cookie_i);
  if (it == sas_.end()) return nullptr;
  V1Sa& sa = *it->second;
  if (sa.ike.state == IkeSa::State::kDead) return nullptr;
  // Another peer with the same initiator cookie, or the wrong responder
  // cookie: not this SA. Except a NAT-T SA's peer whose NAT mapping moved
  // (RFC 3947): both cookies on port 4500 find it, and only a message that
  // authenticates moves it (peer_address.h).
  const bool rebound = sa.p1 && (sa.ike.nat_local || sa.ike.nat_remote) &&
                       local.port == kNatTPort && h.cookie_r == sa.ike.spi_r;
  if (sa.ike.remote.addr != remote.addr && !rebound) return nullptr;
  // (A retransmitted message 1 still has no responder cookie.)
  if (sa.ike.spi_r != 0 && h.cookie_r != sa.ike.spi_r && h.cookie_r != 0) return nullptr;
  return &sa;
}

void V1Engine::OnDatagram(std::span<const uint8_t> datagram, const Endpoint& local,
                          const Endpoint& remote) {
  auto h = ike::v1::DecodeHeader(datagram);
  if (!h) {
    ++ctx_.counters.dropped_malformed;
    ctx_.Log(LogLevel::kDebug, "",
             "dropping IKEv1 datagram from " + remote.ToString() + ": " + h.error().message);
    return;
  }
  V1Sa* sa = Find(*h, local, remote);
  if (!sa) {
    if (h->cookie_r == 0)
      OnMessage1(datagram, *h, local, remote);
    else {
      ++ctx_.counters.dropped_unknown_spi;
      ctx_.Log(
          LogLevel::kDebug, "",
          "dropping IKEv1 message from " + remote.ToString() + ": no ISAKMP SA for its cookies");
    }
    Reap();
    return;
  }
  if (h->exchange == exchange::kIdentityProtection && h->message_id == 0) {
    OnMainMode(*sa, datagram, local, remote);
  } else if (!sa->p1 && h->exchange == exchange::kInformational && !h->encrypted()) {
    OnMainModeNotify(*sa, datagram);
  } else if (!sa->p1) {
    ++ctx_.counters.dropped_unexpected;
  } else if (h->exchange == exchange::kQuickMode) {
    OnQuickMode(ctx_, *sa, datagram, h->message_id, local, remote);
    AfterQuickMode(*sa);
  } else if (h->exchange == exchange::kInformational && h->encrypted()) {
    OnInformational(ctx_, *sa, datagram, h->message_id, local, remote);
  } else {
    ++ctx_.counters.dropped_unexpected;
    ctx_.Log(LogLevel::kDebug, sa->ike.conn_name(),
             "dropping IKEv1 exchange " + std::to_string(h->exchange) + " (not handled)");
  }
  Reap();
}

void V1Engine::OnMessage1(std::span<const uint8_t> datagram, const ike::v1::Header& h,
                          const Endpoint& local, const Endpoint& remote) {
  if (shut_down_) return;
  if (h.exchange == exchange::kAggressive) {
    ++ctx_.counters.dropped_unexpected;
    ctx_.Log(LogLevel::kWarning, "",
             "IKEv1 aggressive mode from " + remote.ToString() +
                 " refused: it sends a hash of the pre-shared key before authenticating anyone");
    return;
  }
  if (h.exchange != exchange::kIdentityProtection || h.message_id != 0 || h.encrypted()) {
    ++ctx_.counters.dropped_unknown_spi;
    return;
  }
  // The table is keyed by the initiator cookie, which travels in clear: a
  // message 1 reusing a live SA's from another address (a %any conn
  // matches it) must not take that SA's place (IKEv2's
  // dropped_init_for_existing_sa).
  if (sas_.count(h.cookie_i)) {
    ++ctx_.counters.dropped_init_for_existing_sa;
    ctx_.Log(LogLevel::kDebug, "",
             "dropping IKEv1 main mode message 1 from " + remote.ToString() +
                 ": its initiator cookie is a live ISAKMP SA's");
    return;
  }
  // Stateless checks first: a datagram that does not parse as message 1,
  // or names no configured IKEv1 connection, leaves nothing behind.
  auto m = ike::v1::Decode(datagram);
  if (!m || m->payloads.empty() || m->payloads.front().type != ike::v1::payload::kSa) {
    ++ctx_.counters.dropped_malformed;
    return;
  }
  std::shared_ptr<const Connection> conn;
  for (const auto& c : ctx_.connections)
    if (AnswersIkev1(*c) && c->auto_action != AutoAction::kIgnore &&
        AddressMatches(c->local.host, local.addr) && AddressMatches(c->remote.host, remote.addr)) {
      conn = c;
      break;
    }
  if (!conn) {
    ++ctx_.counters.dropped_unexpected;
    ctx_.Log(LogLevel::kWarning, "",
             "no IKEv1 connection for main mode from " + remote.ToString() + " to " +
                 local.ToString() + ", ignored");
    return;
  }
  size_t half_open = 0, from_peer = 0;
  for (const auto& [cookie, s] : sas_)
    if (!s->ike.initiator() && s->ike.state == IkeSa::State::kConnecting) {
      ++half_open;
      if (s->ike.remote.addr == remote.addr) ++from_peer;
    }
  if (half_open >= kMaxHalfOpen || from_peer >= kMaxHalfOpenPerPeer) {
    ++ctx_.counters.dropped_half_open_limit;
    return;
  }
  auto params = MainModeParamsFor(ctx_, *conn, local, remote);
  if (!params) {
    ctx_.Error(conn->name,
               "IKEv1 main mode from " + remote.ToString() + ": " + params.error().message);
    return;
  }
  auto sa = std::make_unique<V1Sa>(ctx_, ctx_.next_serial++, false);
  sa->mm_responder = std::make_unique<ike::v1::MainModeResponder>(std::move(*params), ctx_.random);
  auto reply = sa->mm_responder->Receive(datagram);
  if (!reply) {
    if (reply.error().message.find("no phase-1 proposal chosen") != std::string::npos) {
      ++ctx_.counters.proposal_mismatches;
      SendPlainNotify(ctx_, local, remote, h.cookie_i, ike::v1::notify::kNoProposalChosen);
    }
    ctx_.Error(conn->name, "IKEv1 " + reply.error().message);
    return;
  }
  sa->ike.conn = conn;
  sa->ike.spi_i = h.cookie_i;
  sa->ike.spi_r = sa->mm_responder->sa().cookie_r;
  sa->ike.local = local;
  sa->ike.remote = remote;
  sa->ike.created_ms = ctx_.NowMs();
  ctx_.Log(LogLevel::kInfo, conn->name, "IKEv1 main mode from " + remote.ToString());
  Send(ctx_, *sa, *reply);
  sas_[h.cookie_i] = std::move(sa);
}

void V1Engine::OnMainModeNotify(V1Sa& sa, std::span<const uint8_t> datagram) {
  auto m = ike::v1::Decode(datagram);
  if (!m || !sa.mm_initiator) {
    ++ctx_.counters.dropped_unexpected;
    return;
  }
  for (const auto& p : m->payloads) {
    const auto* n = std::get_if<ike::v1::NotifyPayload>(&p.body);
    // Error types are below 16384 (RFC 2408 3.14.1); status types say nothing here.
    if (!n || n->type == 0 || n->type >= 16384) continue;
    if (n->type == ike::v1::notify::kNoProposalChosen) ++ctx_.counters.proposal_mismatches;
    if (n->type == ike::v1::notify::kAuthenticationFailed ||
        n->type == ike::v1::notify::kInvalidHashInformation)
      ++ctx_.counters.auth_failures;
    const std::string why = sa.ike.remote.ToString() + " refused it: " + NotifyName(n->type);
    if (sa.ike.spi_r != 0) {
      // Past message 2 a clear notify is as good as anyone's (it carries the
      // cookies and nothing that authenticates it): noted, the exchange goes on.
      sa.refused = why;
      ctx_.Log(LogLevel::kWarning, sa.ike.conn_name(),
               "IKEv1 main mode: " + why + " (unauthenticated, ignored)");
      return;
    }
    ctx_.Error(sa.ike.conn_name(), "IKEv1 main mode: " + why);
    sa.ike.Kill("refused by the peer");
    return;
  }
}

void V1Engine::OnMainMode(V1Sa& sa, std::span<const uint8_t> datagram, const Endpoint& local,
                          const Endpoint& remote) {
  Result<ike::v1::Bytes> reply =
      sa.mm_initiator ? sa.mm_initiator->Receive(datagram) : sa.mm_responder->Receive(datagram);
  if (!reply) {
    ++ctx_.counters.dropped_unauthenticated;
    ctx_.Log(LogLevel::kDebug, sa.ike.conn_name(), "dropping: " + reply.error().message);
    // A message 5 or 6 that does not decrypt or verify may be anyone's (its
    // cookies travel in clear): it moves nothing and ends nothing. The
    // genuine one still completes the exchange; a peer whose key really
    // differs never does, and the attempt ends at its retransmits.
    if (reply.error().message.find("pre-shared keys differ") != std::string::npos) {
      ++ctx_.counters.auth_failures;
      if (sa.mm_initiator) {
        sa.refused = reply.error().message;
        ctx_.Log(LogLevel::kWarning, sa.ike.conn_name(),
                 "IKEv1 " + sa.refused + ": ignored, waiting for the genuine message");
      } else {
        ctx_.Error(sa.ike.conn_name(), "IKEv1 " + reply.error().message);
      }
    }
    return;
  }
  if (sa.mm_initiator && sa.ike.spi_r == 0) sa.ike.spi_r = sa.mm_initiator->sa().cookie_r;
  FloatPorts(sa, sa.mm_initiator ? sa.mm_initiator->sa() : sa.mm_responder->sa(), local, remote);
  if (!reply->empty()) {
    Send(ctx_, sa, *reply);
    if (sa.mm_initiator) sa.resend = {std::move(*reply), ctx_.NowMs() + kResendIntervalMs, 1};
  }
  const bool done =
      sa.mm_initiator ? sa.mm_initiator->established() : sa.mm_responder->established();
  if (done && !sa.p1) Established(sa);
}

void V1Engine::Established(V1Sa& sa) {
  sa.p1 = sa.mm_initiator ? sa.mm_initiator->sa() : sa.mm_responder->sa();
  sa.resend = {};
  sa.ike.state = IkeSa::State::kEstablished;
  sa.ike.established_ms = sa.ike.last_inbound_ms = ctx_.NowMs();
  sa.ike.local_id = IdPayloadOf(sa.ike.conn->local.id, sa.ike.local.addr);
  sa.ike.remote_id = FromV1Id(sa.p1->peer_id);
  ++ctx_.counters.ike_sas_established;
  ctx_.last_error.erase(sa.ike.conn_name());
  ctx_.Log(LogLevel::kInfo, sa.ike.conn_name(),
           "IKEv1 ISAKMP SA established between " + sa.ike.local.ToString() + " [" +
               ike::IdToString(sa.ike.local_id) + "] and " + sa.ike.remote.ToString() + " [" +
               ike::IdToString(sa.ike.remote_id) + "], " +
               ike::v1::DescribePhase1(sa.p1->transform));
  ScheduleLifetime(sa);
  if (sa.p1->peer_initial_contact) DropStaleSas(sa);
  TakeOverChildren(sa);
  ctx_.events.OnStateChange(sa.ike.conn_name());
  if (sa.ike.initiator()) StartChildren(sa);
}

void V1Engine::ScheduleLifetime(V1Sa& sa) {
  const Connection& c = *sa.ike.conn;
  // The lifetime main mode settled on: ours, or the initiator's if shorter.
  uint64_t life_s = c.ike_lifetime.count();
  const uint64_t negotiated = sa.p1->transform.life_seconds;
  if (negotiated && (life_s == 0 || negotiated < life_s)) life_s = negotiated;
  if (life_s) sa.expire_ms = sa.ike.established_ms + static_cast<int64_t>(life_s) * 1000;
  if (!sa.ike.initiator()) {
    // The peer rekeys what it initiated. If it has not by the lifetime, we
    // do when we can reach it; the SA is never deleted under its children
    // for the lifetime alone (a peer may well expect a longer one).
    if (c.remote.host.is_set() && !c.remote.host.IsAny() && c.rekey) {
      sa.rekey_due_ms = sa.expire_ms;
      sa.expire_ms = 0;
      return;
    }
    // We cannot start a main mode to a right=%any peer (nor want to with
    // rekey=no), and an SA the peer never replaces must not stay for ever:
    // it goes, with Deletes, at the longer of the two lifetimes (neither
    // side may expect it to live beyond that).
    const uint64_t longest = std::max<uint64_t>(c.ike_lifetime.count(), negotiated);
    sa.unrekeyable = true;
    sa.expire_ms = longest ? sa.ike.established_ms + static_cast<int64_t>(longest) * 1000 : 0;
    return;
  }
  // We rekey what we initiated, as IKEv2's timing says (rekey_timing.h),
  // on the lifetime main mode settled on.
  Connection timing = c;
  timing.ike_lifetime = config::Seconds(life_s);
  if (const int64_t delay = IkeRekeyDelayMs(timing, sa.ike.spi_i); delay >= 0)
    sa.rekey_due_ms = sa.ike.established_ms + delay;
}

void V1Engine::DropStaleSas(const V1Sa& fresh) {
  for (auto& [cookie, other] : sas_) {
    V1Sa& old = *other;
    if (&old == &fresh || !old.p1 || old.ike.state == IkeSa::State::kDead ||
        old.ike.remote.addr != fresh.ike.remote.addr || old.ike.remote_id != fresh.ike.remote_id ||
        old.ike.established_ms >= fresh.ike.created_ms)
      continue;
    ctx_.Log(LogLevel::kInfo, old.ike.conn_name(),
             "peer sent INITIAL-CONTACT: removing its old ISAKMP SA and its child SAs");
    old.ike.Kill("replaced: peer sent INITIAL-CONTACT");
  }
}

V1Sa* V1Engine::Sibling(const V1Sa& sa) {
  V1Sa* best = nullptr;
  for (auto& [cookie, other] : sas_) {
    V1Sa& o = *other;
    if (&o == &sa || !o.p1 || o.ike.state != IkeSa::State::kEstablished ||
        o.ike.conn_name() != sa.ike.conn_name() || o.ike.remote.addr != sa.ike.remote.addr ||
        o.ike.remote_id != sa.ike.remote_id)
      continue;
    if (!best || o.ike.established_ms >= best->ike.established_ms) best = &o;
  }
  return best;
}

void V1Engine::MoveChildren(V1Sa& from, V1Sa& to) {
  auto in_flight = [&](const ChildSa& c) {
    for (const auto& [mid, x] : from.quick)
      if (!x.initiator && x.inbound_spi == c.inbound_spi && UnsettledUntilMs(x)) return true;
    return false;
  };
  size_t n = 0;
  for (auto it = from.ike.children.begin(); it != from.ike.children.end();) {
    if (in_flight(**it)) {
      ++it;
      continue;
    }
    to.ike.children.push_back(std::move(*it));
    it = from.ike.children.erase(it);
    ++n;
  }
  if (n == 0) return;
  ctx_.Log(LogLevel::kInfo, to.ike.conn_name(),
           std::to_string(n) + " IKEv1 child SA(s) now under the ISAKMP SA with cookies " +
               std::to_string(to.ike.spi_i) + "/" + std::to_string(to.ike.spi_r));
}

void V1Engine::TakeOverChildren(V1Sa& fresh) {
  // In IKEv1 the IPsec SAs outlive the ISAKMP SA that made them: the
  // newest ISAKMP SA with the peer carries them (their deletes and rekeys).
  for (auto& [cookie, other] : sas_) {
    V1Sa& old = *other;
    if (&old == &fresh || !old.p1 || old.ike.state != IkeSa::State::kEstablished ||
        old.ike.conn_name() != fresh.ike.conn_name() ||
        old.ike.remote.addr != fresh.ike.remote.addr || old.ike.remote_id != fresh.ike.remote_id)
      continue;
    MoveChildren(old, fresh);
    if (fresh.replaces == cookie) {
      // Our rekey: the old ISAKMP SA goes (its children did not) once the
      // quick modes on it are over: the peer's QM3 or repeated QM2 for one
      // arrives on it (RetireIfQuiet).
      ctx_.Log(LogLevel::kInfo, fresh.ike.conn_name(), "IKEv1 ISAKMP SA rekeyed");
      // A child rekey of ours still unanswered on the old SA: run it again
      // on the new one, or the child would expire un-rekeyed.
      for (auto q = old.quick.begin(); q != old.quick.end();) {
        const QuickExchange& x = q->second;
        if (!x.initiator || x.finished_ms != 0 || x.replaces == 0) {
          ++q;
          continue;
        }
        if (auto st = StartQuickMode(ctx_, fresh, x.conn, x.pair_index, x.replaces); !st)
          ctx_.Error(x.conn->name, "IKEv1 rekey: " + st.error().message);
        q = old.quick.erase(q);
      }
      old.retire_ms = ctx_.NowMs() + kFinishedLingerMs;
      RetireIfQuiet(old);
    } else if (old.replaced_by == 0) {
      // The peer's new main mode (its rekey or reauthentication) whose
      // Delete of the old SA has not come (yet): not ours to rekey as well
      // (591: a second new ISAKMP SA). The old one goes on the peer's
      // Delete or at its lifetime.
      old.replaced_by = fresh.ike.spi_i;
      if (old.expire_ms == 0) old.expire_ms = old.rekey_due_ms;
    }
  }
}

void V1Engine::AfterQuickMode(V1Sa& sa) {
  if (sa.ike.state != IkeSa::State::kEstablished) return;
  if (V1Sa* heir = Sibling(sa); heir && heir->ike.established_ms > sa.ike.established_ms)
    MoveChildren(sa, *heir);
  RetireIfQuiet(sa);
}

void V1Engine::RetireIfQuiet(V1Sa& old) {
  if (old.retire_ms == 0 || old.ike.state == IkeSa::State::kDead) return;
  if (ctx_.NowMs() < std::min(old.retire_ms, SettledMs(old))) return;
  if (V1Sa* heir = Sibling(old)) MoveChildren(old, *heir);
  ctx_.Log(LogLevel::kInfo, old.ike.conn_name(), "IKEv1 ISAKMP SA rekeyed: deleting the old one");
  SendDeleteIsakmp(ctx_, old);
  old.ike.Kill(kReplaced);
}

int64_t V1Engine::SettledMs(const V1Sa& sa) {
  int64_t t = 0;
  for (const auto& [mid, x] : sa.quick) t = std::max(t, UnsettledUntilMs(x));
  return t;
}

void V1Engine::StartChildren(V1Sa& sa) {
  const auto& conn = sa.ike.conn;
  for (size_t i = 0; i < conn->subnet_pairs.size(); ++i) {
    if (sa.ike.HasLiveChildForPair(i)) continue;
    // The peer's quick mode for the pair still completing on an older SA
    // (MoveChildren left its child there): it moves here when done.
    bool pending = std::any_of(sas_.begin(), sas_.end(), [&](const auto& kv) {
      const V1Sa& o = *kv.second;
      return &o != &sa && o.p1 && o.ike.state == IkeSa::State::kEstablished &&
             o.ike.conn_name() == conn->name && o.ike.remote.addr == sa.ike.remote.addr &&
             o.ike.HasLiveChildForPair(i);
    });
    for (const auto& [mid, x] : sa.quick)
      pending |= x.initiator && x.finished_ms == 0 && x.pair_index == i && x.conn == conn;
    if (pending) continue;
    if (auto st = StartQuickMode(ctx_, sa, conn, i); !st)
      ctx_.Error(conn->name, "IKEv1 quick mode: " + st.error().message);
  }
}

Status V1Engine::Initiate(const std::shared_ptr<const Connection>& conn) {
  if (shut_down_) return MakeError("engine is shutting down");
  if (!conn->local.host.is_set() || !conn->remote.host.is_set())
    return MakeError("connection '" + conn->name + "' needs both hosts to initiate");
  for (auto& [cookie, sa] : sas_) {
    if (sa->ike.conn_name() != conn->name || sa->ike.state == IkeSa::State::kDead) continue;
    if (sa->p1) StartChildren(*sa);
    return Status::Ok();
  }
  auto sa = StartMainMode(conn, 0);
  if (!sa) return sa.error();
  return Status::Ok();
}

Result<V1Sa*> V1Engine::StartMainMode(const std::shared_ptr<const Connection>& conn,
                                      uint64_t replaces) {
  const Endpoint local{conn->local.host, conn->local.ike_port};
  const Endpoint remote{conn->remote.host, conn->remote.ike_port};
  auto params = MainModeParamsFor(ctx_, *conn, local, remote);
  if (!params) return MakeError("IKEv1: " + params.error().message);
  // RFC 2407 4.6.3.3: INITIAL-CONTACT when this is our only ISAKMP SA with
  // the peer (not on a rekey: the old one is still up).
  params->initial_contact = true;
  for (const auto& [cookie, other] : sas_)
    if (other->p1 && other->ike.state != IkeSa::State::kDead &&
        other->ike.remote.addr == remote.addr)
      params->initial_contact = false;
  auto sa = std::make_unique<V1Sa>(ctx_, ctx_.next_serial++, true);
  sa->mm_initiator = std::make_unique<ike::v1::MainModeInitiator>(std::move(*params), ctx_.random);
  auto m1 = sa->mm_initiator->Start();
  if (!m1) return MakeError("IKEv1 main mode: " + m1.error().message);
  sa->ike.conn = conn;
  sa->ike.spi_i = sa->mm_initiator->sa().cookie_i;
  sa->ike.local = local;
  sa->ike.remote = remote;
  sa->ike.created_ms = ctx_.NowMs();
  sa->replaces = replaces;
  ctx_.Log(LogLevel::kInfo, conn->name,
           std::string(replaces ? "rekeying the ISAKMP SA: " : "") +
               "initiating IKEv1 main mode to " + remote.ToString());
  Send(ctx_, *sa, *m1);
  sa->resend = {std::move(*m1), ctx_.NowMs() + kResendIntervalMs, 1};
  V1Sa* raw = sa.get();
  sas_[sa->ike.spi_i] = std::move(sa);
  return raw;
}

bool V1Engine::Terminate(std::string_view name) {
  bool found = false;
  for (auto& [cookie, sa] : sas_) {
    if (sa->ike.conn_name() != name || sa->ike.state == IkeSa::State::kDead) continue;
    found = true;
    if (sa->p1) {
      for (const auto& c : sa->ike.children) SendDeleteChild(ctx_, *sa, *c);
      SendDeleteIsakmp(ctx_, *sa);
    }
    sa->ike.Kill("terminated");
  }
  Reap();
  return found;
}

bool V1Engine::OnKernelExpire(const kernel::ExpireEvent& ev) {
  for (auto& [cookie, sa] : sas_) {
    for (auto& c : sa->ike.children) {
      const bool match =
          ev.dir == kernel::Direction::kIn ? c->inbound_spi == ev.spi : c->outbound_spi == ev.spi;
      if (!match || c->state != ChildSa::State::kInstalled) continue;
      if (!sa->p1 || sa->ike.state != IkeSa::State::kEstablished) return true;
      if (ev.hard) {
        ctx_.Log(LogLevel::kInfo, c->conn_name(), "IKEv1 child SA reached its hard lifetime");
        SendDeleteChild(ctx_, *sa, *c);
        RemoveChild(ctx_, *c);
        const ChildSa* gone = c.get();
        std::erase_if(sa->ike.children, [gone](const auto& k) { return k.get() == gone; });
        ctx_.events.OnStateChange(sa->ike.conn_name());
      } else if (!c->rekey_queued && c->conn->rekey && sa->ike.HasNewerChildFor(*c)) {
        // The peer's quick mode already made the pair's next child (its
        // rekey: IKEv1 names no old SA); the peer deletes this one, or its
        // hard lifetime does. Rekeying it too made two new pairs (591).
        c->rekey_queued = true;
        ctx_.Log(LogLevel::kInfo, c->conn_name(),
                 "IKEv1 child SA soft lifetime: the peer has made a newer child SA for the pair; "
                 "not rekeying this one");
      } else if (!c->rekey_queued && c->conn->rekey) {
        // IKEv1 has no rekey exchange: a new quick mode for the pair, then
        // a Delete of the old child (v1_quick.cc, RetireReplaced).
        c->rekey_queued = true;
        ctx_.Log(LogLevel::kInfo, c->conn_name(), "IKEv1 child SA soft lifetime: rekeying");
        if (auto st = StartQuickMode(ctx_, *sa, c->conn, c->pair_index, c->inbound_spi); !st)
          ctx_.Error(c->conn_name(), "IKEv1 rekey: " + st.error().message);
      }
      return true;
    }
  }
  return false;
}

bool V1Engine::OnKernelMapping(const kernel::MappingEvent& ev) {
  for (auto& [cookie, sa] : sas_) {
    if (!sa->p1 || sa->ike.state != IkeSa::State::kEstablished) continue;
    for (const auto& c : sa->ike.children) {
      if (c->inbound_spi != ev.spi || c->state != ChildSa::State::kInstalled) continue;
      OnEspMapping(ctx_, sa->ike, Endpoint{ev.new_addr, ev.new_port});
      return true;
    }
  }
  return false;
}

void V1Engine::Dpd(V1Sa& sa, int64_t now) {
  const Connection& c = *sa.ike.conn;
  if (c.dpd_delay.count() == 0 || !sa.p1->peer_dpd) return;
  if (sa.dpd_outstanding && sa.ike.last_inbound_ms > sa.dpd_sent_ms) sa.dpd_outstanding = false;
  const int64_t delay = c.dpd_delay.count() * 1000;
  if (sa.dpd_outstanding && now >= sa.dpd_sent_ms + c.dpd_timeout.count() * 1000) {
    ctx_.Error(c.name, "IKEv1 DPD: no answer from " + sa.ike.remote.ToString() + " for " +
                           std::to_string(c.dpd_timeout.count()) + " s");
    sa.restart =
        c.dpd_action == DpdAction::kRestart || c.dpd_action == DpdAction::kRestartByPeer;
    sa.ike.Kill("DPD timeout");
    return;
  }
  if (now < std::max(sa.ike.last_inbound_ms, sa.ike.next_dpd_ms - delay) + delay) return;
  if (!sa.dpd_outstanding) sa.dpd_sent_ms = now;
  sa.dpd_outstanding = true;
  sa.ike.next_dpd_ms = now + delay;
  SendDpdRequest(ctx_, sa, ++sa.dpd_seq);
}

void V1Engine::OnTimer() {
  const int64_t now = ctx_.NowMs();
  std::vector<V1Sa*> rekey;
  for (auto& [cookie, sa] : sas_) {
    if (sa->ike.state == IkeSa::State::kDead) continue;
    if (!sa->p1) {
      if (!sa->ike.initiator() && now >= sa->ike.created_ms + kHalfOpenMs) {
        ++ctx_.counters.half_open_expired;
        sa->ike.Kill("half-open too long");
      } else if (!sa->resend.datagram.empty() && now >= sa->resend.next_ms) {
        if (sa->resend.sends >= kMaxSends) {
          ctx_.Error(sa->ike.conn_name(),
                     "IKEv1 main mode: no answer from " + sa->ike.remote.ToString() +
                         (sa->refused.empty() ? "" : " (refused: " + sa->refused + ")"));
          sa->ike.Kill("no answer");
        } else {
          ++ctx_.counters.retransmits;
          Send(ctx_, *sa, sa->resend.datagram);
          ++sa->resend.sends;
          sa->resend.next_ms = now + ResendDelayMs(sa->resend.sends);
        }
      }
      continue;
    }
    if (sa->expire_ms && now >= sa->expire_ms) {
      ctx_.Log(LogLevel::kInfo, sa->ike.conn_name(), "IKEv1 ISAKMP SA lifetime expired");
      if (sa->unrekeyable)
        ctx_.Log(LogLevel::kInfo, sa->ike.conn_name(),
                 "IKEv1 ISAKMP SA with " + sa->ike.remote.ToString() +
                     " reached its lifetime and the peer has not replaced it (we cannot start a "
                     "main mode to it): deleting it and " +
                     std::to_string(sa->ike.children.size()) + " child SA(s)");
      // Children no newer SA with the peer takes over go with it: tell the peer.
      if (!Sibling(*sa))
        for (const auto& c : sa->ike.children) SendDeleteChild(ctx_, *sa, *c);
      SendDeleteIsakmp(ctx_, *sa);
      sa->ike.Kill(kExpired);
      continue;
    }
    if (sa->rekey_due_ms && now >= sa->rekey_due_ms && sa->replaced_by == 0 && !shut_down_)
      rekey.push_back(sa.get());
    QuickModeTimers(ctx_, *sa, now);
    RetireIfQuiet(*sa);
    if (sa->ike.state == IkeSa::State::kDead) continue;
    Dpd(*sa, now);
    NatKeepalive(ctx_, *sa, now);
  }
  for (V1Sa* old : rekey) Rekey(*old);
  Reap();
}

void V1Engine::Rekey(V1Sa& old) {
  auto fresh = StartMainMode(old.ike.conn, old.ike.spi_i);
  if (!fresh) {
    ctx_.Error(old.ike.conn_name(), "IKEv1 ISAKMP SA rekey: " + fresh.error().message);
    old.rekey_due_ms = ctx_.NowMs() + KeyingRetryDelayMs(++old.rekey_tries);
    return;
  }
  old.replaced_by = (*fresh)->ike.spi_i;
}

std::optional<int64_t> V1Engine::NextDueMs() const {
  std::optional<int64_t> next;
  auto consider = [&](int64_t t) {
    if (!next || t < *next) next = t;
  };
  for (const auto& [cookie, sa] : sas_) {
    if (sa->ike.state == IkeSa::State::kDead) continue;
    if (!sa->p1) {
      if (!sa->ike.initiator()) consider(sa->ike.created_ms + kHalfOpenMs);
      if (!sa->resend.datagram.empty()) consider(sa->resend.next_ms);
      continue;
    }
    if (auto t = NextQuickModeMs(*sa)) consider(*t);
    if (sa->retire_ms) consider(std::min(sa->retire_ms, std::max(SettledMs(*sa), ctx_.NowMs())));
    if (sa->expire_ms) consider(sa->expire_ms);
    if (sa->rekey_due_ms && sa->replaced_by == 0) consider(sa->rekey_due_ms);
    if (auto t = NextKeepaliveMs(*sa)) consider(*t);
    const Connection& c = *sa->ike.conn;
    if (c.dpd_delay.count() > 0 && sa->p1->peer_dpd) {
      const int64_t delay = c.dpd_delay.count() * 1000;
      consider(std::max(sa->ike.last_inbound_ms, sa->ike.next_dpd_ms - delay) + delay);
      if (sa->dpd_outstanding) consider(sa->dpd_sent_ms + c.dpd_timeout.count() * 1000);
    }
  }
  return next;
}

void V1Engine::AppendStatus(std::vector<IkeSaStatus>* out) const {
  for (const auto& [cookie, sa] : sas_) {
    IkeSaStatus s = StatusOf(sa->ike);
    s.version = 1;
    if (sa->p1) s.algorithms = ike::v1::DescribePhase1(sa->p1->transform);
    out->push_back(std::move(s));
  }
}

bool V1Engine::HasLiveSa(std::string_view conn, const IkeSa* except) const {
  for (const auto& [cookie, sa] : sas_)
    if (&sa->ike != except && sa->ike.conn_name() == conn &&
        (sa->ike.state == IkeSa::State::kEstablished || sa->ike.state == IkeSa::State::kConnecting))
      return true;
  return false;
}

void V1Engine::Shutdown() {
  shut_down_ = true;
  std::vector<std::string> names;
  for (auto& [cookie, sa] : sas_) names.push_back(sa->ike.conn_name());
  for (const auto& n : names) Terminate(n);
}

// A rekey's main mode failed: the old SA tries again after the back-off of
// failed keying tries, while it lives.
void V1Engine::RekeyFailed(uint64_t old_cookie) {
  auto it = sas_.find(old_cookie);
  if (it == sas_.end() || it->second->ike.state == IkeSa::State::kDead) return;
  V1Sa& old = *it->second;
  old.replaced_by = 0;
  const int64_t delay = KeyingRetryDelayMs(++old.rekey_tries);
  old.rekey_due_ms = ctx_.NowMs() + delay;
  ctx_.Log(LogLevel::kInfo, old.ike.conn_name(),
           "IKEv1 ISAKMP SA rekey failed, next try in " + std::to_string(delay / 1000) + " s");
}

void V1Engine::Reap() {
  std::vector<std::shared_ptr<const Connection>> restart;
  for (auto it = sas_.begin(); it != sas_.end();) {
    V1Sa& sa = *it->second;
    if (sa.ike.state != IkeSa::State::kDead) {
      ++it;
      continue;
    }
    // Deleted by the peer or expired while a newer ISAKMP SA with the peer
    // is up: the children stay, under that one.
    if (sa.ike.death_reason == kExpired || sa.ike.death_reason == kDeletedByPeer ||
        sa.ike.death_reason == kReplaced)
      if (V1Sa* heir = Sibling(sa)) MoveChildren(sa, *heir);
    for (auto& c : sa.ike.children) RemoveChild(ctx_, *c);
    if (sa.replaces && !sa.p1) RekeyFailed(sa.replaces);
    if (!sa.replaces && !sa.p1 && sa.ike.initiator() && on_attempt_failed && !shut_down_)
      on_attempt_failed(sa.ike);
    ctx_.Log(LogLevel::kInfo, sa.ike.conn_name(), "IKEv1 ISAKMP SA gone: " + sa.ike.death_reason);
    ctx_.events.OnStateChange(sa.ike.conn_name());
    if (sa.restart && !shut_down_) restart.push_back(sa.ike.conn);
    it = sas_.erase(it);
  }
  for (const auto& c : restart)
    if (auto st = Initiate(c); !st) ctx_.Error(c->name, st.error().message);
}

}  // namespace ipsec::engine::v1
