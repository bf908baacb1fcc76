// The engine's timers run from a queue of per-IKE-SA deadlines
// (engine/timer_queue.h) instead of a walk over every SA on every turn:
// they must still fire in deadline order, be re-armed after each exchange,
// and go with their SA. (FakeNetwork::Run also checks, every round, that
// NextTimeout() equals the walk over every SA: NextTimeoutByScan().)
#include "fixture.h"

namespace ipsec::engine::test {
namespace {

class TimersTest : public EngineTest {
 protected:
  TimersTest() : c(net, clock, "C", Ip("192.0.2.3"), 3, 0x3000) {
    net.Attach(&c);
    c.secrets.any_psk = a.secrets.any_psk;
    // Every DPD request A sends (an empty INFORMATIONAL request): when,
    // and to whom.
    net.filter = [this](const Datagram& d, size_t) {
      if (d.from.addr == a.addr && Is(d, ike::ExchangeType::kInformational, false))
        dpd.emplace_back(clock.Now().count() - t0, d.to.addr == b.addr ? "B" : "C");
      return drop_c && (d.to.addr == c.addr || d.from.addr == c.addr) ? 0 : 1;
    };
  }
  // A has "toB" (dpddelay 7 s) and "toC" (3 s), one IKE SA each.
  void Up() {
    auto ab = AtoB(), ba = BtoA();
    ab.name = ba.name = "toB";
    ab.dpd_delay = config::Seconds(7);
    auto ac = Conn("toC", a.addr, c.addr, {Net("10.1.0.0/24")}, {Net("10.3.0.0/24")});
    auto ca = Conn("toC", c.addr, a.addr, {Net("10.3.0.0/24")}, {Net("10.1.0.0/24")});
    ac.dpd_delay = config::Seconds(3);
    ac.dpd_timeout = config::Seconds(5);
    ASSERT_TRUE(a.engine.LoadConnections({ab, ac}).ok());
    Load(b, ba);
    Load(c, ca);
    ASSERT_TRUE(a.engine.Initiate("toB").ok());
    ASSERT_TRUE(a.engine.Initiate("toC").ok());
    net.Deliver();
    ASSERT_EQ(Established(a), 2u) << a.log.Errors();
    t0 = clock.Now().count();
  }
  Peer c;
  int64_t t0 = 0;
  bool drop_c = false;
  std::vector<std::pair<int64_t, std::string>> dpd;
};

using Fired = std::vector<std::pair<int64_t, std::string>>;

// Each SA's DPD fires at its own delay after the last message from its
// peer, and again after each answered one, in time order across the SAs.
TEST_F(TimersTest, FireInDeadlineOrderAndAreReArmed) {
  Up();
  ASSERT_EQ(a.engine.NextTimeout(), Millis(3000));
  ASSERT_TRUE(net.Run(Millis(15000)));
  EXPECT_EQ(dpd, (Fired{{3000, "C"},
                        {6000, "C"},
                        {7000, "B"},
                        {9000, "C"},
                        {12000, "C"},
                        {14000, "B"},
                        {15000, "C"}}));
  EXPECT_EQ(Established(a), 2u) << a.log.Errors();
}

// An SA that goes takes its timers with it; the other SA's go on.
TEST_F(TimersTest, GoWithTheirSa) {
  Up();
  ASSERT_TRUE(a.engine.Terminate("toC").ok());
  ASSERT_TRUE(net.Run(Millis(15000)));
  EXPECT_EQ(dpd, (Fired{{0, "C"}, {7000, "B"}, {14000, "B"}}));  // toC's Delete, then B's DPD
  EXPECT_EQ(a.engine.NextTimeout(), Millis(6000));
  ASSERT_TRUE(a.engine.Terminate("toB").ok());
  net.Deliver();
  EXPECT_EQ(Established(a), 0u);
  EXPECT_FALSE(a.engine.NextTimeout().has_value());
}

// A peer that stops answering: its SA's retransmits (bounded by
// dpdtimeout) are re-armed until the SA is declared dead, then nothing of
// it is left to fire.
TEST_F(TimersTest, DeadPeerSaIsCancelled) {
  Up();
  drop_c = true;
  ASSERT_TRUE(net.Run(Millis(8100)));
  EXPECT_TRUE(a.log.Contains("within dpdtimeout")) << a.log.Errors();
  EXPECT_EQ(Established(a), 1u);
  EXPECT_EQ(a.engine.NextTimeout(), Millis(7000 + 7000 - 8100));  // B's next DPD
  ASSERT_TRUE(net.Run(Millis(6000)));
  EXPECT_EQ(dpd.back(), (std::pair<int64_t, std::string>{14000, "B"}));
}

}  // namespace
}  // namespace ipsec::engine::test
