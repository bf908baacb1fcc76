// What ipsecd does with the module's ERROR_EVENTs (uapi/linux/ipsec_tun.h,
// IPSEC_TUN_CMD_ERROR_EVENT):
//
//   - ENCAP_CLOSED: the UDP socket attached to a device for ESP-in-UDP was
//     closed (another process had attached its own in place of ours and
//     exited). If the device is one ipsecd took NAT-T traffic on, our port
//     4500 socket goes back on it at once: otherwise ESP-in-UDP reaches the
//     daemon's IKE socket instead of the module and NAT-T tunnels stall.
//   - AUTH_BURST: ICV failures on an inbound SA (forged or corrupted ESP).
//     One warning naming the device, the SPI, the connection and the peer,
//     at most one per SA every kAuthBurstLogIntervalMs: the module already
//     limits the events to 10 a second per device, but anyone who can reach
//     the underlay can cause them, so they must not flood the log either.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>

#include "engine/engine.h"
#include "kernel/kernel.h"

namespace ipsec::daemon {

inline constexpr int64_t kAuthBurstLogIntervalMs = 10000;

class KernelErrors {
 public:
  // The child SA an SPI belongs to, as the log names it.
  struct SaOwner {
    std::string conn;
    std::string peer;  // "198.51.100.7[4500]"
  };
  // The daemon's state, read when an event comes; all must outlive this.
  struct Hooks {
    std::function<std::string(int ifindex)> device_name;
    std::function<int(int ifindex)> encap_fd;  // our NAT-T socket on it, -1 if none
    std::function<std::optional<SaOwner>(uint32_t spi)> find_sa;
  };

  KernelErrors(kernel::Kernel& kernel, const engine::Clock& clock, Hooks hooks)
      : kernel_(kernel), clock_(clock), hooks_(std::move(hooks)) {}

  void OnError(const kernel::ErrorEvent& ev);

 private:
  void OnEncapClosed(const kernel::ErrorEvent& ev);
  void OnAuthBurst(const kernel::ErrorEvent& ev);

  struct BurstLog {
    int64_t last_ms = 0;
    uint64_t suppressed = 0;
  };

  kernel::Kernel& kernel_;
  const engine::Clock& clock_;
  Hooks hooks_;
  // (ifindex, SPI) -> when we last logged it. The module sends AUTH_BURST
  // only for its SAs, so this is bounded by the SA count; entries older
  // than the interval are dropped when it grows past kMaxBurstEntries.
  std::map<std::pair<int, uint32_t>, BurstLog> bursts_;
  static constexpr size_t kMaxBurstEntries = 1024;
};

}  // namespace ipsec::daemon
