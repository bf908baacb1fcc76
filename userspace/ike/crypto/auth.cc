#include "ike/crypto/auth.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <cstring>

#include "ike/crypto/prf.h"

namespace ipsec::ike {

Result<SecureBytes> SignedOctets(uint16_t prf_id, std::span<const uint8_t> own_first_message,
                                 std::span<const uint8_t> peer_nonce, const SecureBytes& sk_p,
                                 std::span<const uint8_t> id_body) {
  auto prf = Prf::Create(prf_id);
  if (!prf) return prf.error();
  SecureBytes out;
  out.Append(own_first_message);
  out.Append(peer_nonce);
  out.Append(prf->Compute(sk_p.span(), id_body).span());
  return out;
}

Result<Bytes> ComputePskAuth(uint16_t prf_id, const SecureBytes& psk,
                             std::span<const uint8_t> signed_octets) {
  auto prf = Prf::Create(prf_id);
  if (!prf) return prf.error();
  static constexpr char kKeyPad[] = "Key Pad for IKEv2";  // 17 octets, no NUL
  SecureBytes padkey = prf->Compute(
      psk.span(),
      std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(kKeyPad), sizeof(kKeyPad) - 1));
  SecureBytes auth = prf->Compute(padkey.span(), signed_octets);
  return Bytes(auth.span().begin(), auth.span().end());
}

bool VerifyPskAuth(uint16_t prf_id, const SecureBytes& psk, std::span<const uint8_t> signed_octets,
                   std::span<const uint8_t> received_auth) {
  auto expected = ComputePskAuth(prf_id, psk, signed_octets);
  if (!expected || expected->size() != received_auth.size()) return false;
  bool same = CRYPTO_memcmp(expected->data(), received_auth.data(), received_auth.size()) == 0;
  OPENSSL_cleanse(expected->data(), expected->size());
  return same;
}

Bytes NatDetectionInput(uint64_t spi_i, uint64_t spi_r, const IpAddress& ip, uint16_t port) {
  Bytes in;
  for (uint64_t spi : {spi_i, spi_r})
    for (int i = 0; i < 8; ++i) in.push_back(static_cast<uint8_t>(spi >> (56 - 8 * i)));
  auto a = ip.bytes();
  in.insert(in.end(), a.begin(), a.end());
  in.push_back(static_cast<uint8_t>(port >> 8));
  in.push_back(static_cast<uint8_t>(port));
  return in;
}

std::array<uint8_t, 20> NatDetectionHash(uint64_t spi_i, uint64_t spi_r, const IpAddress& ip,
                                         uint16_t port) {
  Bytes in = NatDetectionInput(spi_i, spi_r, ip, port);
  std::array<uint8_t, 20> out{};
  unsigned int len = 0;
  if (EVP_Digest(in.data(), in.size(), out.data(), &len, EVP_sha1(), nullptr) != 1 || len != 20)
    abort();
  return out;
}

}  // namespace ipsec::ike
