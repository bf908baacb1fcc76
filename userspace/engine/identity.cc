#include "engine/identity.h"

#include <algorithm>
#include <cctype>

#include "ike/cert/dn.h"

namespace ipsec::engine {

using Kind = config::Identity::Kind;

ike::IdPayload IdPayloadOf(const config::Identity& id, const IpAddress& host) {
  ike::IdPayload p;
  switch (id.kind) {
    case Kind::kNone:
    case Kind::kAny:
      return ike::MakeIdFromAddress(host);
    case Kind::kIpv4:
    case Kind::kIpv6:
      return ike::MakeIdFromAddress(id.address);
    case Kind::kFqdn:
      return ike::MakeIdFqdn(id.name);
    case Kind::kUserFqdn:
      p.id_type = ike::IdType::kRfc822Addr;
      p.data.assign(id.name.begin(), id.name.end());
      return p;
    case Kind::kDn:
      if (auto dn = cert::ParseDn(id.name)) {
        p.id_type = ike::IdType::kDerAsn1Dn;
        unsigned char* der = nullptr;
        int len = i2d_X509_NAME(dn->get(), &der);
        if (len > 0) p.data.assign(der, der + len);
        OPENSSL_free(der);
        return p;
      }
      return ike::MakeIdFqdn(id.name);  // config checked the DN; not reached
  }
  return ike::MakeIdFromAddress(host);
}

bool IdMatches(const config::Identity& configured, const IpAddress& host,
               const ike::IdPayload& got) {
  if (configured.kind == Kind::kAny) return true;
  if (configured.kind == Kind::kNone && !host.is_set()) return true;
  if (configured.kind == Kind::kDn) {  // attribute by attribute, "*" matches any
    if (got.id_type != ike::IdType::kDerAsn1Dn) return false;
    auto pattern = cert::ParseDn(configured.name);
    auto name = cert::ParseDnDer(got.data);
    return pattern && name && cert::DnMatches(pattern->get(), name->get());
  }
  const ike::IdPayload want = IdPayloadOf(configured, host);
  if (want.id_type != got.id_type || want.data.size() != got.data.size()) return false;
  if (want.id_type == ike::IdType::kFqdn || want.id_type == ike::IdType::kRfc822Addr)
    return std::equal(want.data.begin(), want.data.end(), got.data.begin(),
                      [](uint8_t a, uint8_t b) { return std::tolower(a) == std::tolower(b); });
  return want.data == got.data;
}

bool IdIsExact(const config::Identity& configured) {
  if (configured.kind == Kind::kNone || configured.kind == Kind::kAny) return false;
  return !(configured.kind == Kind::kDn && configured.name.find('*') != std::string::npos);
}

config::Identity IdentityOf(const ike::IdPayload& id) {
  config::Identity out;
  switch (id.id_type) {
    case ike::IdType::kIpv4Addr:
    case ike::IdType::kIpv6Addr:
      if (auto a = IpAddress::Parse(ike::IdToString(id))) return config::Identity::FromAddress(*a);
      break;
    case ike::IdType::kRfc822Addr:
      out.kind = Kind::kUserFqdn;
      out.name = ike::IdToString(id);
      return out;
    case ike::IdType::kDerAsn1Dn:
      if (cert::ParseDnDer(id.data)) {
        out.kind = Kind::kDn;
        out.name = ike::IdToString(id);
        return out;
      }
      break;
    default:
      break;
  }
  // FQDNs, and IDs we do not type (KEY_ID, malformed): as the text that
  // names them, which only an FQDN or %any entry of the secrets can match.
  out.kind = Kind::kFqdn;
  out.name = ike::IdToString(id);
  if (!out.name.empty() && out.name.front() == '@') out.name.erase(0, 1);
  return out;
}

bool AddressMatches(const IpAddress& configured, const IpAddress& actual) {
  return !configured.is_set() || configured.IsAny() || configured == actual;
}

}  // namespace ipsec::engine
