// AUTH payload signatures over RFC 7296 2.15's <SignedOctets> (ike/crypto/
// auth.h's SignedOctets(), shared with the PSK path):
//   method 1   RSA, EMSA-PKCS1-v1_5 with SHA-1 (RFC 7296 3.8)
//   method 9-11 ECDSA P-256/SHA-256, P-384/SHA-384, P-521/SHA-512, r|s (RFC 4754)
//   method 14  Digital Signature (RFC 7427): a length octet, the DER
//              AlgorithmIdentifier, then the signature: RSA PKCS#1 v1.5 or
//              RSASSA-PSS with SHA-256/384/512, ECDSA (DER Ecdsa-Sig-Value)
//              on any of the three curves, Ed25519 (RFC 8420, hash "Identity").
// Method 14 is used when the peer sent SIGNATURE_HASH_ALGORITHMS
// (sig_hash_notify.h) listing a hash we can use; else the classic method of
// the key's type (none for Ed25519).
#pragma once

#include <openssl/evp.h>

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "common/result.h"
#include "ike/cert/ossl_ptr.h"
#include "ike/cert/private_key.h"

namespace ipsec::cert {

// RFC 7427 / IANA "IKEv2 Hash Algorithms".
enum class SigHash : uint16_t { kSha1 = 1, kSha256 = 2, kSha384 = 3, kSha512 = 4, kIdentity = 5 };

enum class RsaPadding { kPkcs1, kPss };

// How to sign: the AUTH method and, for method 14, the hash and RSA padding.
struct SignatureScheme {
  uint8_t method = 14;
  SigHash hash = SigHash::kSha256;
  RsaPadding padding = RsaPadding::kPkcs1;
  std::string ToString() const;  // "RFC 7427 RSA-PSS SHA-256", "ECDSA-256 (method 9)", ...
};

// The scheme as "ipsecctl status" names it, with the key's type:
// "rsa-pkcs1-sha1" (method 1), "rsa-pkcs1-sha256", "rsa-pss-sha256",
// "ecdsa-p256-sha256" (method 9 or 14), "ed25519".
std::string SchemeName(KeyType key, const SignatureScheme& scheme);

// The scheme for our key given the hashes the peer announced (empty: it sent
// no SIGNATURE_HASH_ALGORITHMS). prefer_pss: RSA keys sign with RSASSA-PSS
// under method 14 (PKCS#1 v1.5 otherwise). preferred (leftauth=pubkey-sha384
// ...): the hashes to use, first the peer lists first, instead of ours
// (the curve's, then SHA-256/384/512); none of them listed is an error. SHA-1
// first in it makes an RSA key use method 1 whatever the peer announced.
Result<SignatureScheme> ChooseScheme(KeyType key, std::span<const SigHash> peer_hashes,
                                     bool prefer_pss = false,
                                     std::span<const SigHash> preferred = {});

// The DER AlgorithmIdentifier method 14 puts in front of the signature.
Result<Bytes> AlgorithmIdentifier(KeyType key, const SignatureScheme& scheme);

// The AUTH payload's Authentication Data (what follows the method octet and
// the three reserved octets) for octets.
Result<Bytes> SignAuth(const PrivateKey& key, const SignatureScheme& scheme,
                       std::span<const uint8_t> octets);

// Checks a received AUTH payload against the peer's public key. allowed:
// the hashes we accept under method 14 (what we announced). Fails with one
// line saying why (wrong key type for the method, hash not announced,
// malformed AlgorithmIdentifier, bad signature).
// used, when given, receives the scheme the peer signed with.
Status VerifyAuth(uint8_t method, std::span<const uint8_t> auth_data, EVP_PKEY* peer_key,
                  std::span<const uint8_t> octets, std::span<const SigHash> allowed,
                  SignatureScheme* used = nullptr);

}  // namespace ipsec::cert
