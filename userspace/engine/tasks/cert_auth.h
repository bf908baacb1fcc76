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
bool UsesCertificates(const ConnectionConfig& c);

// SIGNATURE_HASH_ALGORITHMS with what we accept (cert::OurSignatureHashes).
ike::NotifyPayload SignatureHashNotify();
// The hashes of m's SIGNATURE_HASH_ALGORITHMS we know; empty when there is
// none or it is malformed.
std::vector<cert::SigHash> PeerSignatureHashes(const ike::Message& m);

// Adds a CERTREQ naming our trust anchors (RFC 7296 3.7) when there are any.
void AddCertReq(const EngineContext& ctx, ike::Message& m);

// Adds our CERT payloads (end-entity, then its chain) to m and returns the
// AUTH payload signing octets with the key of local.cert, the method chosen
// by the peer's hashes. The error is one line for the log.
Result<ike::AuthPayload> AddCertsAndSign(const EngineContext& ctx, const EngineEnd& local,
                                         std::span<const cert::SigHash> peer_hashes,
                                         std::span<const uint8_t> octets, ike::Message& m);

// Checks the peer: m's CERT payloads chain to an anchor (and to remote.ca),
// id is in the end-entity certificate, auth verifies over octets with its
// key. "" when all hold, else the reason in one line.
std::string VerifyPeerSignature(const EngineContext& ctx, const EngineEnd& remote,
                                const ike::Message& m, const ike::IdPayload& id,
                                const ike::AuthPayload& auth, std::span<const uint8_t> octets);

}  // namespace ipsec::engine
