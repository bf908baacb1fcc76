#include "engine/proposals.h"

#include <algorithm>

#include "ike/constants.h"

namespace ipsec::engine {
namespace {

Transform T(TransformType type, uint16_t id, uint16_t bits = 0) {
  return Transform{type, id, bits};
}

std::string WithBits(const char* base, uint16_t bits) {
  return bits ? std::string(base) + "_" + std::to_string(bits) : std::string(base);
}

constexpr TransformType kTypes[] = {TransformType::kEncr, TransformType::kInteg,
                                    TransformType::kPrf, TransformType::kDh, TransformType::kEsn};

const char* TypeWhat(TransformType t) {
  switch (t) {
    case TransformType::kEncr:
      return "encryption algorithm";
    case TransformType::kPrf:
      return "PRF";
    case TransformType::kInteg:
      return "integrity algorithm";
    case TransformType::kDh:
      return "DH group";
    case TransformType::kEsn:
      return "ESN setting";
  }
  return "transform";
}

std::vector<Transform> OfType(const Proposal& p, TransformType t) {
  std::vector<Transform> out;
  for (const auto& x : p.transforms)
    if (x.type == t) out.push_back(x);
  return out;
}

// What an absent transform type means on the wire: DH none, INTEG none,
// ESN no (RFC 7296 3.3.3).
std::vector<Transform> Effective(const Proposal& p, TransformType t) {
  auto v = OfType(p, t);
  if (v.empty() &&
      (t == TransformType::kDh || t == TransformType::kInteg || t == TransformType::kEsn))
    v.push_back(T(t, 0));
  return v;
}

std::string JoinNames(const std::vector<Transform>& v) {
  std::string s;
  for (const auto& t : v) {
    if (!s.empty()) s += ",";
    s += TransformName(t);
  }
  return s.empty() ? "(none)" : s;
}

struct MatchAttempt {
  Proposal chosen;
  std::vector<TransformType> failed;
};

MatchAttempt Match(const Proposal& ours, const Proposal& theirs, bool ignore_dh,
                   std::optional<uint16_t> prefer_dh) {
  MatchAttempt m;
  m.chosen.protocol = ours.protocol;
  for (TransformType type : kTypes) {
    if (type == TransformType::kDh && ignore_dh) continue;
    if (type == TransformType::kPrf && ours.protocol != ProtocolId::kIke) continue;
    auto o = Effective(ours, type);
    auto p = Effective(theirs, type);
    if (o.empty() && p.empty()) continue;
    std::optional<Transform> pick;
    if (type == TransformType::kDh && prefer_dh) {
      Transform want = T(type, *prefer_dh);
      if (std::count(o.begin(), o.end(), want) && std::count(p.begin(), p.end(), want)) pick = want;
    }
    for (const auto& x : o) {
      if (pick) break;
      if (std::count(p.begin(), p.end(), x)) pick = x;
    }
    if (!pick) {
      m.failed.push_back(type);
      continue;
    }
    // Absent-means-none transforms are not written back unless non-zero,
    // except ESN, which ESP proposals always carry.
    if (pick->id != 0 || type == TransformType::kEsn) {
      if (!(type == TransformType::kEsn && ours.protocol == ProtocolId::kIke))
        m.chosen.transforms.push_back(*pick);
    }
  }
  return m;
}

}  // namespace

std::vector<Proposal> DefaultIkeProposals() {
  using TT = TransformType;
  Proposal gcm{ProtocolId::kIke,
               {T(TT::kEncr, ike::encr::kAesGcm16, 256), T(TT::kEncr, ike::encr::kAesGcm16, 128),
                T(TT::kPrf, ike::prf::kHmacSha2_256), T(TT::kPrf, ike::prf::kHmacSha2_384),
                T(TT::kDh, ike::dh::kCurve25519), T(TT::kDh, ike::dh::kEcp256),
                T(TT::kDh, ike::dh::kModp2048)}};
  Proposal cbc{ProtocolId::kIke,
               {T(TT::kEncr, ike::encr::kAesCbc, 256), T(TT::kEncr, ike::encr::kAesCbc, 128),
                T(TT::kInteg, ike::integ::kHmacSha2_256_128),
                T(TT::kInteg, ike::integ::kHmacSha1_96), T(TT::kPrf, ike::prf::kHmacSha2_256),
                T(TT::kPrf, ike::prf::kHmacSha1), T(TT::kDh, ike::dh::kCurve25519),
                T(TT::kDh, ike::dh::kEcp256), T(TT::kDh, ike::dh::kModp2048)}};
  return {gcm, cbc};
}

std::vector<Proposal> DefaultEspProposals() {
  using TT = TransformType;
  Proposal gcm{ProtocolId::kEsp,
               {T(TT::kEncr, ike::encr::kAesGcm16, 256), T(TT::kEncr, ike::encr::kAesGcm16, 128),
                T(TT::kEsn, ike::esn::kNo)}};
  Proposal cbc{ProtocolId::kEsp,
               {T(TT::kEncr, ike::encr::kAesCbc, 256), T(TT::kEncr, ike::encr::kAesCbc, 128),
                T(TT::kInteg, ike::integ::kHmacSha2_256_128),
                T(TT::kInteg, ike::integ::kHmacSha1_96), T(TT::kEsn, ike::esn::kNo)}};
  return {gcm, cbc};
}

std::string TransformName(const Transform& t) {
  switch (t.type) {
    case TransformType::kEncr:
      switch (t.id) {
        case ike::encr::k3des:
          return "3DES_CBC";
        case ike::encr::kNull:
          return "NULL";
        case ike::encr::kAesCbc:
          return WithBits("AES_CBC", t.key_length);
        case ike::encr::kAesCtr:
          return WithBits("AES_CTR", t.key_length);
        case ike::encr::kAesGcm8:
          return WithBits("AES_GCM_8", t.key_length);
        case ike::encr::kAesGcm12:
          return WithBits("AES_GCM_12", t.key_length);
        case ike::encr::kAesGcm16:
          return WithBits("AES_GCM_16", t.key_length);
        case ike::encr::kNullAuthAesGmac:
          return WithBits("NULL_AES_GMAC", t.key_length);
        case ike::encr::kChaCha20Poly1305:
          return "CHACHA20_POLY1305";
      }
      return WithBits(("ENCR_" + std::to_string(t.id)).c_str(), t.key_length);
    case TransformType::kPrf:
      switch (t.id) {
        case ike::prf::kHmacMd5:
          return "PRF_HMAC_MD5";
        case ike::prf::kHmacSha1:
          return "PRF_HMAC_SHA1";
        case ike::prf::kAes128Xcbc:
          return "PRF_AES128_XCBC";
        case ike::prf::kHmacSha2_256:
          return "PRF_HMAC_SHA2_256";
        case ike::prf::kHmacSha2_384:
          return "PRF_HMAC_SHA2_384";
        case ike::prf::kHmacSha2_512:
          return "PRF_HMAC_SHA2_512";
      }
      return "PRF_" + std::to_string(t.id);
    case TransformType::kInteg:
      switch (t.id) {
        case ike::integ::kNone:
          return "INTEG_NONE";
        case ike::integ::kHmacMd5_96:
          return "HMAC_MD5_96";
        case ike::integ::kHmacSha1_96:
          return "HMAC_SHA1_96";
        case ike::integ::kAesXcbc96:
          return "AES_XCBC_96";
        case ike::integ::kHmacSha2_256_128:
          return "HMAC_SHA2_256_128";
        case ike::integ::kHmacSha2_384_192:
          return "HMAC_SHA2_384_192";
        case ike::integ::kHmacSha2_512_256:
          return "HMAC_SHA2_512_256";
      }
      return "INTEG_" + std::to_string(t.id);
    case TransformType::kDh:
      switch (t.id) {
        case ike::dh::kNone:
          return "DH_NONE";
        case ike::dh::kModp768:
          return "MODP_768";
        case ike::dh::kModp1024:
          return "MODP_1024";
        case ike::dh::kModp1536:
          return "MODP_1536";
        case ike::dh::kModp2048:
          return "MODP_2048";
        case ike::dh::kModp3072:
          return "MODP_3072";
        case ike::dh::kModp4096:
          return "MODP_4096";
        case ike::dh::kEcp256:
          return "ECP_256";
        case ike::dh::kEcp384:
          return "ECP_384";
        case ike::dh::kEcp521:
          return "ECP_521";
        case ike::dh::kCurve25519:
          return "CURVE_25519";
      }
      return "DH_" + std::to_string(t.id);
    case TransformType::kEsn:
      return t.id ? "ESN" : "NO_EXT_SEQ";
  }
  return "?";
}

std::string ProposalToString(const Proposal& p) {
  std::string s;
  for (TransformType type : kTypes) {
    for (const auto& t : OfType(p, type)) {
      if (!s.empty()) s += "/";
      s += TransformName(t);
    }
  }
  return s.empty() ? "(empty)" : s;
}

std::string ProposalsToString(const std::vector<Proposal>& ps) {
  std::string s;
  for (const auto& p : ps) {
    if (!s.empty()) s += ", ";
    s += ProposalToString(p);
  }
  return s.empty() ? "(none)" : s;
}

SelectionResult SelectProposal(const std::vector<Proposal>& ours,
                               const std::vector<ike::SaProposal>& theirs, bool ignore_dh,
                               std::optional<uint16_t> prefer_dh) {
  SelectionResult r;
  std::optional<MatchAttempt> best;
  const Proposal* best_ours = nullptr;
  const Proposal* best_theirs = nullptr;
  for (const auto& o : ours) {
    for (const auto& t : theirs) {
      if (t.has_unknown_transform_type || t.proposal.protocol != o.protocol) continue;
      MatchAttempt m = Match(o, t.proposal, ignore_dh, prefer_dh);
      if (m.failed.empty()) {
        r.chosen = std::move(m.chosen);
        r.peer_number = t.number;
        r.peer_spi = t.spi;
        return r;
      }
      if (!best || m.failed.size() < best->failed.size()) {
        best = std::move(m);
        best_ours = &o;
        best_theirs = &t.proposal;
      }
    }
  }
  if (!best) {
    r.mismatch = "peer offered no usable proposal for this protocol";
    return r;
  }
  for (TransformType type : best->failed) {
    if (!r.mismatch.empty()) r.mismatch += "; ";
    r.mismatch += std::string("no common ") + TypeWhat(type) + ": peer offered " +
                  JoinNames(Effective(*best_theirs, type)) + ", we accept " +
                  JoinNames(Effective(*best_ours, type));
  }
  return r;
}

bool ChoiceMatchesOffer(const std::vector<Proposal>& ours, const Proposal& choice, bool ignore_dh) {
  // The choice must hold exactly one of each type, each from one proposal of ours.
  for (const auto& o : ours) {
    if (o.protocol != choice.protocol) continue;
    bool ok = true;
    for (TransformType type : kTypes) {
      if (type == TransformType::kDh && ignore_dh) continue;
      auto c = Effective(choice, type);
      auto mine = Effective(o, type);
      if (type == TransformType::kPrf && choice.protocol != ProtocolId::kIke) continue;
      if (c.size() != 1 || !std::count(mine.begin(), mine.end(), c[0])) {
        ok = false;
        break;
      }
    }
    if (ok) return true;
  }
  return false;
}

uint16_t FirstDhGroup(const std::vector<Proposal>& ps) {
  for (const auto& p : ps)
    for (const auto& t : p.transforms)
      if (t.type == TransformType::kDh && t.id != 0) return t.id;
  return ike::dh::kNone;
}

bool OffersDhGroup(const std::vector<Proposal>& ps, uint16_t group) {
  for (const auto& p : ps)
    for (const auto& t : p.transforms)
      if (t.type == TransformType::kDh && t.id == group) return true;
  return false;
}

std::vector<Proposal> WithoutDh(const std::vector<Proposal>& ps) {
  std::vector<Proposal> out = ps;
  for (auto& p : out)
    std::erase_if(p.transforms, [](const Transform& t) { return t.type == TransformType::kDh; });
  return out;
}

}  // namespace ipsec::engine
