// Rate limits on repetitive log lines. A line's shape is its text with the
// digits masked, except inside the leading "conn" name: a flood of
// "no connection for IKE_SA_INIT from 198.51.100.7[500]" from many spoofed
// sources is one shape, while "site1" and "site2" coming up are two. Each
// shape may log `burst` lines per window; the rest are counted, and once the
// window is over one line says how many were left out.
//
// Not thread-safe: the sink that owns it (logging.cc) holds its mutex.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace ipsec::daemon {

class LogRateLimiter {
 public:
  static constexpr size_t kDefaultBurst = 20;
  static constexpr int64_t kDefaultWindowMs = 10'000;
  // Shapes followed at once. Peers choose some of the text (their IDs, say):
  // past this many, new shapes share one window, so memory stays bounded.
  static constexpr size_t kMaxShapes = 1024;
  // The same for lines of a configured connection ("name" text), counted
  // apart: their names come from ipsec.conf, and each connection has a few
  // lifecycle shapes (initiating, established, rekeyed...). Sharing the
  // 1024 above, 1,000 connections coming up lost their "established" lines
  // past about the 250th. This many windows cost at most a few MiB.
  static constexpr size_t kMaxConnShapes = 16384;

  explicit LogRateLimiter(size_t burst = kDefaultBurst, int64_t window_ms = kDefaultWindowMs)
      : burst_(burst), window_ms_(window_ms) {}

  // Whether a line with this text may be logged at now_ms.
  bool Allow(std::string_view text, int64_t now_ms);
  // One summary line per shape whose window ended with lines left out; the
  // shape is forgotten then. Called before each line (it scans the shapes
  // at most once a second) and with all at flush.
  std::vector<std::string> TakeSummaries(int64_t now_ms, bool all = false);

  static std::string ShapeOf(std::string_view text);

 private:
  struct Window {
    int64_t start_ms = 0;
    size_t logged = 0;
    size_t suppressed = 0;
    std::string sample;  // the first line left out, for the summary
  };
  size_t burst_;
  int64_t window_ms_;
  std::unordered_map<std::string, Window> windows_;
  size_t conn_shapes_ = 0;  // windows_ keys that start with '"'
  int64_t last_scan_ms_ = 0;
};

}  // namespace ipsec::daemon
