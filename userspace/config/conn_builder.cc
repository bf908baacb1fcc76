// Values of one conn -> Connection. Defaults and the reasons for them are in
// Documentation/configuration.md ("Defaults").
#include "config/conn_builder.h"

#include <linux/ipsec_tun.h>

#include <algorithm>
#include <charconv>
#include <limits>

#include "common/default_proposals.h"
#include "common/proposal_names.h"
#include "config/auth_settings.h"
#include "config/ike_version.h"
#include "config/values.h"
#include "ike/constants.h"
#include "kernel/mss_clamp.h"
#include "kernel/netns.h"

namespace ipsec::config {
namespace {

// What an end says before the machine is consulted.
struct RawEnd {
  std::string side;
  const RawSetting* host_setting = nullptr;
  End end;
  bool host_ok = false;
  std::vector<IpPrefix> subnets;
  bool subnets_from_list = false;  // leftsubnets=
};

class Builder {
 public:
  Builder(const std::string& name, const SourceLocation& where, const SettingMap& s,
          const HostInfo& host, const LoadOptions& options, const Diagnostics& d,
          const std::map<std::string, std::string>& openswan_files)
      : s_(s), host_(host), options_(options), d_(d), openswan_files_(openswan_files) {
    c_.name = name;
    c_.where = where;
  }

  std::optional<Connection> Build();

 private:
  // nullptr when not set or when its line was broken (reported already).
  const RawSetting* Get(const std::string& key) const {
    auto it = s_.find(key);
    return it == s_.end() || it->second.broken ? nullptr : &it->second;
  }
  bool Broken(const std::string& key) const {
    auto it = s_.find(key);
    return it != s_.end() && it->second.broken;
  }
  template <class T>
  bool Take(const std::string& key, Result<T> (*parse)(std::string_view), T* out) {
    const RawSetting* st = Get(key);
    if (!st) return false;
    auto r = parse(st->value);
    if (!r) {
      Fail(*st, r.error().message);
      return false;
    }
    *out = *r;
    return true;
  }
  void Fail(const RawSetting& st, std::string msg) {
    d_.Error(st, std::move(msg));
    ok_ = false;
  }
  void Fail(const std::string& keyword, std::string msg) {
    d_.Error(c_.where, keyword, std::move(msg));
    ok_ = false;
  }

  void ParseEnd(const std::string& side, RawEnd* e);
  void ResolveHosts(RawEnd* left, RawEnd* right);
  void ChooseLocal(RawEnd* left, RawEnd* right);
  void BuildPairs(const RawEnd& left, const RawEnd& right);
  void ParseModes();
  void ParseProposals();
  void ParseTimers();
  void ParseMisc();
  void ParseIfIds();

  const SettingMap& s_;
  const HostInfo& host_;
  const LoadOptions& options_;
  const Diagnostics& d_;
  const std::map<std::string, std::string>& openswan_files_;
  Connection c_;
  bool ok_ = true;
};

void Builder::ParseEnd(const std::string& side, RawEnd* e) {
  e->side = side;
  e->end.side = side;
  e->host_setting = Get(side);
  if (Broken(side)) {
    ok_ = false;
  } else if (!e->host_setting || e->host_setting->value.empty()) {
    Fail(side,
         "missing " + side + "= in conn " + c_.name + " (an IP address, %defaultroute or %any)");
  } else {
    const std::string& v = e->host_setting->value;
    if (v == "%defaultroute") {
      e->end.host_kind = HostKind::kDefaultRoute;
      e->host_ok = true;
    } else if (v == "%any") {
      e->end.host_kind = HostKind::kAny;
      e->host_ok = true;
    } else if (v == "%any6") {
      e->end.host_kind = HostKind::kAny6;
      e->host_ok = true;
    } else if (v[0] == '%') {
      Fail(*e->host_setting,
           "'" + v + "' is not supported (use an IP address, %defaultroute or %any)");
    } else if (auto a = IpAddress::Parse(v)) {
      e->end.host = *a;
      e->host_ok = true;
    } else if (v.find_first_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") !=
                   std::string::npos &&
               v.find(':') == std::string::npos && v.find('/') == std::string::npos) {
      Fail(*e->host_setting, "'" + v +
                                 "': host names are not resolved (no DNS at load time); "
                                 "write the IP address");
    } else {
      Fail(*e->host_setting, "'" + v + "' is not an IPv4 or IPv6 address");
    }
  }
  // %fromcert: the certificate's subject, as with no leftid= (auth_settings.h).
  if (const RawSetting* st = Get(side + "id");
      st && !st->value.empty() && st->value != "%fromcert") {
    std::string warning;
    auto id = ParseIdentity(st->value, &warning);
    if (!id) {
      Fail(*st, id.error().message);
    } else {
      e->end.id = *id;
      e->end.id_configured = true;
      if (!warning.empty()) d_.Warn(*st, warning);
    }
  }
  const RawSetting* subnet = Get(side + "subnet");
  const RawSetting* subnets = Get(side + "subnets");
  if (subnet && subnets) {
    Fail(*subnets, "both " + side + "subnet= and " + side + "subnets= are set; use one");
  } else if (subnet || subnets) {
    const RawSetting* st = subnet ? subnet : subnets;
    auto list = ParsePrefixList(st->value);
    if (!list)
      Fail(*st, list.error().message);
    else
      e->subnets = *list;
    e->subnets_from_list = subnets != nullptr;
  }
  if (const RawSetting* st = Get(side + "sourceip")) {
    if (auto a = IpAddress::Parse(st->value)) {
      e->end.sourceip = *a;
    } else {
      Fail(*st, "'" + st->value + "': only a single address is supported (no %config or pools)");
    }
  }
  if (const RawSetting* st = Get(side + "interface-ip")) {
    std::string_view v = st->value;
    auto slash = v.find('/');
    auto a = IpAddress::Parse(v.substr(0, slash));
    auto len = slash == std::string_view::npos
                   ? Result<uint32_t>(MakeError("no /prefix length"))
                   : ParseUint(v.substr(slash + 1), 1, a && a->is_v4() ? 32 : 128);
    if (!a || !len)
      Fail(*st, "'" + st->value + "': an address with its prefix length (169.254.10.2/30)" +
                    (a && !len ? ": " + len.error().message : ""));
    else
      e->end.interface_ip = InterfaceAddress{*a, static_cast<uint8_t>(*len)};
  }
  if (const RawSetting* st = Get(side + "ikeport")) {
    auto port = ParseUint(st->value, 1, 65535);
    if (!port)
      Fail(*st, port.error().message);
    else
      e->end.ike_port = static_cast<uint16_t>(*port);
  }
}

void Builder::ResolveHosts(RawEnd* left, RawEnd* right) {
  for (auto [e, other] : {std::pair{left, right}, std::pair{right, left}}) {
    if (!e->host_ok) continue;
    if (e->end.host_kind != HostKind::kDefaultRoute) continue;
    int family = AF_INET;
    if (other->end.host.is_v6() || other->end.host_kind == HostKind::kAny6) family = AF_INET6;
    auto src = host_.DefaultRouteSource(family);
    if (!src) {
      Fail(*e->host_setting, std::string("%defaultroute: this host has no ") +
                                 (family == AF_INET6 ? "IPv6" : "IPv4") + " default route");
      e->host_ok = false;
      continue;
    }
    e->end.host = *src;
  }
  if (left->end.host.is_set() && right->end.host.is_set() &&
      left->end.host.family() != right->end.host.family()) {
    Fail(*right->host_setting, "left=" + left->host_setting->value +
                                   " and right=" + right->host_setting->value +
                                   " are of different address families");
  }
}

void Builder::ChooseLocal(RawEnd* left, RawEnd* right) {
  const auto addrs = host_.LocalAddresses();
  auto is_local = [&](const RawEnd& e) {
    return e.end.host.is_set() && std::find(addrs.begin(), addrs.end(), e.end.host) != addrs.end();
  };
  auto is_wild = [](const RawEnd& e) {
    return e.end.host_kind == HostKind::kAny || e.end.host_kind == HostKind::kAny6;
  };
  bool swap = false;
  if (is_local(*left) && is_local(*right)) {
    d_.Warn(c_.where, "left", "both left and right are addresses of this host; left is local");
  } else if (is_local(*left)) {
  } else if (is_local(*right)) {
    swap = true;
  } else if (left->end.host_kind == HostKind::kDefaultRoute) {
  } else if (right->end.host_kind == HostKind::kDefaultRoute) {
    swap = true;
  } else if (is_wild(*left) && !is_wild(*right)) {
  } else if (is_wild(*right) && !is_wild(*left)) {
    swap = true;
  } else {
    std::string msg = "neither left=" + left->host_setting->value +
                      " nor right=" + right->host_setting->value + " is an address of this host";
    if (options_.require_local_end) {
      Fail("left", msg);
      return;
    }
    d_.Warn(c_.where, "left", msg + "; taking left as local (as strongSwan does)");
    c_.local_assumed = true;
  }
  c_.swapped = swap;
  RawEnd* local = swap ? right : left;
  RawEnd* remote = swap ? left : right;
  for (RawEnd* e : {local, remote}) {
    e->end.subnets = e->subnets;
    if (!e->end.id_configured) {
      if (e->end.host.is_set())
        e->end.id = Identity::FromAddress(e->end.host);
      else if (e == remote)
        e->end.id.kind = Identity::Kind::kAny;
    }
  }
  c_.local = local->end;
  c_.remote = remote->end;
  BuildPairs(*left, *right);
}

// libreswan: one child per (left subnet, right subnet), named "ixj".
void Builder::BuildPairs(const RawEnd& left, const RawEnd& right) {
  auto list = [](const RawEnd& e) {
    if (!e.subnets.empty()) return e.subnets;
    if (e.end.host.is_set()) return std::vector<IpPrefix>{IpPrefix::Host(e.end.host)};
    return std::vector<IpPrefix>{};
  };
  auto l = list(left), r = list(right);
  if (l.empty() || r.empty()) return;
  std::vector<bool> l_used(l.size()), r_used(r.size());
  for (size_t i = 0; i < l.size(); ++i) {
    for (size_t j = 0; j < r.size(); ++j) {
      if (l[i].family() != r[j].family()) continue;
      l_used[i] = r_used[j] = true;
      SubnetPair p;
      p.local = c_.swapped ? r[j] : l[i];
      p.remote = c_.swapped ? l[i] : r[j];
      p.name = std::to_string(i + 1) + "x" + std::to_string(j + 1);
      c_.subnet_pairs.push_back(p);
    }
  }
  auto check = [&](const std::vector<IpPrefix>& v, const std::vector<bool>& used, const RawEnd& e,
                   const std::string& other) {
    for (size_t i = 0; i < v.size(); ++i) {
      if (used[i]) continue;
      std::string key = e.side + (e.subnets_from_list ? "subnets" : "subnet");
      const RawSetting* st = Get(key);
      std::string msg = v[i].ToString() + " has no " + other + " subnet of the same address family";
      if (st)
        Fail(*st, msg);
      else
        Fail(e.side, msg);
    }
  };
  check(l, l_used, left, "right");
  check(r, r_used, right, "left");
}

void Builder::ParseModes() {
  if (const RawSetting* st = Get("type")) {
    const auto& v = st->value;
    if (v == "tunnel") {
    } else if (v == "transport" || v == "passthrough" || v == "pass" || v == "drop" ||
               v == "reject") {
      Fail(*st, "type=" + v + " is not supported yet (only tunnel)");
    } else {
      Fail(*st, "'" + v + "' is not a connection type (tunnel)");
    }
  }
  if (const RawSetting* st = Get("phase2")) {
    if (st->value == "ah")
      Fail(*st, "AH is not supported (only ESP)");
    else if (st->value != "esp")
      Fail(*st, "'" + st->value + "' is not esp");
  }
  if (const RawSetting* st = Get("ah")) Fail(*st, "AH is not supported (only ESP)");
}

void Builder::ParseProposals() {
  if (const RawSetting* st = Get("ike"); st) {
    auto p = ipsec::ParseProposals(st->value, ProtocolId::kIke);
    if (!p) {
      Fail(*st, p.error().message);
    } else {
      c_.ike_proposals = p->proposals;
      c_.ike_strict = p->strict;
      for (const auto& w : p->warnings) d_.Warn(*st, w);
    }
  } else {
    c_.ike_proposals = DefaultIkeProposals();
    c_.ike_proposals_default = true;
  }
  if (const RawSetting* st = Get("pfs")) {
    auto b = ParseYesNo(st->value);
    if (!b)
      Fail(*st, b.error().message);
    else
      c_.pfs = *b;
  }
  const RawSetting* esp = Get("esp");
  if (esp) {
    auto p = ipsec::ParseProposals(esp->value, ProtocolId::kEsp);
    if (!p) {
      Fail(*esp, p.error().message);
      return;
    }
    c_.esp_proposals = p->proposals;
    c_.esp_strict = p->strict;
    for (const auto& w : p->warnings) d_.Warn(*esp, w);
  } else {
    c_.esp_proposals = DefaultEspProposals();
    c_.esp_proposals_default = true;
  }
  auto has_dh = [](const Proposal& p) {
    return std::any_of(p.transforms.begin(), p.transforms.end(),
                       [](const Transform& t) { return t.type == TransformType::kDh; });
  };
  bool esp_dh = std::any_of(c_.esp_proposals.begin(), c_.esp_proposals.end(), has_dh);
  if (!c_.pfs) {
    if (esp_dh) {
      d_.Warn(esp ? *esp : *Get("pfs"), "pfs=no: the DH groups in esp= are not used");
      for (auto& p : c_.esp_proposals)
        std::erase_if(p.transforms,
                      [](const Transform& t) { return t.type == TransformType::kDh; });
    }
    return;
  }
  if (esp_dh) return;
  // pfs=yes without a group in esp= (libreswan): rekey with the IKE SA's groups.
  std::vector<Transform> groups;
  for (const auto& p : c_.ike_proposals)
    for (const auto& t : p.transforms)
      if (t.type == TransformType::kDh &&
          std::find(groups.begin(), groups.end(), t) == groups.end())
        groups.push_back(t);
  std::vector<Proposal> without_pfs = c_.esp_proposals;
  for (auto& p : c_.esp_proposals) {
    auto esn = std::find_if(p.transforms.begin(), p.transforms.end(),
                            [](const Transform& t) { return t.type == TransformType::kEsn; });
    p.transforms.insert(esn, groups.begin(), groups.end());
  }
  // PFS only by default (no pfs= line): the same proposals without a group
  // follow, least preferred, so that a peer on strongSwan's defaults (esp=
  // without a group) can rekey with us and accept our new children; it picks
  // them and ignores our KE (RFC 7296 1.3.1). pfs=yes or a group in esp=
  // stays strict.
  if (!Get("pfs") && !groups.empty())
    c_.esp_proposals.insert(c_.esp_proposals.end(), without_pfs.begin(), without_pfs.end());
}

void Builder::ParseTimers() {
  Take("ikelifetime", ParseDuration, &c_.ike_lifetime);
  Take("salifetime", ParseDuration, &c_.child_lifetime);
  for (auto [key, v] :
       {std::pair{"ikelifetime", &c_.ike_lifetime}, std::pair{"salifetime", &c_.child_lifetime}}) {
    const RawSetting* st = Get(key);
    // Seconds are for tests (and demonstrations) of rekeying: allowed, said.
    if (st && v->count() < 10)
      Fail(*st, "a lifetime under 10 seconds would rekey constantly");
    else if (st && v->count() < 60)
      d_.Warn(*st, "a lifetime under one minute rekeys very often (fine for testing)");
  }
  Seconds shortest = std::min(c_.ike_lifetime, c_.child_lifetime);
  if (Take("rekeymargin", ParseDuration, &c_.rekey_margin)) {
    if (c_.rekey_margin >= shortest) {
      Fail(*Get("rekeymargin"), "rekey margin " + FormatDuration(c_.rekey_margin) +
                                    " must be shorter than the lifetime " +
                                    FormatDuration(shortest));
    }
  } else if (c_.rekey_margin >= shortest) {
    c_.rekey_margin = shortest / 2;  // the default 9m does not fit a short lifetime
  }
  if (const RawSetting* st = Get("lifebytes")) {
    // A child's volume limit (the kernel's hard byte lifetime; IKEv1 sends
    // it in kilobytes). At least 1 MiB: less would rekey constantly.
    auto n = ParseUint(st->value, 1 << 20, UINT32_MAX);
    if (!n)
      Fail(*st, n.error().message + " (bytes, at least 1048576)");
    else
      c_.child_lifebytes = *n;
  }
  if (const RawSetting* st = Get("rekeyfuzz")) {
    std::string v = st->value;
    if (!v.empty() && v.back() == '%') v.pop_back();
    auto n = ParseUint(v, 0, 1000);
    if (!n)
      Fail(*st, n.error().message + " (a percentage, e.g. 100%)");
    else
      c_.rekey_fuzz_percent = *n;
  }
  if (const RawSetting* st = Get("rekey")) {
    auto b = ParseYesNo(st->value);
    if (!b)
      Fail(*st, b.error().message);
    else
      c_.rekey = *b;
  }
  if (const RawSetting* st = Get("share-ike")) {
    auto b = ParseYesNo(st->value);
    if (!b)
      Fail(*st,
           b.error().message + " (no: an IKE SA of its own, not shared with other connections)");
    else
      c_.share_ike = *b;
  }
  if (const RawSetting* st = Get("keyingtries")) {
    if (st->value == "%forever") {
      c_.keyingtries = 0;
    } else {
      auto n = ParseUint(st->value, 0, 1000000);
      if (!n)
        Fail(*st, n.error().message + " (a count or %forever)");
      else
        c_.keyingtries = *n;
    }
  }
  bool delay_set = Take("dpddelay", ParseDuration, &c_.dpd_delay);
  Take("dpdtimeout", ParseDuration, &c_.dpd_timeout);
  const RawSetting* action = Get("dpdaction");
  if (action) {
    const auto& v = action->value;
    if (v == "none")
      c_.dpd_action = DpdAction::kNone;
    else if (v == "clear")
      c_.dpd_action = DpdAction::kClear;
    else if (v == "hold")
      c_.dpd_action = DpdAction::kHold;
    else if (v == "restart")
      c_.dpd_action = DpdAction::kRestart;
    else if (v == "restart_by_peer")
      c_.dpd_action = DpdAction::kRestartByPeer;
    else
      Fail(*action, "'" + v + "' is not one of clear, hold, restart, restart_by_peer, none");
    if (!delay_set && c_.dpd_action != DpdAction::kNone) c_.dpd_delay = Seconds(30);
  } else if (delay_set && c_.dpd_delay.count() > 0) {
    c_.dpd_action = DpdAction::kHold;  // libreswan: dpddelay alone means dpdaction=hold
  }
  if (c_.dpd_action == DpdAction::kNone) c_.dpd_delay = Seconds(0);
  if (c_.dpd_delay.count() > 0 && c_.dpd_timeout <= c_.dpd_delay) {
    const RawSetting* st = Get("dpdtimeout");
    std::string msg = "dpdtimeout " + FormatDuration(c_.dpd_timeout) +
                      " is not longer than dpddelay " + FormatDuration(c_.dpd_delay) +
                      ": the peer is declared dead after one missed check";
    if (st)
      d_.Warn(*st, msg);
    else
      d_.Warn(c_.where, "dpdtimeout", msg);
  }
}

void Builder::ParseMisc() {
  if (const RawSetting* st = Get("auto")) {
    const auto& v = st->value;
    if (v == "add")
      c_.auto_action = AutoAction::kAdd;
    else if (v == "start")
      c_.auto_action = AutoAction::kStart;
    else if (v == "route" || v == "ondemand")
      c_.auto_action = AutoAction::kRoute;
    else if (v == "ignore")
      c_.auto_action = AutoAction::kIgnore;
    else
      Fail(*st, "'" + v + "' is not one of add, start, route, ondemand, ignore");
  }
  if (const RawSetting* st = Get("mtu")) {
    auto n = ParseUint(st->value, 68, 65535);
    if (!n)
      Fail(*st, n.error().message);
    else
      c_.mtu = *n;
  }
  if (const RawSetting* st = Get("mss-clamp")) {
    auto v = kernel::ParseMssClamp(st->value);
    if (!v)
      Fail(*st, v.error().message);
    else
      c_.mss_clamp = *v;
  }
  for (const char* key : {"replay_window", "replay-window"}) {
    const RawSetting* st = Get(key);
    if (!st) continue;
    // strongSwan's -1: "use the default".
    if (st->value == "-1") continue;
    auto n = ParseUint(st->value, 0, IPSEC_TUN_REPLAY_WINDOW_MAX);
    if (!n)
      Fail(*st, n.error().message + " (packets, 0 to " +
                    std::to_string(IPSEC_TUN_REPLAY_WINDOW_MAX) +
                    "; 0 turns replay protection off)");
    else
      c_.replay_window = *n;
  }
  if (const RawSetting* st = Get("mark")) {
    const auto& v = st->value;
    if (!v.empty() && v[0] == '%') {
      Fail(*st, "'" + v + "' is not supported (write a number, e.g. mark=6 or mark=0x6/0xff)");
    } else {
      size_t slash = v.find('/');
      auto value = ParseUint(std::string_view(v).substr(0, slash), 0, 0xffffffff);
      Result<uint32_t> mask = uint32_t{0xffffffff};
      if (slash != std::string::npos)
        mask = ParseUint(std::string_view(v).substr(slash + 1), 0, 0xffffffff);
      if (!value)
        Fail(*st, value.error().message);
      else if (!mask)
        Fail(*st, mask.error().message);
      else
        c_.mark = Mark{*value, *mask};
    }
  }
  if (const RawSetting* st = Get("fragmentation")) {
    if (st->value == "force") {
      c_.fragmentation = true;
    } else if (auto b = ParseYesNo(st->value)) {
      c_.fragmentation = *b;
    } else {
      Fail(*st, "'" + st->value + "' is not yes, no or force");
    }
  }
  if (const RawSetting* st = Get("fragmentsize")) {
    // 576: what every IPv4 path must carry (RFC 791), RFC 7383's floor.
    auto n = ParseUint(st->value, 576, 65535);
    if (!n)
      Fail(*st, n.error().message);
    else
      c_.fragment_size = static_cast<uint16_t>(*n);
  }
  if (const RawSetting* st = Get("mobike")) {
    auto b = ParseYesNo(st->value);
    if (!b)
      Fail(*st, b.error().message);
    else
      c_.mobike = *b;
  }
  if (const RawSetting* st = Get("ipsec-interface")) {
    // N@NS: ipsecN in netns NS (Documentation/configuration.md says why
    // the netns is part of this value and not a key of its own).
    std::string_view v = st->value;
    std::string_view netns;
    if (auto at = v.find('@'); at != std::string_view::npos) {
      netns = v.substr(at + 1);
      v = v.substr(0, at);
      if (!kernel::ValidNetnsName(netns))
        Fail(*st, "'" + std::string(netns) +
                      "' is not a netns name (as `ip netns add NAME`: no '/', not . or ..)");
      else if (v == "yes" || v == "no")
        Fail(*st, "@NETNS needs an interface number (N@NETNS)");
    }
    if (v == "yes") {
      c_.ipsec_interface = 1;
    } else if (v != "no") {
      auto n = ParseUint(v, 0, 65535);
      if (!n)
        Fail(*st, n.error().message + " (yes, no, an interface number N or N@NETNS)");
      else
        c_.ipsec_interface = *n;
    }
    c_.interface_netns = std::string(netns);
  }
}

// strongSwan's if_id_in=/if_id_out= (swanctl's XFRM interface IDs, read
// here in ipsec.conf form): an XFRM interface matches SAs and policies by
// if_id, our ipsecN device by number, and one ipsecN carries both
// directions of a conn. So the pair means ipsec-interface=N: both keys, one
// value (decimal or 0x hex, 0 = the default ipsec0, as strongSwan's 0 is
// "no interface"), agreeing with ipsec-interface= when that is set too.
void Builder::ParseIfIds() {
  const RawSetting* in = Get("if_id_in");
  const RawSetting* out = Get("if_id_out");
  if (!in && !out) return;
  if (!in || !out) {
    const RawSetting& st = in ? *in : *out;
    Fail(st, std::string("set without ") + (in ? "if_id_out=" : "if_id_in=") +
                 ": one ipsecN device carries both directions, so both must name it "
                 "(if_id_in=N and if_id_out=N, or ipsec-interface=N)");
    return;
  }
  std::optional<uint32_t> id;
  for (const RawSetting* st : {in, out}) {
    if (st->value.starts_with("%unique")) {
      Fail(*st,
           "'" + st->value + "' is not supported: ipsecN devices are the operator's; name one (N)");
      return;
    }
    auto n = ParseUint(st->value, 0, 65535);
    if (!n) {
      Fail(*st, n.error().message + " (the number N of device ipsecN)");
      return;
    }
    if (id && *id != *n) {
      Fail(*st, "if_id_in=" + in->value + " and if_id_out=" + out->value +
                    " differ: one ipsecN device carries both directions; set both to N");
      return;
    }
    id = *n;
  }
  if (const RawSetting* st = Get("ipsec-interface"); st && c_.ipsec_interface.value_or(0) != *id) {
    Fail(*out, "if_id_in=/if_id_out=" + std::to_string(*id) + " name ipsec" + std::to_string(*id) +
                   " but ipsec-interface=" + st->value + " (line " +
                   std::to_string(st->where.line) + ") names another device; keep one of the two");
    return;
  }
  c_.ipsec_interface = *id;
}

std::optional<Connection> Builder::Build() {
  for (const auto& [key, st] : s_)
    if (st.broken) ok_ = false;  // its error is out; build the rest for more messages
  RawEnd left, right;
  ParseEnd("left", &left);
  ParseEnd("right", &right);
  ParseModes();
  if (!ResolveIkeVersion(s_, openswan_files_, options_, d_, &c_)) ok_ = false;
  if (!RefuseIkev1Extensions(s_, d_)) ok_ = false;
  ParseProposals();
  ParseTimers();
  ParseMisc();
  ParseIfIds();
  if (left.host_ok && right.host_ok) {
    ResolveHosts(&left, &right);
    if (left.host_ok && right.host_ok && ok_) ChooseLocal(&left, &right);
    if (ok_ &&
        !ParseAuthSettings([this](const std::string& k) { return Get(k); }, options_, d_, &c_))
      ok_ = false;
  }
  if (!ok_) return std::nullopt;
  return std::move(c_);
}

}  // namespace

std::optional<Connection> BuildConnection(
    const std::string& name, const SourceLocation& where, const SettingMap& settings,
    const HostInfo& host, const LoadOptions& options, const Diagnostics& diags,
    const std::map<std::string, std::string>& openswan_files) {
  return Builder(name, where, settings, host, options, diags, openswan_files).Build();
}

// ddos-mode=auto|busy|unlimited and ddos-ike-threshold=N (libreswan): when
// the responder demands a COOKIE (SetupConfig::cookie_threshold).
static void BuildDdos(const RawSetting* mode, const RawSetting* threshold, const Diagnostics& d,
                      SetupConfig& out) {
  if (threshold) {
    uint32_t n = 0;
    auto [p, ec] = std::from_chars(threshold->value.data(),
                                   threshold->value.data() + threshold->value.size(), n);
    if (ec != std::errc() || p != threshold->value.data() + threshold->value.size())
      d.Error(*threshold, "'" + threshold->value + "' is not a number of half-open IKE SAs");
    else
      out.cookie_threshold = n;
  }
  if (!mode || mode->value == "auto") return;
  if (mode->value == "busy") {
    out.cookie_threshold = 0;
  } else if (mode->value == "unlimited") {
    out.cookie_threshold = std::numeric_limits<size_t>::max();
  } else {
    d.Error(*mode, "'" + mode->value + "' is not one of auto, busy, unlimited");
    return;
  }
  if (threshold)
    d.Warn(*threshold, "ddos-ike-threshold= has no effect with ddos-mode=" + mode->value);
}

// syslog=FACILITY[.LEVEL] as libreswan writes it ("daemon.error"); an
// empty string when valid, else why not.
static std::string CheckSyslogSetting(const std::string& v) {
  static const char* const kFacilities[] = {"daemon", "user",   "auth",   "authpriv",
                                            "local0", "local1", "local2", "local3",
                                            "local4", "local5", "local6", "local7"};
  static const char* const kLevels[] = {"debug", "info",  "notice", "warning", "warn",
                                        "err",   "error", "crit",   "alert",   "emerg"};
  const auto dot = v.find('.');
  const std::string facility = v.substr(0, dot);
  if (std::find(std::begin(kFacilities), std::end(kFacilities), facility) == std::end(kFacilities))
    return "'" + facility +
           "' is not a syslog facility (daemon, user, auth, authpriv, local0..local7)";
  if (dot == std::string::npos) return "";
  const std::string level = v.substr(dot + 1);
  if (std::find(std::begin(kLevels), std::end(kLevels), level) == std::end(kLevels))
    return "'" + level +
           "' is not a syslog level (debug, info, notice, warning, err, crit, alert, emerg)";
  return "";
}

// A whole number from lo to hi for a config setup key.
template <typename T>
static std::optional<T> SetupNumber(const RawSetting* st, uint64_t lo, uint64_t hi,
                                    const char* what, const Diagnostics& d) {
  if (!st) return std::nullopt;
  uint64_t n = 0;
  const char* end = st->value.data() + st->value.size();
  auto [p, ec] = std::from_chars(st->value.data(), end, n);
  if (ec != std::errc() || p != end || n < lo || n > hi) {
    d.Error(*st, "'" + st->value + "' is not " + what + " from " + std::to_string(lo) + " to " +
                     std::to_string(hi));
    return std::nullopt;
  }
  return static_cast<T>(n);
}

SetupConfig BuildSetup(const SettingMap& s, const Diagnostics& d) {
  SetupConfig out;
  auto get = [&](const char* k) -> const RawSetting* {
    auto it = s.find(k);
    return it == s.end() ? nullptr : &it->second;
  };
  if (auto* st = get("plutostderrlog")) out.logfile = st->value;
  if (auto* st = get("logfile")) {
    if (!out.logfile.empty() && out.logfile != st->value)
      d.Warn(*st, "both logfile= and plutostderrlog= are set; using logfile=");
    out.logfile = st->value;
  }
  if (auto* st = get("syslog")) {
    if (auto err = CheckSyslogSetting(st->value); !err.empty())
      d.Error(*st, err);
    else
      out.syslog = st->value;
  }
  if (auto* st = get("plutodebug")) out.debug = st->value;
  if (auto* st = get("charondebug")) {
    if (!out.debug.empty())
      d.Warn(*st, "both plutodebug= and charondebug= are set; using charondebug=");
    out.debug = st->value;
  }
  if (auto* st = get("protostack")) {
    out.protostack = st->value;
    if (st->value != "ipsec_tun" && st->value != "klips")
      d.Warn(*st, "'" + st->value +
                      "' is recorded but not used: this daemon always uses the "
                      "ipsec_tun module");
  }
  if (auto* st = get("interfaces")) out.interfaces = SplitList(st->value);
  if (auto* st = get("secretsfile")) out.secretsfile = st->value;
  if (auto* st = get("uniqueids")) {
    const auto& v = st->value;
    if (v == "yes")
      out.uniqueids = UniqueIds::kYes;
    else if (v == "no")
      out.uniqueids = UniqueIds::kNo;
    else if (v == "never")
      out.uniqueids = UniqueIds::kNever;
    else if (v == "replace")
      out.uniqueids = UniqueIds::kReplace;
    else if (v == "keep")
      out.uniqueids = UniqueIds::kKeep;
    else
      d.Error(*st, "'" + v + "' is not one of yes, no, never, replace, keep");
  }
  BuildDdos(get("ddos-mode"), get("ddos-ike-threshold"), d, out);
  out.ike_window = SetupNumber<uint32_t>(get("ike-window"), 1, 256, "an IKE window", d);
  out.init_limit =
      SetupNumber<size_t>(get("ike-init-limit"), 0, 100000, "a number of half-open IKE SAs", d);
  out.init_limit_per_peer = SetupNumber<size_t>(get("ike-init-limit-per-peer"), 0, 100000,
                                                "a number of half-open IKE SAs", d);
  ParseCertDirs([&](const std::string& k) { return get(k.c_str()); }, d, &out);
  return out;
}

}  // namespace ipsec::config
