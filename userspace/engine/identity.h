// IKE identities: a connection's typed identity (config::Identity) as the
// ID payload we send, the matching rules that pick a connection for a
// peer's IDi, and a received ID payload as an identity for the secrets.
#pragma once

#include "common/ip_address.h"
#include "config/connection.h"
#include "ike/message.h"

namespace ipsec::engine {

// The ID payload for a configured identity: kNone and kAny stand for the
// host address (host); DNs as ID_DER_ASN1_DN.
ike::IdPayload IdPayloadOf(const config::Identity& id, const IpAddress& host);
// Whether got is acceptable as the peer's ID for a configured remote end.
// kAny, or kNone with an unset host, accepts any ID. FQDNs compare
// case-insensitively; a DN matches attribute by attribute, a "*" value any.
bool IdMatches(const config::Identity& configured, const IpAddress& host,
               const ike::IdPayload& got);
// Whether a configured ID names one identity we can send as IDr: not
// kNone, kAny, or a DN with "*" values.
bool IdIsExact(const config::Identity& configured);
// A received (or sent) ID payload as an identity, for the secrets lookup.
config::Identity IdentityOf(const ike::IdPayload& id);
// Whether an address is acceptable for a configured host: unset or %any
// accept any.
bool AddressMatches(const IpAddress& configured, const IpAddress& actual);

}  // namespace ipsec::engine
