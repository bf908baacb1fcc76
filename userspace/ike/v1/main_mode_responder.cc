#include <algorithm>

#include "ike/v1/codec.h"
#include "ike/v1/main_mode.h"
#include "ike/v1/main_mode_steps.h"
#include "ike/v1/phase1_proposal.h"

namespace ipsec::ike::v1 {

MainModeResponder::MainModeResponder(MainModeParams params, RandomSource& random)
    : random_(random) {
  s_.params = std::move(params);
}

Result<Bytes> MainModeResponder::Receive(std::span<const uint8_t> datagram) {
  if (!last_request_.empty() &&
      std::equal(datagram.begin(), datagram.end(), last_request_.begin(), last_request_.end()))
    return s_.last_sent;  // our answer was lost: the same answer again
  const int expected = s_.step + 1;
  if (established_) return MainModeError(expected, "main mode is complete");
  auto m = DecodeMainMode(datagram, expected, s_.sa.cookie_i, s_.sa.cookie_r, expected == 5);
  if (!m) return m.error();
  Result<Bytes> reply = expected == 1   ? OnMessage1(*m)
                        : expected == 3 ? OnMessage3(*m)
                                        : OnMessage5(*m, m->encrypted_body);
  if (reply) last_request_.assign(datagram.begin(), datagram.end());
  return reply;
}

Result<Bytes> MainModeResponder::OnMessage1(const Message& m) {
  if (m.header.cookie_i == 0 || m.header.cookie_r != 0)
    return MainModeError(1, "cookies are not those of a first message");
  const Payload* sa = FindPayload(m.payloads, payload::kSa);
  if (!sa) return MainModeError(1, "SA payload missing");
  const auto& offer = std::get<SaPayload>(sa->body);
  auto choice = ChoosePhase1(offer, s_.params.transforms);
  if (!choice) return MainModeError(1, choice.error().message);
  auto sai_b = HashedBody(*sa);
  auto cookie = RandomCookie(random_);
  if (!sai_b) return sai_b.error();
  if (!cookie) return cookie.error();
  MainModeState next = s_;
  next.sa.cookie_i = m.header.cookie_i;
  next.sa.cookie_r = *cookie;
  next.sa.transform = choice->attrs;
  next.sai_b = std::move(*sai_b);
  NoteVendorIds(m.payloads, &next.sa);
  std::vector<Payload> out = {{payload::kSa, Phase1Answer(offer, *choice), {}}};
  for (Payload& v : OurVendorIds()) out.push_back(std::move(v));
  auto wire = SendCleartext(&next, std::move(out), 2);
  if (wire) s_ = std::move(next);
  return wire;
}

Result<Bytes> MainModeResponder::OnMessage3(const Message& m) {
  auto peer = PeerKeyExchange(m.payloads, 3);
  if (!peer) return peer.error();
  MainModeState next = s_;
  next.g_xi = std::move(peer->first);
  next.ni_b = std::move(peer->second);
  if (next.sa.peer_nat_t) {
    if (Status st = CheckNatD(m.payloads, 3, &next); !st) return st.error();
  }
  if (Status st = MakeOurKeyExchange(&next, /*initiator=*/false, random_, 4); !st)
    return st.error();
  if (Status st = DerivePhase1(&next, /*initiator=*/false, 3); !st) return st.error();
  auto payloads = KeyExchangePayloads(next, /*initiator=*/false);
  if (!payloads) return payloads.error();
  auto wire = SendCleartext(&next, std::move(*payloads), 4);
  if (wire) s_ = std::move(next);
  return wire;
}

Result<Bytes> MainModeResponder::OnMessage5(const Message& m, std::span<const uint8_t> ciphertext) {
  auto payloads = OpenMainMode(s_, m, 5);
  if (!payloads) return payloads.error();
  MainModeState next = s_;
  if (Status st = CheckIdentity(*payloads, 5, /*initiator_hash=*/true, &next); !st)
    return st.error();
  auto after5 = NextIv(ciphertext, next.iv.size());
  if (!after5) return MainModeError(5, after5.error().message);
  next.iv = std::move(*after5);
  auto ids = BuildIdentity(next, /*initiator_hash=*/false);
  if (!ids) return ids.error();
  auto wire = SealMainMode(&next, *ids);
  if (!wire) return wire.error();
  next.sa.last_block = next.iv;  // SealMainMode left it at message 6's last block
  next.step = 6;
  next.last_sent = *wire;
  s_ = std::move(next);
  established_ = true;
  return wire;
}

}  // namespace ipsec::ike::v1
