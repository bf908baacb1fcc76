// Changing the configuration of a running ipsecd without disturbing what
// did not change: SIGHUP and "ipsecctl reload" (the whole file), "ipsecctl
// add NAME" and "ipsecctl delete NAME" (one connection).
//
// Connections are compared by name and by content (every resolved setting
// of config::Connection; where in the file it is written does not count).
// Added ones are loaded (auto=start ones initiated), removed ones torn down
// (Delete to the peer; a shared IKE SA stays while another connection rides
// it), changed ones torn down and loaded again, unchanged ones keep their
// IKE SA, child SAs and SPIs. A PSK change in ipsec.secrets is not a
// connection change: IKEv2 authenticates an IKE SA once, when it is made,
// so the new key is used by the next IKE SA (a revival, "ipsecctl down; up",
// a peer's new IKE_SA_INIT) and the running tunnel stays up, which is what
// you want while the two ends change their key one after the other.
// Documentation/lifecycle.md, "Reload".
//
// The engine validates the whole new table before changing anything
// (engine::Engine::LoadConnections), so a file that does not load, or a
// connection the engine refuses, leaves everything running as it was.
#pragma once

#include <string>
#include <vector>

#include "common/result.h"
#include "config/config.h"
#include "config/secrets.h"
#include "daemon/credentials.h"
#include "engine/engine.h"

namespace ipsec::daemon {

// Where the configuration comes from; kept by the daemon for reloads.
struct ConfigSources {
  std::string config_path;
  std::string secrets_path;  // --secrets; "" = secretsfile=, else beside the config
  config::LoadOptions load;  // tests: a FixedHostInfo
  config::SecretsLoadOptions secrets_load;
};

struct LoadedConfig {
  config::Config cfg;
  config::Secrets secrets;
};

// Reads ipsec.conf (with its includes) and ipsec.secrets. The error lists
// every problem, one "FILE:LINE: keyword: message" per line.
Result<LoadedConfig> ReadConfig(const ConfigSources& src);

// What a change of configuration does, by connection name, in file order.
// auto=ignore connections count as absent (nothing may start them).
struct ReloadPlan {
  std::vector<std::string> added, removed, replaced, kept;
  // Kept connections whose PSK (as the secrets lookup picks it) changed:
  // it applies from their next IKE SA on.
  std::vector<std::string> psk_changed;
  // config setup keys whose value changed (logfile, plutodebug, ddos-mode,
  // ...): the daemon applies them at once (DaemonImpl::ApplySetup).
  std::vector<std::string> setup_changed;
  // Warnings of the files read ("FILE:LINE: keyword: message").
  std::vector<std::string> warnings;
  // The new configuration's certificates and keys (Credentials::Load; a
  // missing key refuses the change): the daemon hands them to its
  // SecretsProvider.
  std::shared_ptr<const Credentials> credentials;
};

// The config setup keys that differ between a and b, by the name a user
// writes (plutodebug= and charondebug= are both "debug").
std::vector<std::string> ChangedSetupKeys(const config::SetupConfig& a,
                                          const config::SetupConfig& b);

// What the engine is given: the connections without auto=ignore ones
// (they exist in the file but nothing may start them).
std::vector<config::Connection> EngineConnections(const std::vector<config::Connection>& conns);

ReloadPlan PlanReload(const config::Config& cfg, const config::Secrets& secrets,
                      const LoadedConfig& next);

// Makes `next` the running configuration (cfg, secrets): the engine first
// (it refuses, and nothing changes, when a connection is invalid), then
// cfg and secrets. The caller then brings devices and routes in line.
Result<ReloadPlan> ApplyConfig(engine::Engine& engine, config::Config& cfg,
                               config::Secrets& secrets, LoadedConfig next);

// "ipsecctl add NAME": NAME as `fresh` has it (auto=ignore there is loaded
// as auto=add), every other connection as it runs in cfg; the secrets of
// fresh. Fails when fresh has no connection NAME.
Result<LoadedConfig> WithConnection(const config::Config& cfg, LoadedConfig fresh,
                                    const std::string& name);
// "ipsecctl delete NAME": the running configuration without NAME. Fails
// when NAME is not loaded.
Result<LoadedConfig> WithoutConnection(const config::Config& cfg, const config::Secrets& secrets,
                                       const std::string& name);

// The whole of one command: "reload" (the files as they are now), "add"
// NAME (that one from the files, the rest as it runs) or "delete" NAME.
// Nothing changes when it fails; the error says why (for a file: each
// "FILE:LINE: keyword: message").
Result<ReloadPlan> ChangeRunningConfig(const std::string& cmd, const std::string& name,
                                       const ConfigSources& src, engine::Engine& engine,
                                       config::Config& cfg, config::Secrets& secrets);

}  // namespace ipsec::daemon
