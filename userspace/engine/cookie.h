// Stateless cookies (RFC 7296 2.6): once too many SAs are half-open, the
// responder answers IKE_SA_INIT with N(COOKIE) and keeps nothing; only a
// request echoing a cookie computed from its own Ni, source address and
// SPIi gets state. This proves the initiator receives at the address it
// claims, so spoofed floods cannot fill the half-open table.
//
//   Cookie = <version of secret, 1 byte> | HMAC-SHA-256(secret, Ni | IPi | SPIi)
//
// The secret is random, replaced every kCookieSecretLifetimeMs; cookies made
// with the previous secret are still accepted, so an initiator caught by a
// rotation is not sent round again.
#pragma once

#include <cstdint>
#include <optional>
#include <span>

#include "common/ip_address.h"
#include "common/random.h"
#include "common/secure_bytes.h"
#include "ike/message.h"

namespace ipsec::engine {

inline constexpr int64_t kCookieSecretLifetimeMs = 120000;

class CookieJar {
 public:
  explicit CookieJar(RandomSource& random) : random_(random) {}
  // The cookie for this request, or nullopt if no secret can be drawn.
  std::optional<ike::Bytes> Make(std::span<const uint8_t> nonce_i, const IpAddress& ip_i,
                                 uint64_t spi_i, int64_t now_ms);
  // Whether cookie is what Make gives for the request (current or previous
  // secret), compared in constant time.
  bool Verify(std::span<const uint8_t> cookie, std::span<const uint8_t> nonce_i,
              const IpAddress& ip_i, uint64_t spi_i, int64_t now_ms);

 private:
  bool Rotate(int64_t now_ms);
  ike::Bytes Compute(const SecureBytes& secret, uint8_t version, std::span<const uint8_t> nonce_i,
                     const IpAddress& ip_i, uint64_t spi_i) const;

  RandomSource& random_;
  SecureBytes secret_, previous_;
  uint8_t version_ = 0;
  int64_t rotated_ms_ = 0;
};

}  // namespace ipsec::engine
