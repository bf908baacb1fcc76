// Where ipsecd logs, from config setup (Documentation/operations.md, "Logs"):
//   logfile=PATH (plutostderrlog=, its Openswan name)  append to PATH;
//   syslog=FACILITY[.LEVEL]                             syslog(3), e.g. daemon;
//   neither: the journal when systemd started us (JOURNAL_STREAM names our
//   stderr: each line keeps its priority), else stderr.
// Debug lines when --debug is given or plutodebug=/charondebug= ask for
// them. Lines that repeat (the same text but for numbers) are rate-limited
// (log_rate_limit.h). Set at start and again at every reload (SIGHUP,
// "ipsecctl reload"): changes apply at once and the file is reopened, so
// logrotate's postrotate may simply run "ipsecctl reload".
#pragma once

#include <string>

namespace ipsec::daemon {

// plutodebug= (any value but none) or charondebug= (a subsystem at level 2
// or more: "ike 2, knl 1"; strongSwan's level 1 is our info).
bool DebugRequested(const std::string& setting);

struct LogSettings {
  std::string logfile;  // logfile= / plutostderrlog=
  std::string syslog;   // syslog=FACILITY[.LEVEL], validated by the config
  bool debug = false;
};

// Whether stderr is the journal's stream (systemd sets JOURNAL_STREAM to
// "device:inode" of the stream it gave us).
bool StderrIsJournal();

// Replaces the default logger. A logfile that cannot be opened falls back
// to stderr with a message saying why.
void SetupLogging(const LogSettings& settings);

// Writes the pending "N similar lines not logged" summaries (at exit).
void FlushLogSummaries();

}  // namespace ipsec::daemon
