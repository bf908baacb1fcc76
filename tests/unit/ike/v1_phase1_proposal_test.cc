// Phase-1 proposals: seed 003's ike=aes128-sha1;modp1024 and libreswan's
// aes256-sha2;modp2048 as IKEv1 transforms, the offer through the codec, the
// responder's choice and answer, the initiator's check, and a mismatch error
// that lists both sides.
#include <gtest/gtest.h>

#include "ike/constants.h"
#include "ike/v1/codec.h"
#include "ike/v1/phase1_proposal.h"

namespace ipsec::ike::v1 {
namespace {

ipsec::Proposal Ike(uint16_t encr_id, uint16_t bits, uint16_t prf_id, uint16_t group) {
  return ipsec::Proposal{ProtocolId::kIke,
                         {{TransformType::kEncr, encr_id, bits},
                          {TransformType::kInteg, integ::kHmacSha1_96, 0},
                          {TransformType::kPrf, prf_id, 0},
                          {TransformType::kDh, group, 0}}};
}

TEST(V1Phase1Proposal, ConnProposalsBecomeTransforms) {
  auto gcm = ipsec::Proposal{ProtocolId::kIke,
                             {{TransformType::kEncr, encr::kAesGcm16, 256},
                              {TransformType::kPrf, prf::kHmacSha2_256, 0},
                              {TransformType::kDh, dh::kModp2048, 0}}};
  auto ts = Phase1TransformsFor({Ike(encr::kAesCbc, 128, prf::kHmacSha1, dh::kModp1024), gcm,
                                 ipsec::Proposal{ProtocolId::kIke,
                                                 {{TransformType::kEncr, encr::kAesCbc, 256},
                                                  {TransformType::kEncr, encr::k3des, 0},
                                                  {TransformType::kPrf, prf::kHmacSha2_256, 0},
                                                  {TransformType::kDh, dh::kModp2048, 0}}}},
                                28800);
  ASSERT_TRUE(ts) << ts.error().message;
  ASSERT_EQ(ts->size(), 3u);  // GCM has no IKEv1 phase-1 form
  EXPECT_EQ(DescribePhase1((*ts)[0]), "AES_CBC_128/SHA1/MODP_1024");
  EXPECT_EQ(DescribePhase1((*ts)[1]), "AES_CBC_256/SHA2_256/MODP_2048");
  EXPECT_EQ(DescribePhase1((*ts)[2]), "3DES_CBC/SHA2_256/MODP_2048");
  EXPECT_EQ((*ts)[0].life_seconds, 28800u);
  EXPECT_EQ((*ts)[0].auth_method, p1auth::kPreSharedKey);
  auto none = Phase1TransformsFor({gcm}, 3600);
  ASSERT_FALSE(none);
  EXPECT_NE(none.error().message.find("no ike= proposal has an IKEv1 form"), std::string::npos);
}

TEST(V1Phase1Proposal, OfferChooseAnswerCheckThroughTheCodec) {
  auto initiator = Phase1TransformsFor({Ike(encr::kAesCbc, 256, prf::kHmacSha2_256, dh::kModp2048),
                                        Ike(encr::kAesCbc, 128, prf::kHmacSha1, dh::kModp1024)},
                                       28800);
  auto responder =
      Phase1TransformsFor({Ike(encr::kAesCbc, 128, prf::kHmacSha1, dh::kModp1024)}, 3600);
  ASSERT_TRUE(initiator && responder);

  Message m1;
  m1.header.cookie_i = 0x0102030405060708;
  m1.payloads = {{payload::kSa, Phase1Offer(*initiator), {}}};
  auto wire1 = Encode(m1);
  ASSERT_TRUE(wire1);
  auto got1 = Decode(*wire1);
  ASSERT_TRUE(got1) << got1.error().message;
  const auto& offer = std::get<SaPayload>(got1->payloads[0].body);
  ASSERT_EQ(offer.proposals[0].transforms.size(), 2u);

  auto choice = ChoosePhase1(offer, *responder);
  ASSERT_TRUE(choice) << choice.error().message;
  EXPECT_EQ(choice->transform_index, 1u);         // the initiator's second, the only one in common
  EXPECT_EQ(choice->attrs.life_seconds, 28800u);  // the peer's lifetime, as sent

  Message m2;
  m2.payloads = {{payload::kSa, Phase1Answer(offer, *choice), {}}};
  auto wire2 = Encode(m2);
  ASSERT_TRUE(wire2);
  auto got2 = Decode(*wire2);
  ASSERT_TRUE(got2);
  auto accepted = CheckPhase1Answer(std::get<SaPayload>(got2->payloads[0].body), *initiator);
  ASSERT_TRUE(accepted) << accepted.error().message;
  EXPECT_EQ(DescribePhase1(*accepted), "AES_CBC_128/SHA1/MODP_1024");

  // An answer the initiator never offered, or two transforms, is refused.
  auto other = Phase1TransformsFor({Ike(encr::kAesCbc, 192, prf::kHmacSha1, dh::kModp1024)}, 0);
  ASSERT_TRUE(other);
  auto forged = CheckPhase1Answer(Phase1Offer(*other), *initiator);
  ASSERT_FALSE(forged);
  EXPECT_NE(forged.error().message.find("AES_CBC_192/SHA1/MODP_1024 was not offered"),
            std::string::npos);
  EXPECT_FALSE(CheckPhase1Answer(offer, *initiator));
}

TEST(V1Phase1Proposal, MismatchListsBothSides) {
  auto theirs =
      Phase1TransformsFor({Ike(encr::kAesCbc, 128, prf::kHmacSha1, dh::kModp1024)}, 28800);
  auto ours =
      Phase1TransformsFor({Ike(encr::kAesCbc, 256, prf::kHmacSha2_256, dh::kModp2048)}, 28800);
  ASSERT_TRUE(theirs && ours);
  auto r = ChoosePhase1(Phase1Offer(*theirs), *ours);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message,
            "no phase-1 proposal chosen: peer offered AES_CBC_128/SHA1/MODP_1024; ours: "
            "AES_CBC_256/SHA2_256/MODP_2048");
  // Another authentication method (XAUTH PSK) is not ours even if the rest matches.
  auto xauth = *theirs;
  xauth[0].auth_method = p1auth::kXauthInitPreShared;
  EXPECT_FALSE(ChoosePhase1(Phase1Offer(xauth), *theirs));
}

}  // namespace
}  // namespace ipsec::ike::v1
