// A private key for IKE signatures: loaded from a PEM or DER file (PKCS#1
// RSA, SEC1 EC, PKCS#8 plain or encrypted), as ipsec.secrets' ": RSA file
// [passphrase]", ": ECDSA file" and ": PKCS8 file" name it. The file's bytes
// are wiped after parsing; OpenSSL clears the key's own memory when freed
// (BN_clear_free). Nothing here ever prints key material.
#pragma once

#include <openssl/evp.h>

#include <string>

#include "common/result.h"
#include "common/secure_bytes.h"
#include "ike/cert/ossl_ptr.h"

namespace ipsec::cert {

enum class KeyType { kRsa, kEcdsaP256, kEcdsaP384, kEcdsaP521, kEd25519, kOther };

// "RSA-3072", "ECDSA-P256", "Ed25519": for logs and --check.
std::string DescribeKey(const EVP_PKEY* key);
KeyType KeyTypeOf(const EVP_PKEY* key);

class PrivateKey {
 public:
  PrivateKey() = default;
  explicit PrivateKey(OsslPtr<EVP_PKEY> key) : key_(std::move(key)) {}
  EVP_PKEY* get() const { return key_.get(); }
  KeyType type() const { return KeyTypeOf(key_.get()); }
  std::string Describe() const { return DescribeKey(key_.get()); }
  // Whether this key's public half is pub (pairs a key with its certificate).
  bool Matches(const EVP_PKEY* pub) const;

 private:
  OsslPtr<EVP_PKEY> key_;
};

// Parses a private key from bytes (PEM, or DER when there is no PEM armour).
// passphrase: for encrypted PEM / PKCS#8; empty means none.
Result<PrivateKey> ParsePrivateKey(const SecureBytes& data, const SecureBytes& passphrase);
// Reads path and parses it; errors name the file.
Result<PrivateKey> LoadPrivateKey(const std::string& path, const SecureBytes& passphrase);

}  // namespace ipsec::cert
