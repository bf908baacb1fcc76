// Proposal selection (engine/proposals.h), the responder's first decision
// on every IKE_SA_INIT: our defaults against offers shaped like strongSwan's
// default (one AEAD and one non-AEAD proposal with many transforms), a long
// offer whose only acceptable proposal is the last, and one with nothing in
// common (which also builds the readable mismatch message).
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>

#include "engine/proposals.h"
#include "ike/constants.h"

namespace ipsec::bench {
namespace {

using ike::SaProposal;

SaProposal Offer(uint8_t number, std::vector<Transform> transforms) {
  SaProposal p;
  p.number = number;
  p.proposal.protocol = ProtocolId::kIke;
  p.proposal.transforms = std::move(transforms);
  return p;
}

constexpr auto E = TransformType::kEncr;
constexpr auto P = TransformType::kPrf;
constexpr auto I = TransformType::kInteg;
constexpr auto D = TransformType::kDh;

// strongSwan 5.9's default IKE offer, roughly: AEAD proposal first, then
// CBC + HMAC, each with its PRFs and a long DH list.
std::vector<SaProposal> StrongswanLikeOffer() {
  namespace e = ike::encr;
  namespace p = ike::prf;
  namespace i = ike::integ;
  namespace d = ike::dh;
  std::vector<Transform> dhs = {{D, d::kCurve25519}, {D, d::kEcp256},   {D, d::kEcp384},
                                {D, d::kEcp521},     {D, d::kModp3072}, {D, d::kModp4096},
                                {D, d::kModp2048}};
  std::vector<Transform> aead = {{E, e::kAesGcm16, 128}, {E, e::kAesGcm16, 192},
                                 {E, e::kAesGcm16, 256}, {E, e::kChaCha20Poly1305},
                                 {P, p::kHmacSha2_256},  {P, p::kHmacSha2_384},
                                 {P, p::kHmacSha2_512}};
  aead.insert(aead.end(), dhs.begin(), dhs.end());
  std::vector<Transform> cbc = {
      {E, e::kAesCbc, 128},      {E, e::kAesCbc, 192},      {E, e::kAesCbc, 256},
      {I, i::kHmacSha2_256_128}, {I, i::kHmacSha2_384_192}, {I, i::kHmacSha2_512_256},
      {P, p::kHmacSha2_256},     {P, p::kHmacSha2_384},     {P, p::kHmacSha2_512}};
  cbc.insert(cbc.end(), dhs.begin(), dhs.end());
  return {Offer(1, aead), Offer(2, cbc)};
}

// Seven proposals we refuse (3DES/MD5/MODP-1024 era), then one we accept.
std::vector<SaProposal> LastMatchesOffer() {
  std::vector<SaProposal> v;
  for (uint8_t n = 1; n <= 7; ++n)
    v.push_back(Offer(n, {{E, ike::encr::k3des},
                          {P, ike::prf::kHmacMd5},
                          {I, ike::integ::kHmacMd5_96},
                          {D, ike::dh::kModp1024}}));
  v.push_back(Offer(
      8,
      {{E, ike::encr::kAesGcm16, 256}, {P, ike::prf::kHmacSha2_256}, {D, ike::dh::kCurve25519}}));
  return v;
}

std::vector<SaProposal> NothingInCommonOffer() {
  std::vector<SaProposal> v = LastMatchesOffer();
  v.pop_back();
  return v;
}

void Run(benchmark::State& state, const std::vector<SaProposal>& offer, bool expect_match) {
  const std::vector<Proposal> ours = engine::DefaultIkeProposals();
  for (auto _ : state) {
    auto r = engine::SelectProposal(ours, offer, false);
    if (r.chosen.has_value() != expect_match) {
      state.SkipWithError(expect_match ? "no proposal chosen" : "unexpected match");
      break;
    }
    benchmark::DoNotOptimize(r);
  }
}

void BM_SelectProposal_StrongswanDefault(benchmark::State& state) {
  Run(state, StrongswanLikeOffer(), true);
}
BENCHMARK(BM_SelectProposal_StrongswanDefault);

void BM_SelectProposal_LastOfEight(benchmark::State& state) {
  Run(state, LastMatchesOffer(), true);
}
BENCHMARK(BM_SelectProposal_LastOfEight);

void BM_SelectProposal_NoMatch(benchmark::State& state) {
  Run(state, NothingInCommonOffer(), false);
}
BENCHMARK(BM_SelectProposal_NoMatch);

}  // namespace
}  // namespace ipsec::bench
