// ParseProposals() of arbitrary strings for IKE and ESP: never crashes, and
// every accepted proposal is complete for its protocol.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "common/proposal_names.h"

using namespace ipsec;

namespace {
bool Has(const Proposal& p, TransformType type) {
  for (const auto& t : p.transforms)
    if (t.type == type) return true;
  return false;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto ike = ParseProposals(text, ProtocolId::kIke)) {
    for (const auto& p : ike->proposals) {
      if (!Has(p, TransformType::kEncr) || !Has(p, TransformType::kPrf) ||
          !Has(p, TransformType::kDh) || Has(p, TransformType::kEsn))
        abort();
      (void)ProposalToString(p);
    }
  }
  if (auto esp = ParseProposals(text, ProtocolId::kEsp)) {
    for (const auto& p : esp->proposals) {
      if (!Has(p, TransformType::kEncr) || !Has(p, TransformType::kEsn) ||
          Has(p, TransformType::kPrf))
        abort();
      for (const auto& t : p.transforms)
        if ((t.type == TransformType::kEncr || t.type == TransformType::kInteg) &&
            KernelAlgorithmName(t).empty())
          abort();
    }
  }
  return 0;
}
