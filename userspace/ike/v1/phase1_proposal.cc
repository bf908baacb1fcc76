#include "ike/v1/phase1_proposal.h"

#include "common/transform_names.h"
#include "ike/constants.h"

namespace ipsec::ike::v1 {

namespace {

uint16_t V1Encryption(uint16_t encr_id) {
  switch (encr_id) {
    case encr::kAesCbc:
      return p1encr::kAesCbc;
    case encr::k3des:
      return p1encr::k3DesCbc;
    default:
      return 0;
  }
}

uint16_t V1Hash(uint16_t prf_id) {
  switch (prf_id) {
    case prf::kHmacSha1:
      return p1hash::kSha1;
    case prf::kHmacSha2_256:
      return p1hash::kSha2_256;
    case prf::kHmacSha2_384:
      return p1hash::kSha2_384;
    case prf::kHmacSha2_512:
      return p1hash::kSha2_512;
    default:
      return 0;
  }
}

bool SameChoice(const IsakmpTransformAttrs& a, const IsakmpTransformAttrs& b) {
  return a.encryption == b.encryption && a.key_bits == b.key_bits && a.hash == b.hash &&
         a.group == b.group && a.auth_method == b.auth_method && a.prf == b.prf;
}

std::string List(const std::vector<IsakmpTransformAttrs>& ts) {
  std::string out;
  for (const auto& t : ts) out += (out.empty() ? "" : ", ") + DescribePhase1(t);
  return out.empty() ? "none" : out;
}

}  // namespace

Result<std::vector<IsakmpTransformAttrs>> Phase1TransformsFor(
    const std::vector<ipsec::Proposal>& ike, uint64_t life_seconds) {
  std::vector<IsakmpTransformAttrs> out;
  for (const auto& p : ike) {
    std::vector<const ipsec::Transform*> encrs, prfs, groups;
    for (const auto& t : p.transforms) {
      if (t.type == TransformType::kEncr && V1Encryption(t.id)) encrs.push_back(&t);
      if (t.type == TransformType::kPrf && V1Hash(t.id)) prfs.push_back(&t);
      if (t.type == TransformType::kDh) groups.push_back(&t);
    }
    for (const ipsec::Transform* e : encrs)
      for (const auto* h : prfs)
        for (const auto* g : groups) {
          IsakmpTransformAttrs a;
          a.encryption = V1Encryption(e->id);
          a.key_bits = a.encryption == p1encr::kAesCbc ? e->key_length : 0;
          a.hash = V1Hash(h->id);
          a.auth_method = p1auth::kPreSharedKey;
          a.group = g->id;
          a.life_seconds = life_seconds;
          out.push_back(a);
        }
  }
  if (out.empty())
    return MakeError("no ike= proposal has an IKEv1 form (AES-CBC or 3DES, SHA-1/SHA-2, a group)");
  return out;
}

std::string DescribePhase1(const IsakmpTransformAttrs& t) {
  std::string e = t.encryption == p1encr::kAesCbc    ? "AES_CBC_" + std::to_string(t.key_bits)
                  : t.encryption == p1encr::k3DesCbc ? std::string("3DES_CBC")
                                                     : "ENCR_" + std::to_string(t.encryption);
  std::string h = t.hash == p1hash::kSha1       ? "SHA1"
                  : t.hash == p1hash::kSha2_256 ? "SHA2_256"
                  : t.hash == p1hash::kSha2_384 ? "SHA2_384"
                  : t.hash == p1hash::kSha2_512 ? "SHA2_512"
                  : t.hash == p1hash::kMd5      ? "MD5"
                                                : "HASH_" + std::to_string(t.hash);
  // The group numbers are IKEv2's: their names too.
  std::string g = TransformToString(ipsec::Transform{TransformType::kDh, t.group, 0});
  std::string out = e + "/" + h + "/" + g;
  if (t.auth_method != p1auth::kPreSharedKey) out += "/AUTH_" + std::to_string(t.auth_method);
  return out;
}

SaPayload Phase1Offer(const std::vector<IsakmpTransformAttrs>& transforms) {
  Proposal p;
  p.number = 1;
  p.protocol = protocol::kIsakmp;
  for (size_t i = 0; i < transforms.size(); ++i)
    p.transforms.push_back(Transform{static_cast<uint8_t>(i + 1), kTransformKeyIke,
                                     BuildIsakmpAttributes(transforms[i])});
  SaPayload sa;
  sa.proposals.push_back(std::move(p));
  return sa;
}

Result<Phase1Choice> ChoosePhase1(const SaPayload& offer,
                                  const std::vector<IsakmpTransformAttrs>& ours) {
  std::vector<IsakmpTransformAttrs> theirs;
  for (size_t pi = 0; pi < offer.proposals.size(); ++pi) {
    const auto& p = offer.proposals[pi];
    if (p.protocol != protocol::kIsakmp) continue;
    for (size_t ti = 0; ti < p.transforms.size(); ++ti) {
      const auto& t = p.transforms[ti];
      if (t.id != kTransformKeyIke) continue;
      auto a = ParseIsakmpAttributes(t.attributes);
      if (!a || a->unknown_attribute) continue;
      theirs.push_back(*a);
      for (const auto& o : ours)
        if (SameChoice(*a, o)) return Phase1Choice{pi, ti, *a};
    }
  }
  return MakeError("no phase-1 proposal chosen: peer offered " + List(theirs) +
                   "; ours: " + List(ours));
}

SaPayload Phase1Answer(const SaPayload& offer, const Phase1Choice& choice) {
  SaPayload sa;
  sa.doi = offer.doi;
  sa.situation = offer.situation;
  Proposal p = offer.proposals.at(choice.proposal_index);
  Transform t = p.transforms.at(choice.transform_index);
  p.transforms = {t};
  sa.proposals.push_back(std::move(p));
  return sa;
}

Result<IsakmpTransformAttrs> CheckPhase1Answer(const SaPayload& answer,
                                               const std::vector<IsakmpTransformAttrs>& offered) {
  if (answer.proposals.size() != 1 || answer.proposals[0].transforms.size() != 1 ||
      answer.proposals[0].protocol != protocol::kIsakmp ||
      answer.proposals[0].transforms[0].id != kTransformKeyIke)
    return MakeError("phase-1 answer must hold one ISAKMP proposal with one KEY_IKE transform");
  auto a = ParseIsakmpAttributes(answer.proposals[0].transforms[0].attributes);
  if (!a) return MakeError("phase-1 answer: " + a.error().message);
  for (const auto& o : offered)
    if (SameChoice(*a, o)) return *a;
  return MakeError("phase-1 answer " + DescribePhase1(*a) + " was not offered (" + List(offered) +
                   ")");
}

}  // namespace ipsec::ike::v1
