#include "engine/identity.h"

#include <algorithm>
#include <cctype>

#include "ike/cert/dn.h"

namespace ipsec::engine {

ike::IdPayload IdFromConfig(const std::string& id, const IpAddress& host) {
  if (id.empty() || id == "%any") return ike::MakeIdFromAddress(host);
  if (id[0] == '@') return ike::MakeIdFqdn(id.substr(1));
  if (auto a = IpAddress::Parse(id)) return ike::MakeIdFromAddress(*a);
  if (cert::LooksLikeDn(id))
    if (auto dn = cert::ParseDn(id)) {  // "C=CH, O=Example, CN=moon": ID_DER_ASN1_DN
      ike::IdPayload p;
      p.id_type = ike::IdType::kDerAsn1Dn;
      unsigned char* der = nullptr;
      int len = i2d_X509_NAME(dn->get(), &der);
      if (len > 0) p.data.assign(der, der + len);
      OPENSSL_free(der);
      return p;
    }
  if (id.find('@') != std::string::npos) {  // user@domain: ID_RFC822_ADDR
    ike::IdPayload p;
    p.id_type = ike::IdType::kRfc822Addr;
    p.data.assign(id.begin(), id.end());
    return p;
  }
  return ike::MakeIdFqdn(id);
}

bool IdMatches(const std::string& configured, const IpAddress& host, const ike::IdPayload& got) {
  if (configured == "%any") return true;
  if (configured.empty() && !host.is_set()) return true;
  ike::IdPayload want = IdFromConfig(configured, host);
  if (want.id_type == ike::IdType::kDerAsn1Dn) {  // attribute by attribute, "*" matches any
    if (got.id_type != want.id_type) return false;
    auto pattern = cert::ParseDn(configured);
    auto name = cert::ParseDnDer(got.data);
    return pattern && name && cert::DnMatches(pattern->get(), name->get());
  }
  if (want.id_type != got.id_type || want.data.size() != got.data.size()) return false;
  if (want.id_type == ike::IdType::kFqdn || want.id_type == ike::IdType::kRfc822Addr)
    return std::equal(want.data.begin(), want.data.end(), got.data.begin(),
                      [](uint8_t a, uint8_t b) { return std::tolower(a) == std::tolower(b); });
  return want.data == got.data;
}

bool IdIsExact(const std::string& configured) {
  if (configured.empty() || configured == "%any") return false;
  return !(cert::LooksLikeDn(configured) && configured.find('*') != std::string::npos);
}

bool AddressMatches(const IpAddress& configured, const IpAddress& actual) {
  return !configured.is_set() || configured.IsAny() || configured == actual;
}

}  // namespace ipsec::engine
