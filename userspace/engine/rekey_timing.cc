#include "engine/rekey_timing.h"

#include <algorithm>

namespace ipsec::engine {
namespace {

// lifetime - margin - fuzz, never below half the lifetime nor under 1 s:
// a margin as long as the lifetime would otherwise rekey at once, forever.
uint64_t RekeyPoint(uint64_t life, uint64_t margin, uint32_t fuzz_percent, uint64_t draw) {
  margin = std::min(margin, life / 2);
  const uint64_t fuzz_max = margin * fuzz_percent / 100;
  const uint64_t fuzz = fuzz_max ? draw % (fuzz_max + 1) : 0;
  const uint64_t at = life - margin - std::min(fuzz, life - margin);
  return std::max<uint64_t>({at, life / 2, 1});
}

}  // namespace

uint64_t ChildRekeySeconds(const Connection& c, RandomSource& random, uint64_t life_s) {
  if (!c.rekey || life_s == 0) return 0;
  uint8_t b[4] = {};
  (void)random.Fill(b);
  const uint64_t draw = uint64_t{b[0]} << 24 | b[1] << 16 | b[2] << 8 | b[3];
  return RekeyPoint(life_s, c.rekey_margin.count(), c.rekey_fuzz_percent, draw);
}

int64_t IkeRekeyDelayMs(const Connection& c, uint64_t fuzz_seed) {
  if (!c.rekey || c.ike_lifetime.count() == 0) return -1;
  const uint64_t life_ms = uint64_t(c.ike_lifetime.count()) * 1000;
  return static_cast<int64_t>(RekeyPoint(life_ms, uint64_t(c.rekey_margin.count()) * 1000,
                                         c.rekey_fuzz_percent, fuzz_seed >> 1));
}

}  // namespace ipsec::engine
