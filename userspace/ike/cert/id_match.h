// Whether a peer's ID payload is vouched for by its certificate (RFC 7296
// 3.5 and 4, RFC 4945 3.1): an ID_DER_ASN1_DN equals the subject; ID_FQDN,
// ID_RFC822_ADDR and ID_IPV4/6_ADDR equal a subjectAltName entry of that
// kind (DNS, email, IP). The subject's CN or emailAddress never stand in for
// a missing subjectAltName, and no wildcards are honoured.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "ike/cert/certificate.h"

namespace ipsec::cert {

// id_type: the ID payload's ID Type (ike::IdType values). On a mismatch,
// *why (when given) says what was compared.
bool CertMatchesId(const Certificate& cert, uint8_t id_type, std::span<const uint8_t> id_data,
                   std::string* why = nullptr);

}  // namespace ipsec::cert
