// Pacing of our IKE_SA_INITs (engine/init_pacing.h): at most ike-init-limit
// of the IKE SAs we initiate are half-open at once (IKE_SA_INIT sent, IKE_AUTH
// not answered), at most ike-init-limit-per-peer towards one address; the
// others wait in order and all come up. Half-open is counted on the wire:
// first IKE_SA_INIT requests leaving A, less IKE_AUTH responses reaching A.
//
//   A 192.0.2.1 ---- P1..P6 192.0.2.11..16   (one connection each)
//               ---- B 192.0.2.2             (several IKE SAs: share-ike=no)
#include <memory>
#include <set>

#include "fixture.h"

namespace ipsec::engine::test {
namespace {

class PacingTest : public EngineTest {
 protected:
  static constexpr int kPeers = 6;

  PacingTest() {
    net.filter = [this](const Datagram& d, size_t) {
      if (d.from.addr == a.addr && Is(d, ike::ExchangeType::kIkeSaInit, false) &&
          inits_.insert(Spi(d)).second)
        most_ = std::max(most_, ++half_open_);
      if (d.to.addr == a.addr && Is(d, ike::ExchangeType::kIkeAuth, true)) --half_open_;
      return 1;
    };
  }
  static uint64_t Spi(const Datagram& d) {
    uint64_t s = 0;
    for (int i = 0; i < 8; ++i) s = s << 8 | d.bytes[i];
    return s;
  }

  // A has one connection to each of kPeers responders.
  void ManyPeers() {
    std::vector<Connection> mine;
    for (int i = 1; i <= kPeers; ++i) {
      const std::string n = std::to_string(i);
      auto p = std::make_unique<Peer>(net, clock, "P" + n,
                                      Ip(("192.0.2." + std::to_string(10 + i)).c_str()), 100 + i,
                                      0x3000 + 0x100 * i);
      p->secrets.any_psk = a.secrets.any_psk;
      auto theirs = Conn("p" + n, p->addr, a.addr, {Net(("10.2." + n + ".0/24").c_str())},
                         {Net(("10.1." + n + ".0/24").c_str())});
      Load(*p, theirs);
      auto c = Conn("p" + n, a.addr, p->addr, {Net(("10.1." + n + ".0/24").c_str())},
                    {Net(("10.2." + n + ".0/24").c_str())});
      c.auto_action = AutoAction::kStart;
      mine.push_back(std::move(c));
      net.Attach(p.get());
      peers_.push_back(std::move(p));
    }
    ASSERT_TRUE(a.engine.LoadConnections(std::move(mine)).ok());
  }
  // n connections between A and B, each with its own IKE SA (share-ike=no,
  // own IDs).
  void SeparateSasToB(int n) {
    std::vector<Connection> mine, theirs;
    for (int i = 1; i <= n; ++i) {
      const std::string s = std::to_string(i);
      auto c = Conn("t" + s, a.addr, b.addr, {Net(("10.1." + s + ".0/24").c_str())},
                    {Net(("10.2." + s + ".0/24").c_str())});
      c.share_ike = false;
      c.local.id = Id("@a" + s);
      c.remote.id = Id("@b" + s);
      auto r = Conn("t" + s, b.addr, a.addr, c.remote.subnets, c.local.subnets);
      r.share_ike = false;
      r.local.id = c.remote.id;
      r.remote.id = c.local.id;
      c.auto_action = AutoAction::kStart;
      mine.push_back(std::move(c));
      theirs.push_back(std::move(r));
    }
    ASSERT_TRUE(b.engine.LoadConnections(std::move(theirs)).ok());
    ASSERT_TRUE(a.engine.LoadConnections(std::move(mine)).ok());
  }
  void ExpectAllUp(size_t n) {
    EXPECT_EQ(Established(a), n) << a.log.Errors();
    EXPECT_EQ(a.kernel.SasByDir(kernel::Direction::kOut).size(), n);
    EXPECT_EQ(inits_.size(), n);  // each started once: nothing dropped, nothing retried
    EXPECT_EQ(a.engine.Status().counters.retransmits, 0u);
    EXPECT_EQ(a.log.Errors(), "");
  }

  std::vector<std::unique_ptr<Peer>> peers_;
  std::set<uint64_t> inits_;
  int half_open_ = 0, most_ = 0;
};

// Without a limit, all six IKE_SA_INITs leave at once: the burst a
// responder's per-source defences (strongSwan: cookie from 3, drop from 5)
// punish.
TEST_F(PacingTest, WithoutALimitEveryInitiationGoesAtOnce) {
  a.engine.SetInitLimits(0, 0);
  ManyPeers();
  ASSERT_TRUE(net.Run(Millis(10000)));
  ExpectAllUp(kPeers);
  EXPECT_EQ(most_, kPeers);
}

// The default: three half-open at once, the other three wait for a slot.
TEST_F(PacingTest, ByDefaultThreeHalfOpenAtOnce) {
  ManyPeers();
  ASSERT_TRUE(net.Run(Millis(10000)));
  ExpectAllUp(kPeers);
  EXPECT_EQ(most_, 3);
}

TEST_F(PacingTest, GlobalLimitHoldsAcrossPeers) {
  a.engine.SetInitLimits(2, 0);
  ManyPeers();
  ASSERT_TRUE(net.Run(Millis(10000)));
  ExpectAllUp(kPeers);
  EXPECT_EQ(most_, 2);
}

TEST_F(PacingTest, PerPeerLimitHoldsForOneAddress) {
  a.engine.SetInitLimits(0, 2);
  SeparateSasToB(5);
  ASSERT_TRUE(net.Run(Millis(10000)));
  ExpectAllUp(5);
  EXPECT_EQ(most_, 2);
}

// Raising the limit lets waiting initiations go at once.
TEST_F(PacingTest, RaisingTheLimitReleasesWaitingOnes) {
  a.engine.SetInitLimits(1, 0);
  net.filter = nullptr;
  ManyPeers();
  const size_t before = net.sent;
  EXPECT_EQ(before, 1u);
  a.engine.SetInitLimits(4, 0);
  EXPECT_EQ(net.sent, before + 3);
}

// A peer that never answers holds its slot only kUnansweredInitMs, not the
// ~31 s of retransmissions: with a limit of 1, the connection behind it is
// up a few seconds later.
TEST_F(PacingTest, AnUnansweredInitiationFreesItsSlot) {
  a.engine.SetInitLimits(1, 0);
  auto dead = Conn("dead", a.addr, Ip("192.0.2.99"), {Net("10.1.99.0/24")}, {Net("10.2.99.0/24")});
  dead.auto_action = AutoAction::kStart;
  auto live = AtoB();
  live.auto_action = AutoAction::kStart;
  Load(b, BtoA());
  std::vector<Connection> v;
  v.push_back(dead);
  v.push_back(live);
  ASSERT_TRUE(a.engine.LoadConnections(std::move(v)).ok());
  net.Run(Millis(2500));
  EXPECT_EQ(Established(a), 0u);  // still behind "dead"
  net.Run(Millis(2500));
  EXPECT_EQ(Established(a), 1u);
}

// A waiting initiation taken down (ipsecctl down) leaves the queue; the
// others still come up.
TEST_F(PacingTest, AWaitingInitiationCanBeTerminated) {
  a.engine.SetInitLimits(1, 0);
  ManyPeers();
  ASSERT_TRUE(a.engine.Terminate("p3").ok());
  ASSERT_TRUE(net.Run(Millis(10000)));
  EXPECT_EQ(Established(a), size_t{kPeers - 1});
  for (const auto& s : a.engine.Status().ike_sas) EXPECT_NE(s.conn, "p3");
  EXPECT_EQ(most_, 1);
}

}  // namespace
}  // namespace ipsec::engine::test
