// When SAs are rekeyed, from the connection's lifetimes (strongSwan's
// semantics, libreswan's are the same under other names): an SA lives
// `lifetime`; it is rekeyed at lifetime - rekeymargin - a random part of
// rekeymargin * rekeyfuzz / 100, so the two ends rarely start at once; with
// rekey=no it is never rekeyed and simply dies at `lifetime`.
#pragma once

#include <cstdint>

#include "common/random.h"
#include "engine/engine.h"

namespace ipsec::engine {

// Seconds from install to rekey for a child SA (the kernel's soft lifetime),
// 0 for rekey=no. Draws the fuzz from random. life_s: the child's lifetime
// when not the connection's (the peer chose a shorter one).
uint64_t ChildRekeySeconds(const Connection& c, RandomSource& random, uint64_t life_s);
inline uint64_t ChildRekeySeconds(const Connection& c, RandomSource& random) {
  return ChildRekeySeconds(c, random, c.child_lifetime.count());
}

// Milliseconds from establishment to rekey for an IKE SA, or -1 for none
// (rekey=no or ikelifetime=0). fuzz_seed: any per-SA random value (the
// SPI), so the result is the same however often it is asked.
int64_t IkeRekeyDelayMs(const Connection& c, uint64_t fuzz_seed);

}  // namespace ipsec::engine
