// The IKE PRF (HMAC-SHA1/256/384/512) and prf+ (RFC 7296 2.13).
#pragma once

#include <cstdint>
#include <span>

#include "common/result.h"
#include "common/secure_bytes.h"

namespace ipsec::ike {

class Prf {
 public:
  static Result<Prf> Create(uint16_t prf_id);
  uint16_t id() const { return id_; }
  size_t output_size() const { return output_size_; }
  size_t key_size() const { return key_size_; }  // preferred key length
  // prf(key, data). Output is secret by default (callers wrap public results).
  SecureBytes Compute(std::span<const uint8_t> key, std::span<const uint8_t> data) const;
  // prf+(key, seed) truncated to length bytes: T1 | T2 | ..., where
  // Tn = prf(key, Tn-1 | seed | n). Fails if length needs more than 255 blocks.
  Result<SecureBytes> Plus(std::span<const uint8_t> key, std::span<const uint8_t> seed,
                           size_t length) const;

 private:
  Prf() = default;
  uint16_t id_ = 0;
  size_t output_size_ = 0, key_size_ = 0;
  const char* digest_ = nullptr;
};

}  // namespace ipsec::ike
