#include "engine/v1/v1_sa.h"

namespace ipsec::engine::v1 {

void Send(EngineContext& ctx, const V1Sa& sa, std::span<const uint8_t> datagram) {
  ++ctx.counters.tx_messages;
  ctx.sender.Send(datagram, sa.ike.local, sa.ike.remote);
}

uint32_t NewMessageId(EngineContext& ctx, const V1Sa& sa) {
  uint32_t id = 0;
  while (id == 0 || sa.quick.count(id) || sa.used_message_ids.count(id)) {
    uint8_t b[4];
    if (!ctx.random.Fill(b)) return 0;
    id = ReadBe32(b);
  }
  return id;
}

bool ReplayedMessageId(EngineContext& ctx, const V1Sa& sa, uint32_t message_id) {
  if (!sa.used_message_ids.count(message_id)) return false;
  ++ctx.counters.dropped_unexpected;
  ctx.Log(LogLevel::kDebug, sa.ike.conn_name(),
          "dropping a replayed IKEv1 message: message ID " + std::to_string(message_id) +
              " was used before on this ISAKMP SA");
  return true;
}

void RememberMessageId(V1Sa& sa, uint32_t message_id) {
  if (!sa.used_message_ids.insert(message_id).second) return;
  sa.used_message_order.push_back(message_id);
  if (sa.used_message_order.size() > kMaxUsedMessageIds) {
    sa.used_message_ids.erase(sa.used_message_order.front());
    sa.used_message_order.pop_front();
  }
}

ike::v1::Bytes Be32(uint32_t v) {
  return {static_cast<uint8_t>(v >> 24), static_cast<uint8_t>(v >> 16),
          static_cast<uint8_t>(v >> 8), static_cast<uint8_t>(v)};
}

uint32_t ReadBe32(std::span<const uint8_t> b) {
  return uint32_t{b[0]} << 24 | uint32_t{b[1]} << 16 | uint32_t{b[2]} << 8 | b[3];
}

ike::v1::Bytes Cookies(const ike::v1::Phase1Sa& p1) {
  ike::v1::Bytes out;
  for (uint64_t c : {p1.cookie_i, p1.cookie_r})
    for (int i = 7; i >= 0; --i) out.push_back(static_cast<uint8_t>(c >> (8 * i)));
  return out;
}

}  // namespace ipsec::engine::v1
