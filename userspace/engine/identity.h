// IKE identities from configuration strings (strongSwan syntax) and the
// matching rules used to pick a connection for a peer's IDi.
#pragma once

#include <string>

#include "common/ip_address.h"
#include "ike/message.h"

namespace ipsec::engine {

// "" -> the host address; "@name" / "name" -> FQDN; "user@domain" ->
// RFC822_ADDR; IP literal -> address ID; "C=CH, O=Example, CN=moon" (or
// "/C=CH/...") -> DER_ASN1_DN.
ike::IdPayload IdFromConfig(const std::string& id, const IpAddress& host);
// Whether got is acceptable as the peer's ID for a configured remote end.
// "" with an unset host, or "%any", accepts any ID. FQDNs compare
// case-insensitively; a DN matches attribute by attribute, a "*" value any.
bool IdMatches(const std::string& configured, const IpAddress& host, const ike::IdPayload& got);
// Whether a configured ID names one identity we can send as IDr: not "",
// "%any", or a DN with "*" values.
bool IdIsExact(const std::string& configured);
// Whether an address is acceptable for a configured host: unset or %any
// accept any.
bool AddressMatches(const IpAddress& configured, const IpAddress& actual);

}  // namespace ipsec::engine
