#include "ike/cert/certificate.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/sha.h>

#include <cstring>

#include "ike/cert/file_bytes.h"

namespace ipsec::cert {

namespace {
template <class T, class F>
Bytes ToDer(const T* obj, F i2d) {
  int len = i2d(obj, nullptr);
  if (len <= 0) return {};
  Bytes out(static_cast<size_t>(len));
  unsigned char* p = out.data();
  i2d(obj, &p);
  return out;
}
}  // namespace

std::string NameToString(const X509_NAME* name) {
  OsslPtr<BIO> bio(BIO_new(BIO_s_mem()));
  if (!bio || !name) return "";
  // RFC 2253 escaping, but in the certificate's order with ", " between.
  X509_NAME_print_ex(
      bio.get(), name, 0,
      (ASN1_STRFLGS_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) | XN_FLAG_SEP_CPLUS_SPC | XN_FLAG_FN_SN);
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(len));
}

Bytes Certificate::Der() const {
  return ToDer(x_.get(), i2d_X509);
}
std::string Certificate::Subject() const {
  return NameToString(X509_get_subject_name(x_.get()));
}
std::string Certificate::Issuer() const {
  return NameToString(X509_get_issuer_name(x_.get()));
}
Bytes Certificate::SubjectDer() const {
  return ToDer(X509_get_subject_name(x_.get()), i2d_X509_NAME);
}

std::array<uint8_t, 20> Certificate::SpkiSha1() const {
  Bytes spki = ToDer(X509_get_X509_PUBKEY(x_.get()), i2d_X509_PUBKEY);
  std::array<uint8_t, 20> out{};
  SHA1(spki.data(), spki.size(), out.data());
  return out;
}

Result<Certificate> ParseDerCertificate(std::span<const uint8_t> der) {
  ERR_clear_error();
  const unsigned char* p = der.data();
  X509* x = d2i_X509(nullptr, &p, static_cast<long>(der.size()));
  if (!x) return MakeError("not a DER X.509 certificate (" + TakeOpensslError() + ")");
  Certificate c{OsslPtr<X509>(x)};
  if (p != der.data() + der.size()) return MakeError("trailing bytes after the DER certificate");
  return c;
}

Result<std::vector<Certificate>> ParseCertificates(std::span<const uint8_t> data) {
  static constexpr char kArmour[] = "-----BEGIN";
  if (!memmem(data.data(), data.size(), kArmour, sizeof kArmour - 1)) {
    auto c = ParseDerCertificate(data);
    if (!c) return c.error();
    return std::vector<Certificate>{std::move(*c)};
  }
  ERR_clear_error();
  OsslPtr<BIO> bio(BIO_new_mem_buf(data.data(), static_cast<int>(data.size())));
  std::vector<Certificate> out;
  while (X509* x = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr))
    out.emplace_back(OsslPtr<X509>(x));
  // The loop ends with "no start line" at the end of the data: expected.
  unsigned long e = ERR_peek_last_error();
  if (ERR_GET_REASON(e) == PEM_R_NO_START_LINE) ERR_clear_error();
  std::string why = TakeOpensslError();
  if (!why.empty()) return MakeError("bad PEM certificate (" + why + ")");
  if (out.empty()) return MakeError("no CERTIFICATE block in the PEM data");
  return out;
}

Result<std::vector<Certificate>> LoadCertificates(const std::string& path) {
  auto data = ReadFileBytes(path);
  if (!data) return data.error();
  auto certs = ParseCertificates(data->span());
  if (!certs) return MakeError(path + ": " + certs.error().message);
  return certs;
}

}  // namespace ipsec::cert
