// TCP MSS clamping on an ipsecN device (IPSEC_TUN_A_MSS_CLAMP): the words
// ipsecctl (`dev set ... mss-clamp V`) and ipsec.conf (`mss-clamp=V`) take.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.h"

namespace ipsec::kernel {

// "no" / "off" -> 0 (off); "yes" / "on" -> IPSEC_TUN_MSS_CLAMP_MTU (from the
// device MTU alone); a number 536..65535 -> that ceiling for the IPv4 MSS
// (20 less for IPv6), never above what the MTU allows.
Result<uint16_t> ParseMssClamp(std::string_view v);

// The setting as those words: "off", "on" or the number.
std::string MssClampName(uint16_t clamp);

}  // namespace ipsec::kernel
