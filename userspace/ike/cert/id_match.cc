#include "ike/cert/id_match.h"

#include <openssl/x509v3.h>

#include "ike/cert/dn.h"
#include "ike/constants.h"

namespace ipsec::cert {

bool CertMatchesId(const Certificate& cert, uint8_t id_type, std::span<const uint8_t> id_data,
                   std::string* why) {
  auto fail = [&](std::string msg) {
    if (why) *why = std::move(msg);
    return false;
  };
  if (!cert) return fail("no certificate");
  const char* text = reinterpret_cast<const char*>(id_data.data());
  constexpr unsigned kSanOnly = X509_CHECK_FLAG_NEVER_CHECK_SUBJECT | X509_CHECK_FLAG_NO_WILDCARDS;
  switch (static_cast<ike::IdType>(id_type)) {
    case ike::IdType::kDerAsn1Dn: {
      auto dn = ParseDnDer(id_data);
      if (!dn) return fail("ID_DER_ASN1_DN: " + dn.error().message);
      if (X509_NAME_cmp(dn->get(), X509_get_subject_name(cert.get())) != 0)
        return fail("ID '" + NameToString(dn->get()) + "' is not the subject");
      return true;
    }
    case ike::IdType::kFqdn:
      if (id_data.empty() ||
          X509_check_host(cert.get(), text, id_data.size(), kSanOnly, nullptr) != 1)
        return fail("no subjectAltName DNS:" + std::string(text, id_data.size()));
      return true;
    case ike::IdType::kRfc822Addr:
      if (id_data.empty() || X509_check_email(cert.get(), text, id_data.size(), kSanOnly) != 1)
        return fail("no subjectAltName email:" + std::string(text, id_data.size()));
      return true;
    case ike::IdType::kIpv4Addr:
    case ike::IdType::kIpv6Addr: {
      size_t want = id_type == static_cast<uint8_t>(ike::IdType::kIpv4Addr) ? 4 : 16;
      if (id_data.size() != want) return fail("address ID of the wrong length");
      if (X509_check_ip(cert.get(), id_data.data(), id_data.size(), 0) != 1)
        return fail("no subjectAltName IP matching the address ID");
      return true;
    }
    default:
      return fail("ID type " + std::to_string(id_type) +
                  " cannot be checked against a certificate");
  }
}

}  // namespace ipsec::cert
