// A child SA whose negotiation fails while its IKE SA lives on: the peer
// refusing it (TS_UNACCEPTABLE, NO_PROPOSAL_CHOSEN, in IKE_AUTH or
// CREATE_CHILD_SA) makes us try again with CREATE_CHILD_SA on the
// keyingtries back-off (child_retry.h), and every failed negotiation gives
// back the inbound SPI it reserved in the kernel (RemoveChild).
#include <gtest/gtest.h>

#include "fixture.h"

namespace ipsec::engine::test {
namespace {

class ChildFailureTest : public EngineTest {
 protected:
  ChildFailureTest() {
    // ipsecd creates its devices at start; a reservation lives on one.
    (void)a.kernel.EnsureDevice("ipsec0");
    (void)b.kernel.EnsureDevice("ipsec0");
    net.filter = [this](const Datagram& d, size_t) {
      if (Is(d, ike::ExchangeType::kCreateChildSa, false)) ++child_requests;
      if (drop_child_responses && Is(d, ike::ExchangeType::kCreateChildSa, true)) return 0;
      return 1;
    };
  }
  // A asks for 10.1.0.0/24 === 10.9.0.0/24, which B's "site" refuses.
  Connection Unacceptable(uint32_t keyingtries) {
    auto c = AtoB({Net("10.1.0.0/24")}, {Net("10.9.0.0/24")});
    c.keyingtries = keyingtries;
    return c;
  }
  static size_t Children(const Peer& p) {
    size_t n = 0;
    for (const auto& s : p.engine.Status().ike_sas) n += s.children.size();
    return n;
  }
  int child_requests = 0;
  bool drop_child_responses = false;
};

TEST_F(ChildFailureTest, RefusedAuthChildIsRetriedWithBackoffUntilAccepted) {
  Load(a, Unacceptable(0));  // %forever
  Load(b, BtoA());
  ASSERT_TRUE(a.engine.Initiate("site").ok());
  ASSERT_TRUE(net.Run(Millis(1000)));
  ASSERT_EQ(Established(a), 1u);
  EXPECT_EQ(Children(a), 0u);
  EXPECT_TRUE(a.log.Contains(
      "child SA 10.1.0.0/24 === 10.9.0.0/24 refused (TS_UNACCEPTABLE), try 2 (%forever) via "
      "CREATE_CHILD_SA in 2 s"));
  // 2 s, then 4 s later, then 8 s: one CREATE_CHILD_SA each, one line each.
  for (const auto& [wait_ms, tries] : {std::pair{1000, 3}, std::pair{4000, 4}}) {
    const int before = child_requests;
    ASSERT_TRUE(net.Run(Millis(wait_ms - 200)));
    EXPECT_EQ(child_requests, before);
    ASSERT_TRUE(net.Run(Millis(300)));
    EXPECT_EQ(child_requests, before + 1);
    EXPECT_TRUE(a.log.Contains("refused (TS_UNACCEPTABLE), try " + std::to_string(tries) +
                               " (%forever) via CREATE_CHILD_SA in " +
                               std::to_string(4 << (tries - 3)) + " s"));
  }
  // B now has a connection for the pair (same peer and IKE settings: it
  // shares the IKE SA); "site" is unchanged and keeps it.
  auto other = BtoA({Net("10.9.0.0/24")}, {Net("10.1.0.0/24")});
  other.name = "other";
  std::vector<Connection> both{BtoA(), other};
  ASSERT_TRUE(b.engine.LoadConnections(std::move(both)).ok());
  ASSERT_TRUE(net.Run(Millis(8000)));
  EXPECT_EQ(child_requests, 3);
  EXPECT_EQ(Established(a), 1u);
  ExpectMatchingChildren(a, b, 1);
  // Accepted: no further tries.
  ASSERT_TRUE(net.Run(Millis(120000)));
  EXPECT_EQ(child_requests, 3);
  EXPECT_TRUE(a.kernel.reserved_spis().empty());
  EXPECT_TRUE(b.kernel.reserved_spis().empty());
}

TEST_F(ChildFailureTest, RefusedChildRetriesStopAtKeyingtries) {
  Load(a, Unacceptable(3));
  Load(b, BtoA());
  ASSERT_TRUE(a.engine.Initiate("site").ok());
  ASSERT_TRUE(net.Run(Millis(120000)));
  // IKE_AUTH's child was the first try; two CREATE_CHILD_SAs, then no more.
  EXPECT_EQ(child_requests, 2);
  EXPECT_TRUE(a.log.Contains("try 3 of 3 via CREATE_CHILD_SA in 4 s"));
  EXPECT_TRUE(a.log.Contains("refused (TS_UNACCEPTABLE): giving up after 3 keying tries",
                             LogLevel::kError));
  EXPECT_EQ(Established(a), 1u);
  EXPECT_EQ(Children(a), 0u);
}

TEST_F(ChildFailureTest, DownStopsTheRetries) {
  Load(a, Unacceptable(0));
  Load(b, BtoA());
  ASSERT_TRUE(a.engine.Initiate("site").ok());
  ASSERT_TRUE(net.Run(Millis(2100)));
  ASSERT_EQ(child_requests, 1);  // the first retry
  ASSERT_TRUE(a.engine.Terminate("site").ok());
  ASSERT_TRUE(net.Run(Millis(60000)));
  EXPECT_EQ(child_requests, 1);
  EXPECT_EQ(a.engine.Status().ike_sas.size(), 0u);
}

// The SPI a refused child reserved is given back, at both ends.
TEST_F(ChildFailureTest, RefusedChildReleasesItsSpi) {
  Load(a, Unacceptable(1));
  Load(b, BtoA());
  ASSERT_TRUE(a.engine.Initiate("site").ok());
  ASSERT_TRUE(net.Run(Millis(5000)));
  ASSERT_EQ(Established(a), 1u);
  EXPECT_TRUE(a.kernel.sas().empty());
  EXPECT_TRUE(a.kernel.reserved_spis().empty());
  EXPECT_TRUE(b.kernel.reserved_spis().empty());
}

// The responder allocated its SPI and then failed to install the child:
// its reservation goes, and so does the initiator's (refused child).
TEST_F(ChildFailureTest, FailedInstallReleasesBothEndsSpis) {
  Load(a, AtoB());
  Load(b, BtoA());
  b.kernel.FailNextAddSa();
  ASSERT_TRUE(a.engine.Initiate("site").ok());
  ASSERT_TRUE(net.Run(Millis(5000)));
  ASSERT_EQ(Established(a), 1u);
  EXPECT_EQ(Children(a), 0u);
  EXPECT_TRUE(a.kernel.reserved_spis().empty());
  EXPECT_TRUE(b.kernel.reserved_spis().empty());
}

// The IKE SA goes (ipsecctl down) while a CREATE_CHILD_SA is unanswered.
TEST_F(ChildFailureTest, IkeSaGoneBeforeTheChildReleasesItsSpi) {
  Load(a, AtoB({Net("10.1.0.0/24"), Net("10.11.0.0/24")}, {Net("10.2.0.0/24")}));
  Load(b, BtoA({Net("10.2.0.0/24")}, {Net("10.1.0.0/24"), Net("10.11.0.0/24")}));
  drop_child_responses = true;
  ASSERT_TRUE(a.engine.Initiate("site").ok());
  net.Deliver();
  ASSERT_EQ(child_requests, 1);
  EXPECT_EQ(a.kernel.reserved_spis().size(), 1u);
  ASSERT_TRUE(a.engine.Terminate("site").ok());
  ASSERT_TRUE(net.Run(Millis(120000)));
  EXPECT_EQ(a.engine.Status().ike_sas.size(), 0u);
  EXPECT_TRUE(a.kernel.sas().empty());
  EXPECT_TRUE(a.kernel.reserved_spis().empty());
}

}  // namespace
}  // namespace ipsec::engine::test
