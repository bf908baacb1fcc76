// Readable names for IKEv2 transforms and proposals, strongSwan's spelling.
#pragma once

#include <string>
#include <vector>

#include "common/proposal.h"

namespace ipsec {

// "AES_GCM_16_256", "AES_CBC_128", "HMAC_SHA2_256_128", "PRF_HMAC_SHA2_256",
// "MODP_2048", "ECP_384", "CURVE_25519", "ESN", "NO_EXT_SEQ"; unknown IDs as
// "ENCR_<id>", "INTEG_<id>", ...
std::string TransformToString(const Transform& t);
// Transforms joined by '/': "AES_GCM_16_256/PRF_HMAC_SHA2_384/ECP_384".
std::string ProposalToString(const Proposal& p);
std::string ProposalsToString(const std::vector<Proposal>& ps);  // joined by ", "

}  // namespace ipsec
