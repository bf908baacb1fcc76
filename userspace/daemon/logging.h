// Where ipsecd logs: logfile= from config setup, else stderr; debug lines
// when --debug is given or plutodebug=/charondebug= asks for them. Set at
// start and again at every reload (SIGHUP, "ipsecctl reload"): a changed
// logfile= or plutodebug= applies at once, and the file is reopened, so
// logrotate's postrotate may simply run "ipsecctl reload".
#pragma once

#include <string>

namespace ipsec::daemon {

// plutodebug=/charondebug= values that mean "no debugging".
bool DebugRequested(const std::string& setting);

// Replaces the default logger. A logfile that cannot be opened falls back
// to stderr with a message saying why.
void SetupLogging(const std::string& logfile, bool debug);

}  // namespace ipsec::daemon
