#include "daemon/logging.h"

#include <spdlog/details/log_msg.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/sinks/syslog_sink.h>
#include <spdlog/sinks/systemd_sink.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <syslog.h>

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <mutex>
#include <sstream>

#include "daemon/log_rate_limit.h"

namespace ipsec::daemon {
namespace {

constexpr const char* kPattern = "%Y-%m-%d %H:%M:%S.%e %^%-5l%$ %v";

// Forwards to the real sinks, dropping repetitive info-and-above lines.
// Debug lines all pass: whoever asked for them wants every one.
class RateLimitedSink : public spdlog::sinks::base_sink<std::mutex> {
 public:
  explicit RateLimitedSink(std::vector<spdlog::sink_ptr> sinks) : sinks_(std::move(sinks)) {}

  void FlushSummaries() {
    std::lock_guard lock(mutex_);
    EmitSummaries(limiter_.TakeSummaries(NowMs(), true));
    flush_();
  }

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    EmitSummaries(limiter_.TakeSummaries(NowMs()));
    if (msg.level >= spdlog::level::info &&
        !limiter_.Allow(std::string_view(msg.payload.data(), msg.payload.size()), NowMs()))
      return;
    for (auto& s : sinks_)
      if (s->should_log(msg.level)) s->log(msg);
  }
  void flush_() override {
    for (auto& s : sinks_) s->flush();
  }
  // Each real sink keeps the format it was given (the journal's and syslog's
  // carry their own time and level).
  void set_pattern_(const std::string&) override {}
  void set_formatter_(std::unique_ptr<spdlog::formatter>) override {}

 private:
  static int64_t NowMs() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
  }
  void EmitSummaries(const std::vector<std::string>& lines) {
    for (const auto& line : lines) {
      spdlog::details::log_msg m("ipsecd", spdlog::level::warn, line);
      for (auto& s : sinks_) s->log(m);
    }
  }

  LogRateLimiter limiter_;
  std::vector<spdlog::sink_ptr> sinks_;
};

std::shared_ptr<RateLimitedSink> g_sink;

int FacilityCode(const std::string& name) {
  static const std::pair<const char*, int> kFacilities[] = {
      {"daemon", LOG_DAEMON},     {"user", LOG_USER},     {"auth", LOG_AUTH},
      {"authpriv", LOG_AUTHPRIV}, {"local0", LOG_LOCAL0}, {"local1", LOG_LOCAL1},
      {"local2", LOG_LOCAL2},     {"local3", LOG_LOCAL3}, {"local4", LOG_LOCAL4},
      {"local5", LOG_LOCAL5},     {"local6", LOG_LOCAL6}, {"local7", LOG_LOCAL7}};
  for (const auto& [n, code] : kFacilities)
    if (name == n) return code;
  return LOG_DAEMON;
}

// syslog=FACILITY[.LEVEL]: LEVEL (syslog's names) is the least severe
// level sent there.
spdlog::level::level_enum SyslogLevel(const std::string& level) {
  if (level == "debug") return spdlog::level::debug;
  if (level == "warning" || level == "warn") return spdlog::level::warn;
  if (level == "err" || level == "error") return spdlog::level::err;
  if (level == "crit" || level == "alert" || level == "emerg") return spdlog::level::critical;
  return spdlog::level::info;  // info, notice, or none given
}

}  // namespace

bool DebugRequested(const std::string& v) {
  if (v.empty() || v == "none" || v == "0" || v == "\"\"" || v == "-1") return false;
  // charondebug="ike 2, knl 1": subsystem and level pairs.
  std::istringstream in(v);
  std::string subsystem;
  int level = 0;
  bool pairs = false;
  for (std::string item; std::getline(in, item, ',');) {
    std::istringstream pair(item);
    if (!(pair >> subsystem >> level)) return true;  // plutodebug="all", "base"...
    pairs = true;
    if (level >= 2) return true;
  }
  return !pairs;
}

bool StderrIsJournal() {
  const char* env = std::getenv("JOURNAL_STREAM");
  struct stat st {};
  if (!env || fstat(STDERR_FILENO, &st) != 0) return false;
  unsigned long long dev = 0, ino = 0;
  if (std::sscanf(env, "%llu:%llu", &dev, &ino) != 2) return false;
  return dev == st.st_dev && ino == st.st_ino;
}

void SetupLogging(const LogSettings& settings) {
  std::vector<spdlog::sink_ptr> sinks;
  if (!settings.logfile.empty()) {
    try {
      sinks.push_back(std::make_shared<spdlog::sinks::basic_file_sink_mt>(settings.logfile));
      sinks.back()->set_pattern(kPattern);
    } catch (const spdlog::spdlog_ex& e) {
      std::cerr << "ipsecd: cannot open logfile " << settings.logfile << ": " << e.what()
                << "; logging to stderr\n";
    }
  }
  if (!settings.syslog.empty()) {
    const auto dot = settings.syslog.find('.');
    const std::string facility = settings.syslog.substr(0, dot);
    sinks.push_back(std::make_shared<spdlog::sinks::syslog_sink_mt>("ipsecd", LOG_PID,
                                                                    FacilityCode(facility), false));
    if (dot != std::string::npos)
      sinks.back()->set_level(SyslogLevel(settings.syslog.substr(dot + 1)));
  }
  if (sinks.empty()) {
    if (StderrIsJournal()) {
      sinks.push_back(std::make_shared<spdlog::sinks::systemd_sink_mt>("ipsecd"));
    } else {
      sinks.push_back(std::make_shared<spdlog::sinks::stderr_color_sink_mt>());
      sinks.back()->set_pattern(kPattern);
    }
  }
  // The registry holds the previous "ipsecd" logger (a reload): drop it so
  // the name can be taken again and its file is closed.
  if (g_sink) g_sink->FlushSummaries();
  spdlog::drop("ipsecd");
  g_sink = std::make_shared<RateLimitedSink>(std::move(sinks));
  auto logger = std::make_shared<spdlog::logger>("ipsecd", g_sink);
  logger->set_level(settings.debug ? spdlog::level::debug : spdlog::level::info);
  logger->flush_on(spdlog::level::debug);
  spdlog::register_logger(logger);
  spdlog::set_default_logger(logger);
}

void FlushLogSummaries() {
  if (g_sink) g_sink->FlushSummaries();
}

}  // namespace ipsec::daemon
