// Whole exchanges between two engines: establishment, several subnets,
// INVALID_KE_PAYLOAD, the clear error lines, deletes, DPD, rekey, bad input.
#include "fixture.h"

namespace ipsec::engine::test {
namespace {

using kernel::Direction;

TEST_F(EngineTest, InitSaAndAuthEstablishMatchingChildSas) {
  Load(a, AtoB());
  Load(b, BtoA());
  ASSERT_TRUE(a.engine.Initiate("site").ok());
  ASSERT_TRUE(net.Run(Millis(5000)));

  EXPECT_EQ(Established(a), 1u) << a.log.Errors();
  EXPECT_EQ(Established(b), 1u) << b.log.Errors();
  ExpectMatchingChildren(a, b, 1);
  // SPIs swapped: A's outbound is B's inbound and vice versa.
  auto sa = a.engine.Status().ike_sas.at(0);
  auto sb = b.engine.Status().ike_sas.at(0);
  EXPECT_TRUE(sa.initiator);
  EXPECT_FALSE(sb.initiator);
  EXPECT_EQ(sa.spi_i, sb.spi_i);
  EXPECT_EQ(sa.spi_r, sb.spi_r);
  ASSERT_EQ(sa.children.size(), 1u);
  ASSERT_EQ(sb.children.size(), 1u);
  EXPECT_EQ(sa.children[0].outbound_spi, sb.children[0].inbound_spi);
  EXPECT_EQ(sa.children[0].inbound_spi, sb.children[0].outbound_spi);
  EXPECT_EQ(sa.children[0].state, "INSTALLED");
  EXPECT_EQ(sa.local_id, "192.0.2.1");
  EXPECT_EQ(sa.remote_id, "192.0.2.2");
  EXPECT_EQ(sa.local_auth, "psk");
  EXPECT_EQ(sa.remote_auth, "psk");
  EXPECT_EQ(sb.local_auth, "psk");
  EXPECT_EQ(sb.remote_auth, "psk");
  EXPECT_EQ(sa.remote_cert, "");
  EXPECT_EQ(sa.algorithms, "AES_GCM_16_256/PRF_HMAC_SHA2_256/CURVE_25519");
  EXPECT_EQ(sa.children[0].algorithms, "AES_GCM_16_256/NO_EXT_SEQ");
  // The inbound SA admits only the child's traffic.
  const auto* in = a.kernel.FindSa(sa.children[0].inbound_spi, Direction::kIn);
  ASSERT_NE(in, nullptr);
  EXPECT_EQ(in->selectors[0].src, Net("10.2.0.0/24"));
  EXPECT_EQ(in->selectors[0].dst, Net("10.1.0.0/24"));
  EXPECT_EQ(in->src, b.addr);
  EXPECT_EQ(in->dst, a.addr);
  EXPECT_EQ(in->reqid, sa.children[0].reqid);
  EXPECT_FALSE(in->encap_sport.has_value());
  EXPECT_EQ(in->replay_window, 1024u);  // no replay_window= in the config
  // One outbound policy per side, in its own direction.
  EXPECT_EQ(a.kernel.policies().size(), 1u);
  EXPECT_TRUE(HasPolicy(a, "10.1.0.0/24", "10.2.0.0/24"));
  EXPECT_TRUE(HasPolicy(b, "10.2.0.0/24", "10.1.0.0/24"));
  EXPECT_EQ(a.engine.Status().counters.retransmits, 0u);
  EXPECT_EQ(a.engine.Status().counters.ike_sas_established, 1u);
  EXPECT_EQ(b.engine.Status().counters.child_sas_installed, 1u);
}

TEST_F(EngineTest, CbcProposalsWithFqdnIdsAndIpv6) {
  auto ca =
      Conn("v6", Ip("2001:db8::1"), Ip("2001:db8::2"), {Net("fd00:1::/64")}, {Net("fd00:2::/64")});
  auto cb =
      Conn("v6", Ip("2001:db8::2"), Ip("2001:db8::1"), {Net("fd00:2::/64")}, {Net("fd00:1::/64")});
  ca.local.id = Id("@a.example.org");
  ca.remote.id = Id("@b.example.org");
  cb.local.id = Id("@b.example.org");
  cb.remote.id = Id("@a.example.org");
  Proposal ike =
      P(ProtocolId::kIke, {Encr(ike::encr::kAesCbc, 128), Integ(ike::integ::kHmacSha1_96),
                           Prf(ike::prf::kHmacSha1), Dh(ike::dh::kModp2048)});
  Proposal esp =
      P(ProtocolId::kEsp, {Encr(ike::encr::kAesCbc, 256), Integ(ike::integ::kHmacSha2_256_128)});
  ca.ike_proposals = cb.ike_proposals = {ike};
  ca.esp_proposals = cb.esp_proposals = {esp};
  a.secrets.any_psk.clear();
  b.secrets.any_psk.clear();
  a.secrets.by_ids[{"a.example.org", "b.example.org"}] = "fqdn secret";
  b.secrets.by_ids[{"b.example.org", "a.example.org"}] = "fqdn secret";
  Peer a6(net, clock, "A6", Ip("2001:db8::1"), 11, 0x3000);
  Peer b6(net, clock, "B6", Ip("2001:db8::2"), 12, 0x4000);
  a6.secrets = a.secrets;
  b6.secrets = b.secrets;
  net.Attach(&a6);
  net.Attach(&b6);
  ASSERT_TRUE(a6.engine.LoadConnections({ca}).ok());
  ASSERT_TRUE(b6.engine.LoadConnections({cb}).ok());
  ASSERT_TRUE(a6.engine.Initiate("v6").ok());
  ASSERT_TRUE(net.Run(Millis(5000)));
  ASSERT_EQ(Established(a6), 1u) << a6.log.Errors() << b6.log.Errors();
  ExpectMatchingChildren(a6, b6, 1);
  auto st = a6.engine.Status().ike_sas.at(0);
  EXPECT_EQ(st.remote_id, "b.example.org");
  EXPECT_EQ(st.algorithms, "AES_CBC_128/HMAC_SHA1_96/PRF_HMAC_SHA1/MODP_2048");
  EXPECT_EQ(st.children.at(0).algorithms, "AES_CBC_256/HMAC_SHA2_256_128/NO_EXT_SEQ");
  const auto* out = a6.kernel.FindSa(st.children[0].outbound_spi, Direction::kOut);
  ASSERT_NE(out, nullptr);
  EXPECT_EQ(out->enc_key.size(), 32u);
  EXPECT_EQ(out->auth_key.size(), 32u);
}

TEST_F(EngineTest, ReplayWindowFromTheConfigReachesTheInboundSa) {
  Connection ca = AtoB();
  ca.replay_window = 64;
  Connection cb = BtoA();
  cb.replay_window = 0;  // replay protection off on b's side only
  Load(a, ca);
  Load(b, cb);
  ASSERT_TRUE(a.engine.Initiate("site").ok());
  ASSERT_TRUE(net.Run(Millis(5000)));
  ASSERT_EQ(Established(a), 1u) << a.log.Errors();
  const auto ch_a = a.engine.Status().ike_sas.at(0).children.at(0);
  const auto ch_b = b.engine.Status().ike_sas.at(0).children.at(0);
  const auto* in_a = a.kernel.FindSa(ch_a.inbound_spi, Direction::kIn);
  const auto* in_b = b.kernel.FindSa(ch_b.inbound_spi, Direction::kIn);
  ASSERT_NE(in_a, nullptr);
  ASSERT_NE(in_b, nullptr);
  EXPECT_EQ(in_a->replay_window, 64u);
  EXPECT_EQ(in_b->replay_window, 0u);
}

TEST_F(EngineTest, TwoByTwoSubnetsGiveFourChildSasOnOneIkeSa) {
  Load(a,
       AtoB({Net("10.1.0.0/24"), Net("10.11.0.0/24")}, {Net("10.2.0.0/24"), Net("10.22.0.0/24")}));
  Load(b,
       BtoA({Net("10.2.0.0/24"), Net("10.22.0.0/24")}, {Net("10.1.0.0/24"), Net("10.11.0.0/24")}));
  ASSERT_TRUE(a.engine.Initiate("site").ok());
  ASSERT_TRUE(net.Run(Millis(5000)));
  ASSERT_EQ(a.engine.Status().ike_sas.size(), 1u);
  EXPECT_EQ(a.engine.Status().ike_sas[0].children.size(), 4u);
  EXPECT_EQ(b.engine.Status().ike_sas[0].children.size(), 4u);
  ExpectMatchingChildren(a, b, 4);
  for (auto [l, r] : {std::pair{"10.1.0.0/24", "10.2.0.0/24"},
                      {"10.1.0.0/24", "10.22.0.0/24"},
                      {"10.11.0.0/24", "10.2.0.0/24"},
                      {"10.11.0.0/24", "10.22.0.0/24"}}) {
    EXPECT_TRUE(HasPolicy(a, l, r)) << l << " === " << r;
    EXPECT_TRUE(HasPolicy(b, r, l)) << r << " === " << l;
  }
  // Four distinct reqids, the same on both sides for the same pair.
  std::set<uint32_t> reqids;
  for (const auto& [i, p] : a.kernel.policies()) reqids.insert(p.reqid);
  EXPECT_EQ(reqids.size(), 4u);
}

TEST_F(EngineTest, PfsGroupUsedForCreateChildSa) {
  auto ca = AtoB({Net("10.1.0.0/24")}, {Net("10.2.0.0/24"), Net("10.22.0.0/24")});
  auto cb = BtoA({Net("10.2.0.0/24"), Net("10.22.0.0/24")}, {Net("10.1.0.0/24")});
  Proposal esp = P(ProtocolId::kEsp, {Encr(ike::encr::kAesGcm16, 128), Dh(ike::dh::kEcp256)});
  ca.esp_proposals = cb.esp_proposals = {esp};
  Load(a, ca);
  Load(b, cb);
  ASSERT_TRUE(a.engine.Initiate("site").ok());
  ASSERT_TRUE(net.Run(Millis(5000)));
  ExpectMatchingChildren(a, b, 2);
  auto st = a.engine.Status().ike_sas.at(0);
  ASSERT_EQ(st.children.size(), 2u);
  // The IKE_AUTH child carries no DH; the CREATE_CHILD_SA one does.
  EXPECT_EQ(st.children[0].algorithms, "AES_GCM_16_128/NO_EXT_SEQ");
  EXPECT_EQ(st.children[1].algorithms, "AES_GCM_16_128/ECP_256/NO_EXT_SEQ");
}

// pfs=yes with the default groups copied from ike= offers several groups in
// CREATE_CHILD_SA. The KE is in the IKE SA's group (libreswan's choice too,
// and libreswan 4.10 answers any other group with INVALID_SYNTAX), not in
// the first group offered.
TEST_F(EngineTest, CreateChildSaKeUsesTheIkeSasGroupWhenOffered) {
  auto ca = AtoB({Net("10.1.0.0/24")}, {Net("10.2.0.0/24"), Net("10.22.0.0/24")});
  auto cb = BtoA({Net("10.2.0.0/24"), Net("10.22.0.0/24")}, {Net("10.1.0.0/24")});
  ca.ike_proposals = {
      P(ProtocolId::kIke, {Encr(ike::encr::kAesGcm16, 128), Prf(ike::prf::kHmacSha2_256),
                           Dh(ike::dh::kCurve25519), Dh(ike::dh::kEcp256)})};
  cb.ike_proposals = {P(ProtocolId::kIke, {Encr(ike::encr::kAesGcm16, 128),
                                           Prf(ike::prf::kHmacSha2_256), Dh(ike::dh::kEcp256)})};
  ca.esp_proposals = {P(ProtocolId::kEsp, {Encr(ike::encr::kAesGcm16, 128),
                                           Dh(ike::dh::kCurve25519), Dh(ike::dh::kEcp256)})};
  cb.esp_proposals = {P(ProtocolId::kEsp, {Encr(ike::encr::kAesGcm16, 128), Dh(ike::dh::kEcp256)})};
  Load(a, ca);
  Load(b, cb);
  ASSERT_TRUE(a.engine.Initiate("site").ok());
  ASSERT_TRUE(net.Run(Millis(5000)));
  ExpectMatchingChildren(a, b, 2);
  auto st = a.engine.Status().ike_sas.at(0);
  EXPECT_EQ(st.algorithms, "AES_GCM_16_128/PRF_HMAC_SHA2_256/ECP_256");
  ASSERT_EQ(st.children.size(), 2u);
  EXPECT_EQ(st.children[1].algorithms, "AES_GCM_16_128/ECP_256/NO_EXT_SEQ");
  // No INVALID_KE_PAYLOAD round trip for the child SA.
  EXPECT_FALSE(a.log.Contains("peer wants PFS group")) << a.log.Errors();
}

// Default PFS (no pfs= line) offers each ESP proposal with the IKE groups and
// then without (config/conn_builder.cc). A peer on strongSwan's defaults
// (esp= without a group) picks the one without: our KE is ignored and the
// CREATE_CHILD_SA child installs, in either role.
TEST_F(EngineTest, DefaultPfsFallsBackToAPeerWithoutPfsAsInitiator) {
  auto ca = AtoB({Net("10.1.0.0/24")}, {Net("10.2.0.0/24"), Net("10.22.0.0/24")});
  auto cb = BtoA({Net("10.2.0.0/24"), Net("10.22.0.0/24")}, {Net("10.1.0.0/24")});
  Proposal gcm = P(ProtocolId::kEsp, {Encr(ike::encr::kAesGcm16, 128)});
  ca.esp_proposals = {P(ProtocolId::kEsp, {Encr(ike::encr::kAesGcm16, 128), Dh(ike::dh::kEcp256)}),
                      gcm};
  cb.esp_proposals = {gcm};
  Load(a, ca);
  Load(b, cb);
  ASSERT_TRUE(a.engine.Initiate("site").ok());
  ASSERT_TRUE(net.Run(Millis(5000)));
  ExpectMatchingChildren(a, b, 2);
  auto st = a.engine.Status().ike_sas.at(0);
  ASSERT_EQ(st.children.size(), 2u);
  EXPECT_EQ(st.children[1].algorithms, "AES_GCM_16_128/NO_EXT_SEQ");
  EXPECT_TRUE(a.log.Contains("peer chose a proposal without PFS")) << a.log.Errors();
}

TEST_F(EngineTest, DefaultPfsFallsBackToAPeerWithoutPfsAsResponder) {
  auto ca = AtoB({Net("10.1.0.0/24"), Net("10.11.0.0/24")}, {Net("10.2.0.0/24")});
  auto cb = BtoA({Net("10.2.0.0/24")}, {Net("10.1.0.0/24"), Net("10.11.0.0/24")});
  Proposal gcm = P(ProtocolId::kEsp, {Encr(ike::encr::kAesGcm16, 128)});
  ca.esp_proposals = {gcm};
  cb.esp_proposals = {P(ProtocolId::kEsp, {Encr(ike::encr::kAesGcm16, 128), Dh(ike::dh::kEcp256)}),
                      gcm};
  Load(a, ca);
  Load(b, cb);
  ASSERT_TRUE(a.engine.Initiate("site").ok());
  ASSERT_TRUE(net.Run(Millis(5000)));
  ExpectMatchingChildren(a, b, 2);
  EXPECT_EQ(b.engine.Status().ike_sas.at(0).children.size(), 2u);
}

TEST_F(EngineTest, InvalidKePayloadRetriesWithPeersGroup) {
  auto ca = AtoB();
  auto cb = BtoA();
  ca.ike_proposals = {
      P(ProtocolId::kIke, {Encr(ike::encr::kAesGcm16, 256), Prf(ike::prf::kHmacSha2_256),
                           Dh(ike::dh::kEcp256), Dh(ike::dh::kModp2048)})};
  cb.ike_proposals = {P(ProtocolId::kIke, {Encr(ike::encr::kAesGcm16, 256),
                                           Prf(ike::prf::kHmacSha2_256), Dh(ike::dh::kModp2048)})};
  Load(a, ca);
  Load(b, cb);
  ASSERT_TRUE(a.engine.Initiate("site").ok());
  ASSERT_TRUE(net.Run(Millis(5000)));
  ASSERT_EQ(Established(a), 1u) << a.log.Errors() << b.log.Errors();
  EXPECT_TRUE(a.log.Contains("INVALID_KE_PAYLOAD), retrying"));
  EXPECT_TRUE(b.log.Contains("(INVALID_KE_PAYLOAD)"));
  EXPECT_EQ(a.engine.Status().ike_sas[0].algorithms, "AES_GCM_16_256/PRF_HMAC_SHA2_256/MODP_2048");
  ExpectMatchingChildren(a, b, 1);
  // The refused first attempt left no half-open SA behind on B.
  EXPECT_EQ(b.engine.Status().ike_sas.size(), 1u);
}

TEST_F(EngineTest, ProposalMismatchLogsBothSidesReadably) {
  auto ca = AtoB();
  auto cb = BtoA();
  ca.ike_proposals = {
      P(ProtocolId::kIke, {Encr(ike::encr::kAesCbc, 256), Integ(ike::integ::kHmacSha1_96),
                           Prf(ike::prf::kHmacSha1), Dh(ike::dh::kEcp384)})};
  cb.ike_proposals = {
      P(ProtocolId::kIke,
        {Encr(ike::encr::kAesCbc, 256), Integ(ike::integ::kHmacSha1_96), Prf(ike::prf::kHmacSha1),
         Dh(ike::dh::kModp1024), Dh(ike::dh::kModp2048)})};
  Load(a, ca);
  Load(b, cb);
  ASSERT_TRUE(a.engine.Initiate("site").ok());
  ASSERT_TRUE(net.Run(Millis(10000)));
  EXPECT_TRUE(b.log.Contains(
      "no common DH group: peer offered ECP_384, we accept MODP_1024,MODP_2048", LogLevel::kError))
      << b.log.Errors();
  EXPECT_TRUE(b.log.Contains("peer offered: AES_CBC_256/HMAC_SHA1_96/PRF_HMAC_SHA1/ECP_384"));
  EXPECT_TRUE(
      a.log.Contains("NO_PROPOSAL_CHOSEN: peer accepted none of our IKE proposals: "
                     "AES_CBC_256/HMAC_SHA1_96/PRF_HMAC_SHA1/ECP_384",
                     LogLevel::kError))
      << a.log.Errors();
  EXPECT_TRUE(a.log.Contains("giving up after 1 keying tries"));
  EXPECT_EQ(a.engine.Status().ike_sas.size(), 0u);
  EXPECT_EQ(b.engine.Status().ike_sas.size(), 0u);
  EXPECT_EQ(b.engine.Status().counters.proposal_mismatches, 1u);
  EXPECT_FALSE(a.engine.Status().connections.at(0).last_error.empty());
  EXPECT_TRUE(a.kernel.sas().empty());
}

TEST_F(EngineTest, EspProposalMismatchKeepsIkeSaAndSaysWhy) {
  auto ca = AtoB();
  auto cb = BtoA();
  ca.esp_proposals = {P(ProtocolId::kEsp, {Encr(ike::encr::kAesGcm16, 256)})};
  cb.esp_proposals = {
      P(ProtocolId::kEsp, {Encr(ike::encr::kAesCbc, 128), Integ(ike::integ::kHmacSha1_96)})};
  Load(a, ca);
  Load(b, cb);
  ASSERT_TRUE(a.engine.Initiate("site").ok());
  ASSERT_TRUE(net.Run(Millis(5000)));
  EXPECT_TRUE(b.log.Contains(
      "no common encryption algorithm: peer offered AES_GCM_16_256, we accept AES_CBC_128"))
      << b.log.Errors();
  EXPECT_TRUE(a.log.Contains("NO_PROPOSAL_CHOSEN: peer accepted none of our ESP proposals"));
  EXPECT_EQ(Established(a), 1u);  // IKE SA lives; no child
  EXPECT_TRUE(a.kernel.sas().empty());
  EXPECT_TRUE(b.kernel.sas().empty());
}

TEST_F(EngineTest, WrongPskFailsWithClearMessageOnBothSides) {
  b.secrets.any_psk = "a different secret";
  Load(a, AtoB());
  Load(b, BtoA());
  ASSERT_TRUE(a.engine.Initiate("site").ok());
  ASSERT_TRUE(net.Run(Millis(10000)));
  EXPECT_TRUE(b.log.Contains("PSK mismatch: peer's AUTH did not verify (peer ID '192.0.2.1')",
                             LogLevel::kError))
      << b.log.Errors();
  EXPECT_TRUE(a.log.Contains("AUTHENTICATION_FAILED: peer rejected our PSK", LogLevel::kError))
      << a.log.Errors();
  EXPECT_EQ(a.engine.Status().ike_sas.size(), 0u);
  EXPECT_EQ(b.engine.Status().ike_sas.size(), 0u);
  EXPECT_EQ(a.engine.Status().counters.auth_failures, 1u);
  EXPECT_EQ(b.engine.Status().counters.auth_failures, 1u);
  EXPECT_TRUE(a.kernel.sas().empty());
  EXPECT_TRUE(b.kernel.sas().empty());
}

TEST_F(EngineTest, UnknownPeerIdIsOneClearLine) {
  auto cb = BtoA();
  cb.remote.id = Id("@someone.else");
  Load(a, AtoB());
  Load(b, cb);
  ASSERT_TRUE(a.engine.Initiate("site").ok());
  ASSERT_TRUE(net.Run(Millis(10000)));
  EXPECT_TRUE(b.log.Contains("unknown peer ID '192.0.2.1' from 192.0.2.1[500]", LogLevel::kError))
      << b.log.Errors();
  EXPECT_TRUE(a.log.Contains("AUTHENTICATION_FAILED", LogLevel::kError));
  EXPECT_EQ(Established(b), 0u);
}

TEST_F(EngineTest, TrafficSelectorMismatchIsOneClearLine) {
  Load(a, AtoB({Net("10.1.0.0/24")}, {Net("10.9.0.0/24")}));
  Load(b, BtoA());
  ASSERT_TRUE(a.engine.Initiate("site").ok());
  ASSERT_TRUE(net.Run(Millis(5000)));
  EXPECT_TRUE(
      b.log.Contains("traffic selectors unacceptable: peer proposed TSi 10.1.0.0/24 TSr "
                     "10.9.0.0/24, we have 10.2.0.0/24 === 10.1.0.0/24",
                     LogLevel::kError))
      << b.log.Errors();
  EXPECT_TRUE(
      a.log.Contains("TS_UNACCEPTABLE: peer rejected our traffic selectors 10.1.0.0/24 === "
                     "10.9.0.0/24",
                     LogLevel::kError));
  EXPECT_TRUE(a.kernel.sas().empty());
  EXPECT_TRUE(b.kernel.sas().empty());
}

TEST_F(EngineTest, ResponderNarrowsWiderSelectors) {
  // A asks for everything behind B; B only offers its /24.
  Load(a, AtoB({Net("10.1.0.0/24")}, {Net("10.0.0.0/8")}));
  Load(b, BtoA());
  ASSERT_TRUE(a.engine.Initiate("site").ok());
  ASSERT_TRUE(net.Run(Millis(5000)));
  ExpectMatchingChildren(a, b, 1);
  EXPECT_TRUE(HasPolicy(a, "10.1.0.0/24", "10.2.0.0/24"));
  EXPECT_TRUE(HasPolicy(b, "10.2.0.0/24", "10.1.0.0/24"));
}

TEST_F(EngineTest, TerminateByInitiatorDeletesEverywhere) {
  Load(a,
       AtoB({Net("10.1.0.0/24"), Net("10.11.0.0/24")}, {Net("10.2.0.0/24"), Net("10.22.0.0/24")}));
  Load(b,
       BtoA({Net("10.2.0.0/24"), Net("10.22.0.0/24")}, {Net("10.1.0.0/24"), Net("10.11.0.0/24")}));
  ASSERT_TRUE(a.engine.Initiate("site").ok());
  ASSERT_TRUE(net.Run(Millis(5000)));
  ExpectMatchingChildren(a, b, 4);
  ASSERT_TRUE(a.engine.Terminate("site").ok());
  ASSERT_TRUE(net.Run(Millis(5000)));
  EXPECT_TRUE(a.kernel.sas().empty());
  EXPECT_TRUE(b.kernel.sas().empty());
  EXPECT_TRUE(a.kernel.policies().empty());
  EXPECT_TRUE(b.kernel.policies().empty());
  EXPECT_EQ(a.engine.Status().ike_sas.size(), 0u);
  EXPECT_EQ(b.engine.Status().ike_sas.size(), 0u);
  EXPECT_TRUE(b.log.Contains("IKE SA deleted by peer"));
}

TEST_F(EngineTest, TerminateByResponderDeletesEverywhere) {
  Load(a, AtoB());
  Load(b, BtoA());
  ASSERT_TRUE(a.engine.Initiate("site").ok());
  ASSERT_TRUE(net.Run(Millis(5000)));
  ASSERT_TRUE(b.engine.Terminate("site").ok());
  ASSERT_TRUE(net.Run(Millis(5000)));
  EXPECT_TRUE(a.kernel.sas().empty());
  EXPECT_TRUE(b.kernel.sas().empty());
  EXPECT_EQ(a.engine.Status().ike_sas.size(), 0u);
  EXPECT_EQ(b.engine.Status().ike_sas.size(), 0u);
}

TEST_F(EngineTest, ShutdownSendsDeleteAndRemovesKernelState) {
  Load(a, AtoB());
  Load(b, BtoA());
  ASSERT_TRUE(a.engine.Initiate("site").ok());
  ASSERT_TRUE(net.Run(Millis(5000)));
  b.engine.Shutdown();
  EXPECT_TRUE(b.kernel.sas().empty());
  EXPECT_TRUE(b.kernel.policies().empty());
  ASSERT_TRUE(net.Run(Millis(5000)));
  EXPECT_TRUE(a.kernel.sas().empty()) << "A did not process B's Delete";
  EXPECT_EQ(a.engine.Status().ike_sas.size(), 0u);
}

TEST_F(EngineTest, DpdLivenessChecksAreAnswered) {
  auto ca = AtoB();
  ca.dpd_delay = config::Seconds(10);
  Load(a, ca);
  Load(b, BtoA());
  ASSERT_TRUE(a.engine.Initiate("site").ok());
  ASSERT_TRUE(net.Run(Millis(5000)));
  const auto rx_before = b.engine.Status().counters.rx_messages;
  ASSERT_TRUE(net.Run(Millis(35000)));
  EXPECT_GE(b.engine.Status().counters.rx_messages, rx_before + 3);  // ~every 10 s
  EXPECT_TRUE(a.log.Contains("DPD: peer is alive"));
  EXPECT_EQ(Established(a), 1u);
  EXPECT_EQ(a.engine.Status().counters.retransmits, 0u);
}

TEST_F(EngineTest, DpdOnDeadPeerRemovesSas) {
  auto ca = AtoB();
  ca.dpd_delay = config::Seconds(10);
  Load(a, ca);
  Load(b, BtoA());
  ASSERT_TRUE(a.engine.Initiate("site").ok());
  ASSERT_TRUE(net.Run(Millis(5000)));
  net.filter = [](const Datagram&, size_t) { return 0; };  // B falls off the net
  ASSERT_TRUE(net.Run(Millis(120000)));
  EXPECT_TRUE(a.log.Contains("did not answer INFORMATIONAL", LogLevel::kError)) << a.log.Errors();
  EXPECT_TRUE(a.log.Contains("DPD: peer 192.0.2.2[500] is dead"));
  EXPECT_EQ(a.engine.Status().ike_sas.size(), 0u);
  EXPECT_TRUE(a.kernel.sas().empty());
  EXPECT_TRUE(a.kernel.policies().empty());
}

TEST_F(EngineTest, ChildRekeyReplacesTheChildOnBothSides) {
  Load(a, AtoB());
  Load(b, BtoA());
  ASSERT_TRUE(a.engine.Initiate("site").ok());
  ASSERT_TRUE(net.Run(Millis(5000)));
  auto before = a.engine.Status().ike_sas.at(0).children.at(0);
  kernel::ExpireEvent ev;
  ev.spi = before.inbound_spi;
  ev.dir = Direction::kIn;
  ev.reqid = before.reqid;
  ev.hard = false;
  a.engine.OnKernelExpire(ev);
  ASSERT_TRUE(net.Run(Millis(5000)));
  ExpectMatchingChildren(a, b, 1);
  auto after = a.engine.Status().ike_sas.at(0).children.at(0);
  EXPECT_NE(after.inbound_spi, before.inbound_spi);
  EXPECT_NE(after.outbound_spi, before.outbound_spi);
  EXPECT_EQ(after.reqid, before.reqid);
  EXPECT_TRUE(b.log.Contains("child SA rekeyed by peer"));
  EXPECT_EQ(a.kernel.policies().size(), 1u);
  EXPECT_EQ(b.kernel.policies().size(), 1u);
}

TEST_F(EngineTest, MalformedAndForgedInputIsDroppedAndCounted) {
  Load(a, AtoB());
  Load(b, BtoA());
  ASSERT_TRUE(a.engine.Initiate("site").ok());
  ASSERT_TRUE(net.Run(Millis(5000)));
  auto st = b.engine.Status().ike_sas.at(0);
  const Endpoint from{a.addr, 500}, to{b.addr, 500};
  // Too short for a header.
  std::vector<uint8_t> junk = {1, 2, 3, 4, 5};
  b.engine.OnDatagram(junk, to, from);
  // A valid-looking INFORMATIONAL header for the live SA with a forged SK.
  std::vector<uint8_t> forged(28 + 4 + 16 + 16, 0x41);
  for (int i = 0; i < 8; ++i) forged[i] = static_cast<uint8_t>(st.spi_i >> (56 - 8 * i));
  for (int i = 0; i < 8; ++i) forged[8 + i] = static_cast<uint8_t>(st.spi_r >> (56 - 8 * i));
  forged[16] = 46;  // SK
  forged[17] = 0x20;
  forged[18] = 37;  // INFORMATIONAL
  forged[19] = 0x08;
  forged[20] = forged[21] = forged[22] = 0;
  forged[23] = 5;
  forged[24] = forged[25] = 0;
  forged[26] = 0;
  forged[27] = static_cast<uint8_t>(forged.size());
  forged[28] = 0;
  forged[29] = 0;
  forged[30] = 0;
  forged[31] = static_cast<uint8_t>(forged.size() - 28);
  b.engine.OnDatagram(forged, to, from);
  // Unknown SPIs.
  forged[0] ^= 0xff;
  b.engine.OnDatagram(forged, to, from);
  auto c = b.engine.Status().counters;
  EXPECT_EQ(c.dropped_malformed, 1u);
  EXPECT_EQ(c.dropped_unauthenticated, 1u);
  EXPECT_EQ(c.dropped_unknown_spi, 1u);
  // Nothing disturbed: the SA still answers.
  net.Deliver();
  ASSERT_TRUE(a.engine.Terminate("site").ok());
  ASSERT_TRUE(net.Run(Millis(5000)));
  EXPECT_TRUE(b.kernel.sas().empty());
  EXPECT_EQ(a.engine.Status().counters.retransmits, 0u);
}

TEST_F(EngineTest, ApiErrorsAreClear) {
  Load(a, AtoB());
  auto st = a.engine.Initiate("nope");
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().message, "no connection named 'nope'");
  auto respond_only = BtoA();
  respond_only.remote.host = IpAddress();
  Load(b, respond_only);
  st = b.engine.Initiate("site");
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.error().message.find("can only respond"), std::string::npos);
  std::vector<Connection> twice = {AtoB(), AtoB()};
  auto load = a.engine.LoadConnections(twice);
  ASSERT_FALSE(load.ok());
  EXPECT_EQ(load.error().message, "connection 'site' defined twice");
}

}  // namespace
}  // namespace ipsec::engine::test

namespace ipsec::engine::test {
namespace {

TEST_F(EngineTest, IkeSaRekeyKeepsChildSasAndTheNewSaWorks) {
  auto ca = AtoB();
  ca.ike_lifetime = config::Seconds(100);  // A rekeys at 90 s: lifetime - margin, no fuzz
  ca.rekey_margin = config::Seconds(10);
  ca.rekey_fuzz_percent = 0;
  Load(a, ca);
  Load(b, BtoA());
  ASSERT_TRUE(a.engine.Initiate("site").ok());
  ASSERT_TRUE(net.Run(Millis(5000)));
  auto before = a.engine.Status().ike_sas.at(0);
  const size_t add_calls = a.kernel.add_sa_calls();
  ASSERT_TRUE(net.Run(Millis(90000)));
  ASSERT_EQ(a.engine.Status().ike_sas.size(), 1u) << a.log.Errors();
  ASSERT_EQ(b.engine.Status().ike_sas.size(), 1u) << b.log.Errors();
  auto after = a.engine.Status().ike_sas.at(0);
  EXPECT_EQ(after.state, "ESTABLISHED");
  EXPECT_NE(after.spi_i, before.spi_i);
  EXPECT_NE(after.spi_r, before.spi_r);
  EXPECT_EQ(after.spi_i, b.engine.Status().ike_sas.at(0).spi_i);
  EXPECT_EQ(after.spi_r, b.engine.Status().ike_sas.at(0).spi_r);
  ASSERT_EQ(after.children.size(), 1u);
  EXPECT_EQ(after.children[0].inbound_spi, before.children.at(0).inbound_spi);
  EXPECT_EQ(a.kernel.add_sa_calls(), add_calls);  // the kernel saw nothing
  EXPECT_TRUE(a.log.Contains("IKE SA rekeyed"));
  EXPECT_TRUE(b.log.Contains("IKE SA rekeyed"));
  ExpectMatchingChildren(a, b, 1);
  // The new SA carries the next exchanges: a delete from B through it.
  ASSERT_TRUE(b.engine.Terminate("site").ok());
  ASSERT_TRUE(net.Run(Millis(5000)));
  EXPECT_TRUE(a.kernel.sas().empty());
  EXPECT_TRUE(b.kernel.sas().empty());
  EXPECT_EQ(a.engine.Status().counters.dropped_unknown_spi, 0u);
}

TEST_F(EngineTest, SimultaneousIkeRekeyCollisionResolves) {
  auto ca = AtoB();
  auto cb = BtoA();
  for (auto* c : {&ca, &cb}) {  // both rekey at 86 s: lifetime - margin, no fuzz
    c->ike_lifetime = config::Seconds(95);
    c->rekey_margin = config::Seconds(9);
    c->rekey_fuzz_percent = 0;
  }
  Load(a, ca);
  Load(b, cb);
  ASSERT_TRUE(a.engine.Initiate("site").ok());
  ASSERT_TRUE(net.Run(Millis(5000)));
  ASSERT_TRUE(net.Run(Millis(82000)));  // just past 86 s after establishment
  EXPECT_TRUE(a.log.Contains("TEMPORARY_FAILURE") || b.log.Contains("TEMPORARY_FAILURE"));
  ASSERT_TRUE(net.Run(Millis(30000)));
  EXPECT_EQ(Established(a), 1u) << a.log.Errors();
  EXPECT_EQ(Established(b), 1u) << b.log.Errors();
  EXPECT_EQ(a.engine.Status().ike_sas.size(), 1u);
  EXPECT_EQ(a.engine.Status().ike_sas[0].spi_i, b.engine.Status().ike_sas[0].spi_i);
  ExpectMatchingChildren(a, b, 1);
}

}  // namespace
}  // namespace ipsec::engine::test
