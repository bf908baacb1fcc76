// Readable names for IKEv2 transforms and proposals (IANA IDs of
// common/proposal.h), and the parser for ike=/esp= strings in libreswan and
// strongSwan syntax. Used by config (parsing, --check) and by logs.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/proposal.h"
#include "common/result.h"

namespace ipsec {

// "AES_GCM_16_256", "AES_CBC_128", "HMAC_SHA2_256_128", "PRF_HMAC_SHA2_256",
// "MODP_2048", "ECP_384", "CURVE_25519", "ESN", "NO_ESN"; unknown IDs as
// "ENCR_<id>", "INTEG_<id>", ...
std::string TransformToString(const Transform& t);
// Transforms joined by '/': "AES_GCM_16_256/PRF_HMAC_SHA2_384/ECP_384".
std::string ProposalToString(const Proposal& p);
std::string ProposalsToString(const std::vector<Proposal>& ps);  // joined by ", "

// The module's algorithm name for an ESP encryption / integrity transform
// ("aes-gcm-256", "hmac-sha256"), "" when the module has none.
std::string KernelAlgorithmName(const Transform& t);

struct ParsedProposals {
  std::vector<Proposal> proposals;
  bool strict = false;                // trailing '!'
  std::vector<std::string> warnings;  // e.g. "modp1024 is weak (RFC 8247)"
};

// Parses "aes128-sha1;modp1024", "aes_gcm256-sha384-dh20",
// "aes256gcm16-prfsha384-ecp384!", "aes128-sha256-modp3072,aes256-sha1"...
// protocol kIke or kEsp. Errors name the offending token.
Result<ParsedProposals> ParseProposals(std::string_view text, ProtocolId protocol);

}  // namespace ipsec
