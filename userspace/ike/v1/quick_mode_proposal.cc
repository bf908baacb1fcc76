#include "ike/v1/quick_mode_proposal.h"

#include "common/transform_names.h"
#include "ike/constants.h"

namespace ipsec::ike::v1 {

namespace {

// IKEv2 INTEG ID <-> IKEv1 quick-mode Authentication Algorithm.
constexpr struct {
  uint16_t v2, v1;
} kIntegMap[] = {{integ::kHmacMd5_96, qmauth::kHmacMd5},
                 {integ::kHmacSha1_96, qmauth::kHmacSha1},
                 {integ::kHmacSha2_256_128, qmauth::kHmacSha2_256},
                 {integ::kHmacSha2_384_192, qmauth::kHmacSha2_384},
                 {integ::kHmacSha2_512_256, qmauth::kHmacSha2_512}};

uint16_t V1Auth(uint16_t v2) {
  for (auto m : kIntegMap)
    if (m.v2 == v2) return m.v1;
  return 0;
}

uint16_t V2Integ(uint16_t v1) {
  for (auto m : kIntegMap)
    if (m.v1 == v1) return m.v2;
  return integ::kNone;
}

bool IsAead(uint16_t cipher) {
  return cipher == encr::kAesGcm8 || cipher == encr::kAesGcm12 || cipher == encr::kAesGcm16;
}

bool HasV1Form(uint16_t cipher) {
  return cipher == encr::kAesCbc || cipher == encr::k3des || cipher == encr::kNull ||
         IsAead(cipher);
}

bool SameChoice(const EspTransform& a, const EspTransform& b) {
  return a.cipher == b.cipher && a.attrs.key_bits == b.attrs.key_bits &&
         a.attrs.auth == b.attrs.auth && a.attrs.group == b.attrs.group &&
         IsTunnelMode(a.attrs.encap_mode) == IsTunnelMode(b.attrs.encap_mode) &&
         a.attrs.esn == b.attrs.esn;
}

std::string List(const std::vector<EspTransform>& ts) {
  std::string out;
  for (const auto& t : ts) out += (out.empty() ? "" : ", ") + DescribeEsp(t);
  return out.empty() ? "none" : out;
}

// The ESP transforms of a proposal; the ones we cannot read are skipped.
std::vector<std::pair<size_t, EspTransform>> Read(const Proposal& p) {
  std::vector<std::pair<size_t, EspTransform>> out;
  for (size_t ti = 0; ti < p.transforms.size(); ++ti) {
    auto a = ParseIpsecAttributes(p.transforms[ti].attributes);
    if (!a || a->unknown_attribute) continue;
    out.push_back({ti, EspTransform{p.transforms[ti].id, *a}});
  }
  return out;
}

uint32_t SpiOf(const Proposal& p) {
  uint32_t spi = 0;
  for (uint8_t b : p.spi) spi = spi << 8 | b;
  return spi;
}

Bytes SpiBytes(uint32_t spi) {
  return {uint8_t(spi >> 24), uint8_t(spi >> 16), uint8_t(spi >> 8), uint8_t(spi)};
}

}  // namespace

Result<std::vector<EspTransform>> QuickModeTransformsFor(const std::vector<ipsec::Proposal>& esp,
                                                         uint16_t pfs_group, uint64_t life_seconds,
                                                         bool udp) {
  std::vector<EspTransform> out;
  for (const auto& p : esp) {
    std::vector<const ipsec::Transform*> ciphers, integs;
    // esp=...-esn (RFC 4304: the Extended Sequence Number attribute, whose
    // only value is 1; absent means 32-bit sequence numbers), -noesn or
    // both, in the order written.
    std::vector<bool> esns;
    for (const auto& t : p.transforms) {
      if (t.type == TransformType::kEncr && HasV1Form(t.id)) ciphers.push_back(&t);
      if (t.type == TransformType::kInteg && V1Auth(t.id)) integs.push_back(&t);
      if (t.type == TransformType::kEsn && t.id <= alg::esn::kYes)
        esns.push_back(t.id == alg::esn::kYes);
    }
    if (esns.empty()) esns.push_back(false);
    for (const ipsec::Transform* c : ciphers) {
      EspTransform e;
      e.cipher = static_cast<uint8_t>(c->id);
      e.attrs.encap_mode = udp ? encap::kUdpTunnel : encap::kTunnel;
      e.attrs.key_bits = c->key_length;
      e.attrs.group = pfs_group;
      e.attrs.life_seconds = life_seconds;
      auto add = [&](EspTransform x) {
        for (bool esn : esns) {
          x.attrs.esn = esn;
          out.push_back(x);
        }
      };
      if (IsAead(c->id)) {
        add(e);
        continue;
      }
      for (const ipsec::Transform* i : integs) {
        e.attrs.auth = V1Auth(i->id);
        add(e);
      }
    }
  }
  if (out.empty())
    return MakeError("no esp= proposal has an IKEv1 form (AES-CBC/GCM, 3DES or NULL with HMAC)");
  return out;
}

std::string DescribeEsp(const EspTransform& t) {
  auto v2 = ChildTransformsOf(t);
  std::string out = TransformToString({TransformType::kEncr, v2.encr, v2.encr_key_bits});
  if (v2.integ) out += "/" + TransformToString({TransformType::kInteg, v2.integ, 0});
  if (t.attrs.auth && !v2.integ) out += "/AUTH_" + std::to_string(t.attrs.auth);
  if (t.attrs.group) out += "+" + TransformToString({TransformType::kDh, t.attrs.group, 0});
  if (t.attrs.esn) out += "+ESN";
  return out;
}

ChildSaTransforms ChildTransformsOf(const EspTransform& t) {
  return ChildSaTransforms{t.cipher, t.attrs.key_bits, V2Integ(t.attrs.auth), t.attrs.esn};
}

SaPayload QuickModeOffer(const std::vector<EspTransform>& transforms, uint32_t spi) {
  Proposal p;
  p.number = 1;
  p.protocol = protocol::kEsp;
  p.spi = SpiBytes(spi);
  for (size_t i = 0; i < transforms.size(); ++i)
    p.transforms.push_back(Transform{static_cast<uint8_t>(i + 1), transforms[i].cipher,
                                     BuildIpsecAttributes(transforms[i].attrs)});
  SaPayload sa;
  sa.proposals.push_back(std::move(p));
  return sa;
}

Result<EspChoice> ChooseQuickMode(const SaPayload& offer, const std::vector<EspTransform>& ours) {
  std::vector<EspTransform> theirs;
  for (size_t pi = 0; pi < offer.proposals.size(); ++pi) {
    const Proposal& p = offer.proposals[pi];
    if (p.protocol != protocol::kEsp || p.spi.size() != 4) continue;
    for (const auto& [ti, t] : Read(p)) {
      theirs.push_back(t);
      for (const auto& o : ours)
        if (SameChoice(t, o)) return EspChoice{pi, ti, t, SpiOf(p)};
    }
  }
  return MakeError("no quick-mode proposal chosen: peer offered " + List(theirs) +
                   "; ours: " + List(ours));
}

SaPayload QuickModeAnswer(const SaPayload& offer, const EspChoice& choice, uint32_t our_spi) {
  SaPayload sa;
  sa.doi = offer.doi;
  sa.situation = offer.situation;
  Proposal p = offer.proposals.at(choice.proposal_index);
  p.transforms = {p.transforms.at(choice.transform_index)};
  p.spi = SpiBytes(our_spi);
  sa.proposals.push_back(std::move(p));
  return sa;
}

Result<EspChoice> CheckQuickModeAnswer(const SaPayload& answer,
                                       const std::vector<EspTransform>& offered) {
  if (answer.proposals.size() != 1 || answer.proposals[0].protocol != protocol::kEsp ||
      answer.proposals[0].spi.size() != 4 || answer.proposals[0].transforms.size() != 1)
    return MakeError("quick-mode answer must hold one ESP proposal with one transform and an SPI");
  auto got = Read(answer.proposals[0]);
  if (got.empty()) return MakeError("quick-mode answer: its transform cannot be read");
  for (const auto& o : offered)
    if (SameChoice(got[0].second, o))
      return EspChoice{0, 0, got[0].second, SpiOf(answer.proposals[0])};
  return MakeError("quick-mode answer " + DescribeEsp(got[0].second) + " was not offered (" +
                   List(offered) + ")");
}

}  // namespace ipsec::ike::v1
