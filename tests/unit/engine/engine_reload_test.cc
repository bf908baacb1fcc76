// Reloading the connection table (Engine::LoadConnections on a running
// engine, daemon/reload.h): unchanged connections keep their IKE SA, child
// SAs and SPIs; removed ones are deleted at both ends; changed ones are
// replaced; an invalid table changes nothing; a shared IKE SA goes only
// with the last connection riding it. A third peer C (192.0.2.3, site
// 10.3.0.0/24) plays the site added and removed.
#include <set>

#include "fixture.h"

namespace ipsec::engine::test {
namespace {

// Everything that must not move for a kept connection: the IKE SPIs and
// each child's SPIs, per connection.
using SaKey = std::set<std::tuple<std::string, uint64_t, uint64_t, uint32_t, uint32_t>>;
SaKey Sas(const Peer& p) {
  SaKey k;
  for (const auto& s : p.engine.Status().ike_sas)
    for (const auto& c : s.children)
      k.insert({c.conn, s.spi_i, s.spi_r, c.inbound_spi, c.outbound_spi});
  return k;
}
SaKey SasOf(const Peer& p, const std::string& conn) {
  SaKey k;
  for (const auto& e : Sas(p))
    if (std::get<0>(e) == conn) k.insert(e);
  return k;
}

class ReloadTest : public EngineTest {
 protected:
  ReloadTest() : c(net, clock, "C", Ip("192.0.2.3"), 3, 0x3000) {
    net.Attach(&c);
    c.secrets.any_psk = a.secrets.any_psk;
  }
  Connection Site2() {
    auto x = Conn("site2", a.addr, b.addr, {Net("10.1.0.0/24")}, {Net("10.2.0.0/24")});
    x.auto_action = AutoAction::kStart;
    return x;
  }
  Connection Site3() {
    auto x = Conn("site3", a.addr, c.addr, {Net("10.1.0.0/24")}, {Net("10.3.0.0/24")});
    x.auto_action = AutoAction::kStart;
    return x;
  }
  ipsec::Status LoadA(std::vector<Connection> v) { return a.engine.LoadConnections(std::move(v)); }
  // A with site2 up to B, C ready to answer site3.
  void StartSite2() {
    ASSERT_TRUE(b.engine
                    .LoadConnections(
                        {Conn("site2", b.addr, a.addr, {Net("10.2.0.0/24")}, {Net("10.1.0.0/24")})})
                    .ok());
    ASSERT_TRUE(c.engine
                    .LoadConnections(
                        {Conn("site3", c.addr, a.addr, {Net("10.3.0.0/24")}, {Net("10.1.0.0/24")})})
                    .ok());
    ASSERT_TRUE(LoadA({Site2()}).ok());
    ASSERT_TRUE(net.Run(Millis(5000)));
    ASSERT_EQ(SasOf(a, "site2").size(), 1u) << a.log.Errors();
    ExpectMatchingChildren(a, b, 1);
  }
  Peer c;
};

TEST_F(ReloadTest, AddedConnectionComesUpAndTheOthersKeepTheirSpis) {
  StartSite2();
  const SaKey before = SasOf(a, "site2");
  const size_t b_rx = b.engine.Status().counters.rx_messages;
  ASSERT_TRUE(LoadA({Site2(), Site3()}).ok());
  ASSERT_TRUE(net.Run(Millis(5000)));
  EXPECT_EQ(SasOf(a, "site2"), before);
  EXPECT_EQ(SasOf(a, "site3").size(), 1u) << a.log.Errors();
  EXPECT_EQ(SasOf(c, "site3").size(), 1u);
  // B heard nothing: no Delete, no rekey.
  EXPECT_EQ(b.engine.Status().counters.rx_messages, b_rx);
  EXPECT_EQ(a.kernel.SasByDir(kernel::Direction::kOut).size(), 2u);
}

TEST_F(ReloadTest, RemovedConnectionIsDeletedAtBothEnds) {
  StartSite2();
  ASSERT_TRUE(LoadA({Site2(), Site3()}).ok());
  ASSERT_TRUE(net.Run(Millis(5000)));
  ASSERT_EQ(SasOf(c, "site3").size(), 1u);
  const SaKey before = SasOf(a, "site2");
  ASSERT_TRUE(LoadA({Site2()}).ok());
  ASSERT_TRUE(net.Run(Millis(5000)));
  EXPECT_TRUE(SasOf(a, "site3").empty());
  EXPECT_TRUE(c.engine.Status().ike_sas.empty()) << "C did not hear the Delete";
  EXPECT_TRUE(c.kernel.SasByDir(kernel::Direction::kIn).empty());
  EXPECT_FALSE(HasPolicy(a, "10.1.0.0/24", "10.3.0.0/24"));
  EXPECT_TRUE(HasPolicy(a, "10.1.0.0/24", "10.2.0.0/24"));
  EXPECT_EQ(SasOf(a, "site2"), before);
  EXPECT_EQ(a.kernel.SasByDir(kernel::Direction::kOut).size(), 1u);
  // Gone from the table too: nothing can start it.
  EXPECT_FALSE(a.engine.Initiate("site3").ok());
}

TEST_F(ReloadTest, ChangedConnectionIsReplaced) {
  StartSite2();
  const SaKey before = SasOf(a, "site2");
  auto changed = Site2();
  changed.child_lifetime = config::Seconds(1800);
  ASSERT_TRUE(LoadA({changed}).ok());
  ASSERT_TRUE(net.Run(Millis(5000)));
  const SaKey after = SasOf(a, "site2");
  ASSERT_EQ(after.size(), 1u) << a.log.Errors();
  EXPECT_NE(after, before);
  for (const auto& old : before) {
    EXPECT_EQ(a.kernel.FindSa(std::get<3>(old), kernel::Direction::kIn), nullptr);
    EXPECT_EQ(b.kernel.FindSa(std::get<4>(old), kernel::Direction::kIn), nullptr);
  }
  ExpectMatchingChildren(a, b, 1);
}

TEST_F(ReloadTest, ReplacedWhileItsIkeSaIsBusyStartsAFreshIkeSa) {
  StartSite2();
  // A child rekey in flight: the old IKE SA's Delete has to wait its turn.
  const uint32_t in_spi = static_cast<uint32_t>(std::get<3>(*SasOf(a, "site2").begin()));
  a.engine.OnKernelExpire({0, in_spi, kernel::Direction::kIn, 0, false, 0});
  auto changed = Site2();
  changed.child_lifetime = config::Seconds(1800);
  ASSERT_TRUE(LoadA({changed}).ok());
  // No timers: the replacement is up on its own IKE SA at once, not after a
  // revival delay for having joined the dying one.
  net.Deliver();
  auto st = a.engine.Status();
  ASSERT_EQ(st.ike_sas.size(), 1u) << a.log.Errors();
  EXPECT_EQ(st.ike_sas[0].state, "ESTABLISHED");
  EXPECT_EQ(SasOf(a, "site2").size(), 1u);
  ExpectMatchingChildren(a, b, 1);
}

TEST_F(ReloadTest, AnySettingChangeRenegotiatesButItsPlaceInTheFileDoesNot) {
  // The engine holds the whole connection: a setting only the daemon acts
  // on (mtu=, leftsourceip=) replaces it too.
  StartSite2();
  const SaKey before = SasOf(a, "site2");
  auto with_mtu = Site2();
  with_mtu.mtu = 1400;
  ASSERT_TRUE(LoadA({with_mtu}).ok());
  ASSERT_TRUE(net.Run(Millis(5000)));
  ASSERT_EQ(SasOf(a, "site2").size(), 1u);
  EXPECT_NE(SasOf(a, "site2"), before);
  // The same settings written elsewhere in the file (a site added above
  // it) change nothing.
  const SaKey now = SasOf(a, "site2");
  auto moved = with_mtu;
  moved.where = {"/etc/ipsec.conf", 42};
  ASSERT_TRUE(LoadA({moved}).ok());
  ASSERT_TRUE(net.Run(Millis(5000)));
  EXPECT_EQ(SasOf(a, "site2"), now);
}

TEST_F(ReloadTest, InvalidTableChangesNothing) {
  StartSite2();
  const SaKey before = SasOf(a, "site2");
  const size_t sent = net.sent;
  auto bad = Site3();
  bad.local.subnets = {Net("fd00:1::/64")};  // no pair of one family
  EXPECT_FALSE(LoadA({Site3(), bad}).ok());  // defined twice
  EXPECT_FALSE(LoadA({bad}).ok());
  ASSERT_TRUE(net.Run(Millis(5000)));
  EXPECT_EQ(net.sent, sent);
  EXPECT_EQ(SasOf(a, "site2"), before);
  EXPECT_EQ(a.engine.Status().connections.size(), 1u);
  EXPECT_FALSE(a.engine.Initiate("site3").ok());
}

TEST_F(ReloadTest, SharedIkeSaGoesOnlyWithItsLastConnection) {
  auto t = [&](const char* name, const char* l, const char* r, bool ours) {
    auto x = ours ? Conn(name, a.addr, b.addr, {Net(l)}, {Net(r)})
                  : Conn(name, b.addr, a.addr, {Net(r)}, {Net(l)});
    x.auto_action = ours ? AutoAction::kStart : AutoAction::kAdd;
    return x;
  };
  ASSERT_TRUE(b.engine
                  .LoadConnections({t("t1", "10.1.1.0/24", "10.2.1.0/24", false),
                                    t("t2", "10.1.2.0/24", "10.2.2.0/24", false)})
                  .ok());
  ASSERT_TRUE(LoadA({t("t1", "10.1.1.0/24", "10.2.1.0/24", true),
                     t("t2", "10.1.2.0/24", "10.2.2.0/24", true)})
                  .ok());
  ASSERT_TRUE(net.Run(Millis(5000)));
  ASSERT_EQ(a.engine.Status().ike_sas.size(), 1u);
  ASSERT_EQ(Sas(a).size(), 2u) << a.log.Errors();
  const SaKey t2 = SasOf(a, "t2");
  const uint64_t ike_spi = a.engine.Status().ike_sas[0].spi_i;

  // t1 (the IKE SA's own connection) goes: its child only.
  ASSERT_TRUE(LoadA({t("t2", "10.1.2.0/24", "10.2.2.0/24", true)}).ok());
  ASSERT_TRUE(net.Run(Millis(5000)));
  auto st = a.engine.Status();
  ASSERT_EQ(st.ike_sas.size(), 1u);
  EXPECT_EQ(st.ike_sas[0].spi_i, ike_spi);
  EXPECT_EQ(st.ike_sas[0].conn, "t2") << "the IKE SA lives on under the connection that stays";
  EXPECT_EQ(Sas(a), t2);
  ExpectMatchingChildren(a, b, 1);

  // The last one goes: so does the IKE SA, at both ends.
  ASSERT_TRUE(LoadA({}).ok());
  ASSERT_TRUE(net.Run(Millis(5000)));
  EXPECT_TRUE(a.engine.Status().ike_sas.empty());
  EXPECT_TRUE(b.engine.Status().ike_sas.empty());
  EXPECT_TRUE(a.kernel.SasByDir(kernel::Direction::kIn).empty());
}

}  // namespace
}  // namespace ipsec::engine::test
