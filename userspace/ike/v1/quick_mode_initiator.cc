#include "ike/v1/attributes.h"
#include "ike/v1/main_mode_steps.h"
#include "ike/v1/quick_mode.h"
#include "ike/v1/quick_mode_steps.h"
#include "ike/v1/traffic_ids.h"

namespace ipsec::ike::v1 {

namespace {

// RFC 2407 4.6.3.1: a responder that keeps an SA for less than we offered
// says so in a RESPONDER-LIFETIME notify (its data: life type/duration
// attributes, seconds and/or kilobytes). For each, the responder's when
// shorter than ours (or when we offered none), else 0.
void ResponderLifetime(const std::vector<Payload>& payloads, const IpsecTransformAttrs& ours,
                       QuickModeResult* r) {
  auto shorter = [](uint64_t theirs, uint64_t our) { return theirs && (!our || theirs < our); };
  for (const Payload& p : payloads) {
    const auto* n = std::get_if<NotifyPayload>(&p.body);
    if (!n || n->type != notify::kResponderLifetime || n->protocol != protocol::kEsp) continue;
    auto attrs = ParseAttributes(ByteReader(n->data), 0);
    if (!attrs) continue;
    auto view = ParseIpsecAttributes(*attrs);
    if (!view) continue;
    if (shorter(view->life_seconds, ours.life_seconds)) r->life_seconds = view->life_seconds;
    if (shorter(view->life_kilobytes, ours.life_kilobytes))
      r->life_kilobytes = view->life_kilobytes;
  }
}

}  // namespace

QuickModeInitiator::QuickModeInitiator(const Phase1Sa& p1, QuickModeParams params,
                                       uint32_t message_id, uint32_t inbound_spi,
                                       RandomSource& random)
    : random_(random) {
  s_.p1 = p1;
  s_.message_id = message_id;
  s_.inbound_spi = inbound_spi;
  s_.params = std::move(params);
}

Result<Bytes> QuickModeInitiator::Start() {
  if (!s_.last_sent.empty()) return QuickModeError(1, "already sent");
  if (s_.params.transforms.empty()) return QuickModeError(1, "no ESP transform to offer");
  auto fresh = NewQuickMode(s_.p1, s_.message_id, s_.inbound_spi);
  if (!fresh) return fresh.error();
  QuickModeState next = std::move(*fresh);
  next.params = s_.params;
  // Every transform carries the same PFS group (one conn, one pfsgroup).
  const uint16_t group = next.params.transforms.front().attrs.group;
  if (Status st = MakeQuickModeKeyExchange(&next, /*initiator=*/true, group, random_, 1); !st)
    return st.error();
  std::vector<Payload> rest = {
      {payload::kSa, QuickModeOffer(next.params.transforms, next.inbound_spi), {}},
      {payload::kNonce, NoncePayload{next.ni_b}, {}}};
  if (next.dh) rest.push_back({payload::kKe, KePayload{next.dh->public_value()}, {}});
  rest.push_back({payload::kId, IdForPrefix(next.params.local_ts), {}});
  rest.push_back({payload::kId, IdForPrefix(next.params.remote_ts), {}});
  auto wire = SealQuickMode(&next, 1, std::move(rest));
  if (wire) s_ = std::move(next);
  return wire;
}

Result<Bytes> QuickModeInitiator::Receive(std::span<const uint8_t> datagram) {
  if (s_.last_sent.empty() || done_) return QuickModeError(2, "not expected now");
  Bytes next_iv;
  auto payloads = OpenQuickMode(s_, datagram, 2, &next_iv);
  if (!payloads) return payloads.error();
  QuickModeState next = s_;
  next.iv = std::move(next_iv);
  const Payload* sa = FindPayload(*payloads, payload::kSa);
  if (!sa) return QuickModeError(2, "SA payload missing");
  auto choice = CheckQuickModeAnswer(std::get<SaPayload>(sa->body), next.params.transforms);
  if (!choice) return QuickModeError(2, choice.error().message);
  QuickModeResult& r = next.result;
  r.transform = choice->transform;
  r.inbound_spi = next.inbound_spi;
  r.outbound_spi = choice->peer_spi;
  r.local_ts = next.params.local_ts;
  r.remote_ts = next.params.remote_ts;
  if (Status st = TakePeerKeyExchange(&next, *payloads, /*initiator=*/true, 2); !st)
    return st.error();
  // The responder may not narrow in IKEv1: its IDs must be ours.
  std::vector<const Payload*> ids;
  for (const Payload& p : *payloads)
    if (p.type == payload::kId) ids.push_back(&p);
  if (ids.size() == 2 && (std::get<IdPayload>(ids[0]->body) != IdForPrefix(r.local_ts) ||
                          std::get<IdPayload>(ids[1]->body) != IdForPrefix(r.remote_ts)))
    return QuickModeError(2, "the responder's client IDs differ from ours");
  ResponderLifetime(*payloads, next.params.transforms.front().attrs, &r);
  if (Status st = DeriveQuickModeKeys(&next, /*initiator=*/true, 2); !st) return st.error();
  auto wire = SealQuickMode(&next, 3, {});
  if (!wire) return wire.error();
  s_ = std::move(next);
  done_ = true;
  return wire;
}

}  // namespace ipsec::ike::v1
