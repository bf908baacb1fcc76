// The IKEv2 protocol engine as a library (strongSwan's charon task model in
// C++, QUICHE's "connection without sockets"). The engine owns IKE SAs and
// child SAs and drives them; it never touches a socket, a timer or a clock
// itself. The daemon (userspace/daemon) injects the outside world:
//
//   Clock           now, monotonic, in milliseconds
//   RandomSource    SPIs, nonces, IVs (common/random.h)
//   DatagramSender  sends one IKE message; the daemon adds the 4-byte
//                   non-ESP marker when either port is 4500 (RFC 3948 2.2)
//   kernel::Kernel  installs SAs and policies (genetlink or MockKernel)
//   SecretProvider  pre-shared keys by (local ID, remote ID); our
//                   certificates with their keys, and the trust anchors
//   EventSink       log lines and state changes for the daemon's logger
//
// and calls, all from one thread (the event loop):
//
//   LoadConnections()  at start and on reload; starts auto=start ones
//   OnDatagram()       for every UDP datagram on 500/4500 (marker stripped)
//   OnTimer()          when NextTimeout() has elapsed (retransmits, DPD,
//                      NAT-T keepalives, keyingtries back-off)
//   OnKernelAcquire/OnKernelExpire  for the kernel's multicast events
//   Initiate/Terminate from the control socket ("ipsecctl up/down NAME")
//   Status()           snapshot for "ipsecctl status"
//   Shutdown()         on SIGTERM: Delete payloads to peers, remove what we
//                      installed
//
// Nothing here is thread-safe; nothing here blocks.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/ip_address.h"
#include "common/proposal.h"
#include "common/random.h"
#include "common/result.h"
#include "common/secure_bytes.h"
#include "config/connection.h"
#include "ike/cert/cert_store.h"
#include "ike/cert/certificate.h"
#include "ike/cert/private_key.h"
#include "ike/cert/signature.h"
#include "kernel/kernel.h"

namespace ipsec::engine {

using Millis = std::chrono::milliseconds;

class Clock {
 public:
  virtual ~Clock() = default;
  // Monotonic time since an arbitrary epoch (CLOCK_MONOTONIC in the daemon).
  virtual Millis Now() const = 0;
};

struct Endpoint {
  IpAddress addr;
  uint16_t port = 500;
  bool operator==(const Endpoint&) const = default;
  std::string ToString() const;  // "10.0.0.1[500]", "[2001:db8::1][4500]"
};

class DatagramSender {
 public:
  virtual ~DatagramSender() = default;
  // One IKE message (or a one-byte 0xff NAT-T keepalive, RFC 3948 2.3) from
  // local to remote. The daemon picks the socket bound to local.port and
  // prepends the non-ESP marker when local.port or remote.port is 4500 —
  // except for keepalives (size 1), which go without a marker.
  virtual void Send(std::span<const uint8_t> datagram, const Endpoint& local,
                    const Endpoint& remote) = 0;
};

// Our certificate for leftcert=: the end-entity first, then the chain sent
// with it, and the private key that signs our AUTH.
struct LocalCredential {
  std::vector<cert::Certificate> chain;
  std::shared_ptr<const cert::PrivateKey> key;
};

class SecretProvider {
 public:
  virtual ~SecretProvider() = default;
  // The PSK for this pair of identities (ours as sent, the peer's as
  // received: engine/identity.h IdentityOf), or nullopt.
  virtual std::optional<SecureBytes> FindPsk(const config::Identity& local_id,
                                             const config::Identity& remote_id) const = 0;
  // The certificate and key loaded for a leftcert= path (config::End::cert);
  // nullptr when none was loaded.
  virtual const LocalCredential* FindCredential(std::string_view /*cert_path*/) const {
    return nullptr;
  }
  // Trust anchors (and CRLs) for peers' certificates; nullptr: none.
  virtual const cert::CertStore* TrustAnchors() const { return nullptr; }
};

enum class LogLevel { kDebug, kInfo, kWarning, kError };

class EventSink {
 public:
  virtual ~EventSink() = default;
  // conn is the connection name, or "" for messages not tied to one.
  virtual void Log(LogLevel level, std::string_view conn, std::string_view message) = 0;
  // A connection's state as "ipsecctl status" shows it changed (e.g. an IKE
  // SA or child SA came up or went down). Default: nothing.
  virtual void OnStateChange(std::string_view /*conn*/) {}
};

// ---------------------------------------------------------------------------
// Configuration: the engine takes the connections config/ builds
// (config/connection.h), with their typed identities and config's
// defaults; there is no second copy of them here.

using Connection = config::Connection;
using config::AutoAction;
using config::DpdAction;
using config::SendCert;

// ---------------------------------------------------------------------------
// Status snapshot for "ipsecctl status" (and --json).

struct ChildSaStatus {
  std::string conn;   // its connection (may differ from the IKE SA's: shared)
  std::string state;  // "INSTALLED", "CREATING", "DELETING"
  uint32_t reqid = 0;
  uint32_t inbound_spi = 0, outbound_spi = 0;
  std::vector<IpPrefix> local_ts, remote_ts;
  std::string algorithms;  // "AES_GCM_16_256" / "AES_CBC_128/HMAC_SHA2_256_128"
  bool udp_encap = false;
  int64_t established_ms = 0;  // Clock time at install
};

struct IkeSaStatus {
  std::string conn;
  int version = 2;  // IKEv1 SAs: 1, spi_i/spi_r are the ISAKMP cookies
  uint64_t spi_i = 0, spi_r = 0;
  bool initiator = false;
  std::string state;  // "CONNECTING", "ESTABLISHED", "DELETING"
  Endpoint local, remote;
  std::string local_id, remote_id;
  // How each end authenticated: "psk", "rsa-pss-sha256", "ecdsa-p256-sha256",
  // "ed25519"... ("" before IKE_AUTH); the peer certificate's subject.
  std::string local_auth, remote_auth, remote_cert;
  std::string algorithms;  // "AES_GCM_16_256/PRF_HMAC_SHA2_256/CURVE_25519"
  bool nat_local = false, nat_remote = false;
  int64_t established_ms = 0;
  std::vector<ChildSaStatus> children;
};

// Inner traffic in the kernel's SA counters (inbound rx, outbound tx).
struct TrafficTotals {
  uint64_t in_bytes = 0, in_packets = 0, out_bytes = 0, out_packets = 0;
};

struct ConnectionStatus {
  std::string name;
  AutoAction auto_action = AutoAction::kAdd;
  std::string local, remote;  // "10.0.0.1 [id] 10.1.0.0/24,..."
  uint32_t keyingtries_used = 0;
  std::string last_error;  // the last clear error line, "" if none
  // Counters of the connection's SAs already deleted (retired_traffic.h);
  // its total is this plus the live SAs of its children and of
  // lingering_inbound, the inbound SAs of rekeyed children not yet deleted.
  TrafficTotals retired;
  std::vector<std::pair<int, uint32_t>> lingering_inbound;  // (ifindex, SPI)
};

struct EngineCounters {
  uint64_t rx_messages = 0, tx_messages = 0, retransmits = 0;
  uint64_t dropped_malformed = 0;        // failed to decode or payload rules
  uint64_t dropped_unauthenticated = 0;  // SK integrity check failed
  uint64_t dropped_unknown_spi = 0;      // no IKE SA for the SPIs
  uint64_t dropped_unexpected = 0;       // wrong message ID, response without request
  uint64_t duplicate_requests = 0;       // answered from the response cache
  // Hostile-input defences (Documentation/security.md, "IKE daemon").
  uint64_t dropped_init_for_existing_sa = 0;  // IKE_SA_INIT naming an SA past IKE_SA_INIT
  uint64_t dropped_half_open_limit = 0;       // global or per-source half-open limit reached
  uint64_t cookies_sent = 0;                  // N(COOKIE) challenges (RFC 7296 2.6)
  uint64_t half_open_expired = 0;             // half-open SAs destroyed after their lifetime
  uint64_t resends_limited = 0;         // duplicate requests left unanswered by the rate limit
  uint64_t peer_moves_refused = 0;      // authenticated message from elsewhere, no NAT
  uint64_t child_sa_limit_refused = 0;  // CREATE_CHILD_SA answered NO_ADDITIONAL_SAS
  uint64_t ike_sas_established = 0, child_sas_installed = 0;
  uint64_t auth_failures = 0, proposal_mismatches = 0;
  // IKE fragmentation (RFC 7383, ike/fragments.h): SKF datagrams sent and
  // received intact; received ones dropped after their ICV passed
  // (malformed numbers, duplicates, stale, over the memory bounds) or
  // before (SKF without negotiation, bad ICV: also in the drops above).
  uint64_t fragments_sent = 0, fragments_received = 0, dropped_fragments = 0;
};

struct StatusSnapshot {
  std::vector<ConnectionStatus> connections;
  std::vector<IkeSaStatus> ike_sas;
  EngineCounters counters;
};

// ---------------------------------------------------------------------------

class EngineImpl;

class Engine {
 public:
  // All references must outlive the Engine.
  Engine(Clock& clock, RandomSource& random, DatagramSender& sender, kernel::Kernel& kernel,
         SecretProvider& secrets, EventSink& events);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Replaces the connection table (the whole of it: a reload). By name:
  // removed connections are terminated (their children deleted with a
  // Delete to the peer; an IKE SA other connections still ride stays);
  // changed ones (any setting, config::SameSettings) are terminated and
  // then loaded as new; new ones are loaded and auto=start ones initiated.
  // Unchanged ones keep their IKE SA and child SAs untouched. Fails
  // (changing nothing) on an invalid connection, naming it and the problem.
  // auto=ignore connections are loaded but nothing starts or matches them.
  ipsec::Status LoadConnections(std::vector<Connection> connections);

  // "ipsecctl up NAME": establishes the IKE SA and one child SA per subnet
  // pair (no-op for pairs already up). Fails on an unknown name or a
  // connection without a remote host.
  ipsec::Status Initiate(std::string_view conn);
  // "ipsecctl down NAME": deletes its IKE SAs (and so its child SAs).
  ipsec::Status Terminate(std::string_view conn);

  // A datagram received on our IKE port(s). local/remote as received; the
  // non-ESP marker is already stripped. Never fails: bad input is dropped,
  // counted and logged at debug level.
  void OnDatagram(std::span<const uint8_t> datagram, const Endpoint& local, const Endpoint& remote);

  // Runs everything due at Clock::Now().
  void OnTimer();
  // Time from now until OnTimer() should run; nullopt when nothing is due.
  std::optional<Millis> NextTimeout() const;
  // For tests: what NextTimeout() returns, computed by walking every IKE SA
  // and connection instead of reading the engine's timer queue. The two
  // must agree whenever OnTimer() has run at every deadline passed.
  std::optional<Millis> NextTimeoutByScan() const;

  // The kernel saw outbound traffic without an SA (auto=route): initiate the
  // connection whose subnet pair covers it.
  void OnKernelAcquire(const kernel::AcquireEvent& ev);
  // An SA reached a lifetime: soft -> rekey (initiator side: CREATE_CHILD_SA
  // re-create), hard -> remove the child SA and tell the peer.
  void OnKernelExpire(const kernel::ExpireEvent& ev);
  // The module saw authenticated ESP-in-UDP from a new address or port
  // (peer_address.h: the SA and its children follow a NATed peer).
  void OnKernelMapping(const kernel::MappingEvent& ev);

  // (Returns ipsec::Status elsewhere in this class: the member function
  // below hides the type name inside Engine.)
  StatusSnapshot Status() const;

  // Sends Delete for every IKE SA (fire and forget), removes every SA and
  // policy we installed. The Engine is unusable for new SAs afterwards.
  void Shutdown();
  // From this many half-open IKE SAs on, IKE_SA_INIT needs a COOKIE (RFC
  // 7296 2.6; 0: always). nullopt: the default, 64 (half_open.h).
  void SetCookieThreshold(std::optional<size_t> n);
  // ike-init-limit= / ike-init-limit-per-peer=: how many IKE SAs we
  // initiate may be half-open at once, in all / towards one remote address
  // (engine/init_pacing.h; 0: no limit). nullopt: the defaults (3 and 3).
  // Initiations waiting for a slot go at once if the new limits allow.
  void SetInitLimits(std::optional<size_t> global, std::optional<size_t> per_peer);
  // ike-window=: the IKE window (RFC 7296 2.3) IKE SAs created from now on
  // advertise, 1..256. nullopt: the default, 8 (task_manager.h).
  void SetIkeWindow(std::optional<uint32_t> n);

 private:
  std::unique_ptr<EngineImpl> impl_;
};

}  // namespace ipsec::engine
