// Traffic selector narrowing (RFC 7296 2.9): the responder picks the subnet
// pair of the connection that the peer's TSi/TSr cover or fall within, and
// answers with the intersection. Selectors restricted to a protocol or to
// ports are skipped (our policies are whole subnets).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/ip_address.h"
#include "ike/message.h"

namespace ipsec::engine {

// The prefix a range covers exactly, or nullopt when it is not CIDR-aligned.
std::optional<IpPrefix> RangeToPrefix(const ike::TrafficSelector& ts);
// The intersection of a peer selector with one of our prefixes, when it is a prefix.
std::optional<IpPrefix> Narrow(const ike::TrafficSelector& peer, const IpPrefix& ours);
// The widest narrowing of any of the peer's selectors to ours.
std::optional<IpPrefix> NarrowAny(const std::vector<ike::TrafficSelector>& peer,
                                  const IpPrefix& ours);
std::string TsListToString(const std::vector<ike::TrafficSelector>& v);

}  // namespace ipsec::engine
