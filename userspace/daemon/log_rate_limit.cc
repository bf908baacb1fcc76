#include "daemon/log_rate_limit.h"

namespace ipsec::daemon {

namespace {
bool IsConnShape(std::string_view shape) {
  return !shape.empty() && shape[0] == '"';
}
}  // namespace

std::string LogRateLimiter::ShapeOf(std::string_view text) {
  std::string shape;
  shape.reserve(text.size());
  size_t i = 0;
  // The daemon writes a connection's lines as "name" text: keep the name.
  if (!text.empty() && text[0] == '"') {
    const size_t close = text.find('"', 1);
    if (close != std::string_view::npos) {
      shape.append(text.substr(0, close + 1));
      i = close + 1;
    }
  }
  bool in_digits = false;
  for (; i < text.size(); ++i) {
    const bool digit = text[i] >= '0' && text[i] <= '9';
    if (digit && !in_digits) shape.push_back('#');
    if (!digit) shape.push_back(text[i]);
    in_digits = digit;
  }
  return shape;
}

bool LogRateLimiter::Allow(std::string_view text, int64_t now_ms) {
  std::string shape = ShapeOf(text);
  if (!windows_.count(shape)) {
    const bool conn = IsConnShape(shape);
    if (conn && conn_shapes_ >= kMaxConnShapes)
      shape = "(other connection shapes)";
    else if (!conn && windows_.size() - conn_shapes_ >= kMaxShapes)
      shape = "(other shapes)";
    else if (conn)
      ++conn_shapes_;
  }
  Window& w = windows_[shape];
  if (w.logged == 0 && w.suppressed == 0) w.start_ms = now_ms;
  if (w.logged < burst_) {
    ++w.logged;
    return true;
  }
  if (w.suppressed++ == 0) w.sample = std::string(text);
  return false;
}

std::vector<std::string> LogRateLimiter::TakeSummaries(int64_t now_ms, bool all) {
  std::vector<std::string> out;
  if (!all && now_ms - last_scan_ms_ < 1000) return out;
  last_scan_ms_ = now_ms;
  for (auto it = windows_.begin(); it != windows_.end();) {
    if (!all && now_ms - it->second.start_ms < window_ms_) {
      ++it;
      continue;
    }
    if (it->second.suppressed)
      out.push_back(std::to_string(it->second.suppressed) + " similar line(s) not logged in " +
                    std::to_string((now_ms - it->second.start_ms) / 1000) +
                    " s, the first: " + it->second.sample);
    if (IsConnShape(it->first)) --conn_shapes_;
    it = windows_.erase(it);
  }
  return out;
}

}  // namespace ipsec::daemon
