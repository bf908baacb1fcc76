// RandomSource: injected wherever protocol code needs random bytes (SPIs,
// nonces, IVs, DH private values), so tests can run with fixed values.
#pragma once

#include <openssl/rand.h>

#include <cstdint>
#include <span>

namespace ipsec {

class RandomSource {
 public:
  virtual ~RandomSource() = default;
  // Fills all of out. Fails only if the OS CSPRNG fails, which we treat as
  // fatal: returns false and callers abort the operation.
  virtual bool Fill(std::span<uint8_t> out) = 0;
};

// OpenSSL's CSPRNG (seeded from getrandom()).
class SystemRandom : public RandomSource {
 public:
  bool Fill(std::span<uint8_t> out) override {
    return out.empty() || RAND_bytes(out.data(), static_cast<int>(out.size())) == 1;
  }
};

}  // namespace ipsec
