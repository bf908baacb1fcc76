#include "config/keywords.h"

namespace ipsec::config {
namespace {

using S = KeywordScope;
using P = KeywordSupport;
constexpr auto I = P::kImplemented;
constexpr auto U = P::kUnimplemented;
constexpr auto N = P::kNoEffect;
constexpr auto O = P::kObsolete;

constexpr Keyword kKeywords[] = {
    // config setup
    {"logfile", S::kSetup, false, I, "", ""},
    {"plutodebug", S::kSetup, false, I, "", ""},
    {"charondebug", S::kSetup, false, I, "", ""},
    {"protostack", S::kSetup, false, N, "", "ipsec_tun devices are always used"},
    {"interfaces", S::kSetup, false, N, "", "IKE is received on every address"},
    {"secretsfile", S::kSetup, false, I, "", ""},
    {"uniqueids", S::kSetup, false, N, "",
     "a peer's INITIAL_CONTACT still replaces its old IKE SAs"},
    {"virtual_private", S::kSetup, false, U, "", "road-warrior subnets are not implemented"},
    {"virtual-private", S::kSetup, false, U, "", "road-warrior subnets are not implemented"},
    {"nat_traversal", S::kSetup, false, O, "", "NAT traversal is always on"},
    {"oe", S::kSetup, false, U, "", "opportunistic encryption is not implemented"},
    {"plutostderrlog", S::kSetup, false, I, "", ""},
    {"plutostart", S::kSetup, false, O, "", ""},
    {"charonstart", S::kSetup, false, O, "", ""},
    {"klipsdebug", S::kSetup, false, O, "", ""},
    {"dumpdir", S::kSetup, false, U, "", ""},
    {"nhelpers", S::kSetup, false, U, "", ""},
    {"strictcrlpolicy", S::kSetup, false, U, "", "CRLs are local files only"},
    {"cachecrls", S::kSetup, false, U, "", "CRLs are local files only"},
    {"crlcheckinterval", S::kSetup, false, U, "", "CRLs are local files only"},
    {"cadir", S::kSetup, false, I, "", ""},
    {"crldir", S::kSetup, false, I, "", ""},
    {"listen", S::kSetup, false, U, "", ""},
    {"keep_alive", S::kSetup, false, U, "", "NAT-T keepalives use a fixed 20 s"},
    {"keep-alive", S::kSetup, false, U, "", "NAT-T keepalives use a fixed 20 s"},
    {"ikeport", S::kSetup, false, U, "", ""},
    {"nat-ikeport", S::kSetup, false, U, "", ""},
    {"logtime", S::kSetup, false, U, "", ""},
    {"logappend", S::kSetup, false, U, "", ""},
    {"logip", S::kSetup, false, U, "", ""},
    {"ddos-mode", S::kSetup, false, I, "", ""},
    {"ddos-ike-threshold", S::kSetup, false, I, "", ""},
    {"ike-window", S::kSetup, false, I, "", ""},
    {"ike-init-limit", S::kSetup, false, I, "", ""},
    {"ike-init-limit-per-peer", S::kSetup, false, I, "", ""},
    {"seedbits", S::kSetup, false, U, "", ""},
    {"myvendorid", S::kSetup, false, U, "", ""},
    {"syslog", S::kSetup, false, I, "", ""},
    {"ipsecdir", S::kSetup, false, U, "", ""},
    {"nssdir", S::kSetup, false, U, "", ""},
    {"shuntlifetime", S::kSetup, false, U, "", ""},
    {"overridemtu", S::kSetup, false, O, "", "use mtu= in the conn"},
    {"hidetos", S::kSetup, false, O, "", ""},
    {"fragicmp", S::kSetup, false, O, "", ""},

    // conn, per end
    {"", S::kConn, true, I, "", ""},
    {"id", S::kConn, true, I, "", ""},
    {"subnet", S::kConn, true, I, "", ""},
    {"subnets", S::kConn, true, I, "", ""},
    {"sourceip", S::kConn, true, I, "", ""},
    {"ikeport", S::kConn, true, I, "", ""},
    {"auth", S::kConn, true, I, "", ""},
    {"nexthop", S::kConn, true, U, "", "the next hop comes from the routing table"},
    {"protoport", S::kConn, true, U, "", "traffic selectors cover all protocols and ports"},
    {"cert", S::kConn, true, I, "", ""},
    {"ca", S::kConn, true, I, "", ""},
    {"sendcert", S::kConn, true, I, "", ""},
    {"rsasigkey", S::kConn, true, U, "", "no raw RSA keys"},
    {"pubkey", S::kConn, true, U, "", "no raw public keys"},
    {"sigkey", S::kConn, true, U, "", "no raw public keys"},
    {"ckaid", S::kConn, true, U, "", "no raw public keys"},
    {"updown", S::kConn, true, U, "", "no updown scripts"},
    {"firewall", S::kConn, true, U, "", "no firewall rules are installed"},
    {"hostaccess", S::kConn, true, U, "", ""},
    {"allowany", S::kConn, true, U, "", ""},
    {"groups", S::kConn, true, U, "", ""},
    {"dns", S::kConn, true, U, "", "no configuration payloads"},
    {"modecfgclient", S::kConn, true, I, "", "no configuration payloads"},
    {"modecfgserver", S::kConn, true, I, "", "no configuration payloads"},
    {"xauthclient", S::kConn, true, I, "", "IKEv1 only"},
    {"xauthserver", S::kConn, true, I, "", "IKEv1 only"},
    {"vti", S::kConn, true, U, "", "use ipsec-interface= and interface-ip="},
    {"interface-ip", S::kConn, true, I, "", ""},
    {"id2", S::kConn, true, U, "", ""},
    {"auth2", S::kConn, true, U, "", ""},
    {"cert2", S::kConn, true, U, "", ""},
    {"ca2", S::kConn, true, U, "", ""},

    // conn
    {"also", S::kConn, false, I, "", ""},
    {"auto", S::kConn, false, I, "", ""},
    {"authby", S::kConn, false, I, "", ""},
    {"type", S::kConn, false, I, "", ""},
    {"ikev2", S::kConn, false, I, "", ""},
    {"keyexchange", S::kConn, false, I, "", ""},
    {"ike", S::kConn, false, I, "", ""},
    {"esp", S::kConn, false, I, "", ""},
    {"phase2alg", S::kConn, false, I, "esp", ""},
    {"phase2", S::kConn, false, I, "", ""},
    {"ah", S::kConn, false, I, "", ""},
    {"pfs", S::kConn, false, I, "", ""},
    {"ikelifetime", S::kConn, false, I, "", ""},
    {"keylife", S::kConn, false, I, "salifetime", ""},
    {"lifetime", S::kConn, false, I, "salifetime", ""},
    {"salifetime", S::kConn, false, I, "salifetime", ""},
    {"rekeymargin", S::kConn, false, I, "rekeymargin", ""},
    {"margintime", S::kConn, false, I, "rekeymargin", ""},
    {"rekeyfuzz", S::kConn, false, I, "", ""},
    {"rekey", S::kConn, false, I, "", ""},
    {"keyingtries", S::kConn, false, I, "", ""},
    {"share-ike", S::kConn, false, I, "", ""},
    {"dpddelay", S::kConn, false, I, "", ""},
    {"dpdtimeout", S::kConn, false, I, "", ""},
    {"dpdaction", S::kConn, false, I, "", ""},
    {"mtu", S::kConn, false, I, "", ""},
    {"mss-clamp", S::kConn, false, I, "", ""},
    {"mark", S::kConn, false, N, "", "ipsecN devices do not use marks"},
    {"mobike", S::kConn, false, N, "", "MOBIKE is not implemented; a NAT rebinding is followed"},
    {"ipsec-interface", S::kConn, false, I, "", ""},
    {"if_id_in", S::kConn, false, I, "", ""},
    {"if_id_out", S::kConn, false, I, "", ""},
    {"compress", S::kConn, false, U, "", "IPComp is not implemented"},
    {"fragmentation", S::kConn, false, I, "", ""},
    {"ike_frag", S::kConn, false, I, "fragmentation", ""},
    {"fragmentsize", S::kConn, false, I, "", ""},
    {"forceencaps", S::kConn, false, U, "", "UDP encapsulation is used only behind NAT"},
    {"encapsulation", S::kConn, false, U, "", "UDP encapsulation is used only behind NAT"},
    {"narrowing", S::kConn, false, U, "", ""},
    {"aggressive", S::kConn, false, I, "", "IKEv1 only"},
    {"aggrmode", S::kConn, false, I, "", "IKEv1 only"},
    {"reauth", S::kConn, false, U, "", "IKE SAs are rekeyed, never reauthenticated"},
    {"closeaction", S::kConn, false, U, "", ""},
    {"inactivity", S::kConn, false, U, "", ""},
    {"installpolicy", S::kConn, false, U, "", ""},
    {"reqid", S::kConn, false, U, "", "reqids are allocated"},
    {"replay_window", S::kConn, false, I, "", ""},
    {"replay-window", S::kConn, false, I, "", ""},
    {"tfc", S::kConn, false, U, "", ""},
    {"priority", S::kConn, false, U, "", ""},
    {"metric", S::kConn, false, U, "", ""},
    {"sha2-truncbug", S::kConn, false, U, "", ""},
    {"sha2_truncbug", S::kConn, false, U, "", ""},
    {"nat-keepalive", S::kConn, false, U, "", ""},
    {"initial-contact", S::kConn, false, U, "", ""},
    {"sareftrack", S::kConn, false, U, "", ""},
    {"overlapip", S::kConn, false, U, "", ""},
    {"eap_identity", S::kConn, false, U, "", "no EAP"},
    {"aaa_identity", S::kConn, false, U, "", "no EAP"},
    {"xauth", S::kConn, false, I, "", "IKEv1 only"},
    {"xauth_identity", S::kConn, false, I, "", "IKEv1 only"},
    {"modecfgdns", S::kConn, false, I, "", "no configuration payloads"},
    {"modecfgpull", S::kConn, false, I, "", "no configuration payloads"},
    {"vti-interface", S::kConn, false, U, "", "use ipsec-interface="},
    {"vti-routing", S::kConn, false, U, "", ""},
    {"vti-shared", S::kConn, false, U, "", ""},
    {"mark_in", S::kConn, false, U, "", ""},
    {"mark_out", S::kConn, false, U, "", ""},
    {"mark-in", S::kConn, false, U, "", ""},
    {"mark-out", S::kConn, false, U, "", ""},
    {"esn", S::kConn, false, U, "", "write esn/noesn in esp= instead"},
    {"lifebytes", S::kConn, false, I, "", ""},
    {"lifepackets", S::kConn, false, U, "", ""},
    {"marginbytes", S::kConn, false, U, "", ""},
    {"marginpackets", S::kConn, false, U, "", ""},
    {"ipsec-max-bytes", S::kConn, false, U, "", ""},
    {"ipsec-max-packets", S::kConn, false, U, "", ""},
    {"retransmit-timeout", S::kConn, false, U, "", ""},
    {"retransmit-interval", S::kConn, false, U, "", ""},
    {"nopmtudisc", S::kConn, false, U, "", ""},
    {"decap-dscp", S::kConn, false, U, "", ""},
    {"ikepad", S::kConn, false, U, "", ""},
    {"failureshunt", S::kConn, false, U, "", ""},
    {"negotiationshunt", S::kConn, false, U, "", ""},
    {"connaddrfamily", S::kConn, false, O, "", "the family follows the addresses"},
    {"pfsgroup", S::kConn, false, O, "", "write the group in esp=, e.g. esp=aes128-sha1-modp2048"},
    {"auth", S::kConn, false, O, "", "IKEv1's auth=esp/ah; ESP is always used"},
    {"nat_traversal", S::kConn, false, O, "", "NAT traversal is always on"},
    {"dpd_hooks", S::kConn, false, U, "", ""},
};

}  // namespace

std::optional<KeywordMatch> FindKeyword(std::string_view key, KeywordScope scope) {
  for (const auto& k : kKeywords) {
    if (k.sided || k.scope != scope) continue;
    if (k.name == key)
      return KeywordMatch{&k, "", std::string(k.canonical.empty() ? k.name : k.canonical)};
  }
  for (const auto& k : kKeywords) {
    if (k.sided) continue;
    if (k.name == key) {
      return KeywordMatch{&k, "", std::string(k.canonical.empty() ? k.name : k.canonical)};
    }
  }
  for (std::string_view side : {"left", "right"}) {
    if (key.substr(0, side.size()) != side) continue;
    std::string_view rest = key.substr(side.size());
    for (const auto& k : kKeywords) {
      if (k.sided && k.name == rest)
        return KeywordMatch{
            &k, std::string(side),
            std::string(side) + std::string(k.canonical.empty() ? k.name : k.canonical)};
    }
  }
  return std::nullopt;
}

const std::vector<std::string>& AllKeywordNames() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> v;
    for (const auto& k : kKeywords) {
      if (k.sided) {
        v.push_back("left" + std::string(k.name));
        v.push_back("right" + std::string(k.name));
      } else {
        v.emplace_back(k.name);
      }
    }
    return v;
  }();
  return names;
}

}  // namespace ipsec::config
