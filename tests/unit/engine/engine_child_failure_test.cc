// A child SA whose negotiation fails while its IKE SA lives on: the peer
// refusing it (TS_UNACCEPTABLE, NO_PROPOSAL_CHOSEN, in IKE_AUTH or
// CREATE_CHILD_SA) makes us try again with CREATE_CHILD_SA on the
// keyingtries back-off (child_retry.h), and every failed negotiation gives
// back the inbound SPI it reserved in the kernel (RemoveChild). A rekey
// the peer refuses is tried again after 10-20 s while the old child lives;
// CHILD_SA_NOT_FOUND brings a fresh child at once (child_retry.h).
#include <gtest/gtest.h>

#include <string>

#include "engine/child_install.h"
#include "engine/child_retry.h"
#include "engine/ike_sa.h"
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

// A rekey of ours the peer refuses: A's child SA rekeys are counted (with
// when they left) on the wire.
class RefusedRekeyTest : public ChildFailureTest {
 protected:
  RefusedRekeyTest() {
    net.filter = [this](const Datagram& d, size_t) {
      if (Is(d, ike::ExchangeType::kCreateChildSa, false) && d.from.addr == a.addr)
        a_requests_ms.push_back(clock.Now().count());
      return 1;
    };
  }
  void Up() {
    Load(a, AtoB());
    Load(b, BtoA());
    ASSERT_TRUE(a.engine.Initiate("site").ok());
    ASSERT_TRUE(net.Run(Millis(5000)));
    ASSERT_EQ(Established(a), 1u) << a.log.Errors();
    ExpectMatchingChildren(a, b, 1);
  }
  static ChildSaStatus OnlyChild(const Peer& p) {
    auto s = p.engine.Status();
    if (s.ike_sas.size() != 1 || s.ike_sas[0].children.size() != 1) {
      ADD_FAILURE() << p.name << ": not one IKE SA with one child";
      return {};
    }
    return s.ike_sas[0].children[0];
  }
  static kernel::ExpireEvent Expire(uint32_t spi, bool hard = false) {
    kernel::ExpireEvent ev;
    ev.spi = spi;
    ev.dir = kernel::Direction::kIn;
    ev.hard = hard;
    return ev;
  }
  // B answers A's next rekey with TEMPORARY_FAILURE (its install of the
  // new child fails), A's child is at its soft lifetime.
  ChildSaStatus RekeyRefused() {
    const auto old = OnlyChild(a);
    b.kernel.FailNextAddSa();
    a.engine.OnKernelExpire(Expire(old.inbound_spi));
    net.Deliver();
    EXPECT_EQ(a_requests_ms.size(), 1u);
    EXPECT_TRUE(a.log.Contains("rekey of child SA site{1} 10.1.0.0/24 === 10.2.0.0/24 (SPI in " +
                                   std::to_string(old.inbound_spi) +
                                   ") refused by peer: TEMPORARY_FAILURE, retrying in ",
                               LogLevel::kWarning));
    return old;
  }
  std::vector<int64_t> a_requests_ms;
};

// RFC 7296 2.25 (TEMPORARY_FAILURE), and strongSwan's answer to any refused
// rekey: the old child carries on, the rekey is tried again 10-20 s later,
// from the IKE SA's timer, and the pair always has a working child at both
// ends in between.
TEST_F(RefusedRekeyTest, RetriedAfter10To20sAndSucceedsWithoutAGap) {
  Up();
  const auto old = RekeyRefused();
  EXPECT_EQ(OnlyChild(a).inbound_spi, old.inbound_spi);
  const auto next = a.engine.NextTimeout();
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(next, a.engine.NextTimeoutByScan());
  EXPECT_GE(*next, Millis(kRekeyRetryMinMs));
  EXPECT_LE(*next, Millis(kRekeyRetryMaxMs));
  for (int s = 0; s < 25; ++s) {
    ASSERT_TRUE(net.Run(Millis(1000)));
    SCOPED_TRACE("second " + std::to_string(s + 1));
    ASSERT_FALSE(a.kernel.SasByDir(kernel::Direction::kOut).empty());
    ASSERT_FALSE(b.kernel.SasByDir(kernel::Direction::kOut).empty());
    ExpectOutboundMatchesInbound(a, b);
    ExpectOutboundMatchesInbound(b, a);
  }
  ASSERT_EQ(a_requests_ms.size(), 2u);
  const int64_t pause = a_requests_ms[1] - a_requests_ms[0];
  EXPECT_GE(pause, kRekeyRetryMinMs);
  EXPECT_LE(pause, kRekeyRetryMaxMs);
  EXPECT_TRUE(a.log.Contains("retrying the rekey of child SA site{1}"));
  ExpectMatchingChildren(a, b, 1);
  EXPECT_NE(OnlyChild(a).inbound_spi, old.inbound_spi);
  ASSERT_TRUE(net.Run(Millis(120000)));
  EXPECT_EQ(a_requests_ms.size(), 2u) << "accepted: no more tries";
}

// Refused again and again: retried for as long as the old child lives, each
// time after 10-20 s.
TEST_F(RefusedRekeyTest, RetriedAgainWhileRefused) {
  Up();
  RekeyRefused();
  for (size_t tries = 2; tries <= 4; ++tries) {
    b.kernel.FailNextAddSa();
    for (int s = 0; s <= kRekeyRetryMaxMs / 1000 && a_requests_ms.size() < tries; ++s)
      ASSERT_TRUE(net.Run(Millis(1000)));
    ASSERT_EQ(a_requests_ms.size(), tries);
    const int64_t pause = a_requests_ms[tries - 1] - a_requests_ms[tries - 2];
    EXPECT_GE(pause, kRekeyRetryMinMs);
    EXPECT_LE(pause, kRekeyRetryMaxMs);
  }
  ExpectMatchingChildren(a, b, 1);
}

// RFC 7296 2.25: CHILD_SA_NOT_FOUND, the peer no longer has the child. B's
// install of the IKE_AUTH child failed, so only A has it; A's rekey of it
// brings a fresh child for the pair at once (no pause), then the old goes.
TEST_F(RefusedRekeyTest, ChildSaNotFoundMakesANewChildAtOnce) {
  Load(a, AtoB());
  Load(b, BtoA());
  b.kernel.FailNextAddSa();
  ASSERT_TRUE(b.engine.Initiate("site").ok());
  ASSERT_TRUE(net.Run(Millis(5000)));
  ASSERT_EQ(Established(a), 1u);
  const auto old = OnlyChild(a);
  ASSERT_TRUE(b.kernel.SasByDir(kernel::Direction::kIn).empty());
  a.engine.OnKernelExpire(Expire(old.inbound_spi));
  net.Deliver();
  EXPECT_TRUE(
      a.log.Contains("refused by peer: CHILD_SA_NOT_FOUND, creating a new child SA for "
                     "the pair now and deleting the old one",
                     LogLevel::kWarning));
  ASSERT_EQ(a_requests_ms.size(), 2u) << "the rekey, then a fresh child";
  EXPECT_EQ(a_requests_ms[1], a_requests_ms[0]) << "at once";
  EXPECT_EQ(b.kernel.SasByDir(kernel::Direction::kIn).size(), 1u);
  ASSERT_TRUE(net.Run(Millis(kRetiredInboundMs + 1000)));
  ExpectMatchingChildren(a, b, 1);
  EXPECT_NE(OnlyChild(a).inbound_spi, old.inbound_spi);
  ASSERT_TRUE(net.Run(Millis(120000)));
  EXPECT_EQ(a_requests_ms.size(), 2u);
  ExpectMatchingChildren(a, b, 1);
}

// The retries end with the child: the peer rekeyed it meanwhile.
TEST_F(RefusedRekeyTest, RetriesStopWhenThePeerRekeyedTheChild) {
  Up();
  const auto old = RekeyRefused();
  b.engine.OnKernelExpire(Expire(OnlyChild(b).inbound_spi));
  ASSERT_TRUE(net.Run(Millis(kRetiredInboundMs + 1000)));
  EXPECT_NE(OnlyChild(a).inbound_spi, old.inbound_spi);
  ASSERT_TRUE(net.Run(Millis(60000)));
  EXPECT_EQ(a_requests_ms.size(), 1u);
  EXPECT_FALSE(a.log.Contains("retrying the rekey"));
  ExpectMatchingChildren(a, b, 1);
}

// ... or it reached its hard lifetime: deleted, and (a wanted connection) a
// new child is made; the retry does not come.
TEST_F(RefusedRekeyTest, RetriesStopAtTheHardLifetime) {
  Up();
  const auto old = RekeyRefused();
  ASSERT_TRUE(net.Run(Millis(5000)));
  a.engine.OnKernelExpire(Expire(old.inbound_spi, /*hard=*/true));
  ASSERT_TRUE(net.Run(Millis(60000)));
  EXPECT_EQ(a_requests_ms.size(), 2u) << "the refused rekey, then the new child";
  EXPECT_FALSE(a.log.Contains("retrying the rekey"));
  ExpectMatchingChildren(a, b, 1);
  EXPECT_NE(OnlyChild(a).inbound_spi, old.inbound_spi);
}

// The retry time rides the IKE SA's timer; an IKE rekey before it passes
// it on with the children, and the retry comes on the new IKE SA.
TEST_F(RefusedRekeyTest, RetryFollowsTheChildIntoARekeyedIkeSa) {
  auto ca = AtoB();
  ca.ike_lifetime = config::Seconds(10);  // IKE rekey every 5 s: before the retry
  ca.rekey_margin = config::Seconds(5);
  ca.rekey_fuzz_percent = 0;
  Load(a, ca);
  Load(b, BtoA());
  ASSERT_TRUE(a.engine.Initiate("site").ok());
  ASSERT_TRUE(net.Run(Millis(1000)));
  ExpectMatchingChildren(a, b, 1);
  const auto old = RekeyRefused();
  for (int s = 0; s <= kRekeyRetryMaxMs / 1000 && !a.log.Contains("retrying the rekey"); ++s)
    ASSERT_TRUE(net.Run(Millis(1000)));
  size_t ike_rekeyed = 0, retried = 0;
  for (size_t i = 0; i < a.log.lines.size(); ++i) {
    if (!ike_rekeyed && a.log.lines[i].text.find("IKE SA rekeyed") != std::string::npos)
      ike_rekeyed = i;
    if (!retried && a.log.lines[i].text.find("retrying the rekey") != std::string::npos)
      retried = i;
  }
  ASSERT_NE(retried, 0u) << "no retry";
  ASSERT_NE(ike_rekeyed, 0u);
  EXPECT_LT(ike_rekeyed, retried);
  ASSERT_TRUE(net.Run(Millis(kRetiredInboundMs + 1000)));
  ExpectMatchingChildren(a, b, 1);
  EXPECT_NE(OnlyChild(a).inbound_spi, old.inbound_spi);
}

}  // namespace
}  // namespace ipsec::engine::test
