// The proposals used when ike=/esp= are absent (Documentation/configuration.md),
// written once: config fills them into a connection, the engine falls back
// on them for a connection built without config.
#pragma once

#include <cstdint>
#include <vector>

#include "common/algorithms.h"
#include "common/proposal.h"

namespace ipsec {

// The DH groups of the default IKE proposals, also what an ike= item that
// names none gets: strongSwan's curve25519 first, then libreswan's.
inline constexpr uint16_t kDefaultDhGroups[] = {alg::dh::kCurve25519, alg::dh::kEcp256,
                                                alg::dh::kModp2048};

// libreswan 4's choice (AES-GCM, then AES-CBC with SHA-2) with the groups above.
std::vector<Proposal> DefaultIkeProposals();
std::vector<Proposal> DefaultEspProposals();

}  // namespace ipsec
