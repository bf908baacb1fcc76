#include "ike/cert/cert_payloads.h"

#include <algorithm>
#include <string>

namespace ipsec::cert {

Bytes EncodeCertBody(const Certificate& cert) {
  Bytes der = cert.Der();
  Bytes out;
  out.reserve(1 + der.size());
  out.push_back(kCertEncodingX509Signature);
  out.insert(out.end(), der.begin(), der.end());
  return out;
}

Result<Certificate> ParseCertBody(std::span<const uint8_t> body) {
  if (body.empty()) return MakeError("empty CERT payload");
  if (body[0] != kCertEncodingX509Signature)
    return MakeError("CERT encoding " + std::to_string(body[0]) +
                     " is not supported (only 4, X.509 Certificate - Signature)");
  if (body.size() == 1) return MakeError("CERT payload without a certificate");
  return ParseDerCertificate(body.subspan(1));
}

Bytes EncodeCertReqBody(std::span<const Certificate> anchors) {
  Bytes out;
  out.reserve(1 + 20 * anchors.size());
  out.push_back(kCertEncodingX509Signature);
  for (const auto& a : anchors) {
    SpkiHash h = a.SpkiSha1();
    out.insert(out.end(), h.begin(), h.end());
  }
  return out;
}

Result<std::vector<SpkiHash>> ParseCertReqBody(std::span<const uint8_t> body) {
  if (body.empty()) return MakeError("empty CERTREQ payload");
  if (body[0] != kCertEncodingX509Signature)
    return MakeError("CERTREQ encoding " + std::to_string(body[0]) + " is not supported");
  std::span<const uint8_t> list = body.subspan(1);
  if (list.size() % 20) return MakeError("CERTREQ authorities not a multiple of 20 octets");
  if (list.size() / 20 > kMaxCertReqAuthorities)
    return MakeError("CERTREQ with more than " + std::to_string(kMaxCertReqAuthorities) +
                     " authorities");
  std::vector<SpkiHash> out(list.size() / 20);
  for (size_t i = 0; i < out.size(); ++i) std::copy_n(list.begin() + 20 * i, 20, out[i].begin());
  return out;
}

bool CertReqNames(std::span<const SpkiHash> requested, const Certificate& anchor) {
  if (requested.empty()) return true;
  SpkiHash h = anchor.SpkiSha1();
  return std::find(requested.begin(), requested.end(), h) != requested.end();
}

}  // namespace ipsec::cert
