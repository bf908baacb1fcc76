#include "engine/cookie.h"

#include <openssl/crypto.h>

#include "common/bytes.h"
#include "ike/constants.h"
#include "ike/crypto/prf.h"

namespace ipsec::engine {
namespace {
constexpr size_t kSecretSize = 32;
}  // namespace

bool CookieJar::Rotate(int64_t now_ms) {
  if (!secret_.empty() && now_ms < rotated_ms_ + kCookieSecretLifetimeMs) return true;
  SecureBytes fresh(kSecretSize);
  if (!random_.Fill(fresh.mutable_span())) return false;
  previous_ = std::move(secret_);
  secret_ = std::move(fresh);
  ++version_;
  rotated_ms_ = now_ms;
  return true;
}

ike::Bytes CookieJar::Compute(const SecureBytes& secret, uint8_t version,
                              std::span<const uint8_t> nonce_i, const IpAddress& ip_i,
                              uint64_t spi_i) const {
  static const auto prf = ike::Prf::Create(ike::prf::kHmacSha2_256);
  ByteWriter w;
  w.Bytes(nonce_i);
  w.Bytes(ip_i.bytes());
  w.U64(spi_i);
  const ike::Bytes input = w.Take();
  SecureBytes mac = prf->Compute(secret.span(), input);
  ike::Bytes cookie{version};
  cookie.insert(cookie.end(), mac.span().begin(), mac.span().end());
  return cookie;
}

std::optional<ike::Bytes> CookieJar::Make(std::span<const uint8_t> nonce_i, const IpAddress& ip_i,
                                          uint64_t spi_i, int64_t now_ms) {
  if (!Rotate(now_ms)) return std::nullopt;
  return Compute(secret_, version_, nonce_i, ip_i, spi_i);
}

bool CookieJar::Verify(std::span<const uint8_t> cookie, std::span<const uint8_t> nonce_i,
                       const IpAddress& ip_i, uint64_t spi_i, int64_t now_ms) {
  if (!Rotate(now_ms) || cookie.empty()) return false;
  const bool current = cookie[0] == version_;
  const SecureBytes& secret = current ? secret_ : previous_;
  if (!current && (previous_.empty() || cookie[0] != static_cast<uint8_t>(version_ - 1)))
    return false;
  const ike::Bytes want = Compute(secret, cookie[0], nonce_i, ip_i, spi_i);
  return want.size() == cookie.size() &&
         CRYPTO_memcmp(want.data(), cookie.data(), want.size()) == 0;
}

}  // namespace ipsec::engine
