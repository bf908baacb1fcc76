// Proposal selection and its readable mismatch text, traffic selector
// narrowing, and ID matching, without any exchange around them.
#include <gtest/gtest.h>

#include "config/values.h"
#include "engine/identity.h"
#include "engine/proposals.h"
#include "engine/traffic_selectors.h"
#include "ike/constants.h"

namespace ipsec::engine {
namespace {

Transform E(uint16_t id, uint16_t bits = 0) {
  return {TransformType::kEncr, id, bits};
}
Transform Pr(uint16_t id) {
  return {TransformType::kPrf, id, 0};
}
Transform I(uint16_t id) {
  return {TransformType::kInteg, id, 0};
}
Transform D(uint16_t id) {
  return {TransformType::kDh, id, 0};
}

ike::SaProposal Offer(uint8_t n, Proposal p) {
  return ike::SaProposal{n, {}, std::move(p)};
}

TEST(EngineProposals, PicksInOurPreferenceOrderAndPeersNumber) {
  std::vector<Proposal> ours = {
      {ProtocolId::kIke,
       {E(ike::encr::kAesGcm16, 256), Pr(ike::prf::kHmacSha2_384), D(ike::dh::kEcp384)}},
      {ProtocolId::kIke,
       {E(ike::encr::kAesCbc, 128), I(ike::integ::kHmacSha1_96), Pr(ike::prf::kHmacSha1),
        D(ike::dh::kModp2048)}}};
  std::vector<ike::SaProposal> theirs = {
      Offer(1, {ProtocolId::kIke,
                {E(ike::encr::kAesCbc, 128), I(ike::integ::kHmacSha1_96), Pr(ike::prf::kHmacSha1),
                 D(ike::dh::kModp2048)}}),
      Offer(2, {ProtocolId::kIke,
                {E(ike::encr::kAesGcm16, 128), E(ike::encr::kAesGcm16, 256),
                 Pr(ike::prf::kHmacSha2_384), D(ike::dh::kEcp256), D(ike::dh::kEcp384)}})};
  auto r = SelectProposal(ours, theirs, false);
  ASSERT_TRUE(r.chosen);
  EXPECT_EQ(r.peer_number, 2);
  EXPECT_EQ(ProposalToString(*r.chosen), "AES_GCM_16_256/PRF_HMAC_SHA2_384/ECP_384");
  EXPECT_TRUE(ChoiceMatchesOffer(ours, *r.chosen, false));
}

TEST(EngineProposals, PrefersThePeersKeGroupWhenAcceptable) {
  std::vector<Proposal> ours = {{ProtocolId::kIke,
                                 {E(ike::encr::kAesGcm16, 256), Pr(ike::prf::kHmacSha2_256),
                                  D(ike::dh::kCurve25519), D(ike::dh::kModp2048)}}};
  std::vector<ike::SaProposal> theirs = {Offer(1, ours[0])};
  auto r = SelectProposal(ours, theirs, false, ike::dh::kModp2048);
  ASSERT_TRUE(r.chosen);
  EXPECT_EQ(FirstDhGroup({*r.chosen}), ike::dh::kModp2048);
  r = SelectProposal(ours, theirs, false, ike::dh::kEcp521);  // not acceptable: our first
  ASSERT_TRUE(r.chosen);
  EXPECT_EQ(FirstDhGroup({*r.chosen}), ike::dh::kCurve25519);
}

TEST(EngineProposals, MismatchNamesEveryFailingTypeWithBothSides) {
  std::vector<Proposal> ours = {
      {ProtocolId::kIke,
       {E(ike::encr::kAesGcm16, 256), Pr(ike::prf::kHmacSha2_384), D(ike::dh::kEcp384)}}};
  std::vector<ike::SaProposal> theirs = {
      Offer(1, {ProtocolId::kIke,
                {E(ike::encr::kAesCbc, 256), I(ike::integ::kHmacSha1_96),
                 Pr(ike::prf::kHmacSha2_384), D(ike::dh::kModp1024)}})};
  auto r = SelectProposal(ours, theirs, false);
  ASSERT_FALSE(r.chosen);
  EXPECT_EQ(r.mismatch,
            "no common encryption algorithm: peer offered AES_CBC_256, we accept AES_GCM_16_256; "
            "no common integrity algorithm: peer offered HMAC_SHA1_96, we accept INTEG_NONE; "
            "no common DH group: peer offered MODP_1024, we accept ECP_384");
}

TEST(EngineProposals, EspIgnoresDhInIkeAuthAndTreatsMissingEsnAsNo) {
  std::vector<Proposal> ours = {
      {ProtocolId::kEsp, {E(ike::encr::kAesGcm16, 128), D(ike::dh::kEcp256)}}};
  std::vector<ike::SaProposal> theirs = {ike::SaProposal{
      1,
      {1, 2, 3, 4},
      {ProtocolId::kEsp, {E(ike::encr::kAesGcm16, 128), {TransformType::kEsn, 0, 0}}}}};
  auto r = SelectProposal(ours, theirs, /*ignore_dh=*/true);
  ASSERT_TRUE(r.chosen);
  EXPECT_EQ(ProposalToString(*r.chosen), "AES_GCM_16_128/NO_EXT_SEQ");
  EXPECT_EQ(r.peer_spi, (ike::Bytes{1, 2, 3, 4}));
  // Outside IKE_AUTH the peer's missing DH means no PFS, which we refuse.
  r = SelectProposal(ours, theirs, false);
  EXPECT_FALSE(r.chosen);
  EXPECT_EQ(r.mismatch, "no common DH group: peer offered DH_NONE, we accept ECP_256");
}

TEST(EngineProposals, RejectsChoiceWeDidNotOffer) {
  std::vector<Proposal> ours = {{ProtocolId::kEsp, {E(ike::encr::kAesGcm16, 256)}}};
  EXPECT_FALSE(ChoiceMatchesOffer(ours, {ProtocolId::kEsp, {E(ike::encr::kAesGcm16, 128)}}, true));
  EXPECT_FALSE(ChoiceMatchesOffer(
      ours, {ProtocolId::kEsp, {E(ike::encr::kAesGcm16, 256), E(ike::encr::kAesGcm16, 128)}},
      true));
  EXPECT_TRUE(ChoiceMatchesOffer(ours, {ProtocolId::kEsp, {E(ike::encr::kAesGcm16, 256)}}, true));
}

TEST(EngineTrafficSelectors, NarrowsToTheSmallerSideAndRejectsDisjoint) {
  auto p = [](const char* s) { return *IpPrefix::Parse(s); };
  auto wide = ike::MakeTrafficSelector(p("10.0.0.0/8"));
  auto narrow = ike::MakeTrafficSelector(p("10.2.3.0/24"));
  EXPECT_EQ(Narrow(wide, p("10.2.0.0/16")), p("10.2.0.0/16"));
  EXPECT_EQ(Narrow(narrow, p("10.2.0.0/16")), p("10.2.3.0/24"));
  EXPECT_FALSE(Narrow(narrow, p("10.9.0.0/16")));
  EXPECT_FALSE(Narrow(wide, p("2001:db8::/32")));
  auto tcp = ike::MakeTrafficSelector(p("10.0.0.0/8"), 6, 80, 80);
  EXPECT_FALSE(Narrow(tcp, p("10.2.0.0/16")));
  EXPECT_EQ(NarrowAny({tcp, wide}, p("10.2.0.0/16")), p("10.2.0.0/16"));
  EXPECT_EQ(RangeToPrefix(narrow), p("10.2.3.0/24"));
  // A packet-triggered host selector first, the subnet second: the subnet wins.
  auto host = ike::MakeTrafficSelector(p("10.2.0.9/32"));
  EXPECT_EQ(NarrowAny({host, wide}, p("10.2.0.0/16")), p("10.2.0.0/16"));
}

config::Identity Id(std::string_view text) {
  auto id = config::ParseIdentity(text, nullptr);
  return id ? *id : config::Identity{};
}

TEST(EngineIdentity, TypedIdentitiesAndMatching) {
  auto host = *IpAddress::Parse("192.0.2.1");
  EXPECT_EQ(IdPayloadOf(Id(""), host).id_type, ike::IdType::kIpv4Addr);
  EXPECT_EQ(IdPayloadOf(Id("@vpn.example.org"), host), ike::MakeIdFqdn("vpn.example.org"));
  EXPECT_EQ(IdPayloadOf(Id("2001:db8::1"), host).id_type, ike::IdType::kIpv6Addr);
  EXPECT_TRUE(IdMatches(Id("@VPN.example.org"), host, ike::MakeIdFqdn("vpn.EXAMPLE.org")));
  EXPECT_FALSE(IdMatches(Id("@vpn.example.org"), host, ike::MakeIdFqdn("other.example.org")));
  EXPECT_TRUE(IdMatches(Id(""), host, ike::MakeIdFromAddress(host)));
  EXPECT_FALSE(IdMatches(Id(""), host, ike::MakeIdFqdn("x")));
  EXPECT_TRUE(IdMatches(Id(""), IpAddress(), ike::MakeIdFqdn("x")));  // right=%any
  EXPECT_TRUE(IdMatches(Id("%any"), host, ike::MakeIdFqdn("x")));
  EXPECT_EQ(IdPayloadOf(Id("user@example.org"), host).id_type, ike::IdType::kRfc822Addr);
  EXPECT_TRUE(IdMatches(Id("user@example.org"), host, IdPayloadOf(Id("User@Example.org"), host)));
  // A DN with "*" values matches attribute by attribute and is not exact.
  const auto dn = Id("C=CH, O=Example, CN=*");
  EXPECT_FALSE(IdIsExact(dn));
  EXPECT_TRUE(IdIsExact(Id("C=CH, O=Example, CN=moon")));
  EXPECT_TRUE(IdMatches(dn, host, IdPayloadOf(Id("C=CH, O=Example, CN=moon"), host)));
  EXPECT_FALSE(IdMatches(dn, host, IdPayloadOf(Id("C=CH, O=Other, CN=moon"), host)));
}

// What the secrets lookup is given for a received ID: the typed identity
// an ipsec.secrets line would name.
TEST(EngineIdentity, ReceivedIdAsIdentity) {
  auto host = *IpAddress::Parse("192.0.2.1");
  using K = config::Identity::Kind;
  EXPECT_EQ(IdentityOf(ike::MakeIdFromAddress(host)), config::Identity::FromAddress(host));
  auto fqdn = IdentityOf(ike::MakeIdFqdn("vpn.example.org"));
  EXPECT_EQ(fqdn.kind, K::kFqdn);
  EXPECT_EQ(fqdn.name, "vpn.example.org");
  EXPECT_EQ(IdentityOf(IdPayloadOf(Id("user@example.org"), host)).kind, K::kUserFqdn);
  auto dn = IdentityOf(IdPayloadOf(Id("C=CH, O=Example, CN=moon"), host));
  EXPECT_EQ(dn.kind, K::kDn);
  EXPECT_TRUE(dn.Matches(Id("C=CH, O=Example, CN=moon")));
}

}  // namespace
}  // namespace ipsec::engine
