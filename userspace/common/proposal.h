// Proposals as data (RFC 7296 3.3), shared by config (parses ike=/esp=
// strings into these), the IKE codec (SA payloads) and the engine
// (negotiation). IDs are the IANA IKEv2 transform IDs.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace ipsec {

enum class TransformType : uint8_t { kEncr = 1, kPrf = 2, kInteg = 3, kDh = 4, kEsn = 5 };
enum class ProtocolId : uint8_t { kIke = 1, kAh = 2, kEsp = 3 };

struct Transform {
  TransformType type;
  uint16_t id;
  uint16_t key_length = 0;  // bits, from the Key Length attribute; 0 = absent
  bool operator==(const Transform&) const = default;
};

struct Proposal {
  ProtocolId protocol = ProtocolId::kIke;
  std::vector<Transform> transforms;
  bool operator==(const Proposal&) const = default;
};

}  // namespace ipsec
