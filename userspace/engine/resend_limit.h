// A limit on re-sending cached responses, so that we are no reflection
// amplifier: a captured or forged copy of a request, replayed at us from a
// spoofed source, would otherwise make us send a (larger) response per copy.
// Token buckets: one per IKE SA (a few resends in a burst, then one per
// second — enough for an honest peer's retransmission back-off, RFC 7296
// 2.1) and one for the whole engine (caps the sum over many SAs).
#pragma once

#include <cstdint>

namespace ipsec::engine {

class TokenBucket {
 public:
  TokenBucket(uint32_t burst, uint32_t per_second)
      : burst_(burst), per_second_(per_second), tokens_milli_(int64_t{burst} * 1000) {}
  // Takes a token if one is left at now_ms.
  bool Take(int64_t now_ms);

 private:
  uint32_t burst_, per_second_;
  int64_t tokens_milli_;  // thousandths of a token
  int64_t last_ms_ = INT64_MIN;
};

// A cached response may go out again: the SA's bucket, then the engine's.
inline bool MayResend(TokenBucket& sa, TokenBucket& engine, int64_t now_ms) {
  return sa.Take(now_ms) && engine.Take(now_ms);
}

inline constexpr uint32_t kSaResendBurst = 3, kSaResendPerSecond = 1;
inline constexpr uint32_t kEngineResendBurst = 64, kEngineResendPerSecond = 32;

}  // namespace ipsec::engine
