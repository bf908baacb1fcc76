// Hostile bytes through the certificate paths a peer reaches before any
// trust: CERT and CERTREQ bodies, the ID check against a parsed certificate,
// SIGNATURE_HASH_ALGORITHMS, and a method-14 AUTH (AlgorithmIdentifier
// decoding and the signature check) against a fixed Ed25519 and RSA key.
// The first byte picks the ID type for the ID check.
#include <openssl/evp.h>

#include <cstddef>
#include <cstdint>
#include <span>

#include "ike/cert/cert_payloads.h"
#include "ike/cert/id_match.h"
#include "ike/cert/sig_hash_notify.h"
#include "ike/cert/signature.h"

namespace {

EVP_PKEY* FixedKey(const char* type) {
  EVP_PKEY* k = type[0] == 'R' ? EVP_RSA_gen(1024) : EVP_PKEY_Q_keygen(nullptr, nullptr, type);
  if (!k) abort();
  return k;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ipsec::cert;
  static EVP_PKEY* ed = FixedKey("ED25519");
  static EVP_PKEY* rsa = FixedKey("RSA");
  std::span<const uint8_t> in(data, size);
  if (in.empty()) return 0;
  uint8_t id_type = in[0];
  std::span<const uint8_t> rest = in.subspan(1);

  if (auto cert = ParseCertBody(rest)) {
    (void)cert->Subject();
    (void)cert->SpkiSha1();
    (void)CertMatchesId(*cert, id_type, rest.subspan(rest.size() / 2));
    if (auto hashes = ParseCertReqBody(rest)) (void)CertReqNames(*hashes, *cert);
  }
  (void)ParseCertReqBody(rest);
  (void)ParseSignatureHashData(rest);
  static const uint8_t kOctets[] = {'s', 'i', 'g', 'n', 'e', 'd'};
  for (EVP_PKEY* k : {ed, rsa}) (void)VerifyAuth(14, rest, k, kOctets, OurSignatureHashes());
  (void)VerifyAuth(id_type, rest, rsa, kOctets, OurSignatureHashes());
  return 0;
}
