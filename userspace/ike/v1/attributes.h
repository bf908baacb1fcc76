// ISAKMP data attributes (RFC 2408 3.3) on the wire, and the typed views of
// a transform's attribute list: phase 1 (RFC 2409 Appendix A) and quick mode
// (IPsec DOI, RFC 2407 4.5). Parsing checks every length; the typed views
// reject what the RFCs forbid (a basic-only attribute sent variable, a
// duplicate, a life duration without its life type) and flag, rather than
// reject, attribute types they do not know: such a transform must simply
// not be chosen.
#pragma once

#include <cstdint>
#include <vector>

#include "common/bytes.h"
#include "common/result.h"
#include "ike/v1/message.h"

namespace ipsec::ike::v1 {

// Attributes up to the end of r (a transform's attribute area). base is the
// offset of r in the datagram, for error messages.
Result<std::vector<Attribute>> ParseAttributes(ByteReader r, size_t base);
// Fails if a variable attribute's data exceeds 65535 bytes.
Status WriteAttributes(const std::vector<Attribute>& attrs, ByteWriter& w);

// A lifetime value: basic, or variable of 1..8 bytes (RFC 2409 App. A:
// Life Duration is V, but a value that fits is commonly sent basic).
Result<uint64_t> AttributeNumber(const Attribute& a);
// The shortest encoding: basic up to 0xffff, else 4 or 8 bytes variable.
Attribute NumberAttribute(uint16_t type, uint64_t value);

// Phase 1 transform (protocol ISAKMP, transform KEY_IKE).
struct IsakmpTransformAttrs {
  uint16_t encryption = 0;   // p1encr
  uint16_t key_bits = 0;     // Key Length, 0 when absent
  uint16_t hash = 0;         // p1hash
  uint16_t auth_method = 0;  // p1auth
  uint16_t group = 0;        // Group Description (MODP/ECP number as IKEv2's)
  uint16_t prf = 0;          // rarely sent; 0 = HMAC of the hash
  uint64_t life_seconds = 0;
  uint64_t life_kilobytes = 0;
  bool unknown_attribute = false;  // a type we do not implement (group type, curves...)
  bool operator==(const IsakmpTransformAttrs&) const = default;
};
Result<IsakmpTransformAttrs> ParseIsakmpAttributes(const std::vector<Attribute>& attrs);
std::vector<Attribute> BuildIsakmpAttributes(const IsakmpTransformAttrs& t);

// Quick-mode transform (protocol ESP/AH; the transform ID is the cipher).
struct IpsecTransformAttrs {
  uint16_t encap_mode = 0;  // encap::*, 0 when absent
  uint16_t auth = 0;        // qmauth::*, 0 for AEAD / absent
  uint16_t key_bits = 0;
  uint16_t group = 0;  // PFS group, 0 without PFS
  uint64_t life_seconds = 0;
  uint64_t life_kilobytes = 0;
  bool esn = false;
  bool unknown_attribute = false;
  bool operator==(const IpsecTransformAttrs&) const = default;
};
Result<IpsecTransformAttrs> ParseIpsecAttributes(const std::vector<Attribute>& attrs);
std::vector<Attribute> BuildIpsecAttributes(const IpsecTransformAttrs& t);

// UDP-encapsulated tunnel or transport, RFC 3947 or the draft's value.
bool IsUdpEncapsulated(uint16_t encap_mode);
bool IsTunnelMode(uint16_t encap_mode);

}  // namespace ipsec::ike::v1
