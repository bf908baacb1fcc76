#include "common/default_proposals.h"

namespace ipsec {
namespace {

using TT = TransformType;

Transform T(TransformType type, uint16_t id, uint16_t bits = 0) {
  return Transform{type, id, bits};
}

void AddDefaultGroups(Proposal& p) {
  for (uint16_t g : kDefaultDhGroups) p.transforms.push_back(T(TT::kDh, g));
}

}  // namespace

std::vector<Proposal> DefaultIkeProposals() {
  Proposal gcm{ProtocolId::kIke,
               {T(TT::kEncr, alg::encr::kAesGcm16, 256), T(TT::kEncr, alg::encr::kAesGcm16, 128),
                T(TT::kPrf, alg::prf::kHmacSha2_256), T(TT::kPrf, alg::prf::kHmacSha2_384)}};
  Proposal cbc{
      ProtocolId::kIke,
      {T(TT::kEncr, alg::encr::kAesCbc, 256), T(TT::kEncr, alg::encr::kAesCbc, 128),
       T(TT::kInteg, alg::integ::kHmacSha2_256_128), T(TT::kInteg, alg::integ::kHmacSha1_96),
       T(TT::kPrf, alg::prf::kHmacSha2_256), T(TT::kPrf, alg::prf::kHmacSha1)}};
  AddDefaultGroups(gcm);
  AddDefaultGroups(cbc);
  return {gcm, cbc};
}

std::vector<Proposal> DefaultEspProposals() {
  Proposal gcm{ProtocolId::kEsp,
               {T(TT::kEncr, alg::encr::kAesGcm16, 256), T(TT::kEncr, alg::encr::kAesGcm16, 128),
                T(TT::kEsn, alg::esn::kNo)}};
  Proposal cbc{ProtocolId::kEsp,
               {T(TT::kEncr, alg::encr::kAesCbc, 256), T(TT::kEncr, alg::encr::kAesCbc, 128),
                T(TT::kInteg, alg::integ::kHmacSha2_256_128),
                T(TT::kInteg, alg::integ::kHmacSha1_96), T(TT::kEsn, alg::esn::kNo)}};
  return {gcm, cbc};
}

}  // namespace ipsec
