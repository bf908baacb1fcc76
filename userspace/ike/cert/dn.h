// Distinguished names as written in rightid= / rightca= / ipsec.secrets
// ("C=CH, O=strongSwan, CN=moon"; "/C=CH/O=strongSwan/CN=moon" too) and their
// matching: same attributes in the same order, values compared without case;
// a value "*" matches any value of that attribute (strongSwan's wildcard).
#pragma once

#include <openssl/x509.h>

#include <span>
#include <string_view>

#include "common/result.h"
#include "ike/cert/ossl_ptr.h"

namespace ipsec::cert {

Result<OsslPtr<X509_NAME>> ParseDn(std::string_view text);
Result<OsslPtr<X509_NAME>> ParseDnDer(std::span<const uint8_t> der);
// Whether name matches pattern (which may hold "*" values).
bool DnMatches(const X509_NAME* pattern, const X509_NAME* name);
// Whether text is a DN rather than another kind of ID ("CN=..." or "/C=...").
bool LooksLikeDn(std::string_view text);

}  // namespace ipsec::cert
