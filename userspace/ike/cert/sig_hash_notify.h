// SIGNATURE_HASH_ALGORITHMS (RFC 7427 4, notify 16431): a list of 16-bit
// hash algorithm IDs, sent in IKE_SA_INIT by both sides; its presence means
// the sender accepts method 14 (Digital Signature) AUTH payloads.
#pragma once

#include <span>
#include <vector>

#include "common/result.h"
#include "ike/cert/signature.h"

namespace ipsec::cert {

// What we announce: SHA-256, SHA-384, SHA-512 and Identity (Ed25519).
std::span<const SigHash> OurSignatureHashes();
// The notification data for hashes, in order.
Bytes BuildSignatureHashData(std::span<const SigHash> hashes);
// The hashes in a received notification that we know, in the peer's order;
// unknown IDs are skipped (RFC 7427 4). An odd length or more than 64 entries
// is an error (the notify is then ignored by the caller).
Result<std::vector<SigHash>> ParseSignatureHashData(std::span<const uint8_t> data);

}  // namespace ipsec::cert
