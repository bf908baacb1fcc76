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
//   ipsecctl [--ctl SOCKET] metrics              Prometheus text (ctl/metrics.h)
//
// When no daemon listens, they say so and exit 3 (metrics: the kernel's
// part and ipsec_tun_daemon_up 0, exit 0); they do not fall back to
// showing kernel state (that is "ipsecctl sa list" / "dev show", which work
// without the daemon). Exit 1: the daemon refused (unknown connection...).
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/result.h"
#include "daemon/control_protocol.h"
#include "kernel/kernel.h"

namespace CLI {
class App;
}

namespace ipsec::ctl {

inline constexpr int kExitNoDaemon = 3;

// The ipsecN devices with their counters (for metrics); the caller owns
// the kernel access (ctl/kernel_cmds.h's ListKernelDevices).
using DeviceLister = std::function<Result<std::vector<kernel::DevInfo>>()>;

void AddDaemonCommands(CLI::App& app, DeviceLister devices);

// One request/response round trip on the control socket. Errors: "no
// ipsecd listening on PATH (...)" with code ECONNREFUSED/ENOENT, or the
// socket error.
Result<nlohmann::json> ControlRequest(const std::string& socket_path, const control::Request& req);

// Text renderings (pure, for tests).
std::string FormatStatus(const control::StatusResult& st);
std::string FormatTraffic(const control::TrafficResult& t);
std::string FormatReload(const control::ReloadResult& r);

}  // namespace ipsec::ctl
