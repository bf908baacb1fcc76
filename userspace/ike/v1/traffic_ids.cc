#include "ike/v1/traffic_ids.h"

#include <array>

namespace ipsec::ike::v1 {

namespace {

Bytes Mask(size_t bytes, unsigned len) {
  Bytes m(bytes, 0);
  for (unsigned i = 0; i < len; ++i) m[i / 8] |= uint8_t(0x80 >> (i % 8));
  return m;
}

// The prefix length of a contiguous mask, or -1.
int MaskLength(std::span<const uint8_t> m) {
  int len = 0;
  size_t i = 0;
  for (; i < m.size() && m[i] == 0xff; ++i) len += 8;
  if (i < m.size()) {
    uint8_t b = m[i++];
    while (b & 0x80) {
      ++len;
      b = uint8_t(b << 1);
    }
    if (b) return -1;
  }
  for (; i < m.size(); ++i)
    if (m[i]) return -1;
  return len;
}

std::optional<IpAddress> AddressOf(std::span<const uint8_t> b) {
  if (b.size() == 4) return IpAddress::V4(b.first<4>());
  if (b.size() == 16) return IpAddress::V6(b.first<16>());
  return std::nullopt;
}

}  // namespace

IdPayload IdForPrefix(const IpPrefix& p) {
  const IpAddress& a = p.address();
  const bool v4 = a.is_v4();
  IdPayload id;
  id.data.assign(a.bytes().begin(), a.bytes().end());
  if (p.length() == (v4 ? 32 : 128)) {
    id.id_type = v4 ? idtype::kIpv4Addr : idtype::kIpv6Addr;
    return id;
  }
  id.id_type = v4 ? idtype::kIpv4Subnet : idtype::kIpv6Subnet;
  Bytes m = Mask(a.size(), p.length());
  id.data.insert(id.data.end(), m.begin(), m.end());
  return id;
}

Result<IpPrefix> PrefixForId(const IdPayload& id) {
  if (id.protocol != 0 || id.port != 0)
    return MakeError("client ID restricted to protocol " + std::to_string(id.protocol) + " port " +
                     std::to_string(id.port) + " (only whole subnets are supported)");
  std::span<const uint8_t> d = id.data;
  switch (id.id_type) {
    case idtype::kIpv4Addr:
    case idtype::kIpv6Addr:
      if (auto a = AddressOf(d)) return IpPrefix::Host(*a);
      break;
    case idtype::kIpv4Subnet:
    case idtype::kIpv6Subnet: {
      auto a = AddressOf(d.first(d.size() / 2));
      int len = MaskLength(d.subspan(d.size() / 2));
      if (!a) break;
      if (len < 0) return MakeError("client ID subnet mask is not contiguous");
      return IpPrefix(*a, static_cast<uint8_t>(len));
    }
    default:
      return MakeError("client ID type " + std::to_string(id.id_type) +
                       " is not supported (address or subnet only)");
  }
  return MakeError("client ID of type " + std::to_string(id.id_type) + " has a bad length");
}

}  // namespace ipsec::ike::v1
