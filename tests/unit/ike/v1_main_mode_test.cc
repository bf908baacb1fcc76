// Main mode (RFC 2409 5) between our initiator and our responder, message
// by message: both ends derive the same phase-1 keys and IV chain; NAT-D
// sees a translated address; a forged or garbled message changes nothing
// (the genuine one still completes); a retransmitted request gets the same
// answer; a different pre-shared key, a proposal mismatch, an unexpected
// peer ID and an out-of-order message are refused with a line that says so.
#include <gtest/gtest.h>

#include "ike/constants.h"
#include "ike/v1/codec.h"
#include "ike/v1/main_mode.h"
#include "ike/v1/phase1_proposal.h"
#include "v1_test_peers.h"

namespace ipsec::ike::v1 {
namespace {

bool Has(const Result<Bytes>& r, const std::string& text) {
  return !r && r.error().message.find(text) != std::string::npos;
}

TEST(V1MainMode, BothEndsDeriveTheSameSa) {
  Pair p;
  Bytes m6 = RunTo(p, 6);
  ASSERT_TRUE(p.i.Receive(m6));
  ASSERT_TRUE(p.i.established());
  ASSERT_TRUE(p.r.established());
  const Phase1Sa& a = p.i.sa();
  const Phase1Sa& b = p.r.sa();
  EXPECT_NE(a.cookie_i, 0u);
  EXPECT_NE(a.cookie_r, 0u);
  EXPECT_EQ(a.cookie_i, b.cookie_i);
  EXPECT_EQ(a.cookie_r, b.cookie_r);
  // The responder preferred AES-128 but answers with the first of the initiator's it accepts.
  EXPECT_EQ(DescribePhase1(a.transform), "AES_CBC_256/SHA2_256/MODP_2048");
  EXPECT_EQ(a.transform, b.transform);
  EXPECT_EQ(a.keys.skeyid_d.size(), 32u);
  EXPECT_TRUE(a.keys.skeyid_d == b.keys.skeyid_d);
  EXPECT_TRUE(a.keys.skeyid_a == b.keys.skeyid_a);
  EXPECT_TRUE(a.keys.encr_key == b.keys.encr_key);
  EXPECT_EQ(a.keys.encr_key.size(), 32u);
  EXPECT_EQ(a.last_block.size(), 16u);
  EXPECT_EQ(a.last_block, b.last_block);  // quick mode's IVs start from it on both ends
  EXPECT_EQ(a.peer_id, AddressId("198.51.100.2"));
  EXPECT_EQ(b.peer_id, AddressId("192.0.2.1"));
  EXPECT_TRUE(a.peer_nat_t && b.peer_nat_t && a.peer_dpd && b.peer_dpd);
  EXPECT_FALSE(a.local_behind_nat || a.remote_behind_nat || b.local_behind_nat ||
               b.remote_behind_nat);
  // Messages 5 and 6 travel encrypted.
  auto d6 = Decode(m6);
  ASSERT_TRUE(d6);
  EXPECT_TRUE(d6->header.encrypted());
  EXPECT_TRUE(d6->payloads.empty());
}

TEST(V1MainMode, NatDSeesTheTranslatedInitiator) {
  auto ip = InitiatorParams();
  ip.local = At("10.1.1.5", 500);  // a private address the NAT rewrites
  auto rp = ResponderParams();
  rp.remote = At("192.0.2.1", 4501);
  Pair p(ip, rp);
  ASSERT_TRUE(p.i.Receive(RunTo(p, 6)));
  EXPECT_TRUE(p.i.sa().local_behind_nat);
  EXPECT_FALSE(p.i.sa().remote_behind_nat);
  EXPECT_TRUE(p.r.sa().remote_behind_nat);
  EXPECT_FALSE(p.r.sa().local_behind_nat);
}

TEST(V1MainMode, ForgedMessage5ChangesNothing) {
  Pair p;
  Bytes m5 = RunTo(p, 5);
  Bytes forged = m5;
  forged[forged.size() - 20] ^= 0x40;  // inside the ciphertext
  auto refused = p.r.Receive(forged);
  ASSERT_FALSE(refused);
  EXPECT_FALSE(p.r.established());
  auto m6 = p.r.Receive(m5);  // the genuine message still completes
  ASSERT_TRUE(m6) << m6.error().message;
  ASSERT_TRUE(p.i.Receive(*m6));
  EXPECT_TRUE(p.i.established());
  EXPECT_TRUE(p.i.sa().keys.skeyid_a == p.r.sa().keys.skeyid_a);
}

TEST(V1MainMode, GarbledMessage6IsRefusedAndTheGenuineOneAccepted) {
  Pair p;
  Bytes m6 = RunTo(p, 6);
  Bytes bad = m6;
  bad.back() ^= 1;
  EXPECT_FALSE(p.i.Receive(bad));
  EXPECT_FALSE(p.i.established());
  ASSERT_TRUE(p.i.Receive(m6));
  EXPECT_TRUE(p.i.established());
}

TEST(V1MainMode, ARetransmittedRequestGetsTheSameAnswer) {
  Pair p;
  Bytes m3 = RunTo(p, 3);
  auto m4 = p.r.Receive(m3);
  auto again = p.r.Receive(m3);
  ASSERT_TRUE(m4 && again);
  EXPECT_EQ(*m4, *again);
  auto m5 = p.i.Receive(*m4);
  ASSERT_TRUE(m5);
  auto m6 = p.r.Receive(*m5);
  auto m6again = p.r.Receive(*m5);  // also after the responder is done
  ASSERT_TRUE(m6 && m6again);
  EXPECT_EQ(*m6, *m6again);
  EXPECT_EQ(p.i.last_sent(), *m5);
}

TEST(V1MainMode, DifferentPreSharedKeysAreNamed) {
  auto rp = ResponderParams();
  rp.psk = Psk("another secret");
  Pair p(InitiatorParams(), rp);
  Bytes m5 = RunTo(p, 4);
  auto i5 = p.i.Receive(m5);
  ASSERT_TRUE(i5);
  auto r = p.r.Receive(*i5);
  EXPECT_TRUE(Has(r, "pre-shared keys differ")) << (r ? "accepted" : r.error().message);
  EXPECT_TRUE(Has(r, "main mode message 5"));
  EXPECT_FALSE(p.r.established());
}

TEST(V1MainMode, ProposalMismatchListsBothSides) {
  auto rp = ResponderParams();
  rp.transforms = Transforms(encr::k3des, 0, prf::kHmacSha1, dh::kModp1536);
  Pair p(InitiatorParams(), rp);
  auto m1 = p.i.Start();
  ASSERT_TRUE(m1);
  auto r = p.r.Receive(*m1);
  EXPECT_TRUE(Has(r, "main mode message 1")) << (r ? "accepted" : r.error().message);
  EXPECT_TRUE(Has(r, "AES_CBC_256/SHA2_256/MODP_2048"));
  EXPECT_TRUE(Has(r, "3DES_CBC/SHA1/MODP_1536"));
}

TEST(V1MainMode, UnexpectedPeerIdIsRefused) {
  auto rp = ResponderParams();
  rp.expected_peer_id = AddressId("192.0.2.99");
  Pair p(InitiatorParams(), rp);
  Bytes m5 = RunTo(p, 4);
  auto i5 = p.i.Receive(m5);
  ASSERT_TRUE(i5);
  EXPECT_TRUE(Has(p.r.Receive(*i5), "not the configured rightid"));
}

TEST(V1MainMode, OutOfOrderAndForeignMessagesAreRefused) {
  Pair p;
  Bytes m3 = RunTo(p, 3);
  // Message 3 before the responder saw message 1 (another responder's state).
  MainModeResponder fresh(ResponderParams(), p.random);
  EXPECT_FALSE(fresh.Receive(m3));
  // A message 2 the initiator did not ask for: wrong cookie.
  Pair other;
  Bytes m2 = RunTo(other, 2);
  EXPECT_TRUE(Has(p.i.Receive(m2), "not ours"));
  // Its own message 3 reflected to the initiator, which expects message 4.
  EXPECT_TRUE(Has(p.i.Receive(m3), "reflected"));
  // Message 6 before message 4.
  Pair third;
  Bytes m6 = RunTo(third, 6);
  MainModeInitiator early(InitiatorParams(), p.random);
  EXPECT_FALSE(early.Receive(m6));
}

}  // namespace
}  // namespace ipsec::ike::v1
