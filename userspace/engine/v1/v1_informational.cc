#include "engine/v1/v1_informational.h"

#include <algorithm>

#include "engine/child_install.h"
#include "engine/peer_address.h"
#include "engine/v1/v1_engine.h"
#include "ike/v1/codec.h"
#include "ike/v1/quick_mode_steps.h"

namespace ipsec::engine::v1 {

namespace {

using ike::v1::Payload;

void SendInformational(EngineContext& ctx, V1Sa& sa, Payload p) {
  if (!sa.p1) return;
  auto s = ike::v1::NewQuickMode(*sa.p1, NewMessageId(ctx, sa), 0);
  if (!s) return;
  auto wire = ike::v1::SealQuickMode(&*s, 1, {std::move(p)}, ike::v1::exchange::kInformational);
  if (!wire) {
    ctx.Log(LogLevel::kWarning, sa.ike.conn_name(), "informational: " + wire.error().message);
    return;
  }
  Send(ctx, sa, *wire);
}

Payload DpdNotify(const V1Sa& sa, uint16_t type, uint32_t seq) {
  ike::v1::NotifyPayload n;
  n.protocol = ike::v1::protocol::kIsakmp;
  n.type = type;
  n.spi = Cookies(*sa.p1);
  n.data = Be32(seq);
  return Payload{ike::v1::payload::kNotification, std::move(n), {}};
}

void OnDelete(EngineContext& ctx, V1Sa& sa, const ike::v1::DeletePayload& d) {
  if (d.protocol == ike::v1::protocol::kIsakmp) {
    if (d.spis.size() == 1 && d.spis[0] == Cookies(*sa.p1)) {
      ctx.Log(LogLevel::kInfo, sa.ike.conn_name(), "peer deleted the ISAKMP SA");
      sa.ike.Kill(kDeletedByPeer);
    }
    return;
  }
  if (d.protocol != ike::v1::protocol::kEsp || d.spi_size != 4) return;
  for (const auto& spi : d.spis) {
    const uint32_t ours_out = ReadBe32(spi);
    auto& kids = sa.ike.children;
    auto it = std::find_if(kids.begin(), kids.end(),
                           [&](const auto& c) { return c->outbound_spi == ours_out; });
    if (it == kids.end()) continue;
    ctx.Log(LogLevel::kInfo, (*it)->conn_name(),
            "peer deleted child SA " + std::to_string((*it)->inbound_spi) + "_i " +
                std::to_string(ours_out) + "_o");
    RemoveChild(ctx, **it);
    kids.erase(it);
    ctx.events.OnStateChange(sa.ike.conn_name());
  }
}

void OnNotify(EngineContext& ctx, V1Sa& sa, const ike::v1::NotifyPayload& n) {
  namespace notify = ike::v1::notify;
  if ((n.type != notify::kDpdRUThere && n.type != notify::kDpdRUThereAck) || n.data.size() != 4 ||
      n.spi != Cookies(*sa.p1))
    return;
  const uint32_t seq = ReadBe32(n.data);
  if (n.type == notify::kDpdRUThere) {
    Payload ack = DpdNotify(sa, notify::kDpdRUThereAck, seq);
    SendInformational(ctx, sa, std::move(ack));
  } else if (sa.dpd_outstanding && seq == sa.dpd_seq) {
    sa.dpd_outstanding = false;
  }
}

}  // namespace

void SendDeleteChild(EngineContext& ctx, V1Sa& sa, const ChildSa& child) {
  ike::v1::DeletePayload d;
  d.protocol = ike::v1::protocol::kEsp;
  d.spi_size = 4;
  d.spis.push_back(Be32(child.inbound_spi));
  SendInformational(ctx, sa, Payload{ike::v1::payload::kDelete, std::move(d), {}});
}

void SendDeleteIsakmp(EngineContext& ctx, V1Sa& sa) {
  if (!sa.p1) return;
  ike::v1::DeletePayload d;
  d.protocol = ike::v1::protocol::kIsakmp;
  d.spi_size = 16;
  d.spis.push_back(Cookies(*sa.p1));
  SendInformational(ctx, sa, Payload{ike::v1::payload::kDelete, std::move(d), {}});
}

void SendPlainNotify(EngineContext& ctx, const Endpoint& local, const Endpoint& remote,
                     uint64_t cookie_i, uint16_t type) {
  ike::v1::Message m;
  m.header.cookie_i = cookie_i;
  m.header.exchange = ike::v1::exchange::kInformational;
  ike::v1::NotifyPayload n;
  n.protocol = ike::v1::protocol::kIsakmp;
  n.type = type;
  m.payloads.push_back({ike::v1::payload::kNotification, std::move(n), {}});
  auto wire = ike::v1::Encode(m);
  if (!wire) return;
  ++ctx.counters.tx_messages;
  ctx.sender.Send(*wire, local, remote);
}

void SendDpdRequest(EngineContext& ctx, V1Sa& sa, uint32_t seq) {
  if (!sa.p1) return;
  SendInformational(ctx, sa, DpdNotify(sa, ike::v1::notify::kDpdRUThere, seq));
}

void OnInformational(EngineContext& ctx, V1Sa& sa, std::span<const uint8_t> datagram,
                     uint32_t message_id, const Endpoint& local, const Endpoint& remote) {
  if (!sa.p1 || ReplayedMessageId(ctx, sa, message_id)) return;
  auto s = ike::v1::NewQuickMode(*sa.p1, message_id, 0);
  if (!s) return;
  ike::v1::Bytes next_iv;
  auto payloads =
      ike::v1::OpenQuickMode(*s, datagram, 1, &next_iv, ike::v1::exchange::kInformational);
  if (!payloads) {
    ++ctx.counters.dropped_unauthenticated;
    ctx.Log(LogLevel::kDebug, sa.ike.conn_name(),
            "dropping informational: " + payloads.error().message);
    return;
  }
  RememberMessageId(sa, message_id);
  OnFreshAuthenticatedMessage(ctx, sa.ike, local, remote);
  for (const Payload& p : *payloads) {
    if (const auto* d = std::get_if<ike::v1::DeletePayload>(&p.body)) OnDelete(ctx, sa, *d);
    if (const auto* n = std::get_if<ike::v1::NotifyPayload>(&p.body)) OnNotify(ctx, sa, *n);
  }
}

}  // namespace ipsec::engine::v1
