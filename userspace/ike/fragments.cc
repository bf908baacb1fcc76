// RFC 7383 Encrypted Fragment payloads: building, opening, reassembling.
#include "ike/fragments.h"

#include <openssl/crypto.h>

#include "common/bytes.h"
#include "ike/codec.h"

namespace ipsec::ike {

namespace {

// SKF payload header: generic header, Fragment Number, Total Fragments.
constexpr size_t kSkfHeaderSize = kGenericPayloadHeaderSize + 4;

std::string Num(size_t v) {
  return std::to_string(v);
}

DecodeError Err(DecodeErrorKind kind, std::string message) {
  return DecodeError{kind, std::move(message),
                     static_cast<uint8_t>(PayloadType::kEncryptedFragment)};
}

void Cleanse(Bytes& b) {
  if (!b.empty()) OPENSSL_cleanse(b.data(), b.size());
}

}  // namespace

size_t IkeBytesPerDatagram(size_t ip_size, bool ipv6, bool non_esp_marker) {
  const size_t headers = (ipv6 ? 40 : 20) + 8 + (non_esp_marker ? 4 : 0);
  return ip_size > headers ? ip_size - headers : 0;
}

Result<std::vector<Bytes>> EncodeFragments(const Message& message, const SkCipher& cipher,
                                           RandomSource& random, size_t max_datagram) {
  const size_t overhead = kHeaderSize + kSkfHeaderSize + cipher.iv_size() + cipher.icv_size();
  const size_t block = cipher.block_size();
  if (max_datagram <= overhead + block)
    return MakeError("fragment size " + Num(max_datagram) + " leaves no room after " +
                     Num(overhead) + " bytes of headers, IV and ICV");
  // The most content whose padded form (with the pad-length byte) fits.
  const size_t room = max_datagram - overhead;
  const size_t per_fragment = room - room % block - 1;
  auto inner = EncodeInnerPayloads(message);
  if (!inner) return inner.error();
  const size_t count = std::max<size_t>(1, (inner->size() + per_fragment - 1) / per_fragment);
  if (count > kMaxFragments) {
    Cleanse(*inner);
    return MakeError("message of " + Num(inner->size()) + " bytes needs " + Num(count) +
                     " fragments of " + Num(per_fragment) + " (at most " + Num(kMaxFragments) +
                     ")");
  }
  const uint8_t first =
      message.payloads.empty() ? 0 : static_cast<uint8_t>(message.payloads.front().type);
  std::vector<Bytes> out;
  for (size_t i = 0; i < count; ++i) {
    const size_t from = i * per_fragment;
    const size_t n = std::min(per_fragment, inner->size() - from);
    Bytes plain = PadForSk(std::span<const uint8_t>(*inner).subspan(from, n), block);
    Bytes iv(cipher.iv_size());
    if (!random.Fill(iv)) {
      Cleanse(plain);
      Cleanse(*inner);
      return MakeError("EncodeFragments: random source failed");
    }
    const size_t skf_length = kSkfHeaderSize + iv.size() + plain.size() + cipher.icv_size();
    ByteWriter w;
    IkeHeader h = message.header;
    w.U64(h.spi_i);
    w.U64(h.spi_r);
    w.U8(static_cast<uint8_t>(PayloadType::kEncryptedFragment));
    w.U8(static_cast<uint8_t>(h.major_version << 4 | (h.minor_version & 0xf)));
    w.U8(static_cast<uint8_t>(h.exchange));
    w.U8(h.flags);
    w.U32(h.message_id);
    w.U32(static_cast<uint32_t>(kHeaderSize + skf_length));
    // 2.5: only the first fragment names the first inner payload.
    w.U8(i == 0 ? first : 0);
    w.U8(0);
    w.U16(static_cast<uint16_t>(skf_length));
    w.U16(static_cast<uint16_t>(i + 1));
    w.U16(static_cast<uint16_t>(count));
    // 2.5: the IKE header and the SKF header with its numbers are
    // authenticated, as everything before the IV of an SK payload.
    auto sealed = cipher.Seal(w.bytes(), iv, plain);
    Cleanse(plain);
    if (!sealed) {
      Cleanse(*inner);
      return sealed.error();
    }
    w.Bytes(iv);
    w.Bytes(*sealed);
    out.push_back(w.Take());
  }
  Cleanse(*inner);
  return out;
}

DecodeResult<OpenedFragment> OpenFragment(std::span<const uint8_t> datagram,
                                          const SkCipher& cipher) {
  auto h = DecodeHeader(datagram);
  if (!h) return h.error();
  if (h->next_payload != static_cast<uint8_t>(PayloadType::kEncryptedFragment))
    return Err(DecodeErrorKind::kInvalidSyntax, "not an SKF message");
  ByteReader r(datagram.subspan(kHeaderSize));
  OpenedFragment f;
  f.header = *h;
  uint8_t flags = 0;
  uint16_t length = 0;
  if (!r.ReadU8(&f.first_inner) || !r.ReadU8(&flags) || !r.ReadU16(&length) ||
      !r.ReadU16(&f.number) || !r.ReadU16(&f.total))
    return Err(DecodeErrorKind::kInvalidSyntax, "SKF payload header truncated");
  if (length != datagram.size() - kHeaderSize)
    return Err(DecodeErrorKind::kInvalidSyntax,
               "SKF payload length " + Num(length) + " is not the " +
                   Num(datagram.size() - kHeaderSize) + " bytes after the header");
  const size_t body = length - kSkfHeaderSize;
  if (length < kSkfHeaderSize || body < cipher.iv_size() + cipher.icv_size() + 1)
    return Err(DecodeErrorKind::kInvalidSyntax,
               "SKF payload of " + Num(length) + " bytes is too short for IV, ICV and pad length");
  const size_t iv_at = kHeaderSize + kSkfHeaderSize;
  auto plain = cipher.Open(datagram.first(iv_at), datagram.subspan(iv_at, cipher.iv_size()),
                           datagram.subspan(iv_at + cipher.iv_size()));
  if (!plain) return Err(DecodeErrorKind::kIntegrityFailed, "SKF: " + plain.error().message);
  if (plain->empty()) return Err(DecodeErrorKind::kInvalidSyntax, "SKF decrypted to nothing");
  const size_t pad = plain->back();
  if (pad + 1 > plain->size()) {
    Cleanse(*plain);
    return Err(DecodeErrorKind::kInvalidSyntax, "SKF pad length " + Num(pad) + " exceeds the " +
                                                    Num(plain->size()) + " decrypted bytes");
  }
  plain->resize(plain->size() - pad - 1);
  f.plain = std::move(plain).value();
  if (f.number != 1) f.first_inner = 0;
  return f;
}

FragmentReassembler::Outcome FragmentReassembler::Add(OpenedFragment f) {
  if (f.number == 0 || f.total == 0 || f.number > f.total || f.total > kMaxFragments) {
    Cleanse(f.plain);
    return Outcome::kMalformed;
  }
  auto& slot = partial_[f.header.response() ? 1 : 0];
  if (slot) {
    const bool older = f.header.message_id < slot->message_id ||
                       (f.header.message_id == slot->message_id && f.total < slot->total);
    if (older) {
      Cleanse(f.plain);
      return Outcome::kStale;
    }
    // 2.6.2: a newer message, or the same one refragmented into more
    // pieces (the sender lowered its fragment size), replaces what we hold.
    if (f.header.message_id != slot->message_id || f.total != slot->total) {
      Drop(*slot);
      slot.reset();
    } else if (f.header.exchange != slot->header.exchange || f.header.flags != slot->header.flags) {
      Cleanse(f.plain);
      return Outcome::kMalformed;
    }
  }
  if (slot && slot->fragments.count(f.number)) {
    Cleanse(f.plain);
    return Outcome::kDuplicate;
  }
  const size_t held = slot ? slot->bytes : 0;
  if (held + f.plain.size() > kMaxMessageSize || budget_.held + f.plain.size() > budget_.limit) {
    Cleanse(f.plain);
    return Outcome::kOverflow;
  }
  if (!slot) {
    slot.emplace();
    slot->message_id = f.header.message_id;
    slot->total = f.total;
    slot->header = f.header;
  }
  if (f.number == 1) slot->first_inner = f.first_inner;
  slot->bytes += f.plain.size();
  budget_.held += f.plain.size();
  slot->fragments.emplace(f.number, std::move(f.plain));
  if (slot->fragments.size() < slot->total) return Outcome::kKept;
  if (complete_) Drop(*complete_);
  complete_ = std::move(slot);
  slot.reset();
  return Outcome::kComplete;
}

DecodeResult<Message> FragmentReassembler::Take() {
  if (!complete_) return Err(DecodeErrorKind::kInvalidSyntax, "no reassembled message");
  Bytes joined;
  joined.reserve(complete_->bytes);
  for (const auto& [n, b] : complete_->fragments) joined.insert(joined.end(), b.begin(), b.end());
  const IkeHeader header = complete_->header;
  const uint8_t first = complete_->first_inner;
  Drop(*complete_);
  complete_.reset();
  auto m = DecodeReassembled(header, first, joined);
  Cleanse(joined);
  return m;
}

void FragmentReassembler::Drop(Partial& p) {
  budget_.held -= std::min(budget_.held, p.bytes);
  for (auto& [n, b] : p.fragments) Cleanse(b);
  p.fragments.clear();
  p.bytes = 0;
}

void FragmentReassembler::Clear() {
  for (auto& slot : partial_)
    if (slot) {
      Drop(*slot);
      slot.reset();
    }
  if (complete_) {
    Drop(*complete_);
    complete_.reset();
  }
}

size_t FragmentReassembler::held_bytes() const {
  size_t n = complete_ ? complete_->bytes : 0;
  for (const auto& slot : partial_) n += slot ? slot->bytes : 0;
  return n;
}

const char* FragmentOutcomeName(FragmentReassembler::Outcome o) {
  switch (o) {
    case FragmentReassembler::Outcome::kKept:
      return "kept";
    case FragmentReassembler::Outcome::kComplete:
      return "complete";
    case FragmentReassembler::Outcome::kDuplicate:
      return "duplicate";
    case FragmentReassembler::Outcome::kMalformed:
      return "malformed";
    case FragmentReassembler::Outcome::kStale:
      return "stale";
    case FragmentReassembler::Outcome::kOverflow:
      return "overflow";
  }
  return "?";
}

}  // namespace ipsec::ike
