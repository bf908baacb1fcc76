#include "engine/v1/v1_quick.h"

#include <algorithm>

#include "common/algorithms.h"
#include "engine/child_install.h"
#include "engine/peer_address.h"
#include "engine/v1/v1_informational.h"
#include "engine/v1/v1_params.h"
#include "ike/v1/main_mode_steps.h"
#include "ike/v1/quick_mode_steps.h"

namespace ipsec::engine::v1 {

namespace {

using ike::v1::QuickModeParams;
using ike::v1::QuickModeResult;

// The child's algorithms as IKEv2 transforms, for "ipsecctl status".
Proposal ChildProposal(const QuickModeResult& r) {
  Proposal p;
  p.protocol = ProtocolId::kEsp;
  p.transforms.push_back({TransformType::kEncr, r.transforms.encr, r.transforms.encr_key_bits});
  if (r.transforms.integ) p.transforms.push_back({TransformType::kInteg, r.transforms.integ, 0});
  if (r.transform.attrs.group)
    p.transforms.push_back({TransformType::kDh, r.transform.attrs.group, 0});
  if (r.transforms.esn) p.transforms.push_back({TransformType::kEsn, alg::esn::kYes, 0});
  return p;
}

// A child from a finished (initiator) or answered (responder) exchange,
// into the kernel and sa's children.
Status Install(EngineContext& ctx, V1Sa& sa, const QuickExchange& x, const QuickModeResult& r,
               bool initiator, bool defer_outbound) {
  auto child = std::make_unique<ChildSa>();
  child->conn = x.conn;
  child->pair_index = x.pair_index;
  child->reqid = ctx.ReqidFor(x.conn->name, x.pair_index);
  child->inbound_spi = r.inbound_spi;
  child->outbound_spi = r.outbound_spi;
  child->initiator = initiator;
  child->local_ts = r.local_ts;
  child->remote_ts = r.remote_ts;
  child->proposal = ChildProposal(r);
  child->transforms = r.transforms;
  child->replaces = x.replaces;
  child->lifetime_s = r.life_seconds;
  child->peer_rekeys_first = !initiator;
  child->lifetime_kb = r.life_kilobytes;
  if (auto st = InstallChild(ctx, sa.ike, *child, r.keys, defer_outbound); !st) return st;
  ctx.Log(LogLevel::kInfo, x.conn->name,
          "IKEv1 child SA installed: " + r.local_ts.ToString() + " === " + r.remote_ts.ToString() +
              ", SPIs " + std::to_string(r.inbound_spi) + "_i " + std::to_string(r.outbound_spi) +
              "_o, " + ike::v1::DescribeEsp(r.transform));
  sa.ike.children.push_back(std::move(child));
  ctx.events.OnStateChange(x.conn->name);
  return Status::Ok();
}

// The child the new one rekeyed goes once the new one carries the traffic.
void RetireReplaced(EngineContext& ctx, V1Sa& sa, uint32_t replaces) {
  if (replaces == 0) return;
  auto& kids = sa.ike.children;
  auto it = std::find_if(kids.begin(), kids.end(),
                         [&](const auto& c) { return c->inbound_spi == replaces; });
  if (it == kids.end()) return;
  SendDeleteChild(ctx, sa, **it);
  RetireChild(ctx, **it);
  kids.erase(it);
}

// The responder's choice of connection for the initiator's selectors:
// sa's own, or another IKEv1 connection between the same two hosts.
std::optional<QuickModeParams> Select(EngineContext& ctx, const V1Sa& sa, QuickExchange* x,
                                      const IpPrefix& remote_ts, const IpPrefix& local_ts) {
  std::vector<std::shared_ptr<const Connection>> candidates = {sa.ike.conn};
  for (const auto& c : ctx.connections)
    if (c != sa.ike.conn && AnswersIkev1(*c) && c->remote.host == sa.ike.conn->remote.host)
      candidates.push_back(c);
  for (const auto& c : candidates)
    for (size_t i = 0; i < c->subnet_pairs.size(); ++i) {
      if (c->subnet_pairs[i].local != local_ts || c->subnet_pairs[i].remote != remote_ts) continue;
      auto params = QuickModeParamsFor(*c, i, sa.ike.nat_local || sa.ike.nat_remote);
      if (!params) continue;
      x->conn = c;
      x->pair_index = i;
      return std::move(*params);
    }
  return std::nullopt;
}

void Fail(EngineContext& ctx, QuickExchange& x, const std::string& conn, const std::string& why) {
  ctx.Error(conn, "IKEv1 " + why);
  x.finished_ms = ctx.NowMs();
  x.resend = {};
}

// A new exchange's QM1, before anything is reserved for it: HASH(1)
// verifies (OpenQuickMode decodes every payload on the way), and it holds
// an SA and the two client IDs. The responder checks all of it again.
bool AuthenticQm1(EngineContext& ctx, const V1Sa& sa, std::span<const uint8_t> datagram,
                  uint32_t message_id) {
  auto probe = ike::v1::NewQuickMode(*sa.p1, message_id, 0);
  if (!probe) return false;
  ike::v1::Bytes iv;
  auto payloads = ike::v1::OpenQuickMode(*probe, datagram, 1, &iv);
  if (!payloads) {
    ++ctx.counters.dropped_unauthenticated;
    ctx.Log(LogLevel::kDebug, sa.ike.conn_name(), "dropping: " + payloads.error().message);
    return false;
  }
  const auto ids = std::count_if(payloads->begin(), payloads->end(),
                                 [](const auto& p) { return p.type == ike::v1::payload::kId; });
  if (!ike::v1::FindPayload(*payloads, ike::v1::payload::kSa) || ids != 2) {
    ++ctx.counters.dropped_unexpected;
    ctx.Log(LogLevel::kDebug, sa.ike.conn_name(),
            "dropping quick mode message 1: expected an SA and two ID payloads");
    return false;
  }
  return true;
}

void OnAsInitiator(EngineContext& ctx, V1Sa& sa, QuickExchange& x,
                   std::span<const uint8_t> datagram, const Endpoint& local,
                   const Endpoint& remote) {
  if (x.finished_ms != 0) {
    // QM2 again: our QM3 was lost.
    if (!x.last_sent.empty()) {
      Send(ctx, sa, x.last_sent);
      x.qm3_sent_ms = ctx.NowMs();
    }
    return;
  }
  auto qm3 = x.initiator->Receive(datagram);
  if (!qm3) {
    ++ctx.counters.dropped_unauthenticated;
    ctx.Log(LogLevel::kDebug, x.conn->name, "dropping: " + qm3.error().message);
    return;
  }
  OnFreshAuthenticatedMessage(ctx, sa.ike, local, remote);
  Send(ctx, sa, *qm3);
  x.last_sent = std::move(*qm3);
  x.resend = {};
  x.finished_ms = x.qm3_sent_ms = ctx.NowMs();
  if (auto st =
          Install(ctx, sa, x, x.initiator->result(), true, /*defer_outbound=*/x.replaces != 0);
      !st) {
    Fail(ctx, x, x.conn->name, "child SA: " + st.error().message);
    return;
  }
  // A rekey: our traffic moves to the new pair, and the old child gets its
  // Delete, a moment after QM3. The peer may add the new SAs only on QM3
  // (charon does: ESP on the new SPI before that hit its larval SPI, a lost
  // ping in VM 584), and may handle a Delete sent right behind QM3 first
  // (charon did, on another thread: an instant without the pair's policy).
  if (x.replaces) x.retire_at_ms = ctx.NowMs() + kRetireAfterQm3Ms;
}

void OnAsResponder(EngineContext& ctx, V1Sa& sa, QuickExchange& x,
                   std::span<const uint8_t> datagram, const Endpoint& local,
                   const Endpoint& remote) {
  const bool answered = x.conn != nullptr;
  auto reply = x.responder->Receive(
      datagram, [&](const IpPrefix& r, const IpPrefix& l) { return Select(ctx, sa, &x, r, l); });
  if (!reply) {
    ctx.Log(LogLevel::kDebug, sa.ike.conn_name(), "dropping: " + reply.error().message);
    ++ctx.counters.dropped_unexpected;
    return;
  }
  sa.ike.last_inbound_ms = ctx.NowMs();
  if (!reply->empty()) {
    Send(ctx, sa, *reply);
    if (answered) return;         // a retransmitted QM1
    x.finished_ms = ctx.NowMs();  // kept kFinishedLingerMs for QM3 and retransmits
    // QM2 again until QM3 comes: a lost QM3 is only recovered this way
    // (the initiator answers a repeated QM2 with its QM3).
    x.resend = {*reply, ctx.NowMs() + kResendIntervalMs, 1};
    if (auto st = Install(ctx, sa, x, x.responder->result(), false, /*defer_outbound=*/true); !st)
      Fail(ctx, x, x.conn->name, "child SA: " + st.error().message);
    return;
  }
  // QM3: the peer has its keys; our outbound SA may carry traffic now.
  OnFreshAuthenticatedMessage(ctx, sa.ike, local, remote);
  x.finished_ms = ctx.NowMs();
  x.resend = {};
  if (ChildSa* c = sa.ike.FindChildByInbound(x.inbound_spi))
    if (auto st = InstallPendingOutbound(ctx, *c); !st)
      ctx.Error(x.conn->name, "IKEv1 child SA outbound: " + st.error().message);
}

}  // namespace

Status StartQuickMode(EngineContext& ctx, V1Sa& sa, std::shared_ptr<const Connection> conn,
                      size_t pair, uint32_t replaces) {
  if (!sa.p1) return MakeError("quick mode before main mode completed");
  auto params = QuickModeParamsFor(*conn, pair, sa.ike.nat_local || sa.ike.nat_remote);
  if (!params) return params.error();
  auto spi = AllocInboundSpi(ctx, *conn, sa.ike.local.addr);
  if (!spi) return MakeError("allocating an SPI: " + spi.error().message);
  const uint32_t mid = NewMessageId(ctx, sa);
  if (mid == 0) return MakeError("no random message ID");
  QuickExchange x;
  x.conn = conn;
  x.pair_index = pair;
  x.inbound_spi = *spi;
  x.replaces = replaces;
  x.initiator = std::make_unique<ike::v1::QuickModeInitiator>(*sa.p1, std::move(*params), mid, *spi,
                                                              ctx.random);
  auto qm1 = x.initiator->Start();
  if (!qm1) return qm1.error();
  Send(ctx, sa, *qm1);
  x.resend = {std::move(*qm1), ctx.NowMs() + kResendIntervalMs, 1};
  sa.quick[mid] = std::move(x);
  RememberMessageId(sa, mid);
  return Status::Ok();
}

void OnQuickMode(EngineContext& ctx, V1Sa& sa, std::span<const uint8_t> datagram,
                 uint32_t message_id, const Endpoint& local, const Endpoint& remote) {
  if (!sa.p1 || message_id == 0) return;
  auto it = sa.quick.find(message_id);
  if (it == sa.quick.end()) {
    // The peer's new exchange: the responder checks HASH(1) before it
    // keeps anything; a message that fails leaves no exchange behind. One
    // whose message ID this SA has used is a replay (its exchange is over).
    if (ReplayedMessageId(ctx, sa, message_id)) return;
    if (sa.quick.size() >= kMaxQuickExchanges) {
      ++ctx.counters.dropped_unexpected;
      return;
    }
    // HASH(1) first, and the SA and both IDs must parse: a forged QM1 costs
    // no SPI reservation in the kernel (an ALLOC_SPI netlink call each).
    if (!AuthenticQm1(ctx, sa, datagram, message_id)) return;
    // The conn is known only once the IDs are matched: the SPI is reserved
    // on no device, so ESP arriving early is not held.
    auto spi = ctx.kernel.AllocSpi(sa.ike.local.addr, 0);
    if (!spi) {
      ctx.Error(sa.ike.conn_name(), "IKEv1 quick mode: allocating an SPI: " + spi.error().message);
      return;
    }
    // A new exchange, authenticated: its message ID is spent even if we
    // cannot answer it (a replay from elsewhere must not move the SA), and
    // it tells where the peer is now (NAT rebinding, RFC 3947 / 3948),
    // before our answer goes.
    RememberMessageId(sa, message_id);
    OnFreshAuthenticatedMessage(ctx, sa.ike, local, remote);
    QuickExchange x;
    x.inbound_spi = *spi;
    x.responder =
        std::make_unique<ike::v1::QuickModeResponder>(*sa.p1, message_id, *spi, ctx.random);
    it = sa.quick.emplace(message_id, std::move(x)).first;
    OnAsResponder(ctx, sa, it->second, datagram, local, remote);
    if (!it->second.conn) sa.quick.erase(it);  // not answered
    return;
  }
  if (it->second.initiator)
    OnAsInitiator(ctx, sa, it->second, datagram, local, remote);
  else
    OnAsResponder(ctx, sa, it->second, datagram, local, remote);
}

void QuickModeTimers(EngineContext& ctx, V1Sa& sa, int64_t now) {
  for (auto it = sa.quick.begin(); it != sa.quick.end();) {
    QuickExchange& x = it->second;
    if (x.finished_ms != 0 && now >= x.finished_ms + kFinishedLingerMs) {
      it = sa.quick.erase(it);
      continue;
    }
    if (x.retire_at_ms != 0 && now >= x.retire_at_ms) {
      x.retire_at_ms = 0;
      if (ChildSa* c = sa.ike.FindChildByInbound(x.inbound_spi))
        if (auto st = InstallPendingOutbound(ctx, *c); !st)
          ctx.Error(x.conn->name, "IKEv1 child SA outbound: " + st.error().message);
      RetireReplaced(ctx, sa, x.replaces);
    }
    if (!x.resend.datagram.empty() && now >= x.resend.next_ms) {
      if (x.resend.sends >= kMaxSends) {
        Fail(ctx, x, x.conn->name, "quick mode: no answer from " + sa.ike.remote.ToString());
      } else {
        ++ctx.counters.retransmits;
        Send(ctx, sa, x.resend.datagram);
        ++x.resend.sends;
        x.resend.next_ms = now + ResendDelayMs(x.resend.sends);
      }
    }
    ++it;
  }
}

std::optional<int64_t> NextQuickModeMs(const V1Sa& sa) {
  std::optional<int64_t> next;
  for (const auto& [mid, x] : sa.quick) {
    int64_t t = x.finished_ms != 0 ? x.finished_ms + kFinishedLingerMs : INT64_MAX;
    if (!x.resend.datagram.empty()) t = std::min(t, x.resend.next_ms);
    if (x.retire_at_ms != 0) t = std::min(t, x.retire_at_ms);
    if (t != INT64_MAX && (!next || t < *next)) next = t;
  }
  return next;
}

}  // namespace ipsec::engine::v1
