// Resolved configuration: what ipsec.conf (libreswan, Openswan or strongSwan
// dialect) means once %default, also=, includes, %defaultroute and the
// left/right-to-local/remote decision have been applied. This is what the
// daemon hands to the engine; nothing here refers back to the text.
//
// Entry points (config/config.h): LoadConfig() / ParseConfigText() produce a
// Config; LoadSecrets() (config/secrets.h) produces Secrets; RunCheck()
// (config/check.h) is `ipsecd --check`.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/ip_address.h"
#include "common/proposal.h"
#include "ike/cert/signature.h"

namespace ipsec::config {

using Seconds = std::chrono::seconds;

// A place in a configuration file, for messages ("FILE:LINE").
struct SourceLocation {
  std::string file;
  int line = 0;
  std::string ToString() const;  // "/etc/ipsec.conf:12"
  bool operator==(const SourceLocation&) const = default;
};

// A warning or error tied to a line: "FILE:LINE: keyword: message".
struct Diagnostic {
  SourceLocation where;
  std::string keyword;  // may be empty (e.g. a syntax error before any keyword)
  std::string message;
  std::string ToString() const;
};

// An IKE identity as written in leftid=/rightid= or in ipsec.secrets.
struct Identity {
  enum class Kind {
    kNone,      // not configured: the end's host address is used (resolved away in Connection)
    kAny,       // %any / %any6: matches any peer identity
    kIpv4,      // ID_IPV4_ADDR
    kIpv6,      // ID_IPV6_ADDR
    kFqdn,      // ID_FQDN: "@vpn.example.org" or a bare name
    kUserFqdn,  // ID_RFC822_ADDR: "user@example.org"
    kDn,        // ID_DER_ASN1_DN: "C=CH, O=Example, CN=moon" (ike/cert/dn.h), "*" values match any
  };
  Kind kind = Kind::kNone;
  std::string name;   // kFqdn / kUserFqdn: the text without a leading '@'; kDn: the DN
  IpAddress address;  // kIpv4 / kIpv6

  static Identity FromAddress(const IpAddress& a);
  // "10.0.0.1", "2001:db8::1", "@vpn.example.org", "user@example.org", "%any", "" (kNone).
  std::string ToString() const;
  // Exact identity equality (FQDNs compare case-insensitively).
  bool Matches(const Identity& other) const;
  bool operator==(const Identity&) const = default;
};

enum class AutoAction { kIgnore, kAdd, kRoute, kStart };  // auto=ondemand is kRoute
enum class DpdAction { kNone, kClear, kHold, kRestart, kRestartByPeer };
// authby=secret|psk, or rsasig|ecdsa|pubkey (certificates, config/auth_settings.h);
// leftauth=/rightauth= set one end's.
enum class AuthBy { kPsk, kPubkey };
// leftsendcert= (strongSwan; libreswan's values too): when this end's CERT
// payloads go out. kAlways is the default (libreswan's): a peer that sends
// no CERTREQ (libreswan without rightca=) still gets it, and one that has
// it already ignores it. kIfAsked (strongSwan's default): only when the
// peer sent a CERTREQ (RFC 7296 3.6/3.7).
enum class SendCert { kIfAsked, kAlways, kNever };
enum class ConnType { kTunnel };  // transport/passthrough are rejected with an error
// ikev2= / keyexchange= (config/ike_version.h). kIkev1: ikev2=no|never,
// keyexchange=ikev1, or keyexchange=ike in an Openswan-dialect file;
// loading refuses it unless LoadOptions::ikev1_negotiated. kIkev2Permit:
// keyexchange=ike elsewhere (strongSwan's meaning), ikev2=permit|propose:
// IKEv2 initiated, a peer starting with IKEv1 answered in IKEv1.
enum class IkeVersionPolicy { kIkev2, kIkev2Insist, kIkev2Permit, kIkev1 };
enum class UniqueIds { kYes, kNo, kNever, kReplace, kKeep };

// How the host address of an end was written.
enum class HostKind {
  kAddress,       // an IPv4/IPv6 literal
  kDefaultRoute,  // %defaultroute: the source address of the default route
  kAny,           // %any: unknown (a remote end that only responds)
  kAny6,          // %any6
};

// 169.254.10.2/30: the address and the prefix it sits in, host bits kept.
struct InterfaceAddress {
  IpAddress address;
  uint8_t prefix_len = 0;
  std::string ToString() const { return address.ToString() + "/" + std::to_string(prefix_len); }
  bool operator==(const InterfaceAddress&) const = default;
};

struct End {
  // Which config side this end came from ("left" or "right").
  std::string side;
  HostKind host_kind = HostKind::kAddress;
  IpAddress host;           // unset (AF_UNSPEC) for %any/%any6
  uint16_t ike_port = 500;  // leftikeport=
  // leftid=; when not written, Identity::FromAddress(host) (or kAny for %any).
  Identity id;
  bool id_configured = false;
  // leftsubnet= / leftsubnets= in order. Empty: the host address alone
  // (host-to-host); empty with an unset host: whatever the peer's address is.
  std::vector<IpPrefix> subnets;
  std::optional<IpAddress> sourceip;  // leftsourceip=
  // leftinterface-ip= (libreswan): an address with its prefix length put on
  // the conn's ipsecN when this end is local (inside addresses, BGP peering).
  std::optional<InterfaceAddress> interface_ip;
  // How this end proves who it is (authby=, leftauth=).
  AuthBy auth = AuthBy::kPsk;
  // leftcert=: the certificate file found (absolute path); "" when not set.
  // Its subject is the end's ID when leftid= is not written.
  std::string cert;
  // leftca=: the DN its certificate must chain to ("" any loaded anchor).
  std::string ca;
  // leftsendcert=: when a local end sends its certificate.
  SendCert sendcert = SendCert::kAlways;
  // The signature scheme a local end signs with, from authby=/leftauth=
  // suffixes (config/auth_settings.h): IANA hash numbers (RFC 7427: 1 SHA-1,
  // 2/3/4 SHA-256/384/512) in order of preference, empty for the default;
  // sig_pss: RSA keys sign with RSASSA-PSS.
  std::vector<cert::SigHash> sig_hashes;
  bool sig_pss = false;
  // The key kind the KIND word names ("rsa" for rsa/rsasig/rsa/pss,
  // "ecdsa", "ed25519"; "" for pubkey) and a numeric suffix (rsa-4096,
  // ecdsa-256; 0 none). For the remote end these and the hashes and
  // sig_pss above are what its signature must use (engine/tasks/cert_auth.h).
  std::string sig_key;
  uint32_t sig_key_bits = 0;
  bool operator==(const End&) const = default;
};

// One child SA: libreswan's "conn/1x2" (first left subnet x second right subnet).
struct SubnetPair {
  IpPrefix local, remote;
  std::string name;  // "1x1", "1x2", ... (left index x right index, 1-based)
  bool operator==(const SubnetPair&) const = default;
};

struct Mark {
  uint32_t value = 0;
  uint32_t mask = 0xffffffff;
  bool operator==(const Mark&) const = default;
};

struct Connection {
  std::string name;
  SourceLocation where;  // the "conn NAME" line
  End local, remote;
  // true when the config's "right" is this host (the file was written from
  // the other end's point of view). local.side says "right" then.
  bool swapped = false;
  // true when neither end is an address of this host and left was taken as
  // local (strongSwan's fallback); a warning says so.
  bool local_assumed = false;
  // Cross product of local.subnets x remote.subnets, same family only.
  // Empty when an end has an unknown host and no subnet (%any responder).
  std::vector<SubnetPair> subnet_pairs;

  AuthBy authby = AuthBy::kPsk;
  ConnType type = ConnType::kTunnel;
  IkeVersionPolicy ike_version = IkeVersionPolicy::kIkev2;

  // ike=: first is most preferred. Filled with the defaults when absent
  // (ike_proposals_default says so). IANA IKEv2 transform IDs.
  std::vector<Proposal> ike_proposals;
  bool ike_proposals_default = false;
  bool ike_strict = false;  // '!' : accept nothing but these
  // esp= / phase2alg=. A DH transform means PFS for CREATE_CHILD_SA (never in
  // the first child inside IKE_AUTH). With pfs=yes and no DH in esp=, the
  // DH groups of ike= are copied in; with pfs=no there is none. With no pfs=
  // line at all, the proposals without a group follow as a fallback.
  std::vector<Proposal> esp_proposals;
  bool esp_proposals_default = false;
  bool esp_strict = false;
  bool pfs = true;

  Seconds ike_lifetime{3 * 3600};     // ikelifetime=
  Seconds child_lifetime{3600};       // lifetime= / keylife= / salifetime=
  uint32_t child_lifebytes = 0;       // lifebytes= (0: no volume limit)
  Seconds rekey_margin{9 * 60};       // rekeymargin= / margintime=
  uint32_t rekey_fuzz_percent = 100;  // rekeyfuzz=
  bool rekey = true;                  // rekey=
  uint32_t keyingtries = 3;           // 0 = %forever
  bool share_ike = true;              // share-ike= (ours): no gives it an IKE SA of its own

  Seconds dpd_delay{0};  // 0: no liveness checks of our own (we still answer)
  Seconds dpd_timeout{150};
  DpdAction dpd_action = DpdAction::kNone;

  AutoAction auto_action = AutoAction::kIgnore;
  std::optional<uint32_t> mtu;
  // mss-clamp=yes|no|BYTES: TCP MSS clamping on the conn's ipsecN device
  // (IPSEC_TUN_A_MSS_CLAMP, kernel/mss_clamp.h). nullopt: not set (off).
  std::optional<uint16_t> mss_clamp;
  // replay_window= (strongSwan) / replay-window= (libreswan): inbound anti-replay
  // window in packets, 0 = no replay protection. nullopt: the kernel interface's
  // default (kernel::SaParams, 1024).
  std::optional<uint32_t> replay_window;
  std::optional<Mark> mark;
  bool mobike = true;
  // fragmentation= (strongSwan, libreswan; ike_frag= the old name): RFC 7383
  // IKE fragmentation offered and used (yes), never (no). force is taken
  // as yes: IKEv2 fragments only when both ends announced support.
  bool fragmentation = true;
  // fragmentsize= (ours; strongSwan's charon.fragment_size): the largest
  // IP datagram an IKE fragment may fill. nullopt: RFC 7383's 576 (IPv4)
  // or 1280 (IPv6).
  std::optional<uint16_t> fragment_size;
  // ipsec-interface=N -> N (device "ipsecN"); yes -> 1 (libreswan). nullopt: not set.
  std::optional<uint32_t> ipsec_interface;
  // ipsec-interface=N@NS: the device lives in netns NS (/run/netns/NS), the
  // daemon and the outer ESP stay in the daemon's netns. "": the daemon's.
  std::string interface_netns;
  // Every field, `where` included (daemon/reload.h compares without it).
  bool operator==(const Connection&) const = default;
};

// The conn's device as the kernel layer names it: "ipsecN", or "ipsecN@NS"
// in netns NS (kernel/netns.h).
inline std::string DeviceName(const Connection& c) {
  std::string n = "ipsec" + std::to_string(c.ipsec_interface.value_or(0));
  return c.interface_netns.empty() ? n : n + "@" + c.interface_netns;
}

// Negotiated with IKEv1 only (main mode + quick mode, engine/v1/).
inline bool IsIkev1(const Connection& c) {
  return c.ike_version == IkeVersionPolicy::kIkev1;
}
// Whether c answers a peer's main mode: an IKEv1 conn, or an IKEv2 one that
// allows both versions (keyexchange=ike as strongSwan means it).
inline bool AnswersIkev1(const Connection& c) {
  return IsIkev1(c) || c.ike_version == IkeVersionPolicy::kIkev2Permit;
}

// Whether two connections say the same, wherever in the files they are
// written (`where` left out): a reload keeps such a connection's SAs.
inline bool SameSettings(const Connection& a, Connection b) {
  b.where = a.where;
  return a == b;
}

struct SetupConfig {
  std::string logfile;     // logfile= or plutostderrlog= (Openswan's name)
  std::string syslog;      // syslog=FACILITY[.LEVEL], checked: daemon.info, local3
  std::string debug;       // plutodebug= or charondebug=, as written
  std::string protostack;  // netkey/xfrm/klips/ipsec_tun: recorded; we always use ipsec_tun
  std::vector<std::string> interfaces;  // interfaces="%defaultroute ipsec0=eth0"
  std::string secretsfile;              // secretsfile=
  UniqueIds uniqueids = UniqueIds::kYes;
  // libreswan's DoS knobs, as the responder's COOKIE threshold (RFC 7296
  // 2.6): IKE_SA_INIT must carry a COOKIE once this many IKE SAs are
  // half-open. ddos-mode=busy: 0 (always), unlimited: never, auto (the
  // default): ddos-ike-threshold=, else 64. nullopt: the engine's default.
  std::optional<size_t> cookie_threshold;
  // ike-window=N (1..256): the IKE window (RFC 7296 2.3) we advertise,
  // strongSwan's charon.window_size. nullopt: the engine's default, 8.
  std::optional<uint32_t> ike_window;
  // ike-init-limit=N / ike-init-limit-per-peer=N: how many IKE SAs we
  // initiate may be half-open at once, in all / towards one address
  // (engine/init_pacing.h; 0: no limit). nullopt: the engine's defaults, 3.
  std::optional<size_t> init_limit, init_limit_per_peer;
  // Trust anchors (CA certificates) and CRLs: every file in these
  // directories. cadir= / crldir= replace the defaults (libreswan's and
  // strongSwan's places, those that exist).
  std::vector<std::string> ca_dirs = {"/etc/ipsec.d/cacerts", "/etc/swanctl/x509ca"};
  std::vector<std::string> crl_dirs = {"/etc/ipsec.d/crls", "/etc/swanctl/x509crl"};
};

struct Config {
  std::string path;  // the top file
  SetupConfig setup;
  std::vector<Connection> connections;  // auto=ignore ones included, in file order
  std::vector<Diagnostic> warnings;
  // Files read, in order (the top file, then includes).
  std::vector<std::string> files;

  const Connection* Find(const std::string& name) const;
  // secretsfile= from config setup, else "ipsec.secrets" beside path.
  std::string SecretsPath() const;
};

}  // namespace ipsec::config
