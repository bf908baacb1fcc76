// CERT and CERTREQ payload bodies (RFC 7296 3.6, 3.7), which the codec
// carries as raw bytes (ike/message.h RawPayload):
//   CERT    | encoding (1 octet) | data |   encoding 4: X.509 Certificate -
//                                          Signature, data = one DER certificate
//   CERTREQ | encoding (1 octet) | authorities |  encoding 4: SHA-1 hashes
//                                          (20 octets each) of the anchors'
//                                          SubjectPublicKeyInfo
// Parsers take hostile input: every length is checked, the number of
// authorities is bounded, nothing is trusted before CertStore::Verify.
#pragma once

#include <array>
#include <span>
#include <vector>

#include "common/result.h"
#include "ike/cert/certificate.h"

namespace ipsec::cert {

inline constexpr uint8_t kCertEncodingX509Signature = 4;
// More authorities than this in one CERTREQ is refused (a responder's
// memory per message stays small; real peers send a handful).
inline constexpr size_t kMaxCertReqAuthorities = 128;

using SpkiHash = std::array<uint8_t, 20>;

Bytes EncodeCertBody(const Certificate& cert);
// The certificate of a CERT payload body. Encodings other than 4 are an
// error saying which (the caller ignores such a payload).
Result<Certificate> ParseCertBody(std::span<const uint8_t> body);

// A CERTREQ naming these anchors (empty list: an empty CERTREQ, "any").
Bytes EncodeCertReqBody(std::span<const Certificate> anchors);
// The authorities of a CERTREQ body with encoding 4.
Result<std::vector<SpkiHash>> ParseCertReqBody(std::span<const uint8_t> body);
// Whether a CERTREQ list names anchor (an empty list names every anchor).
bool CertReqNames(std::span<const SpkiHash> requested, const Certificate& anchor);

}  // namespace ipsec::cert
