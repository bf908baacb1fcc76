// The kernel behind an interface (strongSwan's kernel_ipsec_t, in C++).
// Backends: GenlKernel (genetlink to ipsec_tun.ko, genl_kernel.h) and
// MockKernel (records calls, for engine tests, mock_kernel.h).
// Field meanings are those of uapi/linux/ipsec_tun.h.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/ip_address.h"
#include "common/result.h"
#include "common/secure_bytes.h"

namespace ipsec::kernel {

enum class Direction : uint8_t { kIn = 1, kOut = 2 };

struct TrafficSelector {
  IpPrefix src;
  IpPrefix dst;
  uint8_t proto = 0;  // 0 = any
  uint16_t sport_min = 0, sport_max = 65535;
  uint16_t dport_min = 0, dport_max = 65535;
  bool operator==(const TrafficSelector&) const = default;
};

struct Lifetime {
  uint64_t bytes = 0, packets = 0, seconds = 0;  // 0 = no limit
};

struct SaParams {
  uint32_t spi = 0;
  Direction dir = Direction::kIn;
  uint32_t reqid = 0;
  IpAddress src, dst;          // outer addresses
  uint16_t encr_id = 0;        // IANA ENCR_*
  uint16_t encr_key_bits = 0;  // AES key size; 0 when implied
  SecureBytes enc_key;         // key || salt for AEAD and GMAC
  uint16_t integ_id = 0;       // IANA AUTH_*, 0 for AEAD
  SecureBytes auth_key;
  // Wide on purpose (RFC 4303 3.4.3 leaves the size to the receiver): CPUs
  // that send in parallel reorder an SA's packets by more than 128 under
  // load; the window costs 1 bit per packet (128 bytes per SA).
  uint32_t replay_window = 1024;
  bool esn = false;
  std::optional<uint16_t> encap_sport, encap_dport;  // NAT-T (RFC 3948)
  Lifetime soft, hard;
  std::vector<TrafficSelector> selectors;  // inbound: inner traffic allowed
  // Where the sequence numbers start (SEQ): last sent (out) / highest received
  // (in). Unset = 0. For moving a live SA, and tests of sequence exhaustion.
  std::optional<uint64_t> seq;
};

struct SaUpdate {
  uint32_t spi = 0;
  Direction dir = Direction::kIn;
  std::optional<IpAddress> src, dst;
  std::optional<uint16_t> encap_sport, encap_dport;
  std::optional<Lifetime> soft, hard;
};

struct Counters {
  uint64_t rx_packets = 0, rx_bytes = 0, tx_packets = 0, tx_bytes = 0;
  uint64_t drop_auth = 0, drop_replay = 0, drop_pad = 0, drop_header = 0, drop_no_sa = 0,
           drop_no_policy = 0, drop_selector = 0, drop_mtu = 0, drop_expired = 0, drop_nomem = 0,
           drop_ecn = 0;
  // ICMP errors about our outer ESP: path MTU lowered / ignored (icmp_err.c).
  uint64_t icmp_pmtu = 0, icmp_ignored = 0;
  // ESP for a reserved SPI before its SA was added (device only, spi_hold.c):
  // held, held and dropped (too long, reservation ended), not held (bound).
  uint64_t rx_held = 0, drop_hold_expired = 0, drop_hold_full = 0;
};

struct SaInfo {
  int ifindex = 0;
  uint32_t spi = 0;
  Direction dir = Direction::kIn;
  uint32_t reqid = 0;
  IpAddress src, dst;
  uint16_t encr_id = 0, encr_key_bits = 0, integ_id = 0;
  uint32_t replay_window = 0;
  bool esn = false;
  std::optional<uint16_t> encap_sport, encap_dport;
  uint64_t seq = 0, add_time = 0;
  Counters stats;                          // keys are never returned by the kernel
  uint32_t flags = 0;                      // IPSEC_TUN_SA_F_* as reported
  Lifetime soft, hard;                     // 0 = none
  std::vector<TrafficSelector> selectors;  // inbound: inner traffic allowed
};

struct Policy {
  TrafficSelector sel;
  uint32_t reqid = 0;
  uint32_t priority = 0;
};

struct DevInfo {
  int ifindex = 0;
  std::string name;
  uint32_t mtu = 0;
  std::optional<int> link_netnsid;
  // The device lives in another netns than the caller's (moved out of it):
  // that netns's id here (`ip netns list-id`).
  std::optional<int> netnsid;
  std::optional<uint16_t> encap_port;
  uint32_t sa_count = 0, policy_count = 0;
  // Inbound SPIs reserved (AllocSpi with a device) whose SA is not added:
  // children being negotiated; one that stays is a leak.
  uint32_t spi_reserved = 0;
  uint16_t mss_clamp = 0;  // 0 off, else IPSEC_TUN_A_MSS_CLAMP (kernel/mss_clamp.h)
  Counters stats;
};

// Multicast events from the module.
struct AcquireEvent {
  int ifindex = 0;
  std::optional<uint32_t> reqid;
  TrafficSelector packet;
};
struct ExpireEvent {
  int ifindex = 0;
  uint32_t spi = 0;
  Direction dir = Direction::kIn;
  uint32_t reqid = 0;
  bool hard = false;
  uint8_t reason = 0;  // IPSEC_TUN_EXPIRE_*
};
struct ErrorEvent {
  int ifindex = 0;
  uint32_t spi = 0;  // 0 when not about an SA
  Direction dir = Direction::kIn;
  uint32_t code = 0;  // IPSEC_TUN_ERR_*
};
// Authenticated ESP-in-UDP on an inbound SA from a new address or port.
struct MappingEvent {
  int ifindex = 0;
  uint32_t spi = 0;
  uint32_t reqid = 0;
  IpAddress old_addr, new_addr;
  uint16_t old_port = 0, new_port = 0;
};

class Kernel {
 public:
  virtual ~Kernel() = default;

  // Devices. EnsureDevice creates ipsecN (rtnetlink, kind "ipsec") if absent.
  // A name "ipsecN@NS" is the device in netns NS (kernel/netns.h).
  virtual Result<DevInfo> GetDevice(const std::string& name) = 0;
  virtual Result<std::vector<DevInfo>> ListDevices() = 0;
  virtual Result<DevInfo> EnsureDevice(const std::string& name) = 0;

  // A random inbound SPI (>= 256, RFC 4303 2.1) that no inbound SA in this
  // netns has for the local address `local` (ours or XFRM's). With ifindex
  // (> 0) it is reserved on that device until AddSa, DelSa (kIn) or 60 s, and
  // ESP arriving for it before AddSa is held for the SA (spi_hold.c).
  virtual Result<uint32_t> AllocSpi(const IpAddress& local, int ifindex) = 0;
  virtual Status AddSa(int ifindex, const SaParams& sa) = 0;
  virtual Status UpdateSa(int ifindex, const SaUpdate& upd) = 0;
  virtual Status DelSa(int ifindex, uint32_t spi, Direction dir) = 0;
  virtual Result<std::vector<SaInfo>> ListSas(std::optional<int> ifindex) = 0;
  virtual Status Flush(int ifindex) = 0;

  virtual Status AddPolicy(int ifindex, const Policy& pol) = 0;
  virtual Status DelPolicy(int ifindex, const Policy& pol) = 0;
  virtual Result<std::vector<Policy>> ListPolicies(int ifindex) = 0;

  // Hand the daemon's bound port-4500 UDP socket to the module; -1 detaches.
  virtual Status SetEncapSocket(int ifindex, int fd) = 0;

  // TCP MSS clamping on the device (SET_DEV MSS_CLAMP): 0 off.
  virtual Status SetMssClamp(int ifindex, uint16_t clamp) = 0;

  // Events: the daemon polls EventFd() and calls DispatchEvents() when
  // readable. An empty function ignores that kind of event.
  virtual int EventFd() = 0;
  virtual void DispatchEvents(const std::function<void(const AcquireEvent&)>& on_acquire,
                              const std::function<void(const ExpireEvent&)>& on_expire,
                              const std::function<void(const ErrorEvent&)>& on_error,
                              const std::function<void(const MappingEvent&)>& on_mapping = {}) = 0;
};

}  // namespace ipsec::kernel
