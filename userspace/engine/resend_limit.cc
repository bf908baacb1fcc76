#include "engine/resend_limit.h"

#include <algorithm>

namespace ipsec::engine {

bool TokenBucket::Take(int64_t now_ms) {
  if (last_ms_ != INT64_MIN && now_ms > last_ms_) {
    // elapsed ms * tokens/s = thousandths of a token; cap before multiplying.
    const int64_t elapsed = std::min<int64_t>(now_ms - last_ms_, 3600 * 1000);
    tokens_milli_ =
        std::min<int64_t>(tokens_milli_ + elapsed * per_second_, int64_t{burst_} * 1000);
  }
  if (last_ms_ == INT64_MIN || now_ms > last_ms_) last_ms_ = now_ms;
  if (tokens_milli_ < 1000) return false;
  tokens_milli_ -= 1000;
  return true;
}

}  // namespace ipsec::engine
