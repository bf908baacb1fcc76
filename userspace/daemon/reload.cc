#include "daemon/reload.h"

#include <algorithm>

namespace ipsec::daemon {
namespace {

bool Loaded(const config::Connection& c) {
  return c.auto_action != config::AutoAction::kIgnore;
}

const config::Connection* FindLoaded(const config::Config& cfg, const std::string& name) {
  const config::Connection* c = cfg.Find(name);
  return c && Loaded(*c) ? c : nullptr;
}

std::optional<SecureBytes> PskOf(const config::Secrets& s, const config::Connection& c) {
  return s.FindPsk(c.local.id, c.remote.id, c.local.host, c.remote.host);
}

}  // namespace

Result<LoadedConfig> ReadConfig(const ConfigSources& src) {
  auto cfg = config::LoadConfig(src.config_path, src.load);
  if (!cfg) return cfg.error();
  std::string spath = src.secrets_path.empty() ? cfg->SecretsPath() : src.secrets_path;
  auto secrets = config::LoadSecrets(spath, src.secrets_load);
  if (!secrets) return secrets.error();
  return LoadedConfig{std::move(cfg).value(), std::move(secrets).value()};
}

std::vector<std::string> ChangedSetupKeys(const config::SetupConfig& a,
                                          const config::SetupConfig& b) {
  std::vector<std::string> out;
  auto differs = [&](bool d, const char* key) {
    if (d) out.emplace_back(key);
  };
  differs(a.logfile != b.logfile, "logfile");
  differs(a.syslog != b.syslog, "syslog");
  differs(a.debug != b.debug, "debug");
  differs(a.protostack != b.protostack, "protostack");
  differs(a.interfaces != b.interfaces, "interfaces");
  differs(a.secretsfile != b.secretsfile, "secretsfile");
  differs(a.uniqueids != b.uniqueids, "uniqueids");
  differs(a.cookie_threshold != b.cookie_threshold, "ddos-mode/ddos-ike-threshold");
  differs(a.ike_window != b.ike_window, "ike-window");
  differs(a.init_limit != b.init_limit || a.init_limit_per_peer != b.init_limit_per_peer,
          "ike-init-limit");
  return out;
}

std::vector<config::Connection> EngineConnections(const std::vector<config::Connection>& conns) {
  std::vector<config::Connection> out;
  for (const auto& c : conns)
    if (Loaded(c)) out.push_back(c);
  return out;
}

ReloadPlan PlanReload(const config::Config& cfg, const config::Secrets& secrets,
                      const LoadedConfig& next) {
  ReloadPlan plan;
  for (const auto& c : cfg.connections)
    if (Loaded(c) && !FindLoaded(next.cfg, c.name)) plan.removed.push_back(c.name);
  for (const auto& n : next.cfg.connections) {
    if (!Loaded(n)) continue;
    const config::Connection* old = FindLoaded(cfg, n.name);
    if (!old) {
      plan.added.push_back(n.name);
    } else if (!config::SameSettings(*old, n)) {
      plan.replaced.push_back(n.name);
    } else {
      plan.kept.push_back(n.name);
      if (PskOf(secrets, *old) != PskOf(next.secrets, n)) plan.psk_changed.push_back(n.name);
    }
  }
  return plan;
}

Result<ReloadPlan> ApplyConfig(engine::Engine& engine, config::Config& cfg,
                               config::Secrets& secrets, LoadedConfig next) {
  ReloadPlan plan = PlanReload(cfg, secrets, next);
  plan.setup_changed = ChangedSetupKeys(cfg.setup, next.cfg.setup);
  std::vector<std::string> cred_warnings;
  auto creds = Credentials::Load(next.cfg, next.secrets, &cred_warnings);
  if (!creds) return creds.error();
  plan.credentials = std::move(creds).value();
  plan.warnings = std::move(cred_warnings);
  if (auto st = engine.LoadConnections(EngineConnections(next.cfg.connections)); !st)
    return st.error();
  cfg = std::move(next.cfg);
  secrets = std::move(next.secrets);
  return plan;
}

Result<LoadedConfig> WithConnection(const config::Config& cfg, LoadedConfig fresh,
                                    const std::string& name) {
  const config::Connection* wanted = fresh.cfg.Find(name);
  if (!wanted) return MakeError("no connection named '" + name + "' in " + fresh.cfg.path);
  config::Connection conn = *wanted;
  if (!Loaded(conn)) conn.auto_action = config::AutoAction::kAdd;
  LoadedConfig out{cfg, std::move(fresh.secrets)};
  auto it = std::find_if(out.cfg.connections.begin(), out.cfg.connections.end(),
                         [&](const auto& c) { return c.name == name; });
  if (it != out.cfg.connections.end())
    *it = std::move(conn);
  else
    out.cfg.connections.push_back(std::move(conn));
  return out;
}

Result<LoadedConfig> WithoutConnection(const config::Config& cfg, const config::Secrets& secrets,
                                       const std::string& name) {
  if (!FindLoaded(cfg, name)) return MakeError("no connection named '" + name + "' is loaded");
  LoadedConfig out{cfg, secrets};
  std::erase_if(out.cfg.connections, [&](const auto& c) { return c.name == name; });
  return out;
}

Result<ReloadPlan> ChangeRunningConfig(const std::string& cmd, const std::string& name,
                                       const ConfigSources& src, engine::Engine& engine,
                                       config::Config& cfg, config::Secrets& secrets) {
  if (cmd != "reload" && name.empty()) return MakeError(cmd + ": a connection name is needed");
  if (cmd == "delete") {
    auto next = WithoutConnection(cfg, secrets, name);
    if (!next) return next.error();
    return ApplyConfig(engine, cfg, secrets, std::move(next).value());
  }
  auto fresh = ReadConfig(src);
  if (!fresh) return fresh.error();
  std::vector<std::string> warnings;
  for (const auto& w : fresh->cfg.warnings) warnings.push_back(w.ToString());
  for (const auto& w : fresh->secrets.warnings()) warnings.push_back(w.ToString());
  if (cmd == "add") {
    auto next = WithConnection(cfg, std::move(fresh).value(), name);
    if (!next) return next.error();
    fresh = std::move(next);
  }
  auto plan = ApplyConfig(engine, cfg, secrets, std::move(fresh).value());
  if (plan) plan->warnings.insert(plan->warnings.begin(), warnings.begin(), warnings.end());
  return plan;
}

}  // namespace ipsec::daemon
