// ipsecd's event loop (libevent_core) around the IKE engine: the UDP
// sockets, the kernel's events, the control socket, the engine's timer,
// routes into ipsecN and the signals. One thread; every callback runs to
// completion and then re-arms the engine's timer from NextTimeout().
// Kernel events: ACQUIRE and EXPIRE go to the engine, ERROR_EVENT to
// KernelErrors (daemon/kernel_errors.h: re-attach NAT-T, log AUTH_BURST).
//
// Start-up order (Create): devices (EnsureDevice, link up), NAT-T socket
// handed to the module, routes for every loaded connection, control socket,
// engine connections (auto=start ones initiate). Shutdown (SIGTERM/SIGINT)
// undoes it in reverse: engine Shutdown (Delete to peers, SAs and policies
// removed), routes removed, NAT-T socket detached, control socket unlinked.
// SIGHUP and "ipsecctl reload|add|delete" change the loaded connections in
// place (daemon/reload.h), then bring devices and routes in line.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/result.h"
#include "config/config.h"
#include "config/secrets.h"
#include "daemon/ike_socket.h"
#include "kernel/kernel.h"

namespace ipsec::daemon {

struct DaemonOptions {
  std::string config_path;
  std::string secrets_path;  // --secrets, re-read on reload; "" = from the config
  std::string ctl_path;
  bool debug = false;  // --debug: debug lines whatever plutodebug= says
  IkeSocketOptions sockets;
};

class DaemonImpl;

class Daemon {
 public:
  // Takes ownership of the kernel backend. Fails with a message naming what
  // could not be set up (socket bind, device, route, control socket).
  static Result<std::unique_ptr<Daemon>> Create(const DaemonOptions& opts, config::Config cfg,
                                                config::Secrets secrets,
                                                std::unique_ptr<kernel::Kernel> kernel);
  ~Daemon();
  // Runs until SIGTERM or SIGINT; returns the process exit status.
  int Run();

 private:
  explicit Daemon(std::unique_ptr<DaemonImpl> impl);
  std::unique_ptr<DaemonImpl> impl_;
};

}  // namespace ipsec::daemon
