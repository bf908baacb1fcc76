#include "engine/v1/v1_sa.h"

namespace ipsec::engine::v1 {

void Send(EngineContext& ctx, const V1Sa& sa, std::span<const uint8_t> datagram) {
  ++ctx.counters.tx_messages;
  ctx.sender.Send(datagram, sa.ike.local, sa.ike.remote);
}

uint32_t NewMessageId(EngineContext& ctx, const V1Sa& sa) {
  uint32_t id = 0;
  while (id == 0 || sa.quick.count(id)) {
    uint8_t b[4];
    if (!ctx.random.Fill(b)) return 0;
    id = ReadBe32(b);
  }
  return id;
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
