// Proposal negotiation (RFC 7296 2.7, 3.3) and its readable form for logs:
// selecting one transform of each type from the peer's offer, and when
// nothing fits, saying which transform type had nothing in common
// ("no common DH group: peer offered ECP_384, we accept MODP_1024,MODP_2048").
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/default_proposals.h"
#include "common/proposal.h"
#include "config/connection.h"
#include "ike/message.h"

namespace ipsec::engine {

using ipsec::DefaultEspProposals;  // common/default_proposals.h
using ipsec::DefaultIkeProposals;

// A connection's ike= and esp= proposals. config fills its defaults in; a
// connection built without them (tests, fuzzers) gets the same ones.
const std::vector<Proposal>& IkeProposalsOf(const config::Connection& c);
const std::vector<Proposal>& EspProposalsOf(const config::Connection& c);

std::string TransformName(const Transform& t);  // "AES_GCM_16_256", "ECP_384"
std::string ProposalToString(
    const Proposal& p);  // "AES_CBC_256/HMAC_SHA1_96/PRF_HMAC_SHA1/MODP_1024"
std::string ProposalsToString(const std::vector<Proposal>& ps);  // joined by ", "

struct SelectionResult {
  std::optional<Proposal> chosen;  // one transform per type
  uint8_t peer_number = 0;         // the peer's proposal number it came from
  ike::Bytes peer_spi;
  std::string mismatch;  // why nothing was chosen (when !chosen)
};

// Responder selection in our preference order. protocol: IKE or ESP.
// ignore_dh: drop DH transforms on both sides (the first child SA in
// IKE_AUTH). prefer_dh: the group of the peer's KE payload, chosen when it
// is acceptable.
SelectionResult SelectProposal(const std::vector<Proposal>& ours,
                               const std::vector<ike::SaProposal>& theirs, bool ignore_dh,
                               std::optional<uint16_t> prefer_dh = std::nullopt);

// Initiator check of the responder's single choice against what we offered.
bool ChoiceMatchesOffer(const std::vector<Proposal>& ours, const Proposal& choice, bool ignore_dh);

// First DH group of the first proposal that has one (kNone if none).
uint16_t FirstDhGroup(const std::vector<Proposal>& ps);
bool OffersDhGroup(const std::vector<Proposal>& ps, uint16_t group);
std::vector<Proposal> WithoutDh(const std::vector<Proposal>& ps);

}  // namespace ipsec::engine
