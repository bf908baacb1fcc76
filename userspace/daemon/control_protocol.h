// The control protocol between ipsecd and ipsecctl: JSON lines over a unix
// stream socket (default /run/ipsecd/ipsecd.ctl, ipsecd --ctl / ipsecctl
// --ctl to choose another, one per daemon when several run in several
// netns).
//
// One request per connection: the client connects, writes one JSON object
// terminated by '\n', reads one JSON object terminated by '\n', and the
// daemon closes the connection.
//
//   request   {"cmd": "status"}
//             {"cmd": "trafficstatus"}
//             {"cmd": "up",   "name": "CONN"}
//             {"cmd": "down", "name": "CONN"}
//             {"cmd": "reload"}
//             {"cmd": "add",    "name": "CONN"}
//             {"cmd": "delete", "name": "CONN"}
//   response  {"ok": true,  "result": RESULT}
//             {"ok": false, "error": "unknown connection 'x'"}
//
//   RESULT of status         StatusResult (below)
//   RESULT of trafficstatus  TrafficResult
//   RESULT of up / down      {"message": "initiating 'x'"}
//   RESULT of reload / add / delete  ReloadResult: what happened to each
//                            connection; on a configuration error nothing
//                            changed and "error" lists "FILE:LINE: keyword:
//                            message" lines
//
// Every field of every struct below is always present in the JSON (names
// as in the struct); readers ignore fields they do not know, so fields may
// be added without a version bump. SPIs are 8 hex digits ("c0ffee01"), IKE
// SPIs 16; times are seconds. Secrets are never part of any reply.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace ipsec::control {

inline constexpr const char* kDefaultSocketPath = "/run/ipsecd/ipsecd.ctl";
// A request or reply line longer than this is refused (a status with
// thousands of SAs still fits).
inline constexpr size_t kMaxLineBytes = 16 * 1024 * 1024;

struct Request {
  std::string cmd;
  std::string name;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(Request, cmd, name)

struct DaemonInfo {
  int pid = 0;
  std::string version;
  std::string config_file;
  uint64_t uptime_s = 0;
  std::vector<std::string> interfaces;  // ipsecN devices in use
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(DaemonInfo, pid, version, config_file, uptime_s,
                                                interfaces)

struct ConnectionInfo {
  std::string name;
  std::string auto_action;  // "ignore", "add", "route", "start"
  std::string interface;    // "ipsec0"
  std::string local, remote;
  std::vector<std::string> routes;  // remote subnets routed into interface
  uint32_t keyingtries_used = 0;
  std::string last_error;  // the last clear error line, "" if none
  // The connection's traffic since it was loaded: its live SAs' kernel
  // counters plus those of the SAs rekeys and replaced IKE SAs deleted,
  // so it never goes backwards (Documentation/operations.md).
  uint64_t in_bytes = 0, in_packets = 0, out_bytes = 0, out_packets = 0;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(ConnectionInfo, name, auto_action, interface, local,
                                                remote, routes, keyingtries_used, last_error,
                                                in_bytes, in_packets, out_bytes, out_packets)

struct ChildSaInfo {
  std::string conn;   // its connection: the IKE SA's or one sharing it
  std::string state;  // "INSTALLED", "CREATING", "DELETING"
  uint32_t reqid = 0;
  std::string inbound_spi, outbound_spi;
  std::vector<std::string> local_ts, remote_ts;
  std::string algorithms;
  bool udp_encap = false;
  uint64_t age_s = 0;
  // From the kernel's SA counters (Kernel::ListSas); 0 when not found.
  uint64_t in_bytes = 0, in_packets = 0, out_bytes = 0, out_packets = 0;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(ChildSaInfo, conn, state, reqid, inbound_spi,
                                                outbound_spi, local_ts, remote_ts, algorithms,
                                                udp_encap, age_s, in_bytes, in_packets, out_bytes,
                                                out_packets)

struct IkeSaInfo {
  std::string conn;
  int version = 2;  // 1: an IKEv1 ISAKMP SA (spi_i/spi_r are its cookies)
  std::string spi_i, spi_r;
  bool initiator = false;
  std::string state;          // "CONNECTING", "ESTABLISHED", "DELETING"
  std::string local, remote;  // "10.0.0.1[500]"
  std::string local_id, remote_id;
  // "psk", "rsa-pss-sha256", "ecdsa-p256-sha256", "ed25519"...; the peer
  // certificate's subject when it sent one.
  std::string local_auth, remote_auth, remote_cert;
  std::string algorithms;
  bool nat_local = false, nat_remote = false;
  uint64_t age_s = 0;
  std::vector<ChildSaInfo> children;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(IkeSaInfo, conn, version, spi_i, spi_r, initiator,
                                                state, local, remote, local_id, remote_id,
                                                local_auth, remote_auth, remote_cert, algorithms,
                                                nat_local, nat_remote, age_s, children)

struct CountersInfo {
  uint64_t rx_messages = 0, tx_messages = 0, retransmits = 0;
  uint64_t dropped_malformed = 0, dropped_unauthenticated = 0, dropped_unknown_spi = 0,
           dropped_unexpected = 0, duplicate_requests = 0;
  uint64_t ike_sas_established = 0, child_sas_installed = 0;
  uint64_t auth_failures = 0, proposal_mismatches = 0;
  uint64_t socket_errors = 0;  // daemon side: failed sends/receives
  // Unauthenticated input refused (engine::EngineCounters, security.md).
  uint64_t dropped_init_for_existing_sa = 0, dropped_half_open_limit = 0, cookies_sent = 0,
           half_open_expired = 0, resends_limited = 0, peer_moves_refused = 0,
           child_sa_limit_refused = 0;
  uint64_t fragments_sent = 0, fragments_received = 0, dropped_fragments = 0;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(
    CountersInfo, rx_messages, tx_messages, retransmits, dropped_malformed, dropped_unauthenticated,
    dropped_unknown_spi, dropped_unexpected, duplicate_requests, ike_sas_established,
    child_sas_installed, auth_failures, proposal_mismatches, socket_errors,
    dropped_init_for_existing_sa, dropped_half_open_limit, cookies_sent, half_open_expired,
    resends_limited, peer_moves_refused, child_sa_limit_refused, fragments_sent, fragments_received,
    dropped_fragments)

struct StatusResult {
  DaemonInfo daemon;
  std::vector<ConnectionInfo> connections;
  std::vector<IkeSaInfo> ike_sas;
  CountersInfo counters;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(StatusResult, daemon, connections, ike_sas,
                                                counters)

// One line per installed child SA, as libreswan's "ipsec trafficstatus".
struct TrafficInfo {
  std::string conn;
  uint32_t reqid = 0;
  std::string inbound_spi, outbound_spi;
  std::string remote_id;
  std::vector<std::string> local_ts, remote_ts;
  uint64_t age_s = 0;
  uint64_t in_bytes = 0, in_packets = 0, out_bytes = 0, out_packets = 0;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(TrafficInfo, conn, reqid, inbound_spi, outbound_spi,
                                                remote_id, local_ts, remote_ts, age_s, in_bytes,
                                                in_packets, out_bytes, out_packets)

// Per connection: its traffic across rekeys (as ConnectionInfo's).
struct ConnectionTraffic {
  std::string conn;
  uint64_t in_bytes = 0, in_packets = 0, out_bytes = 0, out_packets = 0;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(ConnectionTraffic, conn, in_bytes, in_packets,
                                                out_bytes, out_packets)

struct TrafficResult {
  std::vector<TrafficInfo> tunnels;            // the live child SAs only
  std::vector<ConnectionTraffic> connections;  // every loaded connection
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(TrafficResult, tunnels, connections)

// reload (SIGHUP), add NAME, delete NAME: connections by name
// (daemon/reload.h says what counts as a change).
struct ReloadResult {
  std::string command;      // "reload", "add NAME", "delete NAME"
  std::string config_file;  // the ipsec.conf read
  std::vector<std::string> added, removed, replaced, kept;
  std::vector<std::string> psk_changed;    // kept; the new PSK serves their next IKE SA
  std::vector<std::string> warnings;       // of the files read
  std::vector<std::string> setup_changed;  // config setup keys, daemon/reload.h
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(ReloadResult, command, config_file, added, removed,
                                                replaced, kept, psk_changed, warnings,
                                                setup_changed)

struct MessageResult {
  std::string message;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(MessageResult, message)

// Response envelope helpers.
inline nlohmann::json OkResponse(nlohmann::json result) {
  return nlohmann::json{{"ok", true}, {"result", std::move(result)}};
}
inline nlohmann::json ErrorResponse(const std::string& error) {
  return nlohmann::json{{"ok", false}, {"error", error}};
}

}  // namespace ipsec::control
