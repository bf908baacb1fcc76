// SPIs as the SA, Notify and Delete payloads carry them: 4 octets for
// ESP (RFC 7296 3.3.1), 8 for IKE (3.3.1, 3.10), network order.
#pragma once

#include <cstdint>
#include <optional>

#include "common/bytes.h"
#include "ike/message.h"

namespace ipsec::engine {

inline ike::Bytes SpiBytes(uint32_t spi) {
  ByteWriter w;
  w.U32(spi);
  return w.Take();
}

inline std::optional<uint32_t> SpiFrom(const ike::Bytes& b) {
  ByteReader r(b);
  uint32_t v = 0;
  if (b.size() != 4 || !r.ReadU32(&v)) return std::nullopt;
  return v;
}

inline ike::Bytes Spi64(uint64_t v) {
  ByteWriter w;
  w.U64(v);
  return w.Take();
}

// An IKE SPI: 8 octets, not zero.
inline std::optional<uint64_t> Spi64From(const ike::Bytes& b) {
  ByteReader r(b);
  uint64_t v = 0;
  if (b.size() != 8 || !r.ReadU64(&v) || v == 0) return std::nullopt;
  return v;
}

}  // namespace ipsec::engine
