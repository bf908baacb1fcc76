// Certificate authentication in IKE_AUTH (RFC 7296 2.15, 3.6-3.8; RFC 7427):
// the SIGNATURE_HASH_ALGORITHMS, CERTREQ, CERT and signature AUTH payloads we
// send, and the checks of a peer's: its chain to one of our trust anchors
// (and to rightca=), its ID in its certificate, its AUTH signature. Every
// refusal is one line naming the reason, never key material.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/result.h"
#include "engine/ike_sa.h"
#include "ike/cert/signature.h"
#include "ike/message.h"

namespace ipsec::engine {

// More CERT payloads than this in one message is refused (end-entity and
// intermediates; real chains have two or three).
inline constexpr size_t kMaxPeerCerts = 8;

// Whether c authenticates either end with a certificate.
bool UsesCertificates(const Connection& c);

// SIGNATURE_HASH_ALGORITHMS with what we accept (cert::OurSignatureHashes).
ike::NotifyPayload SignatureHashNotify();
// The hashes of m's SIGNATURE_HASH_ALGORITHMS we know; empty when there is
// none or it is malformed.
std::vector<cert::SigHash> PeerSignatureHashes(const ike::Message& m);

// The anchors a CERTREQ names (RFC 7296 3.7): those whose subject is one of
// the rightca= DNs in cas; every anchor when cas is empty, holds "" (a conn
// without rightca=) or names none of them (an intermediate); at most
// cert::kMaxCertReqAuthorities.
std::vector<cert::Certificate> CertReqAnchors(const cert::CertStore& store,
                                              std::span<const std::string> cas);

// Adds a CERTREQ naming CertReqAnchors(our anchors, cas) when there are any.
void AddCertReq(const EngineContext& ctx, std::span<const std::string> cas, ike::Message& m);

// Whether m holds a CERTREQ payload (any content: strongSwan's ifasked
// counts any).
bool HasCertReq(const ike::Message& m);

// Adds our CERT payloads (end-entity, then its chain) to m when
// local.sendcert says so (kIfAsked: peer_asked) and returns the AUTH
// payload signing octets with the key of local.cert, the method chosen by
// the peer's hashes. The error is one line for the log.
// scheme_name receives the scheme's cert::SchemeName.
Result<ike::AuthPayload> AddCertsAndSign(const EngineContext& ctx, const config::End& local,
                                         bool peer_asked,
                                         std::span<const cert::SigHash> peer_hashes,
                                         std::span<const uint8_t> octets, ike::Message& m,
                                         std::string* scheme_name);

// Checks the peer: m's CERT payloads chain to an anchor (and to remote.ca),
// id is in the end-entity certificate, auth verifies over octets with its
// key. "" when all hold (scheme_name and subject then receive how it signed
// and its certificate's subject), else the reason in one line.
std::string VerifyPeerSignature(const EngineContext& ctx, const config::End& remote,
                                const ike::Message& m, const ike::IdPayload& id,
                                const ike::AuthPayload& auth, std::span<const uint8_t> octets,
                                std::string* scheme_name, std::string* subject);

// rightauth='s suffixes as constraints on how the peer signed (remote's
// sig_key, sig_key_bits, sig_hashes, sig_pss): its key kind, a least key
// size, a hash among those named, and for an RSA key the padding (rsa/pss:
// RSASSA-PSS; rsa with a hash: PKCS#1 v1.5, as strongSwan's rsa-sha256).
// "" when they hold, else what was missing in one line.
std::string CheckPeerScheme(const config::End& remote, cert::KeyType key, int key_bits,
                            const cert::SignatureScheme& used);

}  // namespace ipsec::engine
