// Parsing of single ipsec.conf / ipsec.secrets values: durations, yes/no,
// identities, addresses, subnet lists. Each returns a message without the
// "FILE:LINE: keyword:" prefix, which the caller adds.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/ip_address.h"
#include "common/result.h"
#include "config/connection.h"

namespace ipsec::config {

// "3600", "3600s", "30m", "8h", "1d" (libreswan and strongSwan units).
Result<Seconds> ParseDuration(std::string_view v);
Result<bool> ParseYesNo(std::string_view v);
Result<uint32_t> ParseUint(std::string_view v, uint32_t min, uint32_t max);
// "10.0.0.1", "2001:db8::1" (nothing else).
Result<IpAddress> ParseAddress(std::string_view v);
// "10.0.0.0/24", "2001:db8::/64"; a bare address is a host prefix. Host bits
// set ("10.0.0.1/24") is an error, as in libreswan.
Result<IpPrefix> ParsePrefix(std::string_view v);
// "{a b}", "a,b", "a, b", "a b": a list of prefixes.
Result<std::vector<IpPrefix>> ParsePrefixList(std::string_view v);
// leftid=/ipsec.secrets selectors. warning is set for accepted-but-notable
// forms (a bare name taken as an FQDN).
Result<Identity> ParseIdentity(std::string_view v, std::string* warning);

// Splits on spaces, tabs and commas, dropping empty pieces.
std::vector<std::string> SplitList(std::string_view v);

// Closest known word within a small edit distance, for "did you mean".
std::optional<std::string> ClosestMatch(std::string_view word,
                                        const std::vector<std::string>& candidates);

std::string FormatDuration(Seconds s);  // "8h", "90m", "45s"

}  // namespace ipsec::config
