// IKEv1 (ISAKMP) messages as plain data (RFC 2408 section 3). No bytes, no
// state: codec.h turns these into datagrams and back. Payloads are kept in
// wire order; Payload::type is the ISAKMP payload type (constants.h).
#pragma once

#include <cstdint>
#include <variant>
#include <vector>

#include "ike/v1/constants.h"

namespace ipsec::ike::v1 {

using Bytes = std::vector<uint8_t>;

struct Header {
  uint64_t cookie_i = 0;  // the 8 network-order bytes read big endian
  uint64_t cookie_r = 0;
  uint8_t next_payload = 0;  // filled by Encode; informational after Decode
  uint8_t version = kIsakmpVersion;
  uint8_t exchange = exchange::kIdentityProtection;
  uint8_t flags = 0;  // kFlagEncryption | kFlagCommit | kFlagAuthOnly
  uint32_t message_id = 0;
  uint32_t length = 0;  // filled by Encode; checked by Decode

  bool encrypted() const { return flags & kFlagEncryption; }
  bool operator==(const Header&) const = default;
};

// A data attribute (RFC 2408 3.3): basic (AF=1, 16-bit value in the header)
// or variable (AF=0, length + value). Kept as sent; attributes.h gives the
// typed views.
struct Attribute {
  uint16_t type = 0;  // without the AF bit
  bool basic = true;
  uint16_t value = 0;  // basic only
  Bytes data;          // variable only (may be empty)
  bool operator==(const Attribute&) const = default;
};

struct Transform {
  uint8_t number = 1;
  uint8_t id = 0;  // KEY_IKE in phase 1; ESP_* in quick mode
  std::vector<Attribute> attributes;
  bool operator==(const Transform&) const = default;
};

struct Proposal {
  uint8_t number = 1;
  uint8_t protocol = protocol::kIsakmp;
  Bytes spi;  // empty or 16 (cookies) in phase 1; 4 for ESP/AH
  std::vector<Transform> transforms;
  bool operator==(const Proposal&) const = default;
};

// Proposals with the same number are ANDed (e.g. ESP + IPCOMP); different
// numbers are alternatives (RFC 2408 4.2).
struct SaPayload {
  uint32_t doi = kDoiIpsec;
  uint32_t situation = kSituationIdentityOnly;
  std::vector<Proposal> proposals;
  bool operator==(const SaPayload&) const = default;
};

struct KePayload {
  Bytes data;  // public value; the group is the SA's, not carried here
  bool operator==(const KePayload&) const = default;
};

struct NoncePayload {
  Bytes nonce;  // 8..256 bytes (RFC 2409 5)
  bool operator==(const NoncePayload&) const = default;
};

// ID payload with the IPsec DOI's fields (RFC 2407 4.6.2). Data checked
// against the type by the parser (address sizes, non-empty names).
struct IdPayload {
  uint8_t id_type = idtype::kIpv4Addr;
  uint8_t protocol = 0;  // 0 = any
  uint16_t port = 0;     // 0 = any
  Bytes data;
  bool operator==(const IdPayload&) const = default;
};

struct HashPayload {
  Bytes data;
  bool operator==(const HashPayload&) const = default;
};

struct NotifyPayload {
  uint32_t doi = kDoiIpsec;
  uint8_t protocol = protocol::kIsakmp;
  uint16_t type = 0;
  Bytes spi;
  Bytes data;
  bool operator==(const NotifyPayload&) const = default;
};

struct DeletePayload {
  uint32_t doi = kDoiIpsec;
  uint8_t protocol = protocol::kEsp;
  uint8_t spi_size = 4;  // 16 (both cookies) for the ISAKMP SA
  std::vector<Bytes> spis;
  bool operator==(const DeletePayload&) const = default;
};

struct VendorIdPayload {
  Bytes id;
  bool operator==(const VendorIdPayload&) const = default;
};

// RFC 3947 3.2: HASH(CKY-I | CKY-R | IP | Port) with the negotiated hash.
struct NatDPayload {
  Bytes hash;
  bool operator==(const NatDPayload&) const = default;
};

// RFC 3947 5.2: an original address, ID_IPV4_ADDR or ID_IPV6_ADDR.
struct NatOaPayload {
  uint8_t id_type = idtype::kIpv4Addr;
  Bytes address;  // 4 or 16 bytes
  bool operator==(const NatOaPayload&) const = default;
};

// CERT, CR, SIG and payload types we do not know: the body as received.
struct RawPayload {
  Bytes data;
  bool operator==(const RawPayload&) const = default;
};

using PayloadBody =
    std::variant<SaPayload, KePayload, NoncePayload, IdPayload, HashPayload, NotifyPayload,
                 DeletePayload, VendorIdPayload, NatDPayload, NatOaPayload, RawPayload>;

struct Payload {
  uint8_t type = payload::kNone;
  PayloadBody body;
  // As received, generic header included (empty for payloads we build): the
  // hashes of RFC 2409 cover received bytes (SAi_b, IDii_b, quick mode's
  // "message after HASH"), not a re-encoding.
  Bytes wire;
  bool operator==(const Payload& o) const { return type == o.type && body == o.body; }
};

struct Message {
  Header header;
  std::vector<Payload> payloads;  // empty when header.encrypted(): see codec.h
  Bytes encrypted_body;           // the ciphertext after the header, if encrypted
  bool operator==(const Message&) const = default;
};

}  // namespace ipsec::ike::v1
