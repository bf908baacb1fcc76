// The parser for ike=/esp= strings in libreswan and strongSwan syntax, and
// the module's names for ESP algorithms. Used by config (parsing, --check).
// Transform names (TransformToString...) are in common/transform_names.h.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/proposal.h"
#include "common/result.h"
#include "common/transform_names.h"

namespace ipsec {

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
