#include "engine/proposals.h"

#include <algorithm>

#include "common/transform_names.h"
#include "ike/constants.h"

namespace ipsec::engine {

const std::vector<Proposal>& IkeProposalsOf(const config::Connection& c) {
  static const std::vector<Proposal> defaults = DefaultIkeProposals();
  return c.ike_proposals.empty() ? defaults : c.ike_proposals;
}

const std::vector<Proposal>& EspProposalsOf(const config::Connection& c) {
  static const std::vector<Proposal> defaults = DefaultEspProposals();
  return c.esp_proposals.empty() ? defaults : c.esp_proposals;
}
namespace {

Transform T(TransformType type, uint16_t id, uint16_t bits = 0) {
  return Transform{type, id, bits};
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

std::string TransformName(const Transform& t) {
  return TransformToString(t);
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
    s += engine::ProposalToString(p);
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
  // Default PFS lists each proposal with and without groups: offer it once.
  std::vector<Proposal> unique;
  for (auto& p : out)
    if (std::find(unique.begin(), unique.end(), p) == unique.end()) unique.push_back(std::move(p));
  return unique;
}

}  // namespace ipsec::engine
