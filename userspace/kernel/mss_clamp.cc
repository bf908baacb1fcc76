#include "kernel/mss_clamp.h"

#include <linux/ipsec_tun.h>

#include <charconv>

namespace ipsec::kernel {

Result<uint16_t> ParseMssClamp(std::string_view v) {
  if (v == "no" || v == "off") return uint16_t{0};
  if (v == "yes" || v == "on") return uint16_t{IPSEC_TUN_MSS_CLAMP_MTU};
  uint32_t n = 0;
  auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (ec == std::errc() && end == v.data() + v.size() && n >= IPSEC_TUN_MSS_CLAMP_MIN &&
      n <= IPSEC_TUN_MSS_CLAMP_MTU)
    return static_cast<uint16_t>(n);
  return MakeError("'" + std::string(v) + "' is not yes, no or an MSS of " +
                   std::to_string(IPSEC_TUN_MSS_CLAMP_MIN) + " to " +
                   std::to_string(IPSEC_TUN_MSS_CLAMP_MTU) + " bytes");
}

std::string MssClampName(uint16_t clamp) {
  if (!clamp) return "off";
  if (clamp == IPSEC_TUN_MSS_CLAMP_MTU) return "on";
  return std::to_string(clamp);
}

}  // namespace ipsec::kernel
