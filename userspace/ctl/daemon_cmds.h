// ipsecctl's daemon subcommands: they talk to a running ipsecd over its
// control socket (daemon/control_protocol.h).
//
//   ipsecctl [--ctl SOCKET] status [--json]
//   ipsecctl [--ctl SOCKET] trafficstatus [--json]
//   ipsecctl [--ctl SOCKET] up NAME [--json]
//   ipsecctl [--ctl SOCKET] down NAME [--json]
//   ipsecctl [--ctl SOCKET] reload [--json]      re-read ipsec.conf/.secrets
//   ipsecctl [--ctl SOCKET] add NAME [--json]    load one connection
//   ipsecctl [--ctl SOCKET] delete NAME [--json] tear down and unload one
//
// When no daemon listens, they say so and exit 3; they do not fall back to
// showing kernel state (that is "ipsecctl sa list" / "dev show", which work
// without the daemon). Exit 1: the daemon refused (unknown connection...).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "common/result.h"
#include "daemon/control_protocol.h"

namespace CLI {
class App;
}

namespace ipsec::ctl {

inline constexpr int kExitNoDaemon = 3;

void AddDaemonCommands(CLI::App& app);

// One request/response round trip on the control socket. Errors: "no
// ipsecd listening on PATH (...)" with code ECONNREFUSED/ENOENT, or the
// socket error.
Result<nlohmann::json> ControlRequest(const std::string& socket_path, const control::Request& req);

// Text renderings (pure, for tests).
std::string FormatStatus(const control::StatusResult& st);
std::string FormatTraffic(const control::TrafficResult& t);
std::string FormatReload(const control::ReloadResult& r);

}  // namespace ipsec::ctl
