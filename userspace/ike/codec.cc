// Message framing: the IKE header, the chain of generic payload headers and
// the SK payload (RFC 7296 3.1, 3.2, 3.14). Payload bodies are in
// payload_codec.cc; the allowed-payload table in payload_rules.cc.
#include "ike/codec.h"

#include <openssl/crypto.h>

#include "common/bytes.h"
#include "ike/payload_codec.h"
#include "ike/payload_rules.h"

namespace ipsec::ike {

namespace {

std::string Num(size_t v) {
  return std::to_string(v);
}

DecodeError Err(DecodeErrorKind kind, std::string message, uint8_t payload_type = 0) {
  return DecodeError{kind, std::move(message), payload_type};
}

DecodeError Syntax(const Error& e) {
  return Err(DecodeErrorKind::kInvalidSyntax, e.message);
}

// Parses a chain of payloads starting with type `next` from r, appending to
// out. `base` is r's offset in the datagram (or in the decrypted SK body,
// then `where` says so). If an SK payload is met and sk_out is given, its
// position is returned there and the chain must end with it.
struct SkLocation {
  uint8_t first_inner = 0;
  size_t body_offset = 0;  // offset of the SK body (IV) in the datagram
  size_t body_length = 0;
  size_t header_offset = 0;
};

std::optional<DecodeError> ParseChain(uint8_t next, ByteReader r, size_t base,
                                      const std::string& where, std::vector<Payload>* out,
                                      std::optional<SkLocation>* sk_out) {
  while (next != 0) {
    size_t at = base + r.offset();
    uint8_t following = 0, flags = 0;
    uint16_t length = 0;
    if (!r.ReadU8(&following) || !r.ReadU8(&flags) || !r.ReadU16(&length))
      return Err(DecodeErrorKind::kInvalidSyntax, PayloadName(static_cast<PayloadType>(next)) +
                                                      " payload header truncated" + where +
                                                      " at offset " + Num(at));
    if (length < kGenericPayloadHeaderSize)
      return Err(DecodeErrorKind::kInvalidSyntax, PayloadName(static_cast<PayloadType>(next)) +
                                                      " payload length " + Num(length) + " < 4" +
                                                      where + " at offset " + Num(at));
    auto body = r.Sub(length - kGenericPayloadHeaderSize);
    if (!body)
      return Err(DecodeErrorKind::kInvalidSyntax,
                 PayloadName(static_cast<PayloadType>(next)) + " payload length " + Num(length) +
                     " overruns the message by " +
                     Num(length - kGenericPayloadHeaderSize - r.remaining()) + " bytes" + where +
                     " at offset " + Num(at));
    PayloadType type = static_cast<PayloadType>(next);
    bool critical = flags & 0x80;
    if (type == PayloadType::kEncrypted) {
      if (!sk_out)
        return Err(DecodeErrorKind::kInvalidSyntax, "SK payload nested inside SK" + where, next);
      if (!r.empty())
        return Err(DecodeErrorKind::kInvalidSyntax, "SK payload is not the last payload (" +
                                                        Num(r.remaining()) +
                                                        " bytes follow) at offset " + Num(at));
      *sk_out = SkLocation{following, at + kGenericPayloadHeaderSize,
                           length - kGenericPayloadHeaderSize, at};
      return std::nullopt;
    }
    if (type == PayloadType::kEncryptedFragment)
      return Err(DecodeErrorKind::kInvalidSyntax,
                 "SKF payload (RFC 7383) not as the only payload of a message" + where, next);
    size_t body_base = at + kGenericPayloadHeaderSize;
    uint8_t v = next;
    bool known = (v >= 33 && v <= 49);
    if (!known && critical)
      return Err(DecodeErrorKind::kUnsupportedCriticalPayload,
                 "unsupported critical payload type " + Num(v) + where + " at offset " + Num(at),
                 v);
    auto parsed = ParsePayloadBody(type, *body, body_base);
    if (!parsed) {
      DecodeError e = Syntax(parsed.error());
      e.message += where;
      e.payload_type = v;
      return e;
    }
    out->push_back(Payload{type, critical, std::move(*parsed)});
    next = following;
  }
  if (!r.empty())
    return Err(DecodeErrorKind::kInvalidSyntax, Num(r.remaining()) +
                                                    " bytes after the last payload" + where +
                                                    " at offset " + Num(base + r.offset()));
  return std::nullopt;
}

DecodeResult<Message> DecodeImpl(std::span<const uint8_t> datagram, const SkCipher* cipher) {
  auto h = DecodeHeader(datagram);
  if (!h) return h.error();
  Message m;
  m.header = *h;
  ByteReader r(datagram.subspan(kHeaderSize, h->length - kHeaderSize));
  std::optional<SkLocation> sk;
  if (auto e = ParseChain(h->next_payload, r, kHeaderSize, "", &m.payloads, &sk)) return *e;
  if (!sk) return m;

  // Protected message. Cleartext payloads before SK are legal in RFC 7296
  // but no exchange we implement uses them: refuse rather than mix trust.
  if (!m.payloads.empty())
    return Err(DecodeErrorKind::kPayloadNotAllowed,
               PayloadName(m.payloads.front().type) + " payload outside the SK payload",
               static_cast<uint8_t>(m.payloads.front().type));
  if (!cipher)
    return Err(DecodeErrorKind::kNeedKeys, "message carries an SK payload but no IKE SA keys");
  if (sk->body_length < cipher->iv_size() + cipher->icv_size() + 1)
    return Err(
        DecodeErrorKind::kInvalidSyntax,
        "SK payload of " + Num(sk->body_length) + " bytes is too short for IV, ICV and pad length");
  auto authenticated = datagram.first(sk->body_offset);
  auto iv = datagram.subspan(sk->body_offset, cipher->iv_size());
  auto rest =
      datagram.subspan(sk->body_offset + cipher->iv_size(), sk->body_length - cipher->iv_size());
  auto plain = cipher->Open(authenticated, iv, rest);
  if (!plain) return Err(DecodeErrorKind::kIntegrityFailed, plain.error().message);
  // Strip padding (3.14): the last byte is the pad length, not counting itself.
  if (plain->empty())
    return Err(DecodeErrorKind::kInvalidSyntax, "SK payload decrypted to nothing");
  size_t pad = plain->back();
  if (pad + 1 > plain->size())
    return Err(DecodeErrorKind::kInvalidSyntax, "SK payload pad length " + Num(pad) +
                                                    " exceeds the " + Num(plain->size()) +
                                                    " decrypted bytes");
  ByteReader inner(std::span<const uint8_t>(plain->data(), plain->size() - pad - 1));
  m.encrypted = true;
  auto e = ParseChain(sk->first_inner, inner, 0, " (inside SK)", &m.payloads, nullptr);
  // The parsed payloads own copies; do not leave decrypted bytes behind.
  OPENSSL_cleanse(plain->data(), plain->size());
  if (e) return *e;
  return m;
}

// Writes the chain of payloads; the caller has set the next-payload field of
// whatever precedes (header or SK) to the first type.
Status WriteChain(const std::vector<Payload>& payloads, ByteWriter& w) {
  for (size_t i = 0; i < payloads.size(); ++i) {
    const Payload& p = payloads[i];
    if (p.type == PayloadType::kEncrypted || p.type == PayloadType::kEncryptedFragment ||
        p.type == PayloadType::kNone)
      return MakeError("cannot encode a " + PayloadName(p.type) + " payload directly");
    size_t start = w.size();
    w.U8(i + 1 < payloads.size() ? static_cast<uint8_t>(payloads[i + 1].type) : 0);
    w.U8(p.critical ? 0x80 : 0);
    w.U16(0);
    if (auto s = WritePayloadBody(p.body, w); !s)
      return MakeError(PayloadName(p.type) + ": " + s.error().message);
    size_t len = w.size() - start;
    if (len > 65535)
      return MakeError(PayloadName(p.type) + " payload of " + Num(len) + " bytes is too long");
    w.PatchU16(start + 2, static_cast<uint16_t>(len));
  }
  return Status::Ok();
}

void WriteHeader(const IkeHeader& h, uint8_t next, ByteWriter& w) {
  w.U64(h.spi_i);
  w.U64(h.spi_r);
  w.U8(next);
  w.U8(static_cast<uint8_t>(h.major_version << 4 | (h.minor_version & 0xf)));
  w.U8(static_cast<uint8_t>(h.exchange));
  w.U8(h.flags);
  w.U32(h.message_id);
  w.U32(0);  // length, patched
}

}  // namespace

const char* DecodeErrorKindName(DecodeErrorKind k) {
  switch (k) {
    case DecodeErrorKind::kTruncated:
      return "truncated";
    case DecodeErrorKind::kInvalidMajorVersion:
      return "invalid major version";
    case DecodeErrorKind::kInvalidSyntax:
      return "invalid syntax";
    case DecodeErrorKind::kUnsupportedCriticalPayload:
      return "unsupported critical payload";
    case DecodeErrorKind::kPayloadNotAllowed:
      return "payload not allowed";
    case DecodeErrorKind::kMissingPayload:
      return "missing payload";
    case DecodeErrorKind::kNeedKeys:
      return "no keys";
    case DecodeErrorKind::kIntegrityFailed:
      return "integrity check failed";
    case DecodeErrorKind::kUnsupported:
      return "unsupported";
  }
  return "?";
}

DecodeResult<IkeHeader> DecodeHeader(std::span<const uint8_t> datagram) {
  ByteReader r(datagram);
  IkeHeader h;
  uint8_t version = 0, exchange = 0;
  if (!r.ReadU64(&h.spi_i) || !r.ReadU64(&h.spi_r) || !r.ReadU8(&h.next_payload) ||
      !r.ReadU8(&version) || !r.ReadU8(&exchange) || !r.ReadU8(&h.flags) ||
      !r.ReadU32(&h.message_id) || !r.ReadU32(&h.length))
    return Err(DecodeErrorKind::kTruncated,
               "datagram of " + Num(datagram.size()) + " bytes is shorter than the IKE header");
  h.major_version = version >> 4;
  h.minor_version = version & 0xf;
  h.exchange = static_cast<ExchangeType>(exchange);
  if (h.major_version != kIkeMajorVersion)
    return Err(DecodeErrorKind::kInvalidMajorVersion,
               "IKE major version " + Num(h.major_version) + " (only 2 is supported)");
  if (h.length < kHeaderSize)
    return Err(DecodeErrorKind::kInvalidSyntax,
               "header length field " + Num(h.length) + " < header size 28");
  if (h.length > datagram.size())
    return Err(DecodeErrorKind::kTruncated, "header length field " + Num(h.length) +
                                                " but datagram has only " + Num(datagram.size()) +
                                                " bytes");
  if (h.length < datagram.size())
    return Err(DecodeErrorKind::kInvalidSyntax, "header length field " + Num(h.length) +
                                                    " but datagram has " + Num(datagram.size()) +
                                                    " bytes");
  return h;
}

DecodeResult<Message> DecodeUnchecked(std::span<const uint8_t> datagram, const SkCipher* cipher) {
  return DecodeImpl(datagram, cipher);
}

DecodeResult<Message> Decode(std::span<const uint8_t> datagram, const SkCipher* cipher) {
  auto m = DecodeImpl(datagram, cipher);
  if (!m) return m;
  if (auto e = CheckPayloadRules(*m)) return *e;
  return m;
}

Result<Bytes> Encode(const Message& message) {
  if (message.encrypted)
    return MakeError("Encode: message is marked encrypted; use EncodeEncrypted");
  ByteWriter w;
  uint8_t first =
      message.payloads.empty() ? 0 : static_cast<uint8_t>(message.payloads.front().type);
  WriteHeader(message.header, first, w);
  if (auto s = WriteChain(message.payloads, w); !s) return s.error();
  if (w.size() > kMaxMessageSize)
    return MakeError("Encode: message of " + Num(w.size()) + " bytes is too long");
  w.PatchU32(24, static_cast<uint32_t>(w.size()));
  return w.Take();
}

DecodeResult<Message> DecodeReassembled(const IkeHeader& header, uint8_t first_inner,
                                        std::span<const uint8_t> plain) {
  Message m;
  m.header = header;
  m.header.next_payload = static_cast<uint8_t>(PayloadType::kEncrypted);
  m.encrypted = true;
  if (auto e = ParseChain(first_inner, ByteReader(plain), 0, " (inside SKF fragments)", &m.payloads,
                          nullptr))
    return *e;
  if (auto e = CheckPayloadRules(m)) return *e;
  return m;
}

Bytes PadForSk(std::span<const uint8_t> payloads, size_t block) {
  // Pad so that payloads + padding + pad-length byte fill whole blocks.
  size_t pad = (block - (payloads.size() + 1) % block) % block;
  Bytes plain(payloads.begin(), payloads.end());
  plain.insert(plain.end(), pad, 0);
  plain.push_back(static_cast<uint8_t>(pad));
  return plain;
}

Result<Bytes> EncodeInnerPayloads(const Message& message) {
  ByteWriter inner;
  if (auto s = WriteChain(message.payloads, inner); !s) return s.error();
  return inner.Take();
}

Result<Bytes> EncodeEncrypted(const Message& message, const SkCipher& cipher,
                              RandomSource& random) {
  auto inner = EncodeInnerPayloads(message);
  if (!inner) return inner.error();
  Bytes plain = PadForSk(*inner, cipher.block_size());
  OPENSSL_cleanse(inner->data(), inner->size());

  Bytes iv(cipher.iv_size());
  if (!random.Fill(iv)) return MakeError("EncodeEncrypted: random source failed");

  uint8_t first =
      message.payloads.empty() ? 0 : static_cast<uint8_t>(message.payloads.front().type);
  size_t sk_length = kGenericPayloadHeaderSize + iv.size() + plain.size() + cipher.icv_size();
  size_t total = kHeaderSize + sk_length;
  if (total > kMaxMessageSize)
    return MakeError("EncodeEncrypted: message of " + Num(total) + " bytes is too long");
  ByteWriter w;
  WriteHeader(message.header, static_cast<uint8_t>(PayloadType::kEncrypted), w);
  w.PatchU32(24, static_cast<uint32_t>(total));
  w.U8(first);
  w.U8(0);
  w.U16(static_cast<uint16_t>(sk_length));
  auto sealed = cipher.Seal(w.bytes(), iv, plain);
  OPENSSL_cleanse(plain.data(), plain.size());
  if (!sealed) return sealed.error();
  w.Bytes(iv);
  w.Bytes(*sealed);
  return w.Take();
}

Bytes EncodeIdBody(const IdPayload& id) {
  ByteWriter w;
  (void)WritePayloadBody(PayloadBody(id), w);
  return w.Take();
}

}  // namespace ipsec::ike
