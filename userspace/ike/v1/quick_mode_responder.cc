#include <algorithm>

#include "ike/v1/attributes.h"
#include "ike/v1/main_mode_steps.h"
#include "ike/v1/quick_mode.h"
#include "ike/v1/quick_mode_steps.h"
#include "ike/v1/traffic_ids.h"

namespace ipsec::ike::v1 {

QuickModeResponder::QuickModeResponder(const Phase1Sa& p1, uint32_t message_id,
                                       uint32_t inbound_spi, RandomSource& random)
    : random_(random) {
  s_.p1 = p1;
  s_.message_id = message_id;
  s_.inbound_spi = inbound_spi;
}

Result<Bytes> QuickModeResponder::Receive(std::span<const uint8_t> datagram, const Select& select) {
  if (answered_ &&
      std::equal(datagram.begin(), datagram.end(), last_request_.begin(), last_request_.end()))
    return s_.last_sent;  // QM2 was lost: the same again
  if (done_) return QuickModeError(3, "quick mode is complete");
  return answered_ ? OnQm3(datagram) : OnQm1(datagram, select);
}

namespace {

// IDci, IDcr as (initiator's subnet, ours); the phase-1 addresses when
// absent (RFC 2409 5.5) are not supported: conns always have subnets.
Result<std::pair<IpPrefix, IpPrefix>> ClientIds(const std::vector<Payload>& payloads) {
  std::vector<const IdPayload*> ids;
  for (const Payload& p : payloads)
    if (p.type == payload::kId) ids.push_back(&std::get<IdPayload>(p.body));
  if (ids.size() != 2) return QuickModeError(1, "expected IDci and IDcr");
  auto ci = PrefixForId(*ids[0]);
  auto cr = PrefixForId(*ids[1]);
  if (!ci) return QuickModeError(1, "IDci: " + ci.error().message);
  if (!cr) return QuickModeError(1, "IDcr: " + cr.error().message);
  return std::pair{*ci, *cr};
}

}  // namespace

Result<Bytes> QuickModeResponder::OnQm1(std::span<const uint8_t> datagram, const Select& select) {
  auto fresh = NewQuickMode(s_.p1, s_.message_id, s_.inbound_spi);
  if (!fresh) return fresh.error();
  QuickModeState next = std::move(*fresh);
  Bytes next_iv;
  auto payloads = OpenQuickMode(next, datagram, 1, &next_iv);
  if (!payloads) return payloads.error();
  next.iv = std::move(next_iv);
  auto ts = ClientIds(*payloads);
  if (!ts) return ts.error();
  auto params = select(ts->first, ts->second);
  if (!params)
    return QuickModeError(1,
                          "no conn for " + ts->first.ToString() + " <-> " + ts->second.ToString());
  const Payload* sa = FindPayload(*payloads, payload::kSa);
  if (!sa) return QuickModeError(1, "SA payload missing");
  const auto& offer = std::get<SaPayload>(sa->body);
  auto choice = ChooseQuickMode(offer, params->transforms);
  if (!choice) return QuickModeError(1, choice.error().message);
  QuickModeResult& r = next.result;
  r.transform = choice->transform;
  r.inbound_spi = next.inbound_spi;
  r.outbound_spi = choice->peer_spi;
  r.local_ts = ts->second;
  r.remote_ts = ts->first;
  next.params = std::move(*params);
  if (Status st = TakePeerKeyExchange(&next, *payloads, /*initiator=*/false, 1); !st)
    return st.error();
  const uint16_t group = r.transform.attrs.group;
  if (Status st = MakeQuickModeKeyExchange(&next, /*initiator=*/false, group, random_, 2); !st)
    return st.error();
  if (Status st = DeriveQuickModeKeys(&next, /*initiator=*/false, 1); !st) return st.error();
  std::vector<Payload> rest = {
      {payload::kSa, QuickModeAnswer(offer, *choice, next.inbound_spi), {}},
      {payload::kNonce, NoncePayload{next.nr_b}, {}}};
  if (next.dh) rest.push_back({payload::kKe, KePayload{next.dh->public_value()}, {}});
  rest.push_back({payload::kId, IdForPrefix(r.remote_ts), {}});
  rest.push_back({payload::kId, IdForPrefix(r.local_ts), {}});
  // Our lifetime is the shorter: tell the initiator (RFC 2407 4.6.3.1); its
  // shorter offer is ours too. In seconds (an offer without one means the
  // default 8 h: we say ours only against a longer offer) and in kilobytes
  // (an offer without one has no volume limit).
  const auto& offered = r.transform.attrs;
  const auto& our = next.params.transforms.front().attrs;
  IpsecTransformAttrs life;
  if (our.life_seconds && offered.life_seconds > our.life_seconds)
    life.life_seconds = our.life_seconds;
  else if (offered.life_seconds && (!our.life_seconds || offered.life_seconds < our.life_seconds))
    r.life_seconds = offered.life_seconds;
  if (our.life_kilobytes &&
      (!offered.life_kilobytes || offered.life_kilobytes > our.life_kilobytes))
    life.life_kilobytes = r.life_kilobytes = our.life_kilobytes;
  else if (offered.life_kilobytes &&
           (!our.life_kilobytes || offered.life_kilobytes < our.life_kilobytes))
    r.life_kilobytes = offered.life_kilobytes;
  if (life.life_seconds || life.life_kilobytes) {
    ByteWriter w;
    if (Status st = WriteAttributes(BuildIpsecAttributes(life), w); !st) return st.error();
    NotifyPayload n;
    n.protocol = protocol::kEsp;
    n.type = notify::kResponderLifetime;
    n.spi = {static_cast<uint8_t>(next.inbound_spi >> 24),
             static_cast<uint8_t>(next.inbound_spi >> 16),
             static_cast<uint8_t>(next.inbound_spi >> 8), static_cast<uint8_t>(next.inbound_spi)};
    n.data = w.Take();
    rest.push_back({payload::kNotification, std::move(n), {}});
  }
  auto wire = SealQuickMode(&next, 2, std::move(rest));
  if (!wire) return wire.error();
  s_ = std::move(next);
  last_request_.assign(datagram.begin(), datagram.end());
  answered_ = true;
  return wire;
}

Result<Bytes> QuickModeResponder::OnQm3(std::span<const uint8_t> datagram) {
  Bytes next_iv;
  auto payloads = OpenQuickMode(s_, datagram, 3, &next_iv);
  if (!payloads) return payloads.error();
  done_ = true;
  return Bytes{};
}

}  // namespace ipsec::ike::v1
