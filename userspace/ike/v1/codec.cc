// ISAKMP header (RFC 2408 3.1) and generic payload chain (3.2).
#include "ike/v1/codec.h"

#include <string>

#include "common/bytes.h"
#include "ike/v1/payload_codec.h"

namespace ipsec::ike::v1 {

namespace {

DecodeError Err(DecodeErrorKind kind, size_t offset, const std::string& what) {
  return DecodeError{kind, what + " at offset " + std::to_string(offset), 0};
}

DecodeError Syntax(const Error& e, uint8_t type = 0) {
  return DecodeError{DecodeErrorKind::kInvalidSyntax, e.message, type};
}

// The payload type a body kind is sent as (0 for RawPayload: any other).
uint8_t TypeOf(const PayloadBody& b) {
  static constexpr uint8_t kTypes[] = {payload::kSa,
                                       payload::kKe,
                                       payload::kNonce,
                                       payload::kId,
                                       payload::kHash,
                                       payload::kNotification,
                                       payload::kDelete,
                                       payload::kVendorId,
                                       payload::kNatD,
                                       payload::kNatOa,
                                       0};
  static_assert(std::size(kTypes) == std::variant_size_v<PayloadBody>);
  return kTypes[b.index()];
}

bool IsParsedType(uint8_t t) {
  switch (t) {
    case payload::kSa:
    case payload::kKe:
    case payload::kNonce:
    case payload::kId:
    case payload::kHash:
    case payload::kNotification:
    case payload::kDelete:
    case payload::kVendorId:
    case payload::kNatD:
    case payload::kNatOa:
    case payload::kProposal:
    case payload::kTransform:
      return true;
    default:
      return false;
  }
}

}  // namespace

DecodeResult<Header> DecodeHeader(std::span<const uint8_t> datagram) {
  ByteReader r(datagram);
  Header h;
  if (!r.ReadU64(&h.cookie_i) || !r.ReadU64(&h.cookie_r) || !r.ReadU8(&h.next_payload) ||
      !r.ReadU8(&h.version) || !r.ReadU8(&h.exchange) || !r.ReadU8(&h.flags) ||
      !r.ReadU32(&h.message_id) || !r.ReadU32(&h.length))
    return Err(DecodeErrorKind::kTruncated, 0,
               "ISAKMP header: datagram of " + std::to_string(datagram.size()) + " bytes");
  if (h.version >> 4 != 1)
    return Err(DecodeErrorKind::kInvalidMajorVersion, 17,
               "ISAKMP header: major version " + std::to_string(h.version >> 4));
  if (h.length < kHeaderSize || h.length > datagram.size())
    return Err(DecodeErrorKind::kTruncated, 24,
               "ISAKMP header: length " + std::to_string(h.length) + " for a datagram of " +
                   std::to_string(datagram.size()));
  if (h.length != datagram.size())
    return Err(DecodeErrorKind::kInvalidSyntax, h.length,
               std::to_string(datagram.size() - h.length) + " bytes after the message");
  if (h.flags & ~(kFlagEncryption | kFlagCommit | kFlagAuthOnly))
    return Err(DecodeErrorKind::kInvalidSyntax, 19,
               "ISAKMP header: unknown flags " + std::to_string(h.flags));
  return h;
}

DecodeResult<std::vector<Payload>> DecodePayloads(uint8_t first, std::span<const uint8_t> chain,
                                                  size_t base, bool padded) {
  ByteReader r(chain);
  std::vector<Payload> out;
  uint8_t type = first;
  while (type != payload::kNone) {
    size_t at = base + r.offset();
    auto start = r.rest();
    uint8_t next = 0, reserved = 0;
    uint16_t length = 0;
    if (!r.ReadU8(&next) || !r.ReadU8(&reserved) || !r.ReadU16(&length))
      return Err(DecodeErrorKind::kInvalidSyntax, at,
                 "payload " + std::to_string(type) + ": generic header truncated");
    if (length < kGenericHeaderSize)
      return Err(DecodeErrorKind::kInvalidSyntax, at,
                 "payload " + std::to_string(type) + ": length " + std::to_string(length) + " < 4");
    auto body = r.Sub(length - kGenericHeaderSize);
    if (!body)
      return Err(DecodeErrorKind::kInvalidSyntax, at,
                 "payload " + std::to_string(type) + ": length " + std::to_string(length) +
                     " overruns the message");
    auto parsed = ParsePayloadBody(type, *body, at + kGenericHeaderSize);
    if (!parsed) return Syntax(parsed.error(), type);
    Payload p{type, std::move(*parsed), Bytes(start.begin(), start.begin() + length)};
    out.push_back(std::move(p));
    type = next;
  }
  if (!r.empty() && !padded)
    return Err(DecodeErrorKind::kInvalidSyntax, base + r.offset(),
               std::to_string(r.remaining()) + " bytes after the last payload");
  return out;
}

Result<Bytes> EncodePayloads(const std::vector<Payload>& payloads) {
  ByteWriter w;
  for (size_t i = 0; i < payloads.size(); ++i) {
    const Payload& p = payloads[i];
    uint8_t kind = TypeOf(p.body);
    if (kind ? kind != p.type : (IsParsedType(p.type) || p.type == payload::kNone))
      return MakeError("encode: payload type " + std::to_string(p.type) +
                       " does not match its body");
    size_t start = w.size();
    w.U8(i + 1 < payloads.size() ? payloads[i + 1].type : payload::kNone);
    w.U8(0);
    w.U16(0);
    if (auto s = WritePayloadBody(p.body, w); !s) return s.error();
    size_t len = w.size() - start;
    if (len > 0xffff) return MakeError("encode: payload " + std::to_string(p.type) + " too long");
    (void)w.PatchU16(start + 2, static_cast<uint16_t>(len));
  }
  return w.Take();
}

Result<Bytes> Encode(const Message& m) {
  Bytes body;
  uint8_t first = m.header.next_payload;
  if (m.header.encrypted()) {
    body = m.encrypted_body;
  } else {
    auto b = EncodePayloads(m.payloads);
    if (!b) return b.error();
    body = std::move(*b);
    first = m.payloads.empty() ? payload::kNone : m.payloads.front().type;
  }
  size_t total = kHeaderSize + body.size();
  if (total > kMaxMessageSize)
    return MakeError("encode: message of " + std::to_string(total) + " bytes");
  ByteWriter w;
  w.U64(m.header.cookie_i);
  w.U64(m.header.cookie_r);
  w.U8(first);
  w.U8(m.header.version);
  w.U8(m.header.exchange);
  w.U8(m.header.flags);
  w.U32(m.header.message_id);
  w.U32(static_cast<uint32_t>(total));
  w.Bytes(body);
  return w.Take();
}

DecodeResult<Message> Decode(std::span<const uint8_t> datagram) {
  auto h = DecodeHeader(datagram);
  if (!h) return h.error();
  Message m;
  m.header = *h;
  auto body = datagram.subspan(kHeaderSize);
  if (m.header.encrypted()) {
    // RFC 2408 3.5: encrypted bodies are whole cipher blocks; at least one
    // (the smallest, 8 bytes, for 3DES).
    if (body.empty() || body.size() % 8 != 0)
      return Err(DecodeErrorKind::kInvalidSyntax, kHeaderSize,
                 "encrypted body of " + std::to_string(body.size()) + " bytes");
    m.encrypted_body.assign(body.begin(), body.end());
    return m;
  }
  auto p = DecodePayloads(m.header.next_payload, body, kHeaderSize, false);
  if (!p) return p.error();
  m.payloads = std::move(*p);
  return m;
}

}  // namespace ipsec::ike::v1
