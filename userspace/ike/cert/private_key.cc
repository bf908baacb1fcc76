#include "ike/cert/private_key.h"

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/pem.h>

#include <cstdio>
#include <cstring>

#include "ike/cert/file_bytes.h"

namespace ipsec::cert {

std::string TakeOpensslError() {
  std::string out;
  unsigned long e;
  while ((e = ERR_get_error()) != 0) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    out = buf;  // the last one is the most specific
  }
  return out;
}

KeyType KeyTypeOf(const EVP_PKEY* key) {
  if (!key) return KeyType::kOther;
  if (EVP_PKEY_is_a(key, "RSA")) return KeyType::kRsa;
  if (EVP_PKEY_is_a(key, "ED25519")) return KeyType::kEd25519;
  if (EVP_PKEY_is_a(key, "EC")) {
    char group[64] = "";
    size_t len = 0;
    if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group,
                                       &len) != 1)
      return KeyType::kOther;
    if (strcmp(group, "prime256v1") == 0 || strcmp(group, "P-256") == 0) return KeyType::kEcdsaP256;
    if (strcmp(group, "secp384r1") == 0 || strcmp(group, "P-384") == 0) return KeyType::kEcdsaP384;
    if (strcmp(group, "secp521r1") == 0 || strcmp(group, "P-521") == 0) return KeyType::kEcdsaP521;
  }
  return KeyType::kOther;
}

std::string DescribeKey(const EVP_PKEY* key) {
  switch (KeyTypeOf(key)) {
    case KeyType::kRsa:
      return "RSA-" + std::to_string(EVP_PKEY_get_bits(key));
    case KeyType::kEcdsaP256:
      return "ECDSA-P256";
    case KeyType::kEcdsaP384:
      return "ECDSA-P384";
    case KeyType::kEcdsaP521:
      return "ECDSA-P521";
    case KeyType::kEd25519:
      return "Ed25519";
    case KeyType::kOther:
      break;
  }
  return key ? std::string("unsupported key type ") + EVP_PKEY_get0_type_name(key) : "no key";
}

bool PrivateKey::Matches(const EVP_PKEY* pub) const {
  return key_ && pub && EVP_PKEY_eq(key_.get(), pub) == 1;
}

namespace {
int PassCallback(char* buf, int size, int, void* u) {
  const SecureBytes* pass = static_cast<const SecureBytes*>(u);
  if (pass->empty() || pass->size() > static_cast<size_t>(size)) return -1;
  memcpy(buf, pass->data(), pass->size());
  return static_cast<int>(pass->size());
}
}  // namespace

Result<PrivateKey> ParsePrivateKey(const SecureBytes& data, const SecureBytes& passphrase) {
  ERR_clear_error();
  OsslPtr<BIO> bio(BIO_new_mem_buf(data.data(), static_cast<int>(data.size())));
  if (!bio) return MakeError("out of memory");
  EVP_PKEY* key = nullptr;
  static constexpr char kArmour[] = "-----BEGIN";
  bool pem = data.size() >= sizeof kArmour - 1 &&
             memmem(data.data(), data.size(), kArmour, sizeof kArmour - 1) != nullptr;
  auto* pass = const_cast<SecureBytes*>(&passphrase);
  if (pem) {
    key = PEM_read_bio_PrivateKey(bio.get(), nullptr, PassCallback, pass);
  } else {
    const unsigned char* p = data.data();
    key = d2i_AutoPrivateKey(nullptr, &p, static_cast<long>(data.size()));
    if (!key) {  // encrypted PKCS#8 in DER
      BIO_reset(bio.get());
      key = d2i_PKCS8PrivateKey_bio(bio.get(), nullptr, PassCallback, pass);
    }
  }
  if (!key) {
    std::string why = TakeOpensslError();
    if (passphrase.empty() && why.find("bad decrypt") == std::string::npos &&
        why.find("interrupted or cancelled") != std::string::npos)
      return MakeError("the key is encrypted and no passphrase was given");
    return MakeError("not a private key in PEM or DER" + (why.empty() ? "" : " (" + why + ")"));
  }
  PrivateKey out{OsslPtr<EVP_PKEY>(key)};
  if (out.type() == KeyType::kOther)
    return MakeError(out.Describe() + " (RSA, ECDSA P-256/384/521 and Ed25519 are supported)");
  return out;
}

Result<PrivateKey> LoadPrivateKey(const std::string& path, const SecureBytes& passphrase) {
  auto data = ReadFileBytes(path);
  if (!data) return data.error();
  auto key = ParsePrivateKey(*data, passphrase);
  if (!key) return MakeError(path + ": " + key.error().message);
  return key;
}

}  // namespace ipsec::cert
