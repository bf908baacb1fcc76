// An X.509 certificate (shared, reference-counted by OpenSSL) and the views
// of it IKE needs: DER for CERT payloads, the subject for IDs and logs, the
// SubjectPublicKeyInfo hash for CERTREQ (RFC 7296 3.7), the public key.
#pragma once

#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <array>
#include <span>
#include <string>
#include <vector>

#include "common/result.h"
#include "ike/cert/ossl_ptr.h"

namespace ipsec::cert {

class Certificate {
 public:
  Certificate() = default;
  explicit Certificate(OsslPtr<X509> x) : x_(std::move(x)) {}
  Certificate(const Certificate& o) : x_(o.x_ ? (X509_up_ref(o.x_.get()), o.x_.get()) : nullptr) {}
  Certificate& operator=(const Certificate& o) {
    if (this != &o) x_.reset(o.x_ ? (X509_up_ref(o.x_.get()), o.x_.get()) : nullptr);
    return *this;
  }
  Certificate(Certificate&&) = default;
  Certificate& operator=(Certificate&&) = default;

  X509* get() const { return x_.get(); }
  explicit operator bool() const { return x_ != nullptr; }
  Bytes Der() const;
  // "C=CH, O=strongSwan, CN=moon" (the order of the certificate).
  std::string Subject() const;
  std::string Issuer() const;
  Bytes SubjectDer() const;
  EVP_PKEY* public_key() const { return X509_get0_pubkey(x_.get()); }
  // SHA-1 of the DER SubjectPublicKeyInfo: the CERTREQ authority entry.
  std::array<uint8_t, 20> SpkiSha1() const;
  bool IsCa() const { return X509_check_ca(x_.get()) != 0; }

 private:
  OsslPtr<X509> x_;
};

// One DER certificate (a CERT payload's data). Trailing bytes are an error.
Result<Certificate> ParseDerCertificate(std::span<const uint8_t> der);
// Every certificate in a PEM file's bytes (in order), or the one DER
// certificate when there is no PEM armour.
Result<std::vector<Certificate>> ParseCertificates(std::span<const uint8_t> data);
// Reads and parses path; errors name the file.
Result<std::vector<Certificate>> LoadCertificates(const std::string& path);

// X509_NAME as "C=CH, O=strongSwan, CN=moon".
std::string NameToString(const X509_NAME* name);

}  // namespace ipsec::cert
