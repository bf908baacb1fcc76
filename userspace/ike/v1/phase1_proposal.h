// Phase-1 proposals: a conn's ike= (IKEv2 transform IDs, common/proposal.h)
// as IKEv1 transforms, the initiator's SA payload, the responder's choice
// among the peer's transforms and its one-transform answer (RFC 2409 5,
// RFC 2408 4.2). An IKEv1 transform is one combination (cipher, hash,
// group): an IKEv2 proposal listing several of each becomes their product,
// in preference order. Authentication is always pre-shared key.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/proposal.h"
#include "common/result.h"
#include "ike/v1/attributes.h"
#include "ike/v1/message.h"

namespace ipsec::ike::v1 {

// ike= proposals -> IKEv1 transforms (AES-CBC, 3DES; SHA-1/SHA-2 PRFs as
// the hash; the group as is). Transforms with no IKEv1 form (AEAD ciphers)
// are left out; an error when nothing is left.
Result<std::vector<IsakmpTransformAttrs>> Phase1TransformsFor(
    const std::vector<ipsec::Proposal>& ike, uint64_t life_seconds);

// "AES_CBC_128/SHA1/MODP_1024", for logs and the mismatch error.
std::string DescribePhase1(const IsakmpTransformAttrs& t);

// Message 1's SA: one ISAKMP proposal carrying every transform, numbered 1..n.
SaPayload Phase1Offer(const std::vector<IsakmpTransformAttrs>& transforms);

struct Phase1Choice {
  size_t proposal_index = 0;   // in the offer's proposals
  size_t transform_index = 0;  // in that proposal's transforms
  IsakmpTransformAttrs attrs;  // as the peer sent them (its lifetime included)
};

// The first of the peer's transforms (in its order) that one of ours
// matches in cipher, key length, hash, group and PSK authentication.
// Mismatch: an error listing both sides.
Result<Phase1Choice> ChoosePhase1(const SaPayload& offer,
                                  const std::vector<IsakmpTransformAttrs>& ours);

// Message 2's SA: the offer with only the chosen proposal and transform,
// attributes as received (RFC 2409 5: the responder returns the one it chose).
SaPayload Phase1Answer(const SaPayload& offer, const Phase1Choice& choice);

// The initiator's check of message 2: exactly one proposal with one
// transform, equal to one of those offered. Returns its attributes.
Result<IsakmpTransformAttrs> CheckPhase1Answer(const SaPayload& answer,
                                               const std::vector<IsakmpTransformAttrs>& offered);

}  // namespace ipsec::ike::v1
