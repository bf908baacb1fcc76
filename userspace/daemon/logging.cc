#include "daemon/logging.h"

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <iostream>

namespace ipsec::daemon {

bool DebugRequested(const std::string& v) {
  return !v.empty() && v != "none" && v != "0" && v != "\"\"" && v != "-1";
}

void SetupLogging(const std::string& logfile, bool debug) {
  // The registry holds the previous "ipsecd" logger (a reload): drop it so
  // the name can be taken again and its file is closed.
  spdlog::drop("ipsecd");
  std::shared_ptr<spdlog::logger> logger;
  if (!logfile.empty()) {
    try {
      logger = spdlog::basic_logger_mt("ipsecd", logfile);
    } catch (const spdlog::spdlog_ex& e) {
      std::cerr << "ipsecd: cannot open logfile " << logfile << ": " << e.what()
                << "; logging to stderr\n";
    }
  }
  if (!logger) logger = spdlog::stderr_color_mt("ipsecd");
  logger->set_pattern("%Y-%m-%d %H:%M:%S.%e %^%-5l%$ %v");
  logger->set_level(debug ? spdlog::level::debug : spdlog::level::info);
  logger->flush_on(spdlog::level::debug);
  spdlog::set_default_logger(logger);
}

}  // namespace ipsec::daemon
