// IKEv2 messages as plain data (RFC 7296 section 3). No bytes, no state: the
// codec (codec.h) turns these into datagrams and back; the engine fills and
// reads them. A Message's payloads are kept in wire order.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "common/ip_address.h"
#include "common/proposal.h"
#include "ike/constants.h"

namespace ipsec::ike {

using Bytes = std::vector<uint8_t>;

struct IkeHeader {
  uint64_t spi_i = 0;  // SPIs as the 8 network-order bytes read big endian
  uint64_t spi_r = 0;
  uint8_t next_payload = 0;  // filled by Encode; informational after Decode
  uint8_t major_version = kIkeMajorVersion;
  uint8_t minor_version = 0;
  ExchangeType exchange = ExchangeType::kIkeSaInit;
  uint8_t flags = 0;  // kFlagInitiator | kFlagResponse | kFlagVersion
  uint32_t message_id = 0;
  uint32_t length = 0;  // filled by Encode; checked by Decode

  bool initiator() const { return flags & kFlagInitiator; }  // sent by the original initiator
  bool response() const { return flags & kFlagResponse; }
  bool operator==(const IkeHeader&) const = default;
};

// One proposal substructure. protocol+transforms use the shared Proposal
// type; number and SPI are wire details the engine needs to answer with.
struct SaProposal {
  uint8_t number = 1;  // 1-based, as on the wire
  Bytes spi;           // empty in IKE_SA_INIT; 4 bytes for ESP/AH; 8 for IKE rekey
  Proposal proposal;
  // A transform carried an attribute we do not understand (RFC 7296 3.3.6:
  // such a transform must not be selected). The transform is still listed.
  bool has_unknown_attribute = false;
  // A transform of a type outside 1..5 (3.3.6: the proposal must be rejected).
  bool has_unknown_transform_type = false;
  bool operator==(const SaProposal&) const = default;
};

struct SaPayload {
  std::vector<SaProposal> proposals;
  bool operator==(const SaPayload&) const = default;
};

struct KePayload {
  uint16_t group = 0;
  Bytes data;  // public value (ECP: x || y; curve25519: 32 bytes)
  bool operator==(const KePayload&) const = default;
};

struct NoncePayload {
  Bytes nonce;  // 16..256 bytes, checked by Decode
  bool operator==(const NoncePayload&) const = default;
};

// IDi and IDr share this body; Payload::type tells them apart.
struct IdPayload {
  IdType id_type = IdType::kFqdn;
  Bytes data;  // IPv4: 4 bytes; IPv6: 16; FQDN/RFC822/KEY_ID: the octets
  bool operator==(const IdPayload&) const = default;
};

struct AuthPayload {
  AuthMethod method = AuthMethod::kSharedKeyMic;
  Bytes data;
  bool operator==(const AuthPayload&) const = default;
};

struct NotifyPayload {
  uint8_t protocol = 0;  // 0 = none, else ProtocolId value
  Bytes spi;
  uint16_t type = 0;  // NotifyType value; kept as a number so unknown types survive
  Bytes data;
  bool operator==(const NotifyPayload&) const = default;
};

// A notify about no SPI (RFC 7296 3.10: protocol 0), with its data: what
// every task sends for status and error notifies.
NotifyPayload Notify(NotifyType type, Bytes data = {});

struct DeletePayload {
  uint8_t protocol = static_cast<uint8_t>(ProtocolId::kIke);
  uint8_t spi_size = 0;  // 0 for IKE, 4 for ESP/AH
  std::vector<Bytes> spis;
  bool operator==(const DeletePayload&) const = default;
};

struct VendorIdPayload {
  Bytes data;
  bool operator==(const VendorIdPayload&) const = default;
};

struct TrafficSelector {
  TsType type = TsType::kIpv4AddrRange;
  uint8_t ip_protocol = 0;  // 0 = any
  uint16_t start_port = 0;
  uint16_t end_port = 65535;
  IpAddress start;  // family matches type
  IpAddress end;
  bool operator==(const TrafficSelector&) const = default;
};

// TSi and TSr share this body; Payload::type tells them apart.
struct TsPayload {
  std::vector<TrafficSelector> selectors;
  bool operator==(const TsPayload&) const = default;
};

struct ConfigAttribute {
  uint16_t type = 0;  // 15-bit attribute type
  Bytes value;
  bool operator==(const ConfigAttribute&) const = default;
};

struct ConfigPayload {
  ConfigType cfg_type = ConfigType::kRequest;
  std::vector<ConfigAttribute> attributes;
  bool operator==(const ConfigPayload&) const = default;
};

// Payloads we carry but do not interpret: CERT, CERTREQ, EAP, and unknown
// non-critical types (kept so logs can say what was skipped).
struct RawPayload {
  Bytes body;
  bool operator==(const RawPayload&) const = default;
};

using PayloadBody =
    std::variant<SaPayload, KePayload, NoncePayload, IdPayload, AuthPayload, NotifyPayload,
                 DeletePayload, VendorIdPayload, TsPayload, ConfigPayload, RawPayload>;

struct Payload {
  PayloadType type = PayloadType::kNone;
  bool critical = false;  // the C bit as received / to send
  PayloadBody body;
  bool operator==(const Payload&) const = default;
};

struct Message {
  IkeHeader header;
  // True: payloads travel inside an SK payload (every exchange but
  // IKE_SA_INIT). Decode sets it when the datagram had SK; Encode needs SK
  // keys for it.
  bool encrypted = false;
  std::vector<Payload> payloads;

  // Convenience for building and reading.
  template <class T>
  void Add(PayloadType type, T body, bool critical = false) {
    payloads.push_back(Payload{type, critical, PayloadBody(std::move(body))});
  }
  // First payload of that type with body T, or nullptr.
  template <class T>
  const T* Find(PayloadType type) const {
    for (const auto& p : payloads)
      if (p.type == type)
        if (const T* b = std::get_if<T>(&p.body)) return b;
    return nullptr;
  }
  size_t Count(PayloadType type) const;
  const NotifyPayload* FindNotify(NotifyType type) const;
  std::vector<const NotifyPayload*> Notifies() const;
  // First error notify (type < 16384), or nullptr.
  const NotifyPayload* FirstErrorNotify() const;

  bool operator==(const Message&) const = default;
};

// Human-readable names for logs ("IKE_SA_INIT", "NOTIFY(NO_PROPOSAL_CHOSEN)").
std::string ExchangeName(ExchangeType t);
std::string PayloadName(PayloadType t);
std::string NotifyName(uint16_t type);
// "IKE_SA_INIT request #0 [ SA KE No N(NATD_S_IP) N(NATD_D_IP) ]" in strongSwan's log shape.
std::string Summarize(const Message& m);

// ID payload bodies from/to addresses and names.
IdPayload MakeIdFromAddress(const IpAddress& a);
IdPayload MakeIdFqdn(std::string_view fqdn);
// "10.0.0.1", "vpn.example.org", "C=CH, O=Example, CN=moon" (DER_ASN1_DN), "@#a1b2" for KEY_ID
std::string IdToString(const IdPayload& id);

// Traffic selector for a prefix, all protocols and ports.
TrafficSelector MakeTrafficSelector(const IpPrefix& p, uint8_t ip_protocol = 0,
                                    uint16_t start_port = 0, uint16_t end_port = 65535);
std::string TsToString(const TrafficSelector& ts);  // "10.1.0.0/16" or "10.0.0.1-10.0.0.9[tcp/80]"

}  // namespace ipsec::ike
