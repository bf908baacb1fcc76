#include "daemon/service_notify.h"

#include <systemd/sd-daemon.h>

namespace ipsec::daemon {
namespace {

// A status line is one line: anything after a newline would be read as
// another assignment.
std::string OneLine(const std::string& s) {
  return s.substr(0, s.find('\n'));
}

}  // namespace

void NotifyReady(const std::string& status) {
  sd_notify(0, ("READY=1\nSTATUS=" + OneLine(status)).c_str());
}

void NotifyReloading() {
  sd_notify(0, "RELOADING=1\nSTATUS=reloading the configuration");
}

void NotifyStopping() {
  sd_notify(0, "STOPPING=1\nSTATUS=stopping: deleting IKE SAs");
}

void NotifyStatus(const std::string& status) {
  sd_notify(0, ("STATUS=" + OneLine(status)).c_str());
}

}  // namespace ipsec::daemon
