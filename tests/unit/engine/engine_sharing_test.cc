// Many connections to one peer share one IKE SA (engine/ike_sa_sharing.h):
// the first establishes it, the others add their children with
// CREATE_CHILD_SA; as responder, children are accepted for any connection
// the IKE SA's peer and identities fit; when the IKE SA goes, every
// connection that rode it comes back.
#include <set>

#include "engine/proposals.h"
#include "fixture.h"

namespace ipsec::engine::test {
namespace {

IpPrefix Site(int side, int i) {
  return *IpPrefix::Parse("10." + std::to_string(side) + "." + std::to_string(i) + ".0/24");
}

// n connections t1..tn, one subnet pair each (10.1.i.0/24 === 10.2.i.0/24
// from A), all with the same hosts, IDs and IKE parameters.
std::vector<Connection> Tunnels(const IpAddress& left, const IpAddress& right, int n, bool a_side,
                                AutoAction action) {
  std::vector<Connection> v;
  for (int i = 1; i <= n; ++i) {
    auto c = Conn("t" + std::to_string(i), left, right, {Site(a_side ? 1 : 2, i)},
                  {Site(a_side ? 2 : 1, i)});
    c.auto_action = action;
    v.push_back(std::move(c));
  }
  return v;
}

class SharingTest : public EngineTest {
 protected:
  SharingTest() {
    net.filter = [this](const Datagram& d, size_t) {
      if (d.bytes.size() >= 28 && !(d.bytes[19] & ike::kFlagResponse)) requests.push_back(d);
      return 1;
    };
  }
  // Installed children per connection name, from the status.
  static std::map<std::string, int> ChildrenByConn(const Peer& p) {
    std::map<std::string, int> m;
    for (const auto& s : p.engine.Status().ike_sas)
      for (const auto& c : s.children) m[c.conn] += c.state == "INSTALLED";
    return m;
  }
  // Requests of this exchange type sent by either side.
  size_t Sent(ike::ExchangeType ex) const {
    size_t n = 0;
    for (const auto& d : requests) n += Is(d, ex, false);
    return n;
  }
  static bool Logged(const Peer& p, const std::string& conn, std::string_view text) {
    for (const auto& l : p.log.lines)
      if (l.conn == conn && l.text.find(text) != std::string::npos) return true;
    return false;
  }
  std::vector<Datagram> requests;
};

TEST_F(SharingTest, FiftyConnectionsToOnePeerShareOneIkeSa) {
  ASSERT_TRUE(b.engine.LoadConnections(Tunnels(b.addr, a.addr, 50, false, AutoAction::kAdd)).ok());
  ASSERT_TRUE(a.engine.LoadConnections(Tunnels(a.addr, b.addr, 50, true, AutoAction::kStart)).ok());
  ASSERT_TRUE(net.Run(Millis(30000)));
  ASSERT_EQ(a.engine.Status().ike_sas.size(), 1u) << a.log.Errors();
  ASSERT_EQ(b.engine.Status().ike_sas.size(), 1u) << b.log.Errors();
  EXPECT_EQ(a.engine.Status().ike_sas[0].children.size(), 50u);
  ExpectMatchingChildren(a, b, 50);
  // One IKE_SA_INIT, one IKE_AUTH (carrying t1's child), 49 CREATE_CHILD_SA.
  EXPECT_EQ(Sent(ike::ExchangeType::kIkeSaInit), 1u);
  EXPECT_EQ(Sent(ike::ExchangeType::kIkeAuth), 1u);
  EXPECT_EQ(Sent(ike::ExchangeType::kCreateChildSa), 49u);
  // Every child belongs to its own connection on both sides, with the
  // matching subnets (B picked the connection by the traffic selectors).
  auto ca = ChildrenByConn(a), cb = ChildrenByConn(b);
  ASSERT_EQ(ca.size(), 50u);
  for (int i = 1; i <= 50; ++i) {
    const std::string name = "t" + std::to_string(i);
    EXPECT_EQ(ca[name], 1) << name;
    EXPECT_EQ(cb[name], 1) << name;
    EXPECT_TRUE(HasPolicy(a, ("10.1." + std::to_string(i) + ".0/24").c_str(),
                          ("10.2." + std::to_string(i) + ".0/24").c_str()));
    EXPECT_TRUE(HasPolicy(b, ("10.2." + std::to_string(i) + ".0/24").c_str(),
                          ("10.1." + std::to_string(i) + ".0/24").c_str()));
  }
  for (const auto& s : b.engine.Status().ike_sas)
    for (const auto& c : s.children) {
      const int i = std::stoi(c.conn.substr(1));
      ASSERT_EQ(c.local_ts.size(), 1u);
      EXPECT_EQ(c.local_ts[0], Site(2, i)) << c.conn;
    }
  EXPECT_TRUE(a.log.Contains("joining the IKE SA of 't1'"));
  EXPECT_EQ(a.log.Errors(), "");
  EXPECT_EQ(b.log.Errors(), "");
}

TEST_F(SharingTest, DifferentIkeParametersDoNotShare) {
  auto conns = Tunnels(a.addr, b.addr, 2, true, AutoAction::kStart);
  conns[1].ike_lifetime = config::Seconds(7200);  // an IKE-level key differs: its own IKE SA
  ASSERT_TRUE(b.engine.LoadConnections(Tunnels(b.addr, a.addr, 2, false, AutoAction::kAdd)).ok());
  ASSERT_TRUE(a.engine.LoadConnections(std::move(conns)).ok());
  ASSERT_TRUE(net.Run(Millis(10000)));
  EXPECT_EQ(Sent(ike::ExchangeType::kIkeSaInit), 2u);
  EXPECT_FALSE(a.log.Contains("joining the IKE SA"));
}

TEST_F(SharingTest, ResponderAcceptsChildrenForEveryMatchingConnection) {
  // A: one connection with three subnet pairs; B: three connections, one
  // pair each (strongSwan merges such connections into one peer config).
  Load(a, AtoB({Site(1, 1)}, {Site(2, 1), Site(2, 2), Site(2, 3)}));
  std::vector<Connection> bc = Tunnels(b.addr, a.addr, 3, false, AutoAction::kAdd);
  for (auto& c : bc) c.remote.subnets = {Site(1, 1)};
  ASSERT_TRUE(b.engine.LoadConnections(std::move(bc)).ok());
  ASSERT_TRUE(a.engine.Initiate("site").ok());
  ASSERT_TRUE(net.Run(Millis(10000)));
  ExpectMatchingChildren(a, b, 3);
  auto cb = ChildrenByConn(b);
  EXPECT_EQ(cb, (std::map<std::string, int>{{"t1", 1}, {"t2", 1}, {"t3", 1}})) << b.log.Errors();
  EXPECT_EQ(ChildrenByConn(a), (std::map<std::string, int>{{"site", 3}}));
}

TEST_F(SharingTest, EveryConnectionComesBackWhenThePeerDeletesTheSharedIkeSa) {
  // B has one connection with all 20 pairs; deleting it deletes the IKE SA.
  std::vector<IpPrefix> bl, br;
  for (int i = 1; i <= 20; ++i) {
    bl.push_back(Site(2, i));
    br.push_back(Site(1, i));
  }
  auto all = Conn("all", b.addr, a.addr, bl, br);
  all.subnet_pairs.clear();
  for (int i = 0; i < 20; ++i) all.subnet_pairs.emplace_back(bl[i], br[i]);
  Load(b, all);
  ASSERT_TRUE(a.engine.LoadConnections(Tunnels(a.addr, b.addr, 20, true, AutoAction::kStart)).ok());
  ASSERT_TRUE(net.Run(Millis(10000)));
  ExpectMatchingChildren(a, b, 20);
  const uint64_t first_spi = a.engine.Status().ike_sas.at(0).spi_i;
  ASSERT_TRUE(b.engine.Terminate("all").ok());
  ASSERT_TRUE(net.Run(Millis(30000)));
  EXPECT_TRUE(a.log.Contains("IKE SA deleted by peer: re-establishing"));
  ASSERT_EQ(a.engine.Status().ike_sas.size(), 1u);
  EXPECT_NE(a.engine.Status().ike_sas[0].spi_i, first_spi);
  ExpectMatchingChildren(a, b, 20);
  EXPECT_EQ(ChildrenByConn(a).size(), 20u);
}

TEST_F(SharingTest, ChildrenStayWithTheIkeSaWhenThePeerRekeysIt) {
  auto bc = Tunnels(b.addr, a.addr, 10, false, AutoAction::kAdd);
  for (auto& c : bc) c.ike_lifetime = config::Seconds(100);  // B rekeys the IKE SA at 95 s
  ASSERT_TRUE(b.engine.LoadConnections(std::move(bc)).ok());
  ASSERT_TRUE(a.engine.LoadConnections(Tunnels(a.addr, b.addr, 10, true, AutoAction::kStart)).ok());
  ASSERT_TRUE(net.Run(Millis(10000)));
  const uint64_t first_spi = a.engine.Status().ike_sas.at(0).spi_i;
  ASSERT_TRUE(net.Run(Millis(90000)));
  ASSERT_EQ(a.engine.Status().ike_sas.size(), 1u);
  EXPECT_NE(a.engine.Status().ike_sas[0].spi_i, first_spi) << "not rekeyed";
  ExpectMatchingChildren(a, b, 10);
  EXPECT_EQ(ChildrenByConn(a).size(), 10u);
  EXPECT_EQ(Sent(ike::ExchangeType::kIkeSaInit), 1u);
  // Taking one connection down later removes only its child.
  ASSERT_TRUE(a.engine.Terminate("t4").ok());
  ASSERT_TRUE(net.Run(Millis(5000)));
  ASSERT_EQ(a.engine.Status().ike_sas.size(), 1u);
  ExpectMatchingChildren(a, b, 9);
  EXPECT_EQ(ChildrenByConn(a).count("t4"), 0u);
}

TEST_F(SharingTest, ConnectionsSharingAFailedIkeSaHonourKeyingtries) {
  auto conns = Tunnels(a.addr, b.addr, 3, true, AutoAction::kStart);
  for (auto& c : conns) c.keyingtries = 2;
  net.filter = [](const Datagram&, size_t) { return 0; };
  ASSERT_TRUE(a.engine.LoadConnections(std::move(conns)).ok());
  ASSERT_TRUE(net.Run(Millis(300000)));
  for (const char* n : {"t1", "t2", "t3"})
    EXPECT_TRUE(Logged(a, n, "giving up after 2 keying tries")) << n;
  EXPECT_FALSE(a.engine.NextTimeout().has_value());
  // 2 tries of one shared IKE SA x (1 + 6 retransmits): no IKE SA per connection.
  EXPECT_EQ(net.sent, 14u);
}

// share-ike=no: the connection gets an IKE SA of its own, the others still
// share theirs; neither makes the peer drop the other (no second
// INITIAL_CONTACT: t2's attempt starts after t1's, which sends it).
TEST_F(SharingTest, ShareIkeNoGivesAConnectionItsOwnIkeSa) {
  auto conns = Tunnels(a.addr, b.addr, 3, true, AutoAction::kStart);
  conns[1].share_ike = false;
  ASSERT_TRUE(b.engine.LoadConnections(Tunnels(b.addr, a.addr, 3, false, AutoAction::kAdd)).ok());
  ASSERT_TRUE(a.engine.LoadConnections(std::move(conns)).ok());
  ASSERT_TRUE(net.Run(Millis(10000)));
  EXPECT_EQ(Sent(ike::ExchangeType::kIkeSaInit), 2u);
  ASSERT_EQ(a.engine.Status().ike_sas.size(), 2u) << a.log.Errors();
  EXPECT_EQ(b.engine.Status().ike_sas.size(), 2u) << b.log.Errors();
  std::set<std::set<std::string>> groups;
  for (const auto& s : a.engine.Status().ike_sas) {
    std::set<std::string> g;
    for (const auto& c : s.children) g.insert(c.conn);
    groups.insert(g);
  }
  EXPECT_EQ(groups, (std::set<std::set<std::string>>{{"t1", "t3"}, {"t2"}}));
  ExpectMatchingChildren(a, b, 3);
  EXPECT_FALSE(b.log.Contains("peer sent INITIAL_CONTACT"));
  EXPECT_FALSE(Logged(a, "t2", "joining the IKE SA"));
}

// RFC 7296 2.4: INITIAL_CONTACT says "this is the only IKE SA between these
// identities". A second IKE SA with the same identities, for a connection
// with an IKE SA of its own, must not carry it, or the peer drops the first.
TEST_F(SharingTest, NoInitialContactOnASecondIkeSaWithTheSameIdentities) {
  ASSERT_TRUE(b.engine.LoadConnections(Tunnels(b.addr, a.addr, 2, false, AutoAction::kAdd)).ok());
  auto conns = Tunnels(a.addr, b.addr, 2, true, AutoAction::kAdd);
  conns[1].share_ike = false;
  ASSERT_TRUE(a.engine.LoadConnections(std::move(conns)).ok());
  ASSERT_TRUE(a.engine.Initiate("t1").ok());
  ASSERT_TRUE(net.Run(Millis(5000)));
  ASSERT_TRUE(a.engine.Initiate("t2").ok());
  ASSERT_TRUE(net.Run(Millis(5000)));
  EXPECT_EQ(a.engine.Status().ike_sas.size(), 2u) << a.log.Errors();
  EXPECT_EQ(b.engine.Status().ike_sas.size(), 2u) << b.log.Errors();
  EXPECT_FALSE(b.log.Contains("peer sent INITIAL_CONTACT"));
  ExpectMatchingChildren(a, b, 2);
}

// The first IKE SA between the identities does carry it: B still holds an
// IKE SA A lost without B hearing of it (A's Delete never arrived), and
// drops it when A's new IKE SA says it is the only one.
TEST_F(SharingTest, InitialContactOnTheFirstIkeSaRemovesThePeersStaleOne) {
  ASSERT_TRUE(b.engine.LoadConnections(Tunnels(b.addr, a.addr, 2, false, AutoAction::kAdd)).ok());
  ASSERT_TRUE(a.engine.LoadConnections(Tunnels(a.addr, b.addr, 2, true, AutoAction::kAdd)).ok());
  ASSERT_TRUE(a.engine.Initiate("t1").ok());
  ASSERT_TRUE(net.Run(Millis(5000)));
  const uint64_t stale = b.engine.Status().ike_sas.at(0).spi_i;
  net.filter = [](const Datagram&, size_t) { return 0; };
  ASSERT_TRUE(a.engine.Terminate("t1").ok());
  ASSERT_TRUE(net.Run(Millis(300000)));  // A gives up on its Delete
  ASSERT_TRUE(a.engine.Status().ike_sas.empty());
  ASSERT_EQ(b.engine.Status().ike_sas.size(), 1u);
  net.filter = nullptr;
  ASSERT_TRUE(a.engine.Initiate("t2").ok());
  ASSERT_TRUE(net.Run(Millis(5000)));
  EXPECT_TRUE(b.log.Contains("peer sent INITIAL_CONTACT: removing its old IKE SA"));
  ASSERT_EQ(b.engine.Status().ike_sas.size(), 1u);
  EXPECT_NE(b.engine.Status().ike_sas[0].spi_i, stale);
  ExpectMatchingChildren(a, b, 1);
}

// Both ends start 120 connections at once, each with identities of its own
// (so no two share an IKE SA): duplicates are found per (peer, identities)
// among some 240 IKE SAs to one address, and exactly one IKE SA per
// connection is left, the same one at both ends, none lost.
TEST_F(SharingTest, DuplicatesAmongManyIkeSasToOnePeerResolvePerIdentityPair) {
  constexpr int kConns = 120;
  auto with_ids = [](std::vector<Connection> v, bool a_side) {
    for (size_t i = 0; i < v.size(); ++i) {
      const std::string n = std::to_string(i + 1);
      v[i].local.id = Id((a_side ? "@a" : "@b") + n);
      v[i].remote.id = Id((a_side ? "@b" : "@a") + n);
      v[i].keyingtries = 0;
    }
    return v;
  };
  ASSERT_TRUE(b.engine
                  .LoadConnections(
                      with_ids(Tunnels(b.addr, a.addr, kConns, false, AutoAction::kStart), false))
                  .ok());
  ASSERT_TRUE(a.engine
                  .LoadConnections(
                      with_ids(Tunnels(a.addr, b.addr, kConns, true, AutoAction::kStart), true))
                  .ok());
  ASSERT_TRUE(net.Run(Millis(120000)));
  EXPECT_TRUE(a.log.Contains("duplicate IKE SA") || b.log.Contains("duplicate IKE SA"));
  const auto sa = a.engine.Status().ike_sas, sb = b.engine.Status().ike_sas;
  ASSERT_EQ(sa.size(), size_t{kConns}) << a.log.Errors();
  ASSERT_EQ(sb.size(), size_t{kConns}) << b.log.Errors();
  std::set<std::pair<uint64_t, uint64_t>> spis_a, spis_b;
  for (const auto& s : sa) {
    EXPECT_EQ(s.state, "ESTABLISHED");
    ASSERT_EQ(s.children.size(), 1u) << s.conn;
    EXPECT_EQ(s.children[0].conn, s.conn);
    spis_a.insert({s.spi_i, s.spi_r});
  }
  for (const auto& s : sb) spis_b.insert({s.spi_i, s.spi_r});
  EXPECT_EQ(spis_a, spis_b);
  EXPECT_EQ(ChildrenByConn(a).size(), size_t{kConns});
  EXPECT_EQ(ChildrenByConn(b).size(), size_t{kConns});
  ExpectMatchingChildren(a, b, kConns);
}

// A's ESP proposals carry DH groups. Implicit (no pfs= line): each proposal
// with the groups, then the same without, as config/conn_builder.cc builds
// them; explicit (pfs=yes or a group in esp=): only with the groups.
std::vector<Connection> WithPfs(std::vector<Connection> v, bool implicit) {
  for (auto& c : v) {
    std::vector<Proposal> plain = DefaultEspProposals();
    c.esp_proposals = plain;
    for (auto& p : c.esp_proposals) {
      p.transforms.push_back(Dh(ike::dh::kCurve25519));
      p.transforms.push_back(Dh(ike::dh::kEcp256));
    }
    if (implicit) c.esp_proposals.insert(c.esp_proposals.end(), plain.begin(), plain.end());
  }
  return v;
}

TEST_F(SharingTest, NewChildrenWithoutPfsForAPeerThatDoesNotDoIt) {
  // B's esp= has no DH group (strongSwan's default): it picks A's fallback
  // proposals without a group and ignores A's KE; no retry is needed.
  ASSERT_TRUE(b.engine.LoadConnections(Tunnels(b.addr, a.addr, 3, false, AutoAction::kAdd)).ok());
  ASSERT_TRUE(
      a.engine.LoadConnections(WithPfs(Tunnels(a.addr, b.addr, 3, true, AutoAction::kStart), true))
          .ok());
  ASSERT_TRUE(net.Run(Millis(10000)));
  ExpectMatchingChildren(a, b, 3);
  EXPECT_EQ(ChildrenByConn(a), (std::map<std::string, int>{{"t1", 1}, {"t2", 1}, {"t3", 1}}))
      << a.log.Errors();
  EXPECT_EQ(Sent(ike::ExchangeType::kCreateChildSa), 2u);
  EXPECT_EQ(a.log.Errors(), "");
}

TEST_F(SharingTest, ExplicitPfsIsNeverDropped) {
  ASSERT_TRUE(b.engine.LoadConnections(Tunnels(b.addr, a.addr, 2, false, AutoAction::kAdd)).ok());
  ASSERT_TRUE(
      a.engine.LoadConnections(WithPfs(Tunnels(a.addr, b.addr, 2, true, AutoAction::kStart), false))
          .ok());
  ASSERT_TRUE(net.Run(Millis(10000)));
  EXPECT_EQ(ChildrenByConn(a), (std::map<std::string, int>{{"t1", 1}}));
  EXPECT_TRUE(Logged(a, "t2", "NO_PROPOSAL_CHOSEN"));
  EXPECT_EQ(Sent(ike::ExchangeType::kCreateChildSa), 1u);
}

// A child of a connection riding the shared IKE SA reaches its hard
// lifetime without a rekey (rekey=no): the new child is for that
// connection's own pair, not for the IKE SA's first connection.
TEST_F(SharingTest, HardExpiryOfARidersChildBringsItBackForItsOwnConnection) {
  auto conns = Tunnels(a.addr, b.addr, 3, true, AutoAction::kStart);
  for (auto& c : conns) c.rekey = false;
  ASSERT_TRUE(b.engine.LoadConnections(Tunnels(b.addr, a.addr, 3, false, AutoAction::kAdd)).ok());
  ASSERT_TRUE(a.engine.LoadConnections(std::move(conns)).ok());
  ASSERT_TRUE(net.Run(Millis(10000)));
  ASSERT_EQ(a.engine.Status().ike_sas.size(), 1u) << a.log.Errors();
  uint32_t t3_spi = 0;
  for (const auto& c : a.engine.Status().ike_sas[0].children)
    if (c.conn == "t3") t3_spi = c.inbound_spi;
  ASSERT_NE(t3_spi, 0u);
  kernel::ExpireEvent ev;
  ev.spi = t3_spi;
  ev.dir = kernel::Direction::kIn;
  ev.hard = true;
  a.engine.OnKernelExpire(ev);
  ASSERT_TRUE(net.Run(Millis(5000)));
  auto ca = ChildrenByConn(a), cb = ChildrenByConn(b);
  EXPECT_EQ(ca, (std::map<std::string, int>{{"t1", 1}, {"t2", 1}, {"t3", 1}})) << a.log.Errors();
  EXPECT_EQ(cb, ca) << b.log.Errors();
  EXPECT_TRUE(HasPolicy(a, "10.1.3.0/24", "10.2.3.0/24"));
  for (const auto& c : a.engine.Status().ike_sas[0].children) {
    if (c.conn == "t3") {
      EXPECT_NE(c.inbound_spi, t3_spi);
    }
  }
}

// The responder keeps, per IKE SA, which connections may put children under
// it (ChildConnections); a reload that adds one must make it one of them at
// once, for the live IKE SA too.
TEST_F(SharingTest, ResponderAcceptsAConnectionAReloadAddedUnderTheLiveIkeSa) {
  ASSERT_TRUE(b.engine.LoadConnections(Tunnels(b.addr, a.addr, 2, false, AutoAction::kAdd)).ok());
  ASSERT_TRUE(a.engine.LoadConnections(Tunnels(a.addr, b.addr, 2, true, AutoAction::kStart)).ok());
  ASSERT_TRUE(net.Run(Millis(10000)));
  ExpectMatchingChildren(a, b, 2);
  const uint64_t spi = b.engine.Status().ike_sas.at(0).spi_r;
  ASSERT_TRUE(b.engine.LoadConnections(Tunnels(b.addr, a.addr, 3, false, AutoAction::kAdd)).ok());
  ASSERT_TRUE(a.engine.LoadConnections(Tunnels(a.addr, b.addr, 3, true, AutoAction::kStart)).ok());
  ASSERT_TRUE(net.Run(Millis(10000)));
  ASSERT_EQ(b.engine.Status().ike_sas.size(), 1u);
  EXPECT_EQ(b.engine.Status().ike_sas[0].spi_r, spi);  // the same IKE SA
  ExpectMatchingChildren(a, b, 3);
  EXPECT_EQ(ChildrenByConn(b), (std::map<std::string, int>{{"t1", 1}, {"t2", 1}, {"t3", 1}}))
      << b.log.Errors();
  EXPECT_EQ(b.log.Errors(), "");
}

}  // namespace
}  // namespace ipsec::engine::test
