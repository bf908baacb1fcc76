// Payload bodies (RFC 7296 3.2-3.15). Every parser runs on a ByteReader
// limited to exactly its body and checks each read; a failure names the
// payload, the field and the datagram offset.
#include "ike/payload_codec.h"

namespace ipsec::ike {

namespace {

Error At(size_t offset, const std::string& what) {
  return MakeError(what + " at offset " + std::to_string(offset));
}

std::string Num(size_t v) {
  return std::to_string(v);
}

Result<Transform> ParseTransform(ByteReader r, size_t base, SaProposal* prop) {
  uint8_t type = 0, reserved = 0;
  uint16_t id = 0;
  if (!r.ReadU8(&type) || !r.ReadU8(&reserved) || !r.ReadU16(&id))
    return At(base, "SA payload: transform header truncated");
  Transform t{static_cast<TransformType>(type), id, 0};
  if (type < 1 || type > 5) prop->has_unknown_transform_type = true;
  while (!r.empty()) {
    size_t at = base + r.offset();
    uint16_t af_type = 0, value = 0;
    if (!r.ReadU16(&af_type) || !r.ReadU16(&value))
      return At(at, "SA payload: transform attribute truncated");
    bool tv = af_type & 0x8000;
    uint16_t attr = af_type & 0x7fff;
    if (!tv) {  // TLV: value is the length of what follows
      if (!r.Skip(value))
        return At(at, "SA payload: attribute length " + Num(value) + " overruns transform");
      prop->has_unknown_attribute = true;
      continue;
    }
    if (attr == kAttrKeyLength) {
      if (t.key_length != 0) return At(at, "SA payload: duplicate Key Length attribute");
      if (value == 0) return At(at, "SA payload: Key Length attribute of 0");
      t.key_length = value;
    } else {
      prop->has_unknown_attribute = true;
    }
  }
  return t;
}

Result<SaProposal> ParseProposal(ByteReader r, size_t base) {
  SaProposal p;
  uint8_t protocol = 0, spi_size = 0, num_transforms = 0;
  if (!r.ReadU8(&p.number) || !r.ReadU8(&protocol) || !r.ReadU8(&spi_size) ||
      !r.ReadU8(&num_transforms))
    return At(base, "SA payload: proposal header truncated");
  if (protocol < 1 || protocol > 3)
    return At(base, "SA payload: proposal protocol ID " + Num(protocol) + " unknown");
  p.proposal.protocol = static_cast<ProtocolId>(protocol);
  if (!r.ReadBytes(spi_size, &p.spi))
    return At(base + r.offset(), "SA payload: SPI size " + Num(spi_size) + " overruns proposal");
  if (num_transforms == 0) return At(base, "SA payload: proposal with no transforms");
  for (unsigned i = 0; i < num_transforms; ++i) {
    size_t at = base + r.offset();
    uint8_t last = 0, reserved = 0;
    uint16_t length = 0;
    if (!r.ReadU8(&last) || !r.ReadU8(&reserved) || !r.ReadU16(&length))
      return At(
          at, "SA payload: transform " + Num(i + 1) + " of " + Num(num_transforms) + " truncated");
    if (length < 8) return At(at, "SA payload: transform length " + Num(length) + " < 8");
    bool is_last = i + 1 == num_transforms;
    if (last != (is_last ? 0 : 3))
      return At(at, "SA payload: transform " + Num(i + 1) + " of " + Num(num_transforms) +
                        " has last-substructure value " + Num(last));
    auto body = r.Sub(length - 4);
    if (!body) return At(at, "SA payload: transform length " + Num(length) + " overruns proposal");
    auto t = ParseTransform(*body, at + 4, &p);
    if (!t) return t.error();
    p.proposal.transforms.push_back(*t);
  }
  if (!r.empty())
    return At(base + r.offset(), "SA payload: " + Num(r.remaining()) +
                                     " bytes after the last transform of the proposal");
  return p;
}

}  // namespace

Result<SaPayload> ParseSa(ByteReader r, size_t base) {
  SaPayload sa;
  if (r.empty()) return At(base, "SA payload: no proposals");
  while (!r.empty()) {
    size_t at = base + r.offset();
    uint8_t last = 0, reserved = 0;
    uint16_t length = 0;
    if (!r.ReadU8(&last) || !r.ReadU8(&reserved) || !r.ReadU16(&length))
      return At(at, "SA payload: proposal header truncated");
    if (length < 8) return At(at, "SA payload: proposal length " + Num(length) + " < 8");
    if (last != 0 && last != 2)
      return At(at, "SA payload: proposal last-substructure value " + Num(last));
    auto body = r.Sub(length - 4);
    if (!body) return At(at, "SA payload: proposal length " + Num(length) + " overruns payload");
    auto p = ParseProposal(*body, at + 4);
    if (!p) return p.error();
    // 3.3.1: each proposal after the first is numbered the same or +1. The
    // first is 1 only in a request (CheckPayloadRules): a response carries
    // the number of the proposal it accepted (strongSwan answers "2").
    if (!sa.proposals.empty()) {
      uint8_t expect = sa.proposals.back().number;
      if (p->number != expect && p->number != expect + 1)
        return At(at, "SA payload: proposal number " + Num(p->number) + " out of sequence");
    } else if (p->number == 0) {
      return At(at, "SA payload: proposal number 0");
    }
    sa.proposals.push_back(std::move(*p));
    if (last == 0 && !r.empty())
      return At(base + r.offset(), "SA payload: data after the proposal marked last");
    if (last == 2 && r.empty()) return At(at, "SA payload: proposal says more follow, none do");
  }
  return sa;
}

Result<KePayload> ParseKe(ByteReader r, size_t base) {
  KePayload ke;
  uint16_t reserved = 0;
  if (!r.ReadU16(&ke.group) || !r.ReadU16(&reserved))
    return At(base, "KE payload: header truncated");
  if (r.empty()) return At(base, "KE payload: empty key exchange data");
  r.ReadBytes(r.remaining(), &ke.data);
  return ke;
}

Result<NoncePayload> ParseNonce(ByteReader r, size_t base) {
  // 3.9: between 16 and 256 octets.
  if (r.remaining() < 16 || r.remaining() > 256)
    return At(base, "Nonce payload: length " + Num(r.remaining()) + " outside 16..256");
  NoncePayload n;
  r.ReadBytes(r.remaining(), &n.nonce);
  return n;
}

Result<IdPayload> ParseId(ByteReader r, size_t base) {
  IdPayload id;
  uint8_t type = 0;
  if (!r.ReadU8(&type) || !r.Skip(3)) return At(base, "ID payload: header truncated");
  id.id_type = static_cast<IdType>(type);
  r.ReadBytes(r.remaining(), &id.data);
  size_t want = id.id_type == IdType::kIpv4Addr ? 4 : id.id_type == IdType::kIpv6Addr ? 16 : 0;
  if (want && id.data.size() != want)
    return At(base, "ID payload: address identity of " + Num(id.data.size()) + " bytes, expected " +
                        Num(want));
  if (id.data.empty()) return At(base, "ID payload: empty identity");
  return id;
}

Result<AuthPayload> ParseAuth(ByteReader r, size_t base) {
  AuthPayload a;
  uint8_t method = 0;
  if (!r.ReadU8(&method) || !r.Skip(3)) return At(base, "AUTH payload: header truncated");
  a.method = static_cast<AuthMethod>(method);
  if (r.empty()) return At(base, "AUTH payload: empty authentication data");
  r.ReadBytes(r.remaining(), &a.data);
  return a;
}

Result<NotifyPayload> ParseNotify(ByteReader r, size_t base) {
  NotifyPayload n;
  uint8_t spi_size = 0;
  if (!r.ReadU8(&n.protocol) || !r.ReadU8(&spi_size) || !r.ReadU16(&n.type))
    return At(base, "Notify payload: header truncated");
  if (!r.ReadBytes(spi_size, &n.spi))
    return At(base, "Notify payload: SPI size " + Num(spi_size) + " overruns payload");
  r.ReadBytes(r.remaining(), &n.data);
  return n;
}

Result<DeletePayload> ParseDelete(ByteReader r, size_t base) {
  DeletePayload d;
  uint16_t count = 0;
  if (!r.ReadU8(&d.protocol) || !r.ReadU8(&d.spi_size) || !r.ReadU16(&count))
    return At(base, "Delete payload: header truncated");
  if (d.protocol == static_cast<uint8_t>(ProtocolId::kIke)) {
    if (d.spi_size != 0 || count != 0)
      return At(base, "Delete payload: IKE SA delete with SPI size " + Num(d.spi_size) + " and " +
                          Num(count) + " SPIs");
  } else if (d.protocol == static_cast<uint8_t>(ProtocolId::kEsp) ||
             d.protocol == static_cast<uint8_t>(ProtocolId::kAh)) {
    // No SPIs at all is what libreswan 4.10 answers a Delete of a child SA
    // it does not know (RFC 7296 1.4.1: nothing to delete in return); the
    // SPI size then says nothing. Refusing it made our Delete time out and
    // cost the whole IKE SA.
    if (count != 0 && d.spi_size != 4)
      return At(base, "Delete payload: SPI size " + Num(d.spi_size) + " != 4");
  } else {
    return At(base, "Delete payload: protocol ID " + Num(d.protocol) + " unknown");
  }
  if (r.remaining() != static_cast<size_t>(count) * d.spi_size)
    return At(base, "Delete payload: " + Num(count) + " SPIs of " + Num(d.spi_size) +
                        " bytes do not match body of " + Num(r.remaining()));
  for (unsigned i = 0; i < count; ++i) {
    Bytes spi;
    r.ReadBytes(d.spi_size, &spi);
    d.spis.push_back(std::move(spi));
  }
  return d;
}

Result<TsPayload> ParseTs(ByteReader r, size_t base) {
  TsPayload ts;
  uint8_t count = 0;
  if (!r.ReadU8(&count) || !r.Skip(3)) return At(base, "TS payload: header truncated");
  if (count == 0) return At(base, "TS payload: no traffic selectors");
  for (unsigned i = 0; i < count; ++i) {
    size_t at = base + r.offset();
    TrafficSelector s;
    uint8_t type = 0;
    uint16_t length = 0;
    if (!r.ReadU8(&type) || !r.ReadU8(&s.ip_protocol) || !r.ReadU16(&length))
      return At(at, "TS payload: selector " + Num(i + 1) + " of " + Num(count) + " truncated");
    size_t addr = type == static_cast<uint8_t>(TsType::kIpv4AddrRange)   ? 4
                  : type == static_cast<uint8_t>(TsType::kIpv6AddrRange) ? 16
                                                                         : 0;
    if (!addr) return At(at, "TS payload: unsupported selector type " + Num(type));
    if (length != 8 + 2 * addr)
      return At(at,
                "TS payload: selector length " + Num(length) + ", expected " + Num(8 + 2 * addr));
    s.type = static_cast<TsType>(type);
    auto body = r.ReadSpan(length - 4);
    if (!body) return At(at, "TS payload: selector length " + Num(length) + " overruns payload");
    ByteReader b(*body);
    b.ReadU16(&s.start_port);
    b.ReadU16(&s.end_port);
    auto a1 = *b.ReadSpan(addr);
    auto a2 = *b.ReadSpan(addr);
    if (addr == 4) {
      s.start = IpAddress::V4(std::span<const uint8_t, 4>(a1.data(), 4));
      s.end = IpAddress::V4(std::span<const uint8_t, 4>(a2.data(), 4));
    } else {
      s.start = IpAddress::V6(std::span<const uint8_t, 16>(a1.data(), 16));
      s.end = IpAddress::V6(std::span<const uint8_t, 16>(a2.data(), 16));
    }
    ts.selectors.push_back(s);
  }
  if (!r.empty())
    return At(base + r.offset(),
              "TS payload: " + Num(r.remaining()) + " bytes after " + Num(count) + " selectors");
  return ts;
}

Result<ConfigPayload> ParseConfig(ByteReader r, size_t base) {
  ConfigPayload cp;
  uint8_t type = 0;
  if (!r.ReadU8(&type) || !r.Skip(3)) return At(base, "CP payload: header truncated");
  if (type < 1 || type > 4) return At(base, "CP payload: config type " + Num(type) + " unknown");
  cp.cfg_type = static_cast<ConfigType>(type);
  while (!r.empty()) {
    size_t at = base + r.offset();
    ConfigAttribute a;
    uint16_t length = 0;
    if (!r.ReadU16(&a.type) || !r.ReadU16(&length))
      return At(at, "CP payload: attribute header truncated");
    a.type &= 0x7fff;
    if (!r.ReadBytes(length, &a.value))
      return At(at, "CP payload: attribute length " + Num(length) + " overruns payload");
    cp.attributes.push_back(std::move(a));
  }
  return cp;
}

Result<PayloadBody> ParsePayloadBody(PayloadType type, ByteReader r, size_t base) {
  auto wrap = [](auto res) -> Result<PayloadBody> {
    if (!res) return res.error();
    return PayloadBody(std::move(*res));
  };
  switch (type) {
    case PayloadType::kSa:
      return wrap(ParseSa(r, base));
    case PayloadType::kKe:
      return wrap(ParseKe(r, base));
    case PayloadType::kIdi:
    case PayloadType::kIdr:
      return wrap(ParseId(r, base));
    case PayloadType::kAuth:
      return wrap(ParseAuth(r, base));
    case PayloadType::kNonce:
      return wrap(ParseNonce(r, base));
    case PayloadType::kNotify:
      return wrap(ParseNotify(r, base));
    case PayloadType::kDelete:
      return wrap(ParseDelete(r, base));
    case PayloadType::kVendorId:
      return PayloadBody(VendorIdPayload{Bytes(r.rest().begin(), r.rest().end())});
    case PayloadType::kTsi:
    case PayloadType::kTsr:
      return wrap(ParseTs(r, base));
    case PayloadType::kConfig:
      return wrap(ParseConfig(r, base));
    case PayloadType::kEncrypted:
    case PayloadType::kEncryptedFragment:
      return At(base, PayloadName(type) + " payload cannot be parsed as a plain payload");
    default:
      return PayloadBody(RawPayload{Bytes(r.rest().begin(), r.rest().end())});
  }
}

namespace {

Status Fits(size_t v, size_t max, const std::string& what) {
  if (v > max) return MakeError(what + " " + Num(v) + " exceeds " + Num(max));
  return Status::Ok();
}

Status WriteSa(const SaPayload& sa, ByteWriter& w) {
  if (sa.proposals.empty()) return MakeError("SA payload: no proposals");
  for (size_t i = 0; i < sa.proposals.size(); ++i) {
    const SaProposal& p = sa.proposals[i];
    if (auto s = Fits(p.spi.size(), 255, "SA payload: SPI size"); !s) return s;
    if (auto s = Fits(p.proposal.transforms.size(), 255, "SA payload: transform count"); !s)
      return s;
    if (p.proposal.transforms.empty()) return MakeError("SA payload: proposal with no transforms");
    size_t start = w.size();
    w.U8(i + 1 == sa.proposals.size() ? 0 : 2);
    w.U8(0);
    w.U16(0);  // length, patched
    w.U8(p.number);
    w.U8(static_cast<uint8_t>(p.proposal.protocol));
    w.U8(static_cast<uint8_t>(p.spi.size()));
    w.U8(static_cast<uint8_t>(p.proposal.transforms.size()));
    w.Bytes(p.spi);
    for (size_t j = 0; j < p.proposal.transforms.size(); ++j) {
      const Transform& t = p.proposal.transforms[j];
      w.U8(j + 1 == p.proposal.transforms.size() ? 0 : 3);
      w.U8(0);
      w.U16(t.key_length ? 12 : 8);
      w.U8(static_cast<uint8_t>(t.type));
      w.U8(0);
      w.U16(t.id);
      if (t.key_length) {
        w.U16(0x8000 | kAttrKeyLength);
        w.U16(t.key_length);
      }
    }
    if (auto s = Fits(w.size() - start, 65535, "SA payload: proposal length"); !s) return s;
    w.PatchU16(start + 2, static_cast<uint16_t>(w.size() - start));
  }
  return Status::Ok();
}

Status WriteTs(const TsPayload& ts, ByteWriter& w) {
  if (ts.selectors.empty()) return MakeError("TS payload: no traffic selectors");
  if (auto s = Fits(ts.selectors.size(), 255, "TS payload: selector count"); !s) return s;
  w.U8(static_cast<uint8_t>(ts.selectors.size()));
  w.Zeros(3);
  for (const auto& s : ts.selectors) {
    size_t addr = s.type == TsType::kIpv4AddrRange ? 4 : 16;
    if (s.start.size() != addr || s.end.size() != addr)
      return MakeError("TS payload: address family does not match selector type");
    w.U8(static_cast<uint8_t>(s.type));
    w.U8(s.ip_protocol);
    w.U16(static_cast<uint16_t>(8 + 2 * addr));
    w.U16(s.start_port);
    w.U16(s.end_port);
    w.Bytes(s.start.bytes());
    w.Bytes(s.end.bytes());
  }
  return Status::Ok();
}

struct BodyWriter {
  ByteWriter& w;
  Status operator()(const SaPayload& p) { return WriteSa(p, w); }
  Status operator()(const KePayload& p) {
    w.U16(p.group);
    w.U16(0);
    w.Bytes(p.data);
    return Status::Ok();
  }
  Status operator()(const NoncePayload& p) {
    w.Bytes(p.nonce);
    return Status::Ok();
  }
  Status operator()(const IdPayload& p) {
    w.U8(static_cast<uint8_t>(p.id_type));
    w.Zeros(3);
    w.Bytes(p.data);
    return Status::Ok();
  }
  Status operator()(const AuthPayload& p) {
    w.U8(static_cast<uint8_t>(p.method));
    w.Zeros(3);
    w.Bytes(p.data);
    return Status::Ok();
  }
  Status operator()(const NotifyPayload& p) {
    if (auto s = Fits(p.spi.size(), 255, "Notify payload: SPI size"); !s) return s;
    w.U8(p.protocol);
    w.U8(static_cast<uint8_t>(p.spi.size()));
    w.U16(p.type);
    w.Bytes(p.spi);
    w.Bytes(p.data);
    return Status::Ok();
  }
  Status operator()(const DeletePayload& p) {
    if (auto s = Fits(p.spis.size(), 65535, "Delete payload: SPI count"); !s) return s;
    w.U8(p.protocol);
    w.U8(p.spi_size);
    w.U16(static_cast<uint16_t>(p.spis.size()));
    for (const auto& spi : p.spis) {
      if (spi.size() != p.spi_size) return MakeError("Delete payload: SPI of wrong size");
      w.Bytes(spi);
    }
    return Status::Ok();
  }
  Status operator()(const VendorIdPayload& p) {
    w.Bytes(p.data);
    return Status::Ok();
  }
  Status operator()(const TsPayload& p) { return WriteTs(p, w); }
  Status operator()(const ConfigPayload& p) {
    w.U8(static_cast<uint8_t>(p.cfg_type));
    w.Zeros(3);
    for (const auto& a : p.attributes) {
      if (auto s = Fits(a.value.size(), 65535, "CP payload: attribute length"); !s) return s;
      w.U16(a.type & 0x7fff);
      w.U16(static_cast<uint16_t>(a.value.size()));
      w.Bytes(a.value);
    }
    return Status::Ok();
  }
  Status operator()(const RawPayload& p) {
    w.Bytes(p.body);
    return Status::Ok();
  }
};

}  // namespace

Status WritePayloadBody(const PayloadBody& body, ByteWriter& w) {
  return std::visit(BodyWriter{w}, body);
}

}  // namespace ipsec::ike
