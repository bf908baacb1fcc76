// IKEv1 payload bodies (RFC 2408 3.4-3.16, RFC 2407 4.6, RFC 3947 3.2/5.2).
// Every parser runs on a ByteReader limited to exactly its body and checks
// each read; a failure names the payload, the field and the datagram offset.
#include "ike/v1/payload_codec.h"

#include <string>

#include "ike/v1/attributes.h"

namespace ipsec::ike::v1 {

namespace {

Error At(size_t offset, const std::string& what) {
  return MakeError(what + " at offset " + std::to_string(offset));
}

std::string Num(uint64_t v) {
  return std::to_string(v);
}

// A proposal or transform substructure's generic header (RFC 2408 3.2).
struct SubHeader {
  uint8_t next = 0;
  uint16_t length = 0;
};

Result<ByteReader> ReadSub(ByteReader& r, size_t at, const char* what, uint8_t more_type,
                           SubHeader* h) {
  uint8_t reserved = 0;
  if (!r.ReadU8(&h->next) || !r.ReadU8(&reserved) || !r.ReadU16(&h->length))
    return At(at, std::string("SA payload: ") + what + " header truncated");
  if (h->next != 0 && h->next != more_type)
    return At(at, std::string("SA payload: ") + what + " next payload " + Num(h->next) +
                      " (expected 0 or " + Num(more_type) + ")");
  if (h->length < 4) return At(at, std::string("SA payload: ") + what + " length < 4");
  auto body = r.Sub(h->length - 4u);
  if (!body)
    return At(at, std::string("SA payload: ") + what + " length " + Num(h->length) + " overruns");
  return *body;
}

Result<Transform> ParseTransform(ByteReader r, size_t base) {
  Transform t;
  uint16_t reserved = 0;
  if (!r.ReadU8(&t.number) || !r.ReadU8(&t.id) || !r.ReadU16(&reserved))
    return At(base, "SA payload: transform truncated");
  auto attrs = ParseAttributes(r, base + 4);
  if (!attrs)
    return At(base, "SA payload: transform " + Num(t.number) + ": " + attrs.error().message);
  t.attributes = std::move(*attrs);
  return t;
}

Result<Proposal> ParseProposal(ByteReader r, size_t base) {
  Proposal p;
  uint8_t spi_size = 0, count = 0;
  if (!r.ReadU8(&p.number) || !r.ReadU8(&p.protocol) || !r.ReadU8(&spi_size) || !r.ReadU8(&count))
    return At(base, "SA payload: proposal truncated");
  if (p.protocol < protocol::kIsakmp || p.protocol > protocol::kIpcomp)
    return At(base, "SA payload: proposal protocol " + Num(p.protocol) + " unknown");
  if (!r.ReadBytes(spi_size, &p.spi))
    return At(base, "SA payload: SPI size " + Num(spi_size) + " overruns the proposal");
  if (count == 0) return At(base, "SA payload: proposal with no transforms");
  for (unsigned i = 0; i < count; ++i) {
    size_t at = base + r.offset();
    SubHeader h;
    auto body = ReadSub(r, at, "transform", payload::kTransform, &h);
    if (!body) return body.error();
    bool last = i + 1 == count;
    if ((h.next == 0) != last)
      return At(at, "SA payload: transform " + Num(i + 1) + " of " + Num(count) +
                        (last ? " says more follow" : " says it is the last"));
    auto t = ParseTransform(*body, at + 4);
    if (!t) return t.error();
    p.transforms.push_back(std::move(*t));
  }
  if (!r.empty())
    return At(base + r.offset(),
              "SA payload: " + Num(r.remaining()) + " bytes after the proposal's last transform");
  return p;
}

}  // namespace

Result<SaPayload> ParseSa(ByteReader r, size_t base) {
  SaPayload sa;
  if (!r.ReadU32(&sa.doi) || !r.ReadU32(&sa.situation))
    return At(base, "SA payload: DOI/situation truncated");
  if (sa.doi != kDoiIpsec) return At(base, "SA payload: DOI " + Num(sa.doi) + " not IPsec");
  // SIT_SECRECY / SIT_INTEGRITY add labelled-domain fields we do not support.
  if (sa.situation != kSituationIdentityOnly)
    return At(base + 4, "SA payload: situation " + Num(sa.situation) + " unsupported");
  if (r.empty()) return At(base, "SA payload: no proposals");
  while (!r.empty()) {
    size_t at = base + r.offset();
    SubHeader h;
    auto body = ReadSub(r, at, "proposal", payload::kProposal, &h);
    if (!body) return body.error();
    auto p = ParseProposal(*body, at + 4);
    if (!p) return p.error();
    // RFC 2408 4.2: equal numbers are ANDed, then increasing. Some peers
    // (libreswan) number from 0.
    if (!sa.proposals.empty() && p->number < sa.proposals.back().number)
      return At(at, "SA payload: proposal number " + Num(p->number) + " after " +
                        Num(sa.proposals.back().number));
    sa.proposals.push_back(std::move(*p));
    if (h.next == 0 && !r.empty())
      return At(base + r.offset(), "SA payload: data after the proposal marked last");
    if (h.next != 0 && r.empty()) return At(at, "SA payload: proposal says more follow, none do");
  }
  return sa;
}

Result<KePayload> ParseKe(ByteReader r, size_t base) {
  if (r.empty()) return At(base, "KE payload: empty");
  KePayload ke;
  (void)r.ReadBytes(r.remaining(), &ke.data);
  return ke;
}

Result<NoncePayload> ParseNonce(ByteReader r, size_t base) {
  // RFC 2409 5: between 8 and 256 bytes.
  if (r.remaining() < 8 || r.remaining() > 256)
    return At(base, "Nonce payload: length " + Num(r.remaining()) + " outside 8..256");
  NoncePayload n;
  (void)r.ReadBytes(r.remaining(), &n.nonce);
  return n;
}

Status CheckIdData(uint8_t id_type, const Bytes& data) {
  auto size_is = [&](size_t n) -> Status {
    if (data.size() != n)
      return MakeError("ID type " + Num(id_type) + " with " + Num(data.size()) +
                       " bytes, expected " + Num(n));
    return Status::Ok();
  };
  switch (id_type) {
    case idtype::kIpv4Addr:
      return size_is(4);
    case idtype::kIpv6Addr:
      return size_is(16);
    case idtype::kIpv4Subnet:
    case idtype::kIpv4Range:
      return size_is(8);
    case idtype::kIpv6Subnet:
    case idtype::kIpv6Range:
      return size_is(32);
    case idtype::kFqdn:
    case idtype::kUserFqdn:
    case idtype::kKeyId:
    case idtype::kDerAsn1Dn:
    case idtype::kDerAsn1Gn:
      if (data.empty()) return MakeError("ID type " + Num(id_type) + " with no data");
      return Status::Ok();
    default:
      return MakeError("ID type " + Num(id_type) + " unknown");
  }
}

Result<IdPayload> ParseId(ByteReader r, size_t base) {
  IdPayload id;
  if (!r.ReadU8(&id.id_type) || !r.ReadU8(&id.protocol) || !r.ReadU16(&id.port))
    return At(base, "ID payload: header truncated");
  (void)r.ReadBytes(r.remaining(), &id.data);
  if (auto s = CheckIdData(id.id_type, id.data); !s)
    return At(base, "ID payload: " + s.error().message);
  return id;
}

Result<HashPayload> ParseHash(ByteReader r, size_t base) {
  // The longest hash we implement is SHA2-512.
  if (r.empty() || r.remaining() > 64)
    return At(base, "HASH payload: length " + Num(r.remaining()) + " outside 1..64");
  HashPayload h;
  (void)r.ReadBytes(r.remaining(), &h.data);
  return h;
}

Result<NotifyPayload> ParseNotify(ByteReader r, size_t base) {
  NotifyPayload n;
  uint8_t spi_size = 0;
  if (!r.ReadU32(&n.doi) || !r.ReadU8(&n.protocol) || !r.ReadU8(&spi_size) || !r.ReadU16(&n.type))
    return At(base, "Notification payload: header truncated");
  if (!r.ReadBytes(spi_size, &n.spi))
    return At(base + 8, "Notification payload: SPI size " + Num(spi_size) + " overruns");
  (void)r.ReadBytes(r.remaining(), &n.data);
  return n;
}

Result<DeletePayload> ParseDelete(ByteReader r, size_t base) {
  DeletePayload d;
  uint16_t count = 0;
  if (!r.ReadU32(&d.doi) || !r.ReadU8(&d.protocol) || !r.ReadU8(&d.spi_size) || !r.ReadU16(&count))
    return At(base, "Delete payload: header truncated");
  if (d.spi_size == 0 || count == 0)
    return At(base, "Delete payload: " + Num(count) + " SPIs of size " + Num(d.spi_size));
  if (r.remaining() != size_t{count} * d.spi_size)
    return At(base, "Delete payload: " + Num(count) + " SPIs of " + Num(d.spi_size) + " bytes in " +
                        Num(r.remaining()) + " bytes");
  for (unsigned i = 0; i < count; ++i) {
    Bytes spi;
    (void)r.ReadBytes(d.spi_size, &spi);
    d.spis.push_back(std::move(spi));
  }
  return d;
}

Result<VendorIdPayload> ParseVendorId(ByteReader r, size_t base) {
  if (r.empty()) return At(base, "Vendor ID payload: empty");
  VendorIdPayload v;
  (void)r.ReadBytes(r.remaining(), &v.id);
  return v;
}

Result<NatDPayload> ParseNatD(ByteReader r, size_t base) {
  if (r.empty() || r.remaining() > 64)
    return At(base, "NAT-D payload: length " + Num(r.remaining()) + " outside 1..64");
  NatDPayload n;
  (void)r.ReadBytes(r.remaining(), &n.hash);
  return n;
}

Result<NatOaPayload> ParseNatOa(ByteReader r, size_t base) {
  NatOaPayload n;
  uint8_t r1 = 0;
  uint16_t r2 = 0;
  if (!r.ReadU8(&n.id_type) || !r.ReadU8(&r1) || !r.ReadU16(&r2))
    return At(base, "NAT-OA payload: header truncated");
  if (n.id_type != idtype::kIpv4Addr && n.id_type != idtype::kIpv6Addr)
    return At(base, "NAT-OA payload: ID type " + Num(n.id_type) + " is not an address");
  (void)r.ReadBytes(r.remaining(), &n.address);
  if (auto s = CheckIdData(n.id_type, n.address); !s)
    return At(base, "NAT-OA payload: " + s.error().message);
  return n;
}

Result<PayloadBody> ParsePayloadBody(uint8_t type, ByteReader r, size_t base) {
  auto wrap = [](auto res) -> Result<PayloadBody> {
    if (!res) return res.error();
    return PayloadBody(std::move(*res));
  };
  switch (type) {
    case payload::kSa:
      return wrap(ParseSa(r, base));
    case payload::kKe:
      return wrap(ParseKe(r, base));
    case payload::kNonce:
      return wrap(ParseNonce(r, base));
    case payload::kId:
      return wrap(ParseId(r, base));
    case payload::kHash:
      return wrap(ParseHash(r, base));
    case payload::kNotification:
      return wrap(ParseNotify(r, base));
    case payload::kDelete:
      return wrap(ParseDelete(r, base));
    case payload::kVendorId:
      return wrap(ParseVendorId(r, base));
    case payload::kNatD:
      return wrap(ParseNatD(r, base));
    case payload::kNatOa:
      return wrap(ParseNatOa(r, base));
    case payload::kProposal:
    case payload::kTransform:
      return At(base, "payload type " + Num(type) + " outside an SA payload");
    default: {
      RawPayload raw;
      (void)r.ReadBytes(r.remaining(), &raw.data);
      return PayloadBody(std::move(raw));
    }
  }
}

namespace {

Status Fail(const std::string& what) {
  return MakeError("encode: " + what);
}

// Writes a substructure: generic header (length patched), then body(w).
template <class F>
Status WriteSub(ByteWriter& w, uint8_t next, F body) {
  size_t start = w.size();
  w.U8(next);
  w.U8(0);
  w.U16(0);
  if (auto s = body(); !s) return s;
  size_t len = w.size() - start;
  if (len > 0xffff) return Fail("substructure longer than 65535");
  (void)w.PatchU16(start + 2, static_cast<uint16_t>(len));
  return Status::Ok();
}

Status WriteSa(const SaPayload& sa, ByteWriter& w) {
  if (sa.proposals.empty()) return Fail("SA without proposals");
  w.U32(sa.doi);
  w.U32(sa.situation);
  for (size_t i = 0; i < sa.proposals.size(); ++i) {
    const Proposal& p = sa.proposals[i];
    uint8_t next = i + 1 == sa.proposals.size() ? 0 : payload::kProposal;
    auto s = WriteSub(w, next, [&]() -> Status {
      if (p.spi.size() > 255) return Fail("SPI longer than 255");
      if (p.transforms.empty() || p.transforms.size() > 255)
        return Fail("proposal with " + Num(p.transforms.size()) + " transforms");
      w.U8(p.number);
      w.U8(p.protocol);
      w.U8(static_cast<uint8_t>(p.spi.size()));
      w.U8(static_cast<uint8_t>(p.transforms.size()));
      w.Bytes(p.spi);
      for (size_t j = 0; j < p.transforms.size(); ++j) {
        const Transform& t = p.transforms[j];
        uint8_t tnext = j + 1 == p.transforms.size() ? 0 : payload::kTransform;
        auto ts = WriteSub(w, tnext, [&]() -> Status {
          w.U8(t.number);
          w.U8(t.id);
          w.U16(0);
          return WriteAttributes(t.attributes, w);
        });
        if (!ts) return ts;
      }
      return Status::Ok();
    });
    if (!s) return s;
  }
  return Status::Ok();
}

}  // namespace

Status WritePayloadBody(const PayloadBody& body, ByteWriter& w) {
  struct Visitor {
    ByteWriter& w;
    Status operator()(const SaPayload& sa) { return WriteSa(sa, w); }
    Status operator()(const KePayload& ke) {
      w.Bytes(ke.data);
      return Status::Ok();
    }
    Status operator()(const NoncePayload& n) {
      w.Bytes(n.nonce);
      return Status::Ok();
    }
    Status operator()(const IdPayload& id) {
      if (auto s = CheckIdData(id.id_type, id.data); !s) return Fail(s.error().message);
      w.U8(id.id_type);
      w.U8(id.protocol);
      w.U16(id.port);
      w.Bytes(id.data);
      return Status::Ok();
    }
    Status operator()(const HashPayload& h) {
      w.Bytes(h.data);
      return Status::Ok();
    }
    Status operator()(const NotifyPayload& n) {
      if (n.spi.size() > 255) return Fail("notification SPI longer than 255");
      w.U32(n.doi);
      w.U8(n.protocol);
      w.U8(static_cast<uint8_t>(n.spi.size()));
      w.U16(n.type);
      w.Bytes(n.spi);
      w.Bytes(n.data);
      return Status::Ok();
    }
    Status operator()(const DeletePayload& d) {
      if (d.spis.empty() || d.spis.size() > 0xffff) return Fail("delete with no or too many SPIs");
      for (const auto& spi : d.spis)
        if (spi.size() != d.spi_size || spi.empty()) return Fail("delete SPI of the wrong size");
      w.U32(d.doi);
      w.U8(d.protocol);
      w.U8(d.spi_size);
      w.U16(static_cast<uint16_t>(d.spis.size()));
      for (const auto& spi : d.spis) w.Bytes(spi);
      return Status::Ok();
    }
    Status operator()(const VendorIdPayload& v) {
      w.Bytes(v.id);
      return Status::Ok();
    }
    Status operator()(const NatDPayload& n) {
      w.Bytes(n.hash);
      return Status::Ok();
    }
    Status operator()(const NatOaPayload& n) {
      if (auto s = CheckIdData(n.id_type, n.address); !s) return Fail(s.error().message);
      w.U8(n.id_type);
      w.U8(0);
      w.U16(0);
      w.Bytes(n.address);
      return Status::Ok();
    }
    Status operator()(const RawPayload& r) {
      w.Bytes(r.data);
      return Status::Ok();
    }
  };
  return std::visit(Visitor{w}, body);
}

}  // namespace ipsec::ike::v1
