// ISAKMP data attributes. The AF bit (0x8000) of the type says basic (the
// next 16 bits are the value) or variable (the next 16 bits are a length).
#include "ike/v1/attributes.h"

#include <string>

namespace ipsec::ike::v1 {

namespace {

constexpr uint16_t kAfBasic = 0x8000;

Error Bad(const std::string& what) {
  return MakeError(what);
}

std::string Num(uint64_t v) {
  return std::to_string(v);
}

// Life Type / Life Duration pairs (RFC 2407 4.5: a duration applies to the
// type just before it; each type at most once).
struct LifeState {
  uint16_t pending_type = 0;
  bool seen_seconds = false, seen_kbytes = false;
};

Status TakeLifeType(const Attribute& a, LifeState* s) {
  if (!a.basic) return Bad("attribute Life Type must be basic");
  if (s->pending_type) return Bad("Life Type " + Num(s->pending_type) + " without a duration");
  if (a.value != kLifeTypeSeconds && a.value != kLifeTypeKilobytes)
    return Bad("Life Type " + Num(a.value) + " unknown");
  bool& seen = a.value == kLifeTypeSeconds ? s->seen_seconds : s->seen_kbytes;
  if (seen) return Bad("duplicate Life Type " + Num(a.value));
  seen = true;
  s->pending_type = a.value;
  return Status::Ok();
}

Status TakeLifeDuration(const Attribute& a, LifeState* s, uint64_t* seconds, uint64_t* kbytes) {
  if (!s->pending_type) return Bad("Life Duration without a Life Type before it");
  auto v = AttributeNumber(a);
  if (!v) return v.error();
  if (*v == 0) return Bad("Life Duration of 0");
  (s->pending_type == kLifeTypeSeconds ? *seconds : *kbytes) = *v;
  s->pending_type = 0;
  return Status::Ok();
}

// A basic-only attribute, at most once.
Status TakeBasic(const Attribute& a, const char* name, uint16_t* out, bool zero_ok = false) {
  if (!a.basic) return Bad(std::string("attribute ") + name + " must be basic");
  if (*out != 0) return Bad(std::string("duplicate attribute ") + name);
  if (a.value == 0 && !zero_ok) return Bad(std::string("attribute ") + name + " of 0");
  *out = a.value;
  return Status::Ok();
}

}  // namespace

Result<std::vector<Attribute>> ParseAttributes(ByteReader r, size_t base) {
  std::vector<Attribute> out;
  while (!r.empty()) {
    size_t at = base + r.offset();
    uint16_t af_type = 0, value = 0;
    if (!r.ReadU16(&af_type) || !r.ReadU16(&value))
      return Bad("attribute truncated at offset " + Num(at));
    Attribute a;
    a.type = af_type & 0x7fff;
    a.basic = af_type & kAfBasic;
    if (a.basic) {
      a.value = value;
    } else if (!r.ReadBytes(value, &a.data)) {
      return Bad("attribute " + Num(a.type) + " length " + Num(value) +
                 " overruns the transform at offset " + Num(at));
    }
    out.push_back(std::move(a));
  }
  return out;
}

Status WriteAttributes(const std::vector<Attribute>& attrs, ByteWriter& w) {
  for (const auto& a : attrs) {
    if (a.type > 0x7fff) return Bad("attribute type " + Num(a.type) + " does not fit 15 bits");
    if (a.basic) {
      w.U16(static_cast<uint16_t>(a.type | kAfBasic));
      w.U16(a.value);
      continue;
    }
    if (a.data.size() > 0xffff) return Bad("attribute " + Num(a.type) + " longer than 65535");
    w.U16(a.type);
    w.U16(static_cast<uint16_t>(a.data.size()));
    w.Bytes(a.data);
  }
  return Status::Ok();
}

Result<uint64_t> AttributeNumber(const Attribute& a) {
  if (a.basic) return uint64_t{a.value};
  if (a.data.empty() || a.data.size() > 8)
    return Bad("attribute " + Num(a.type) + ": numeric value of " + Num(a.data.size()) +
               " bytes (1..8 allowed)");
  uint64_t v = 0;
  for (uint8_t b : a.data) v = v << 8 | b;
  return v;
}

Attribute NumberAttribute(uint16_t type, uint64_t value) {
  Attribute a;
  a.type = type;
  if (value <= 0xffff) {
    a.value = static_cast<uint16_t>(value);
    return a;
  }
  a.basic = false;
  size_t n = value <= 0xffffffffu ? 4 : 8;
  for (size_t i = n; i-- > 0;) a.data.push_back(static_cast<uint8_t>(value >> (8 * i)));
  return a;
}

Result<IsakmpTransformAttrs> ParseIsakmpAttributes(const std::vector<Attribute>& attrs) {
  IsakmpTransformAttrs t;
  LifeState life;
  for (const auto& a : attrs) {
    Status s;
    switch (a.type) {
      case p1attr::kEncryption:
        s = TakeBasic(a, "Encryption Algorithm", &t.encryption);
        break;
      case p1attr::kHash:
        s = TakeBasic(a, "Hash Algorithm", &t.hash);
        break;
      case p1attr::kAuthMethod:
        s = TakeBasic(a, "Authentication Method", &t.auth_method);
        break;
      case p1attr::kGroup:
        s = TakeBasic(a, "Group Description", &t.group);
        break;
      case p1attr::kPrf:
        s = TakeBasic(a, "PRF", &t.prf);
        break;
      case p1attr::kKeyLength:
        s = TakeBasic(a, "Key Length", &t.key_bits);
        break;
      case p1attr::kLifeType:
        s = TakeLifeType(a, &life);
        break;
      case p1attr::kLifeDuration:
        s = TakeLifeDuration(a, &life, &t.life_seconds, &t.life_kilobytes);
        break;
      default:
        t.unknown_attribute = true;
        break;
    }
    if (!s) return s.error();
  }
  if (life.pending_type) return Bad("Life Type " + Num(life.pending_type) + " without a duration");
  return t;
}

std::vector<Attribute> BuildIsakmpAttributes(const IsakmpTransformAttrs& t) {
  std::vector<Attribute> out;
  auto basic = [&](uint16_t type, uint16_t v) {
    if (v) out.push_back(Attribute{type, true, v, {}});
  };
  basic(p1attr::kEncryption, t.encryption);
  basic(p1attr::kKeyLength, t.key_bits);
  basic(p1attr::kHash, t.hash);
  basic(p1attr::kAuthMethod, t.auth_method);
  basic(p1attr::kGroup, t.group);
  basic(p1attr::kPrf, t.prf);
  if (t.life_seconds) {
    basic(p1attr::kLifeType, kLifeTypeSeconds);
    out.push_back(NumberAttribute(p1attr::kLifeDuration, t.life_seconds));
  }
  if (t.life_kilobytes) {
    basic(p1attr::kLifeType, kLifeTypeKilobytes);
    out.push_back(NumberAttribute(p1attr::kLifeDuration, t.life_kilobytes));
  }
  return out;
}

Result<IpsecTransformAttrs> ParseIpsecAttributes(const std::vector<Attribute>& attrs) {
  IpsecTransformAttrs t;
  LifeState life;
  uint16_t esn = 0;
  for (const auto& a : attrs) {
    Status s;
    switch (a.type) {
      case qmattr::kEncapMode:
        s = TakeBasic(a, "Encapsulation Mode", &t.encap_mode);
        break;
      case qmattr::kAuthAlgorithm:
        s = TakeBasic(a, "Authentication Algorithm", &t.auth);
        break;
      case qmattr::kKeyLength:
        s = TakeBasic(a, "Key Length", &t.key_bits);
        break;
      case qmattr::kGroup:
        s = TakeBasic(a, "Group Description", &t.group);
        break;
      case qmattr::kEsn:
        s = TakeBasic(a, "Extended Sequence Number", &esn);
        if (s && esn != 1) s = Bad("Extended Sequence Number value " + Num(esn));
        break;
      case qmattr::kLifeType:
        s = TakeLifeType(a, &life);
        break;
      case qmattr::kLifeDuration:
        s = TakeLifeDuration(a, &life, &t.life_seconds, &t.life_kilobytes);
        break;
      default:
        t.unknown_attribute = true;
        break;
    }
    if (!s) return s.error();
  }
  if (life.pending_type) return Bad("Life Type " + Num(life.pending_type) + " without a duration");
  t.esn = esn == 1;
  return t;
}

std::vector<Attribute> BuildIpsecAttributes(const IpsecTransformAttrs& t) {
  std::vector<Attribute> out;
  auto basic = [&](uint16_t type, uint16_t v) {
    if (v) out.push_back(Attribute{type, true, v, {}});
  };
  if (t.life_seconds) {
    basic(qmattr::kLifeType, kLifeTypeSeconds);
    out.push_back(NumberAttribute(qmattr::kLifeDuration, t.life_seconds));
  }
  if (t.life_kilobytes) {
    basic(qmattr::kLifeType, kLifeTypeKilobytes);
    out.push_back(NumberAttribute(qmattr::kLifeDuration, t.life_kilobytes));
  }
  basic(qmattr::kGroup, t.group);
  basic(qmattr::kEncapMode, t.encap_mode);
  basic(qmattr::kAuthAlgorithm, t.auth);
  basic(qmattr::kKeyLength, t.key_bits);
  basic(qmattr::kEsn, t.esn ? 1 : 0);
  return out;
}

bool IsUdpEncapsulated(uint16_t m) {
  return m == encap::kUdpTunnel || m == encap::kUdpTransport || m == encap::kUdpTunnelDraft ||
         m == encap::kUdpTransportDraft;
}

bool IsTunnelMode(uint16_t m) {
  return m == encap::kTunnel || m == encap::kUdpTunnel || m == encap::kUdpTunnelDraft;
}

}  // namespace ipsec::ike::v1
