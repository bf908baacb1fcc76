// Readable names for IKEv2 transforms (IANA IDs of common/proposal.h), as
// strongSwan prints them, so a log line reads like the peer's. Used by the
// engine (selection, mismatch messages), config (--check) and the daemon.
// The names are the registry's (common/algorithms.h).
#include "common/transform_names.h"

#include "common/algorithms.h"

namespace ipsec {
namespace {

using TT = TransformType;

std::string WithBits(std::string_view base, uint16_t bits) {
  return bits ? std::string(base) + "_" + std::to_string(bits) : std::string(base);
}

}  // namespace

std::string TransformToString(const Transform& t) {
  switch (t.type) {
    case TT::kEncr:
      if (const alg::Encr* e = alg::FindEncr(t.id)) {
        // Only a cipher with a Key Length attribute prints its length.
        return e->key_bits[0] ? WithBits(e->name, t.key_length) : std::string(e->name);
      }
      return WithBits("ENCR_" + std::to_string(t.id), t.key_length);
    case TT::kPrf:
      if (const alg::Prf* p = alg::FindPrf(t.id)) return std::string(p->name);
      return "PRF_" + std::to_string(t.id);
    case TT::kInteg:
      if (const alg::Integ* i = alg::FindInteg(t.id)) return std::string(i->name);
      return "INTEG_" + std::to_string(t.id);
    case TT::kDh:
      if (const alg::Dh* d = alg::FindDh(t.id)) return std::string(d->name);
      return "DH_" + std::to_string(t.id);
    case TT::kEsn:
      return t.id == alg::esn::kYes  ? "ESN"
             : t.id == alg::esn::kNo ? "NO_EXT_SEQ"
                                     : "ESN_" + std::to_string(t.id);
  }
  return "TRANSFORM_" + std::to_string(static_cast<int>(t.type)) + "_" + std::to_string(t.id);
}
std::string ProposalToString(const Proposal& p) {
  std::string s;
  for (const auto& t : p.transforms) {
    if (!s.empty()) s += "/";
    s += TransformToString(t);
  }
  return s;
}

std::string ProposalsToString(const std::vector<Proposal>& ps) {
  std::string s;
  for (const auto& p : ps) {
    if (!s.empty()) s += ", ";
    s += ProposalToString(p);
  }
  return s;
}

}  // namespace ipsec
