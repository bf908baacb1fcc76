// systemd's service readiness protocol (sd_notify(3)) for the unit's
// Type=notify: READY=1 once devices, sockets and connections are set up
// (so `systemctl start ipsecd` returns when ipsecd can be asked for status),
// RELOADING=1 ... READY=1 around a reload (ExecReload runs `ipsecctl
// reload`, or SIGHUP), STOPPING=1 at shutdown, and STATUS= a one-line
// summary that `systemctl status ipsecd` shows. Without $NOTIFY_SOCKET (not
// started by systemd) every call does nothing. libsystemd (Debian's
// libsystemd-dev) speaks the protocol: the same library systemd's own
// daemons use, rather than our own datagram code.
#pragma once

#include <string>

namespace ipsec::daemon {

void NotifyReady(const std::string& status);
void NotifyReloading();
void NotifyStopping();
void NotifyStatus(const std::string& status);

}  // namespace ipsec::daemon
