// ipsecd --check: load ipsec.conf and ipsec.secrets, print what they mean.
#include "config/check.h"

#include <nlohmann/json.hpp>
#include <ostream>

#include "common/proposal_names.h"
#include "config/secrets.h"
#include "config/values.h"
#include "ike/cert/certificate.h"
#include "kernel/mss_clamp.h"

namespace ipsec::config {
namespace {

const char* AutoName(AutoAction a) {
  switch (a) {
    case AutoAction::kIgnore:
      return "ignore";
    case AutoAction::kAdd:
      return "add";
    case AutoAction::kRoute:
      return "route";
    case AutoAction::kStart:
      return "start";
  }
  return "?";
}

const char* DpdName(DpdAction a) {
  switch (a) {
    case DpdAction::kNone:
      return "none";
    case DpdAction::kClear:
      return "clear";
    case DpdAction::kHold:
      return "hold";
    case DpdAction::kRestart:
      return "restart";
    case DpdAction::kRestartByPeer:
      return "restart_by_peer";
  }
  return "?";
}

const char* HostKindName(HostKind k) {
  switch (k) {
    case HostKind::kAddress:
      return "address";
    case HostKind::kDefaultRoute:
      return "%defaultroute";
    case HostKind::kAny:
      return "%any";
    case HostKind::kAny6:
      return "%any6";
  }
  return "?";
}

std::string HostText(const End& e) {
  if (e.host_kind == HostKind::kAny || e.host_kind == HostKind::kAny6)
    return HostKindName(e.host_kind);
  std::string s = e.host.ToString();
  if (e.host_kind == HostKind::kDefaultRoute) s += " (%defaultroute)";
  return s;
}

std::string IdText(const End& e) {
  if (e.id.kind == Identity::Kind::kNone) return "(the address in use)";
  return e.id.ToString();
}

std::string KernelNames(const std::vector<Proposal>& ps) {
  std::string out;
  for (const auto& p : ps) {
    for (const auto& t : p.transforms) {
      std::string n = KernelAlgorithmName(t);
      if (n.empty() || out.find(n) != std::string::npos) continue;
      if (!out.empty()) out += ", ";
      out += n;
    }
  }
  return out;
}

struct PskStatus {
  bool needed = true;  // an end authenticates with a PSK
  bool found = false;
  size_t bytes = 0;
  std::string where;
};

nlohmann::json EndJson(const End& e) {
  nlohmann::json j;
  j["side"] = e.side;
  j["host"] = e.host.is_set() ? e.host.ToString() : "";
  j["host_kind"] = HostKindName(e.host_kind);
  j["ike_port"] = e.ike_port;
  j["id"] = e.id.ToString();
  j["id_configured"] = e.id_configured;
  j["subnets"] = nlohmann::json::array();
  for (const auto& s : e.subnets) j["subnets"].push_back(s.ToString());
  if (e.sourceip) j["sourceip"] = e.sourceip->ToString();
  return j;
}

nlohmann::json ConnJson(const Connection& c, const PskStatus& psk) {
  nlohmann::json j;
  j["name"] = c.name;
  j["defined_at"] = c.where.ToString();
  j["local"] = EndJson(c.local);
  j["remote"] = EndJson(c.remote);
  j["swapped"] = c.swapped;
  j["local_assumed"] = c.local_assumed;
  j["children"] = nlohmann::json::array();
  for (const auto& p : c.subnet_pairs)
    j["children"].push_back({{"name", c.name + "/" + p.name},
                             {"local", p.local.ToString()},
                             {"remote", p.remote.ToString()}});
  j["authby"] = psk.needed ? "psk" : "pubkey";
  j["local"]["auth"] = c.local.auth == AuthBy::kPsk ? "psk" : "pubkey";
  j["remote"]["auth"] = c.remote.auth == AuthBy::kPsk ? "psk" : "pubkey";
  if (!c.local.cert.empty()) j["local"]["cert"] = c.local.cert;
  if (psk.needed) j["psk"] = {{"found", psk.found}, {"bytes", psk.bytes}, {"from", psk.where}};
  j["type"] = "tunnel";
  auto proposals = [](const std::vector<Proposal>& ps) {
    nlohmann::json a = nlohmann::json::array();
    for (const auto& p : ps) {
      nlohmann::json tl = nlohmann::json::array();
      for (const auto& t : p.transforms)
        tl.push_back({{"type", static_cast<int>(t.type)},
                      {"id", t.id},
                      {"key_length", t.key_length},
                      {"name", TransformToString(t)}});
      a.push_back({{"text", ProposalToString(p)}, {"transforms", tl}});
    }
    return a;
  };
  j["ike"] = {{"proposals", proposals(c.ike_proposals)},
              {"strict", c.ike_strict},
              {"default", c.ike_proposals_default}};
  j["esp"] = {{"proposals", proposals(c.esp_proposals)},
              {"strict", c.esp_strict},
              {"default", c.esp_proposals_default},
              {"kernel", KernelNames(c.esp_proposals)}};
  j["pfs"] = c.pfs;
  j["ike_lifetime_s"] = c.ike_lifetime.count();
  j["child_lifetime_s"] = c.child_lifetime.count();
  j["rekey_margin_s"] = c.rekey_margin.count();
  j["rekey_fuzz_percent"] = c.rekey_fuzz_percent;
  j["rekey"] = c.rekey;
  j["keyingtries"] = c.keyingtries;
  j["dpd"] = {{"delay_s", c.dpd_delay.count()},
              {"timeout_s", c.dpd_timeout.count()},
              {"action", DpdName(c.dpd_action)}};
  j["auto"] = AutoName(c.auto_action);
  j["mtu"] = c.mtu ? nlohmann::json(*c.mtu) : nlohmann::json(nullptr);
  j["mss_clamp"] =
      c.mss_clamp ? nlohmann::json(kernel::MssClampName(*c.mss_clamp)) : nlohmann::json(nullptr);
  j["replay_window"] = c.replay_window ? nlohmann::json(*c.replay_window) : nlohmann::json(nullptr);
  j["mark"] = c.mark ? nlohmann::json({{"value", c.mark->value}, {"mask", c.mark->mask}})
                     : nlohmann::json(nullptr);
  j["mobike"] = c.mobike;
  j["fragmentation"] = c.fragmentation;
  j["fragment_size"] = c.fragment_size ? nlohmann::json(*c.fragment_size) : nlohmann::json(nullptr);
  j["ipsec_interface"] =
      c.ipsec_interface ? nlohmann::json(*c.ipsec_interface) : nlohmann::json(nullptr);
  j["interface_netns"] =
      c.interface_netns.empty() ? nlohmann::json(nullptr) : nlohmann::json(c.interface_netns);
  return j;
}

void PrintConn(const Connection& c, const PskStatus& psk, std::ostream& out) {
  out << "conn " << c.name << "  (" << c.where.ToString() << ")\n";
  for (const End* e : {&c.local, &c.remote}) {
    out << "  " << (e == &c.local ? "local " : "remote") << " [" << e->side << "]  " << HostText(*e)
        << "  id " << IdText(*e);
    if (e->ike_port != 500) out << "  port " << e->ike_port;
    if (e->sourceip) out << "  sourceip " << e->sourceip->ToString();
    if (e->interface_ip) out << "  interface-ip " << e->interface_ip->ToString();
    out << "\n";
  }
  if (c.local_assumed) out << "  (neither end is an address of this host: left taken as local)\n";
  for (const auto& p : c.subnet_pairs)
    out << "  child  " << c.name << "/" << p.name << "  " << p.local.ToString()
        << " === " << p.remote.ToString() << "\n";
  if (c.subnet_pairs.empty()) out << "  child  (subnets follow the peer's address)\n";
  if (c.local.auth == AuthBy::kPubkey)
    out << "  auth   local: certificate " << c.local.cert << "\n";
  if (c.remote.auth == AuthBy::kPubkey)
    out << "  auth   remote: certificate"
        << (c.remote.ca.empty() ? std::string(" from any loaded CA")
                                : " under '" + c.remote.ca + "'")
        << "\n";
  if (psk.needed) {
    out << "  auth   psk, ";
    if (psk.found)
      out << "PSK: found (" << psk.bytes << " bytes) at " << psk.where << "\n";
    else
      out << "PSK: NOT FOUND\n";
  }
  out << "  ike    IKEv2" << (c.ike_strict ? " strict" : "")
      << (c.ike_proposals_default ? " default" : "") << "  " << ProposalsToString(c.ike_proposals)
      << "\n";
  out << "  esp    " << (c.esp_strict ? "strict " : "")
      << (c.esp_proposals_default ? "default " : "") << ProposalsToString(c.esp_proposals) << "\n";
  out << "         kernel: " << KernelNames(c.esp_proposals) << "; pfs " << (c.pfs ? "yes" : "no")
      << "\n";
  out << "  life   ike " << FormatDuration(c.ike_lifetime) << ", child "
      << FormatDuration(c.child_lifetime) << ", rekey margin " << FormatDuration(c.rekey_margin)
      << ", fuzz " << c.rekey_fuzz_percent << "%" << (c.rekey ? "" : ", no rekey") << "\n";
  out << "  dpd    ";
  if (c.dpd_action == DpdAction::kNone)
    out << "off\n";
  else
    out << "delay " << FormatDuration(c.dpd_delay) << ", timeout " << FormatDuration(c.dpd_timeout)
        << ", action " << DpdName(c.dpd_action) << "\n";
  out << "  auto   " << AutoName(c.auto_action) << ", keyingtries "
      << (c.keyingtries ? std::to_string(c.keyingtries) : std::string("%forever"));
  if (c.mtu) out << ", mtu " << *c.mtu;
  if (c.mss_clamp) out << ", mss-clamp " << kernel::MssClampName(*c.mss_clamp);
  if (c.replay_window) out << ", replay window " << *c.replay_window;
  if (c.mark) out << ", mark " << c.mark->value << "/0x" << std::hex << c.mark->mask << std::dec;
  out << ", mobike " << (c.mobike ? "yes" : "no");
  out << ", fragmentation " << (c.fragmentation ? "yes" : "no");
  if (c.fragment_size) out << ", fragmentsize " << *c.fragment_size;
  if (c.ipsec_interface) out << ", interface " << DeviceName(c);
  out << "\n";
}

}  // namespace

int RunCheck(const CheckOptions& options, std::ostream& out, std::ostream& err) {
  auto cfg = LoadConfig(options.config_path, options.load);
  if (!cfg) {
    err << cfg.error().message << "\n";
    err << options.config_path << ": configuration has errors\n";
    return 1;
  }
  for (const auto& w : cfg->warnings) err << "warning: " << w.ToString() << "\n";
  int status = 0;
  std::string secrets_path =
      options.secrets_path.empty() ? cfg->SecretsPath() : options.secrets_path;
  SecretsLoadOptions so;
  so.allow_includes = options.load.allow_includes;
  so.include_root = options.load.include_root;
  auto secrets = LoadSecrets(secrets_path, so);
  if (!secrets) {
    err << secrets.error().message << "\n";
    status = 1;
  } else {
    for (const auto& w : secrets->warnings()) err << "warning: " << w.ToString() << "\n";
  }
  nlohmann::json j;
  j["config"] = cfg->path;
  j["files"] = cfg->files;
  j["secrets"] = secrets_path;
  j["connections"] = nlohmann::json::array();
  if (!options.json)
    out << cfg->path << ": " << cfg->connections.size() << " connection"
        << (cfg->connections.size() == 1 ? "" : "s") << "\n";
  for (const auto& c : cfg->connections) {
    PskStatus psk;
    psk.needed = c.local.auth == AuthBy::kPsk || c.remote.auth == AuthBy::kPsk;
    if (secrets && c.local.auth == AuthBy::kPubkey && c.auto_action != AutoAction::kIgnore) {
      auto certs = cert::LoadCertificates(c.local.cert);
      if (certs && !secrets->FindPrivateKey(certs->front().public_key())) {
        err << c.where.ToString() << ": conn " << c.name << ": no private key in " << secrets_path
            << " for " << c.local.side << "cert " << c.local.cert << "\n";
        status = 1;
      }
    }
    if (secrets && psk.needed) {
      if (auto m = secrets->FindPskMatch(c.local.id, c.remote.id, c.local.host, c.remote.host)) {
        psk.found = true;
        psk.bytes = m->psk.size();
        psk.where = m->where.ToString();
      }
    }
    if (psk.needed && !psk.found && c.auto_action != AutoAction::kIgnore) {
      err << c.where.ToString() << ": conn " << c.name << ": no PSK in " << secrets_path << " for "
          << IdText(c.local) << " <-> " << IdText(c.remote) << "\n";
      status = 1;
    }
    if (options.json)
      j["connections"].push_back(ConnJson(c, psk));
    else
      PrintConn(c, psk, out);
  }
  if (options.json) out << j.dump(2) << "\n";
  return status;
}

}  // namespace ipsec::config
