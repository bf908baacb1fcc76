// ipsecd: the ipsec_tun IKE daemon (IKEv2, and IKEv1 per conn). Runs in the foreground (systemd
// style), logs to stderr or to logfile= from config setup.
//
//   ipsecd -f FILE [--secrets FILE] [--ctl SOCKET] [--debug]
//   ipsecd --check -f FILE [--secrets FILE] [--json]
//   ipsecd --version
//
// Exit status: 0 after SIGTERM/SIGINT (or a clean --check), 1 when it
// cannot start (the message says why), 2 for bad arguments.
#include <signal.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <iostream>

#include "common/version.h"
#include "config/check.h"
#include "config/config.h"
#include "config/secrets.h"
#include "daemon/control_protocol.h"
#include "daemon/daemon.h"
#include "daemon/logging.h"
#include "kernel/genl_kernel.h"

int main(int argc, char** argv) {
  CLI::App app{"ipsecd: IKE daemon (IKEv2, and IKEv1 where a conn asks for it) for ipsec_tun (route-based IPsec on ipsecN devices)"};
  std::string config_path, secrets_path, ctl_path = ipsec::control::kDefaultSocketPath;
  bool debug = false, check = false, json = false;
  app.add_option("-f,--config", config_path, "ipsec.conf to load")->required();
  app.add_option("--secrets", secrets_path,
                 "ipsec.secrets (default: secretsfile= from config setup, else ipsec.secrets "
                 "beside the config file)");
  app.add_option("--ctl", ctl_path, "control socket (one per daemon)")->capture_default_str();
  app.add_flag("--debug", debug, "debug logging (also plutodebug=/charondebug= in config setup)");
  app.add_flag("--check", check,
               "parse and resolve the configuration, print it, start nothing; exit non-zero on "
               "any error");
  app.add_flag("--json", json, "with --check: JSON output");
  app.set_version_flag("--version", std::string("ipsecd (ipsec_tun) ") + ipsec::kVersion);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : 2;
  }
  if (json && !check) {
    std::cerr << "ipsecd: --json only goes with --check\n";
    return 2;
  }

  if (check) {
    ipsec::config::CheckOptions opts;
    opts.config_path = config_path;
    opts.secrets_path = secrets_path;
    opts.json = json;
    opts.load.ikev1_negotiated = true;  // engine/v1/
    return ipsec::config::RunCheck(opts, std::cout, std::cerr);
  }

  ipsec::config::LoadOptions load;
  load.ikev1_negotiated = true;  // engine/v1/
  auto cfg = ipsec::config::LoadConfig(config_path, load);
  if (!cfg) {
    std::cerr << "ipsecd: " << cfg.error().message << "\n";
    return 1;
  }
  ipsec::daemon::SetupLogging({cfg->setup.logfile, cfg->setup.syslog,
                               debug || ipsec::daemon::DebugRequested(cfg->setup.debug)});
  for (const auto& w : cfg->warnings) spdlog::warn("{}", w.ToString());

  std::string spath = secrets_path.empty() ? cfg->SecretsPath() : secrets_path;
  auto secrets = ipsec::config::LoadSecrets(spath);
  if (!secrets) {
    spdlog::error("{}", secrets.error().message);
    return 1;
  }
  for (const auto& w : secrets->warnings()) spdlog::warn("{}", w.ToString());

  auto kernel = ipsec::kernel::GenlKernel::Open();
  if (!kernel) {
    spdlog::error("{}", kernel.error().message);
    return 1;
  }
  // Our sockets and the control socket report closed peers as errors.
  signal(SIGPIPE, SIG_IGN);

  ipsec::daemon::DaemonOptions opts;
  opts.config_path = config_path;
  opts.secrets_path = secrets_path;
  opts.ctl_path = ctl_path;
  opts.debug = debug;
  auto d = ipsec::daemon::Daemon::Create(opts, std::move(cfg).value(), std::move(secrets).value(),
                                         std::move(kernel).value());
  if (!d) {
    spdlog::error("cannot start: {}", d.error().message);
    return 1;
  }
  const int rc = (*d)->Run();
  ipsec::daemon::FlushLogSummaries();
  return rc;
}
