// Hex encoding for logs of public values (SPIs, nonces) and for test vectors.
// Never use it on SecureBytes.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ipsec {

// Lower-case hex, no separators.
std::string ToHex(std::span<const uint8_t> b);
// Accepts upper/lower case; ignores spaces, ':' and newlines between byte
// pairs (so vectors can be pasted from RFCs). nullopt on anything else or an
// odd number of digits.
std::optional<std::vector<uint8_t>> FromHex(std::string_view s);

}  // namespace ipsec
