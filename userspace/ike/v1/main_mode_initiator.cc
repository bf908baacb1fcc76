#include "ike/v1/codec.h"
#include "ike/v1/main_mode.h"
#include "ike/v1/main_mode_steps.h"
#include "ike/v1/phase1_proposal.h"

namespace ipsec::ike::v1 {

MainModeInitiator::MainModeInitiator(MainModeParams params, RandomSource& random)
    : random_(random) {
  s_.params = std::move(params);
}

Result<Bytes> MainModeInitiator::Start() {
  if (s_.step != 0) return MainModeError(1, "already sent");
  auto cookie = RandomCookie(random_);
  if (!cookie) return cookie.error();
  Payload sa{payload::kSa, Phase1Offer(s_.params.transforms), {}};
  auto sai_b = HashedBody(sa);
  if (!sai_b) return sai_b.error();
  Message m;
  m.header.cookie_i = *cookie;
  m.payloads = {sa};
  for (Payload& v : OurVendorIds()) m.payloads.push_back(std::move(v));
  auto wire = Encode(m);
  if (!wire) return wire.error();
  s_.sa.cookie_i = *cookie;
  s_.sai_b = std::move(*sai_b);
  s_.step = 1;
  s_.last_sent = *wire;
  return wire;
}

Result<Bytes> MainModeInitiator::Receive(std::span<const uint8_t> datagram) {
  const int expected = s_.step + 1;
  if (established_ || s_.step == 0) return MainModeError(expected, "not expected now");
  auto m = DecodeMainMode(datagram, expected, s_.sa.cookie_i, expected == 2 ? 0 : s_.sa.cookie_r,
                          expected == 6);
  if (!m) return m.error();
  if (expected == 2) return OnMessage2(*m);
  if (expected == 4) return OnMessage4(*m);
  return OnMessage6(*m, m->encrypted_body);
}

Result<Bytes> MainModeInitiator::OnMessage2(const Message& m) {
  if (m.header.cookie_r == 0) return MainModeError(2, "responder cookie is zero");
  const Payload* sa = FindPayload(m.payloads, payload::kSa);
  if (!sa) return MainModeError(2, "SA payload missing");
  auto chosen = CheckPhase1Answer(std::get<SaPayload>(sa->body), s_.params.transforms);
  if (!chosen) return MainModeError(2, chosen.error().message);
  MainModeState next = s_;
  next.sa.cookie_r = m.header.cookie_r;
  next.sa.transform = *chosen;
  NoteVendorIds(m.payloads, &next.sa);
  if (Status st = MakeOurKeyExchange(&next, /*initiator=*/true, random_, 3); !st) return st.error();
  auto payloads = KeyExchangePayloads(next, /*initiator=*/true);
  if (!payloads) return payloads.error();
  auto wire = SendCleartext(&next, std::move(*payloads), 3);
  if (wire) s_ = std::move(next);
  return wire;
}

Result<Bytes> MainModeInitiator::OnMessage4(const Message& m) {
  auto peer = PeerKeyExchange(m.payloads, 4);
  if (!peer) return peer.error();
  if (peer->first == s_.g_xi || peer->second == s_.ni_b)
    return MainModeError(4, "our own KE or nonce came back (a reflected message 3)");
  MainModeState next = s_;
  next.g_xr = std::move(peer->first);
  next.nr_b = std::move(peer->second);
  if (next.sa.peer_nat_t) {
    if (Status st = CheckNatD(m.payloads, 4, &next); !st) return st.error();
  }
  if (Status st = DerivePhase1(&next, /*initiator=*/true, 4); !st) return st.error();
  auto ids = BuildIdentity(next, /*initiator_hash=*/true);
  if (!ids) return ids.error();
  auto wire = SealMainMode(&next, *ids);
  if (!wire) return wire.error();
  next.step = 5;
  next.last_sent = *wire;
  s_ = std::move(next);
  return wire;
}

Result<Bytes> MainModeInitiator::OnMessage6(const Message& m, std::span<const uint8_t> ciphertext) {
  auto payloads = OpenMainMode(s_, m, 6);
  if (!payloads) return payloads.error();
  MainModeState next = s_;
  if (Status st = CheckIdentity(*payloads, 6, /*initiator_hash=*/false, &next); !st)
    return st.error();
  auto last = NextIv(ciphertext, next.iv.size());
  if (!last) return MainModeError(6, last.error().message);
  next.sa.last_block = std::move(*last);
  next.step = 6;
  s_ = std::move(next);
  established_ = true;
  return Bytes{};
}

}  // namespace ipsec::ike::v1
