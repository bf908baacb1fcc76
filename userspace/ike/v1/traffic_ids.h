// Quick mode's client IDs (IDci/IDcr, RFC 2409 5.5) as traffic selectors:
// an IpPrefix <-> ID_IPV4_ADDR / ID_IPV6_ADDR (a host) or
// ID_IPV4_ADDR_SUBNET / ID_IPV6_ADDR_SUBNET (address + mask, RFC 2407
// 4.6.2). Protocol and port stay 0 (any): conns select whole subnets.
#pragma once

#include "common/ip_address.h"
#include "common/result.h"
#include "ike/v1/message.h"

namespace ipsec::ike::v1 {

IdPayload IdForPrefix(const IpPrefix& p);
// Fails for other ID types (ranges, names), a mask that is not contiguous,
// or a protocol/port restriction we cannot install.
Result<IpPrefix> PrefixForId(const IdPayload& id);

}  // namespace ipsec::ike::v1
