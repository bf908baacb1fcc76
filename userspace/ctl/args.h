// ipsecctl's kernel subcommands take `ip xfrm`-style keyword/value lists
// ("dev ipsec0 dir out spi 0x1000 ..."). These pure functions turn such a
// list into the Kernel interface's structs, validating everything the module
// would refuse (and more: key lengths per algorithm) before anything is
// sent, so a mistake never leaves a half-made SA. An Error names the
// argument at fault; callers exit with status 2 on it.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/result.h"
#include "kernel/kernel.h"

namespace ipsec::ctl {

using Words = std::span<const std::string>;

struct SaAddArgs {
  std::string dev;
  kernel::SaParams sa;
};

struct SaUpdateArgs {
  std::string dev;
  kernel::SaUpdate upd;
};

struct SaIdArgs {
  std::string dev;
  uint32_t spi = 0;
  kernel::Direction dir = kernel::Direction::kIn;
};

struct PolicyArgs {
  std::string dev;
  kernel::Policy policy;
};

struct DevArgs {
  std::optional<std::string> dev;
};

struct DevSetArgs {
  std::string dev;
  uint16_t mss_clamp = 0;  // IPSEC_TUN_A_MSS_CLAMP
};

struct EncapArgs {
  std::string dev;
  uint16_t port = 4500;
  std::optional<IpAddress> addr;  // bind address; default any (v4 and v6)
};

// sa add dev D dir in|out spi N [reqid N] src A dst A enc ALG key HEX
//   [auth ALG authkey HEX] [replay-window N] [esn] [encap SPORT:DPORT]
//   [sel SRC/LEN-DST/LEN]... [soft-bytes N] [hard-bytes N] [soft-packets N]
//   [hard-packets N] [soft-seconds N] [hard-seconds N] [seq N]
Result<SaAddArgs> ParseSaAdd(Words words);
// sa update dev D dir in|out spi N, then at least one of: [src A] [dst A]
//   [encap SPORT:DPORT] [soft-bytes N] ... [hard-seconds N]
Result<SaUpdateArgs> ParseSaUpdate(Words words);
// sa del dev D dir in|out spi N
Result<SaIdArgs> ParseSaDel(Words words);
// policy add|del dev D src P dst P [proto P] [sport N[-M]] [dport N[-M]]
//   [reqid N] [priority N]  (reqid required for add)
Result<PolicyArgs> ParsePolicy(Words words, bool for_add);
// [dev D] (required_dev: "dev" must be given)
Result<DevArgs> ParseDev(Words words, bool required_dev);
// dev set dev D mss-clamp on|off|BYTES
Result<DevSetArgs> ParseDevSet(Words words);
// encap attach dev D [port N] [addr A]
Result<EncapArgs> ParseEncap(Words words);

// Pieces, exposed for tests and for the daemon's reuse.
Result<uint32_t> ParseSpi(const std::string& s);  // 0x1000 or 4096, >= 256
Result<uint64_t> ParseNumber(const std::string& what, const std::string& s, uint64_t max);
Result<SecureBytes> ParseHexKey(const std::string& what, const std::string& s);  // 0x..
Result<uint8_t> ParseProto(const std::string& s);  // tcp udp icmp icmpv6 esp gre N
Result<std::pair<uint16_t, uint16_t>> ParsePortRange(const std::string& what, const std::string& s);
Result<kernel::TrafficSelector> ParseSaSelector(const std::string& s);  // SRC-DST

}  // namespace ipsec::ctl
