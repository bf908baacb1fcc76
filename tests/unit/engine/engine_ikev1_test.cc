// IKEv1 through the engine (engine/v1/): two Engines, both with
// keyexchange=ikev1 connections, over the fake network. Datagrams go
// through the engine's version dispatcher (Engine::OnDatagram), main mode
// and quick mode run between the two, children land in MockKernel through
// the same install path as IKEv2's.
#include <set>

#include "engine/fixture.h"
#include "ike/v1/codec.h"
#include "ike/v1/constants.h"

namespace ipsec::engine::test {
namespace {

namespace v1c = ike::v1;

class EngineIkev1Test : public EngineTest {
 protected:
  // aes128-sha1-modp2048 (seed 003's shape with libreswan's group), esp=
  // aes128-sha1 with MODP2048 PFS or aes256gcm16 without.
  static Connection V1(Connection c, bool gcm = false) {
    c.ike_version = config::IkeVersionPolicy::kIkev1;
    c.ike_proposals = {P(ProtocolId::kIke, {Encr(12, 128), Prf(2), Dh(14)})};
    if (gcm)
      c.esp_proposals = {P(ProtocolId::kEsp, {Encr(20, 256)})};
    else
      c.esp_proposals = {P(ProtocolId::kEsp, {Encr(12, 128), Integ(2), Dh(14)})};
    return c;
  }
  // ikelifetime 60 s, rekeymargin 10 s, no fuzz: phase 1 rekeyed at 50 s.
  static Connection ShortIkeLifetime(Connection c) {
    c.ike_lifetime = config::Seconds(60);
    c.rekey_margin = config::Seconds(10);
    c.rekey_fuzz_percent = 0;
    return c;
  }
  // The kernel's soft expiry of c's inbound SA at p.
  static void SoftExpire(Peer& p, const ChildSaStatus& c) {
    kernel::ExpireEvent ev;
    ev.spi = c.inbound_spi;
    ev.dir = kernel::Direction::kIn;
    ev.reqid = c.reqid;
    p.engine.OnKernelExpire(ev);
  }
  // ca at A, cb at B; A initiates; 5 s to come up.
  void Up(const Connection& ca, const Connection& cb) {
    Load(a, ca);
    Load(b, cb);
    ASSERT_TRUE(a.engine.Initiate("site").ok());
    ASSERT_TRUE(net.Run(Millis(5000)));
  }
  int64_t rekeyed_ms = INT64_MAX;  // ChildThePeerAlreadyRekeyedIsNotRekeyedAgain
  static bool IsV1Exchange(const Datagram& d, uint8_t exchange) {
    return d.bytes.size() >= 28 && d.bytes[17] == 0x10 && d.bytes[18] == exchange;
  }
};

// The responder of a quick mode leaves the rekey to its initiator: its
// soft lifetime is half our margin before the hard one, the initiator's
// the whole margin (lifetime 60 s, margin 10 s, no fuzz: 50 s and 55 s).
// Both at 50 s, as before, made both ends rekey each child at once (591).
TEST_F(EngineIkev1Test, QuickModeResponderRekeysAfterTheInitiator) {
  auto ca = V1(AtoB()), cb = V1(BtoA());
  for (auto* c : {&ca, &cb}) {
    c->child_lifetime = config::Seconds(60);
    c->rekey_margin = config::Seconds(10);
    c->rekey_fuzz_percent = 0;
  }
  Up(ca, cb);
  ExpectMatchingChildren(a, b, 1);
  for (const auto* p : {&a, &b}) {
    ASSERT_FALSE(p->kernel.sas().empty());
    for (const auto& [key, sa] : p->kernel.sas()) {
      EXPECT_EQ(sa.params.hard.seconds, 60u);
      EXPECT_EQ(sa.params.soft.seconds, p == &a ? 50u : 55u)
          << (p == &a ? "initiator" : "responder");
    }
  }
}

TEST_F(EngineIkev1Test, MainModeAndQuickModeInstallMatchingChildren) {
  Load(a, V1(AtoB()));
  Load(b, V1(BtoA()));
  ASSERT_TRUE(a.engine.Initiate("site").ok());
  ASSERT_TRUE(net.Run(Millis(5000)));

  EXPECT_EQ(Established(a), 1u) << a.log.Errors();
  EXPECT_EQ(Established(b), 1u) << b.log.Errors();
  ExpectMatchingChildren(a, b, 1);
  EXPECT_TRUE(HasPolicy(a, "10.1.0.0/24", "10.2.0.0/24"));
  EXPECT_TRUE(HasPolicy(b, "10.2.0.0/24", "10.1.0.0/24"));
  auto sa = a.engine.Status().ike_sas.at(0);
  auto sb = b.engine.Status().ike_sas.at(0);
  EXPECT_EQ(sa.version, 1);
  EXPECT_EQ(sb.version, 1);
  EXPECT_TRUE(sa.initiator);
  EXPECT_FALSE(sb.initiator);
  EXPECT_EQ(sa.spi_i, sb.spi_i);  // the cookies
  EXPECT_EQ(sa.spi_r, sb.spi_r);
  EXPECT_NE(sa.spi_r, 0u);
  EXPECT_EQ(sa.local_id, "192.0.2.1");
  EXPECT_EQ(sa.remote_id, "192.0.2.2");
  EXPECT_EQ(sb.remote_id, "192.0.2.1");
  EXPECT_EQ(sa.algorithms, "AES_CBC_128/SHA1/MODP_2048");
  ASSERT_EQ(sa.children.size(), 1u);
  ASSERT_EQ(sb.children.size(), 1u);
  EXPECT_EQ(sa.children[0].outbound_spi, sb.children[0].inbound_spi);
  EXPECT_EQ(sa.children[0].inbound_spi, sb.children[0].outbound_spi);
  EXPECT_EQ(sa.children[0].state, "INSTALLED");
  EXPECT_EQ(sa.children[0].algorithms, "AES_CBC_128/HMAC_SHA1_96/MODP_2048");
  EXPECT_EQ(a.engine.Status().counters.ike_sas_established, 1u);
}

TEST_F(EngineIkev1Test, OneQuickModePerSubnetPairWithGcm) {
  Load(a, V1(AtoB({Net("10.1.0.0/24"), Net("10.1.1.0/24")}), true));
  Load(b, V1(BtoA({Net("10.2.0.0/24")}, {Net("10.1.0.0/24"), Net("10.1.1.0/24")}), true));
  ASSERT_TRUE(a.engine.Initiate("site").ok());
  ASSERT_TRUE(net.Run(Millis(5000)));
  ExpectMatchingChildren(a, b, 2);
  EXPECT_TRUE(HasPolicy(a, "10.1.1.0/24", "10.2.0.0/24"));
  EXPECT_TRUE(HasPolicy(b, "10.2.0.0/24", "10.1.1.0/24"));
  EXPECT_EQ(a.engine.Status().ike_sas.at(0).children.at(0).algorithms, "AES_GCM_16_256");
}

TEST_F(EngineIkev1Test, LostMessagesAreRetransmitted) {
  Load(a, V1(AtoB()));
  Load(b, V1(BtoA()));
  // The first copy of every main-mode and quick-mode message is lost.
  std::set<std::vector<uint8_t>> seen;
  net.filter = [&](const Datagram& d, size_t) { return seen.insert(d.bytes).second ? 0 : 1; };
  ASSERT_TRUE(a.engine.Initiate("site").ok());
  ASSERT_TRUE(net.Run(Millis(30000)));
  EXPECT_EQ(Established(a), 1u) << a.log.Errors();
  EXPECT_EQ(Established(b), 1u) << b.log.Errors();
  ExpectMatchingChildren(a, b, 1);
  EXPECT_GT(a.engine.Status().counters.retransmits, 0u);
}

TEST_F(EngineIkev1Test, TerminateSendsDeletesThePeerHonours) {
  Load(a, V1(AtoB()));
  Load(b, V1(BtoA()));
  ASSERT_TRUE(a.engine.Initiate("site").ok());
  ASSERT_TRUE(net.Run(Millis(5000)));
  ExpectMatchingChildren(a, b, 1);
  size_t informationals = 0;
  net.filter = [&](const Datagram& d, size_t) {
    informationals += IsV1Exchange(d, v1c::exchange::kInformational);
    return 1;
  };
  ASSERT_TRUE(a.engine.Terminate("site").ok());
  ASSERT_TRUE(net.Run(Millis(1000)));
  EXPECT_EQ(informationals, 2u);  // the child's ESP SA, then the ISAKMP SA
  EXPECT_TRUE(a.engine.Status().ike_sas.empty());
  EXPECT_TRUE(b.engine.Status().ike_sas.empty());
  EXPECT_TRUE(a.kernel.SasByDir(kernel::Direction::kIn).empty());
  EXPECT_TRUE(b.kernel.SasByDir(kernel::Direction::kIn).empty());
  EXPECT_TRUE(b.kernel.SasByDir(kernel::Direction::kOut).empty());
  EXPECT_FALSE(HasPolicy(b, "10.2.0.0/24", "10.1.0.0/24"));
  EXPECT_TRUE(b.log.Contains("peer deleted the ISAKMP SA"));
}

TEST_F(EngineIkev1Test, ShutdownDeletesAtThePeer) {
  Load(a, V1(AtoB()));
  Load(b, V1(BtoA()));
  ASSERT_TRUE(a.engine.Initiate("site").ok());
  ASSERT_TRUE(net.Run(Millis(5000)));
  b.engine.Shutdown();  // the responder's side goes
  ASSERT_TRUE(net.Run(Millis(1000)));
  EXPECT_TRUE(a.engine.Status().ike_sas.empty());
  EXPECT_TRUE(a.kernel.SasByDir(kernel::Direction::kOut).empty());
  EXPECT_TRUE(b.kernel.SasByDir(kernel::Direction::kOut).empty());
}

TEST_F(EngineIkev1Test, DpdDeclaresASilentPeerDeadAndAnswersRUThere) {
  auto ca = V1(AtoB());
  ca.dpd_delay = config::Seconds(10);
  ca.dpd_timeout = config::Seconds(30);
  Load(a, ca);
  Load(b, V1(BtoA()));
  ASSERT_TRUE(a.engine.Initiate("site").ok());
  ASSERT_TRUE(net.Run(Millis(5000)));
  ASSERT_EQ(Established(a), 1u);
  // B answers R-U-THERE: after a minute A's SA is still up.
  size_t from_b = 0;
  net.filter = [&](const Datagram& d, size_t) {
    from_b += d.to.addr == a.addr && IsV1Exchange(d, v1c::exchange::kInformational);
    return 1;
  };
  ASSERT_TRUE(net.Run(Millis(60000)));
  EXPECT_EQ(Established(a), 1u) << a.log.Errors();
  EXPECT_GE(from_b, 3u);  // ACKs
  // B goes silent: within delay + timeout A removes the SA and its children.
  net.filter = [&](const Datagram& d, size_t) { return d.to.addr == a.addr ? 0 : 1; };
  ASSERT_TRUE(net.Run(Millis(45000)));
  EXPECT_EQ(Established(a), 0u);
  EXPECT_TRUE(a.kernel.SasByDir(kernel::Direction::kOut).empty());
  EXPECT_TRUE(a.log.Contains("IKEv1 DPD: no answer"));
}

TEST_F(EngineIkev1Test, WrongPskIsOneClearLine) {
  a.secrets.any_psk = "one key";
  b.secrets.any_psk = "another key";
  Load(a, V1(AtoB()));
  Load(b, V1(BtoA()));
  ASSERT_TRUE(a.engine.Initiate("site").ok());
  ASSERT_TRUE(net.Run(Millis(20000)));
  EXPECT_EQ(Established(a), 0u);
  EXPECT_EQ(Established(b), 0u);
  EXPECT_TRUE(b.log.Contains("pre-shared keys differ")) << b.log.Errors();
}

// RFC 3947: A behind a NAT (500 -> 1500, 4500 -> 1501). NAT-D finds it,
// A floats to 4500 for message 5, B follows, children are UDP-encapsulated
// (UDP tunnel mode in quick mode) and A sends keepalives.
TEST_F(EngineIkev1Test, NatIsDetectedAndMessage5FloatsTo4500) {
  std::vector<std::pair<Endpoint, Endpoint>> nat = {{{a.addr, 500}, {Ip("198.51.100.7"), 1500}},
                                                    {{a.addr, 4500}, {Ip("198.51.100.7"), 1501}}};
  size_t keepalives = 0;
  net.rewrite = [&](Datagram& d) {
    for (auto& [in, out] : nat) {
      if (d.from == in) d.from = out;
      if (d.to == out) d.to = in;
    }
  };
  net.filter = [&](const Datagram& d, size_t) {
    keepalives += d.bytes.size() == 1 && d.bytes[0] == 0xff && d.to.port == 4500;
    return 1;
  };
  auto cb = V1(BtoA());
  cb.remote.host = IpAddress();  // right=%any
  cb.remote.id = Id("192.0.2.1");
  Load(a, V1(AtoB()));
  Load(b, cb);
  ASSERT_TRUE(a.engine.Initiate("site").ok());
  ASSERT_TRUE(net.Run(Millis(5000)));
  ASSERT_EQ(Established(a), 1u) << a.log.Errors() << b.log.Errors();
  ASSERT_EQ(Established(b), 1u) << b.log.Errors();
  auto sa = a.engine.Status().ike_sas.at(0);
  auto sb = b.engine.Status().ike_sas.at(0);
  EXPECT_TRUE(sa.nat_local);
  EXPECT_FALSE(sa.nat_remote);
  EXPECT_TRUE(sb.nat_remote);
  EXPECT_EQ(sa.local.port, 4500);
  EXPECT_EQ(sa.remote.port, 4500);
  EXPECT_EQ(sb.local.port, 4500);
  EXPECT_EQ(sb.remote.port, 1501);
  ExpectMatchingChildren(a, b, 1, /*check_addresses=*/false);
  ASSERT_EQ(sb.children.size(), 1u);
  EXPECT_TRUE(sb.children[0].udp_encap);
  const auto* b_out = b.kernel.FindSa(sb.children[0].outbound_spi, kernel::Direction::kOut);
  ASSERT_NE(b_out, nullptr);
  EXPECT_EQ(b_out->encap_sport, 4500);
  EXPECT_EQ(b_out->encap_dport, 1501);
  EXPECT_EQ(b_out->dst, Ip("198.51.100.7"));
  ASSERT_TRUE(net.Run(Millis(65000)));
  EXPECT_GE(keepalives, 3u);
  EXPECT_EQ(Established(a), 1u);
}

// RFC 3947/3948 NAT rebinding: A is behind a NAT whose mapping for 4500
// moves to another address and port. A's next authenticated message (a
// quick mode here) moves B's ISAKMP SA and the kernel's ESP-in-UDP SAs of
// its children; a garbled quick mode from a third address moves nothing;
// then the kernel's MAPPING event for the child's inbound SA (ESP from yet
// another port) moves them again. B used to drop the messages from the
// new address (no ISAKMP SA for them) and go on sending to the old mapping.
TEST_F(EngineIkev1Test, NatRebindingMovesTheIsakmpSaAndItsChildren) {
  std::vector<std::pair<Endpoint, Endpoint>> nat = {{{a.addr, 500}, {Ip("198.51.100.7"), 1500}},
                                                    {{a.addr, 4500}, {Ip("198.51.100.7"), 1501}}};
  net.rewrite = [&](Datagram& d) {
    for (auto& [in, out] : nat) {
      if (d.from == in) d.from = out;
      if (d.to == out) d.to = in;
    }
  };
  auto cb = V1(BtoA());
  cb.remote.host = IpAddress();  // right=%any
  cb.remote.id = Id("192.0.2.1");
  Up(V1(AtoB()), cb);
  ASSERT_EQ(Established(b), 1u) << b.log.Errors();
  ASSERT_EQ(b.engine.Status().ike_sas.at(0).remote.port, 1501);
  auto expect_b_sends_to = [&](const Endpoint& to) {
    auto sb = b.engine.Status().ike_sas.at(0);
    EXPECT_EQ(sb.remote, to);
    ASSERT_FALSE(b.kernel.SasByDir(kernel::Direction::kOut).empty());
    for (const auto* out : b.kernel.SasByDir(kernel::Direction::kOut)) {
      EXPECT_EQ(out->dst, to.addr);
      EXPECT_EQ(out->encap_dport, to.port);
      EXPECT_EQ(out->encap_sport, 4500);
    }
  };
  const Endpoint moved{Ip("198.51.100.8"), 1777};
  nat[1].second = moved;
  SoftExpire(a, a.engine.Status().ike_sas.at(0).children.at(0));
  ASSERT_TRUE(net.Run(Millis(5000)));
  EXPECT_TRUE(b.log.Contains("peer moved from 198.51.100.7[1501] to 198.51.100.8[1777]"));
  expect_b_sends_to(moved);
  ExpectMatchingChildren(a, b, 1, /*check_addresses=*/false);
  EXPECT_EQ(Established(a), 1u);
  EXPECT_EQ(b.engine.Status().ike_sas.size(), 1u);

  // Garbage under the SA's cookies from elsewhere: dropped, nothing moves.
  std::vector<uint8_t> qm(92, 0x77);
  const auto sb = b.engine.Status().ike_sas.at(0);
  for (int i = 0; i < 8; ++i) {
    qm[i] = static_cast<uint8_t>(sb.spi_i >> (56 - 8 * i));
    qm[8 + i] = static_cast<uint8_t>(sb.spi_r >> (56 - 8 * i));
  }
  qm[16] = 8;  // HASH
  qm[17] = 0x10;
  qm[18] = v1c::exchange::kQuickMode;
  qm[19] = 1;  // encrypted
  qm[24] = qm[25] = 0;
  qm[26] = 0;
  qm[27] = static_cast<uint8_t>(qm.size());
  const uint64_t dropped = b.engine.Status().counters.dropped_unauthenticated;
  b.engine.OnDatagram(qm, {b.addr, 4500}, {Ip("203.0.113.66"), 4500});
  EXPECT_EQ(b.engine.Status().counters.dropped_unauthenticated, dropped + 1);
  expect_b_sends_to(moved);

  // ESP from another port (the kernel's MAPPING event).
  const Endpoint esp_moved{Ip("198.51.100.8"), 1888};
  nat[1].second = esp_moved;
  kernel::MappingEvent ev;
  ev.spi = b.engine.Status().ike_sas.at(0).children.at(0).inbound_spi;
  ev.old_addr = moved.addr;
  ev.old_port = moved.port;
  ev.new_addr = esp_moved.addr;
  ev.new_port = esp_moved.port;
  b.engine.OnKernelMapping(ev);
  expect_b_sends_to(esp_moved);
  EXPECT_TRUE(b.log.Contains("peer's NAT mapping moved"));
  // DPD-free, rekey-free: the tunnel still goes both ways (a Delete on terminate).
  ASSERT_TRUE(a.engine.Terminate("site").ok());
  ASSERT_TRUE(net.Run(Millis(1000)));
  EXPECT_TRUE(b.engine.Status().ike_sas.empty());
}

// IKEv1 has no rekey exchange: the kernel's soft expiry starts a new quick
// mode for the pair; once the new child is in, the old one is deleted at
// both ends (our Delete names its inbound SPI).
TEST_F(EngineIkev1Test, SoftExpiryRekeysTheChildWithANewQuickMode) {
  Load(a, V1(AtoB()));
  Load(b, V1(BtoA()));
  ASSERT_TRUE(a.engine.Initiate("site").ok());
  ASSERT_TRUE(net.Run(Millis(5000)));
  auto old = a.engine.Status().ike_sas.at(0).children.at(0);
  int64_t last_qm_ms = 0, delete_ms = 0;
  net.filter = [&](const Datagram& d, size_t) {
    if (d.to.addr == b.addr && IsV1Exchange(d, v1c::exchange::kQuickMode))
      last_qm_ms = clock.Now().count();
    if (d.to.addr == b.addr && IsV1Exchange(d, v1c::exchange::kInformational) && !delete_ms)
      delete_ms = clock.Now().count();
    return 1;
  };
  SoftExpire(a, old);
  ASSERT_TRUE(net.Run(Millis(500)));
  // For 1 s after QM3 A still sends on the old pair (B may add the new
  // SAs only on QM3); then the new outbound SA and the old one's Delete.
  ASSERT_EQ(a.kernel.SasByDir(kernel::Direction::kOut).size(), 1u);
  EXPECT_EQ(a.kernel.SasByDir(kernel::Direction::kOut)[0]->spi, old.outbound_spi);
  ASSERT_TRUE(net.Run(Millis(4500)));
  EXPECT_EQ(delete_ms - last_qm_ms, 1000);
  auto sa = a.engine.Status().ike_sas.at(0);
  auto sb = b.engine.Status().ike_sas.at(0);
  ASSERT_EQ(sa.children.size(), 1u) << a.log.Errors();
  ASSERT_EQ(sb.children.size(), 1u) << b.log.Errors();
  EXPECT_NE(sa.children[0].inbound_spi, old.inbound_spi);
  EXPECT_EQ(sa.children[0].reqid, old.reqid);  // the same policy carries it
  EXPECT_EQ(sa.children[0].outbound_spi, sb.children[0].inbound_spi);
  EXPECT_EQ(sa.children[0].inbound_spi, sb.children[0].outbound_spi);
  // The old pair is gone at B; at A its inbound SA lingers 2 s, then goes.
  EXPECT_EQ(b.kernel.FindSa(old.outbound_spi, kernel::Direction::kIn), nullptr);
  EXPECT_EQ(b.kernel.FindSa(old.inbound_spi, kernel::Direction::kOut), nullptr);
  ASSERT_TRUE(net.Run(Millis(5000)));
  ExpectMatchingChildren(a, b, 1);
  EXPECT_TRUE(HasPolicy(a, "10.1.0.0/24", "10.2.0.0/24"));
}

// The peer rekeyed a child (a new quick mode; IKEv1 names no old SA) and
// its Delete of the old one is lost: at the old child's soft lifetime B
// sees the newer child for the pair and does not rekey it as well (two new
// pairs per rekey against strongSwan, VM 591).
TEST_F(EngineIkev1Test, ChildThePeerAlreadyRekeyedIsNotRekeyedAgain) {
  Load(a, V1(AtoB()));
  Load(b, V1(BtoA()));
  ASSERT_TRUE(a.engine.Initiate("site").ok());
  ASSERT_TRUE(net.Run(Millis(5000)));
  const auto a_old = a.engine.Status().ike_sas.at(0).children.at(0);
  const auto b_old = b.engine.Status().ike_sas.at(0).children.at(0);
  int b_quick_modes = 0;
  net.filter = [&](const Datagram& d, size_t) {
    if (d.to.addr == b.addr && IsV1Exchange(d, v1c::exchange::kInformational)) return 0;
    if (d.to.addr == a.addr && IsV1Exchange(d, v1c::exchange::kQuickMode) && d.bytes.size() > 28 &&
        clock.Now().count() > rekeyed_ms)
      ++b_quick_modes;
    return 1;
  };
  SoftExpire(a, a_old);
  ASSERT_TRUE(net.Run(Millis(5000)));
  ASSERT_EQ(b.engine.Status().ike_sas.at(0).children.size(), 2u) << b.log.Errors();
  rekeyed_ms = clock.Now().count();
  SoftExpire(b, b_old);
  ASSERT_TRUE(net.Run(Millis(5000)));
  EXPECT_EQ(b_quick_modes, 0);
  EXPECT_TRUE(b.log.Contains("the peer has made a newer child SA for the pair; not rekeying"));
  EXPECT_FALSE(b.log.Contains("IKEv1 child SA soft lifetime: rekeying"));
}

// B (the initiator) rekeys the ISAKMP SA at 50 s and its Delete of the
// old one is lost: A's children move to B's new SA, and A does not rekey
// the old SA at its lifetime as well; it deletes it then.
TEST_F(EngineIkev1Test, OldIsakmpSaThePeerReplacedIsNotRekeyedByUs) {
  Load(a, ShortIkeLifetime(V1(AtoB())));
  Load(b, ShortIkeLifetime(V1(BtoA())));
  ASSERT_TRUE(b.engine.Initiate("site").ok());
  ASSERT_TRUE(net.Run(Millis(45000)));
  ASSERT_EQ(a.engine.Status().ike_sas.size(), 1u);
  net.filter = [&](const Datagram& d, size_t) {
    return d.to.addr == a.addr && IsV1Exchange(d, v1c::exchange::kInformational) ? 0 : 1;
  };
  ASSERT_TRUE(net.Run(Millis(10000)));  // 55 s: B's new SA is up at both ends
  ASSERT_EQ(a.engine.Status().ike_sas.size(), 2u) << a.log.Errors();
  ASSERT_TRUE(net.Run(Millis(10000)));  // 65 s: past the old SA's lifetime
  EXPECT_FALSE(a.log.Contains("rekeying the ISAKMP SA"));
  EXPECT_EQ(a.engine.Status().ike_sas.size(), 1u);
  ExpectMatchingChildren(a, b, 1);
}

// Phase-1 rekey: ikelifetime 60 s, margin 10 s, no fuzz: at 50 s the
// initiator runs a new main mode, the child moves to the new ISAKMP SA at
// both ends (same SPIs, still in the kernel) and the old ISAKMP SA is
// deleted; the same again at 100 s.
TEST_F(EngineIkev1Test, IsakmpSaIsRekeyedBeforeExpiryKeepingTheChildren) {
  Up(ShortIkeLifetime(V1(AtoB())), V1(BtoA()));
  ExpectMatchingChildren(a, b, 1);
  const auto first = a.engine.Status().ike_sas.at(0);
  const auto child = first.children.at(0);
  size_t deletes_to_b = 0;
  net.filter = [&](const Datagram& d, size_t) {
    deletes_to_b += d.to.addr == b.addr && IsV1Exchange(d, v1c::exchange::kInformational);
    return 1;
  };
  ASSERT_TRUE(net.Run(Millis(50000)));  // 55 s
  for (const auto* p : {&a, &b}) {
    auto st = p->engine.Status();
    ASSERT_EQ(st.ike_sas.size(), 1u) << p->log.Errors();
    EXPECT_NE(st.ike_sas[0].spi_i, first.spi_i);
    EXPECT_EQ(st.ike_sas[0].state, "ESTABLISHED");
    ASSERT_EQ(st.ike_sas[0].children.size(), 1u);
  }
  const auto second = a.engine.Status().ike_sas.at(0);
  EXPECT_TRUE(second.initiator);
  EXPECT_EQ(second.children[0].inbound_spi, child.inbound_spi);
  EXPECT_EQ(second.children[0].outbound_spi, child.outbound_spi);
  EXPECT_EQ(b.engine.Status().ike_sas.at(0).spi_i, second.spi_i);
  EXPECT_EQ(deletes_to_b, 1u);  // the old ISAKMP SA only, no child
  EXPECT_TRUE(a.log.Contains("IKEv1 ISAKMP SA rekeyed"));
  ExpectMatchingChildren(a, b, 1);
  EXPECT_NE(a.kernel.FindSa(child.inbound_spi, kernel::Direction::kIn), nullptr);
  EXPECT_NE(b.kernel.FindSa(child.outbound_spi, kernel::Direction::kIn), nullptr);
  EXPECT_EQ(a.engine.Status().counters.ike_sas_established, 2u);
  ASSERT_TRUE(net.Run(Millis(50000)));  // 105 s: rekeyed again
  auto third = a.engine.Status().ike_sas;
  ASSERT_EQ(third.size(), 1u);
  EXPECT_NE(third[0].spi_i, second.spi_i);
  ASSERT_EQ(third[0].children.size(), 1u);
  EXPECT_EQ(third[0].children[0].inbound_spi, child.inbound_spi);
  EXPECT_EQ(b.engine.Status().ike_sas.size(), 1u);
}

// The peer that initiated does not rekey (rekey=no, a longer lifetime): the
// responder, at its own shorter lifetime, runs a new main mode itself
// instead of deleting the ISAKMP SA under the child, and the child moves.
TEST_F(EngineIkev1Test, ResponderRekeysAtItsLifetimeWhenThePeerDoesNot) {
  auto ca = V1(AtoB());
  ca.ike_lifetime = config::Seconds(120);
  ca.rekey = false;
  auto cb = V1(BtoA());
  cb.ike_lifetime = config::Seconds(60);
  Up(ca, cb);
  const auto old = b.engine.Status().ike_sas.at(0);
  const auto old_a = a.engine.Status().ike_sas.at(0);
  ASSERT_FALSE(old.initiator);
  ASSERT_TRUE(net.Run(Millis(60000)));  // 65 s
  for (const auto& [p, before] : {std::pair{&a, old_a}, std::pair{&b, old}}) {
    auto st = p->engine.Status();
    ASSERT_EQ(st.ike_sas.size(), 1u) << p->log.Errors();
    EXPECT_NE(st.ike_sas[0].spi_i, before.spi_i);
    ASSERT_EQ(st.ike_sas[0].children.size(), 1u);
    EXPECT_EQ(st.ike_sas[0].children[0].outbound_spi, before.children.at(0).outbound_spi);
  }
  EXPECT_TRUE(b.engine.Status().ike_sas[0].initiator);
  ExpectMatchingChildren(a, b, 1);
}

// B answers a right=%any conn: it cannot start a main mode to the peer.
// A peer that never replaces the ISAKMP SA (here: A offers 60 s, does not
// rekey, and nothing of it reaches B after the SA is up) no longer leaves
// it at B for ever: at the longer lifetime (B's 120 s) B deletes it and its
// child, with Deletes, and says why. Before that it is kept.
TEST_F(EngineIkev1Test, UnrekeyableResponderSaGoesAtItsLifetime) {
  auto ca = V1(AtoB());
  ca.ike_lifetime = config::Seconds(60);
  ca.rekey = false;
  auto cb = V1(Conn("site", b.addr, IpAddress{}, {Net("10.2.0.0/24")}, {Net("10.1.0.0/24")}));
  cb.ike_lifetime = config::Seconds(120);
  Up(ca, cb);
  ASSERT_EQ(Established(b), 1u) << b.log.Errors();
  size_t informationals = 0;
  net.filter = [&](const Datagram& d, size_t) {
    if (d.to.addr == b.addr) return 0;  // A is silent from now on
    informationals += IsV1Exchange(d, v1c::exchange::kInformational);
    return 1;
  };
  ASSERT_TRUE(net.Run(Millis(113000)));  // 118 s after the start
  EXPECT_EQ(Established(b), 1u);
  EXPECT_EQ(informationals, 0u);
  ASSERT_TRUE(net.Run(Millis(4000)));  // 122 s
  EXPECT_TRUE(b.engine.Status().ike_sas.empty());
  EXPECT_TRUE(b.kernel.SasByDir(kernel::Direction::kIn).empty());
  EXPECT_TRUE(b.kernel.SasByDir(kernel::Direction::kOut).empty());
  EXPECT_FALSE(HasPolicy(b, "10.2.0.0/24", "10.1.0.0/24"));
  EXPECT_EQ(informationals, 2u);  // the child's Delete, the ISAKMP SA's
  EXPECT_TRUE(b.log.Contains("the peer has not replaced it (we cannot start a main mode to it)"));
}

// A child's rekey (quick mode) still unanswered when the ISAKMP SA is
// rekeyed is run again under the new ISAKMP SA: the child is rekeyed all
// the same and the old one deleted.
TEST_F(EngineIkev1Test, ChildRekeyInFlightMovesToTheNewIsakmpSa) {
  Up(ShortIkeLifetime(V1(AtoB())), V1(BtoA()));
  const auto old = a.engine.Status().ike_sas.at(0).children.at(0);
  ASSERT_TRUE(net.Run(Millis(40000)));  // 45 s
  // B's quick-mode answers are lost until 53 s, past the phase-1 rekey at 50 s.
  net.filter = [&](const Datagram& d, size_t) {
    return d.to.addr == a.addr && IsV1Exchange(d, v1c::exchange::kQuickMode) ? 0 : 1;
  };
  SoftExpire(a, old);
  ASSERT_TRUE(net.Run(Millis(8000)));
  ASSERT_TRUE(a.log.Contains("IKEv1 ISAKMP SA rekeyed"));
  net.filter = nullptr;
  ASSERT_TRUE(net.Run(Millis(12000)));
  auto sa = a.engine.Status().ike_sas;
  ASSERT_EQ(sa.size(), 1u) << a.log.Errors();
  ASSERT_EQ(sa[0].children.size(), 1u);
  const auto fresh = sa[0].children[0];
  EXPECT_NE(fresh.inbound_spi, old.inbound_spi);
  EXPECT_EQ(a.kernel.FindSa(old.inbound_spi, kernel::Direction::kIn), nullptr);
  EXPECT_EQ(a.kernel.FindSa(old.outbound_spi, kernel::Direction::kOut), nullptr);
  EXPECT_NE(b.kernel.FindSa(fresh.outbound_spi, kernel::Direction::kIn), nullptr);
  EXPECT_NE(b.kernel.FindSa(fresh.inbound_spi, kernel::Direction::kOut), nullptr);
}

// A's quick mode (a child rekey at 45 s) is in flight on the old ISAKMP SA
// X when the phase-1 rekey (at 50 s) moves the children to the new one:
// A's QM3 is lost until 55 s, and B goes on resending QM2 on X. The first
// run has A (the quick mode's initiator) rekey phase 1, the second B.
// Either way the quick mode completes on X (the end that rekeyed keeps X
// until its quick modes are over) and the new child ends under the new
// ISAKMP SA, with B's outbound SA in. B used to move the half-made child
// at once and lose X, so QM3 never came: no outbound SA at B.
TEST_F(EngineIkev1Test, PeersQuickModeInFlightCompletesAcrossThePhase1Rekey) {
  for (Peer* rekeyer : {&a, &b}) {
    SCOPED_TRACE(rekeyer->name + " rekeys phase 1");
    net.filter = nullptr;
    (void)a.engine.Terminate("site");
    ASSERT_TRUE(net.Run(Millis(3000)));
    ASSERT_TRUE(a.kernel.sas().empty());
    ASSERT_TRUE(b.kernel.sas().empty());
    Load(a, ShortIkeLifetime(V1(AtoB())));
    Load(b, ShortIkeLifetime(V1(BtoA())));
    ASSERT_TRUE(rekeyer->engine.Initiate("site").ok());
    ASSERT_TRUE(net.Run(Millis(45000)));
    const auto x = b.engine.Status().ike_sas.at(0);
    bool hold_qm3 = true;
    net.filter = [&](const Datagram& d, size_t) {
      const bool qm3 =
          d.to.addr == b.addr && IsV1Exchange(d, v1c::exchange::kQuickMode) && d.bytes.size() < 100;
      return qm3 && hold_qm3 ? 0 : 1;
    };
    SoftExpire(a, a.engine.Status().ike_sas.at(0).children.at(0));
    ASSERT_TRUE(net.Run(Millis(10000)));  // 55 s: the new ISAKMP SA is up
    ASSERT_TRUE(rekeyer->log.Contains("IKEv1 ISAKMP SA rekeyed")) << rekeyer->log.Errors();
    hold_qm3 = false;
    ASSERT_TRUE(net.Run(Millis(30000)));  // 85 s
    for (const Peer* p : {&a, &b}) {
      auto st = p->engine.Status();
      ASSERT_EQ(st.ike_sas.size(), 1u) << p->name << p->log.Errors();
      EXPECT_NE(st.ike_sas[0].spi_i, x.spi_i) << p->name;
      ASSERT_EQ(st.ike_sas[0].children.size(), 1u) << p->name;
    }
    const auto child = b.engine.Status().ike_sas.at(0).children.at(0);
    EXPECT_NE(child.inbound_spi, x.children.at(0).inbound_spi);
    EXPECT_NE(b.kernel.FindSa(child.outbound_spi, kernel::Direction::kOut), nullptr);
    ExpectMatchingChildren(a, b, 1);
  }
}

// RFC 2407 4.6.3.1: B keeps children 1200 s, A offers 3600 s: B's QM2
// carries RESPONDER-LIFETIME and A's child lives 1200 s too. The other way
// round, the responder takes the initiator's shorter offer.
TEST_F(EngineIkev1Test, ResponderLifetimeShortensTheChild) {
  auto ca = V1(AtoB());
  auto cb = V1(BtoA());
  ca.child_lifetime = config::Seconds(3600);
  cb.child_lifetime = config::Seconds(1200);
  Up(ca, cb);
  ExpectMatchingChildren(a, b, 1);
  auto child = a.engine.Status().ike_sas.at(0).children.at(0);
  const auto* out = a.kernel.FindSa(child.outbound_spi, kernel::Direction::kOut);
  ASSERT_NE(out, nullptr);
  EXPECT_EQ(out->hard.seconds, 1200u);
  EXPECT_LT(out->soft.seconds, 1200u);
  EXPECT_EQ(b.kernel.FindSa(child.outbound_spi, kernel::Direction::kIn)->hard.seconds, 1200u);

  ASSERT_TRUE(a.engine.Terminate("site").ok());
  ASSERT_TRUE(net.Run(Millis(1000)));
  ca.child_lifetime = config::Seconds(600);
  Load(a, ca);
  ASSERT_TRUE(a.engine.Initiate("site").ok());
  ASSERT_TRUE(net.Run(Millis(5000)));
  ExpectMatchingChildren(a, b, 1);
  child = a.engine.Status().ike_sas.at(0).children.at(0);
  const auto* b_out = b.kernel.FindSa(child.inbound_spi, kernel::Direction::kOut);
  ASSERT_NE(b_out, nullptr);
  EXPECT_EQ(b_out->hard.seconds, 600u);
  EXPECT_EQ(a.kernel.FindSa(child.outbound_spi, kernel::Direction::kOut)->hard.seconds, 600u);
}

// Volume lifetimes (RFC 2407 4.5 life type kilobytes, 4.6.3.1
// RESPONDER-LIFETIME): A's lifebytes= 10 MiB goes out as 10240 kB and B,
// with none, keeps A's; B with 2 MiB answers RESPONDER-LIFETIME 2048 kB
// and both install that. Soft limits at 90 %.
TEST_F(EngineIkev1Test, ResponderLifetimeInKilobytes) {
  auto ca = V1(AtoB());
  auto cb = V1(BtoA());
  ca.child_lifebytes = 10 << 20;
  Up(ca, cb);
  ExpectMatchingChildren(a, b, 1);
  for (const Peer* p : {&a, &b})
    for (auto dir : {kernel::Direction::kIn, kernel::Direction::kOut})
      for (const auto* sa : p->kernel.SasByDir(dir)) {
        EXPECT_EQ(sa->hard.bytes, uint64_t{10} << 20) << p->name;
        EXPECT_EQ(sa->soft.bytes, (uint64_t{10} << 20) - (uint64_t{1} << 20)) << p->name;
      }

  ASSERT_TRUE(a.engine.Terminate("site").ok());
  ASSERT_TRUE(net.Run(Millis(1000)));
  cb.child_lifebytes = 2 << 20;
  Load(b, cb);
  ASSERT_TRUE(a.engine.Initiate("site").ok());
  ASSERT_TRUE(net.Run(Millis(5000)));
  ExpectMatchingChildren(a, b, 1);
  for (const Peer* p : {&a, &b})
    for (auto dir : {kernel::Direction::kIn, kernel::Direction::kOut})
      for (const auto* sa : p->kernel.SasByDir(dir))
        EXPECT_EQ(sa->hard.bytes, uint64_t{2} << 20) << p->name;

  // lifebytes= limits IKEv2 children too (each end its own: IKEv2 does
  // not negotiate it).
  ASSERT_TRUE(a.engine.Terminate("site").ok());
  ASSERT_TRUE(net.Run(Millis(1000)));
  for (auto* c : {&ca, &cb}) {
    c->ike_version = config::IkeVersionPolicy::kIkev2;
    c->ike_proposals = {P(ProtocolId::kIke, {Encr(12, 128), Integ(2), Prf(2), Dh(14)})};
  }
  ca.child_lifebytes = 3 << 20;
  cb.child_lifebytes = 0;
  Up(ca, cb);
  ExpectMatchingChildren(a, b, 1);
  for (auto dir : {kernel::Direction::kIn, kernel::Direction::kOut}) {
    for (const auto* sa : a.kernel.SasByDir(dir)) EXPECT_EQ(sa->hard.bytes, uint64_t{3} << 20);
    for (const auto* sa : b.kernel.SasByDir(dir)) EXPECT_EQ(sa->hard.bytes, 0u);
  }
}

// A failed IKEv1 initiation is tried again as IKEv2's are (revival.h):
// B accepts none of A's proposals and says NO-PROPOSAL-CHOSEN; A tries
// keyingtries=3 times, 2 s then 4 s apart, one line per try, then gives up.
TEST_F(EngineIkev1Test, RefusedMainModeIsRetriedUpToKeyingtries) {
  auto ca = V1(AtoB());
  ca.keyingtries = 3;
  auto cb = V1(BtoA());
  cb.ike_proposals = {P(ProtocolId::kIke, {Encr(12, 256), Prf(2), Dh(14)})};
  Load(a, ca);
  Load(b, cb);
  std::vector<int64_t> m1_at;
  net.filter = [&](const Datagram& d, size_t) {
    if (d.to.addr == b.addr && IsV1Exchange(d, v1c::exchange::kIdentityProtection))
      m1_at.push_back(clock.Now().count());
    return 1;
  };
  ASSERT_TRUE(a.engine.Initiate("site").ok());
  ASSERT_TRUE(net.Run(Millis(30000)));
  EXPECT_EQ(m1_at.size(), 3u);  // one message 1 per try: the notify ends each at once
  ASSERT_GE(m1_at.size(), 3u);
  EXPECT_EQ(m1_at[1] - m1_at[0], 2000);
  EXPECT_EQ(m1_at[2] - m1_at[1], 4000);
  EXPECT_TRUE(a.log.Contains("refused it: NO-PROPOSAL-CHOSEN")) << a.log.Errors();
  EXPECT_TRUE(a.log.Contains("keying try 2 of 3 in 2 s"));
  EXPECT_TRUE(a.log.Contains("keying try 3 of 3 in 4 s"));
  EXPECT_TRUE(a.log.Contains("giving up after 3 keying tries"));
  EXPECT_TRUE(a.engine.Status().ike_sas.empty());
  EXPECT_EQ(a.engine.Status().connections.at(0).keyingtries_used, 3u);
  EXPECT_GE(a.engine.Status().counters.proposal_mismatches, 3u);
}

// keyingtries=%forever against a silent peer: each main mode gives up after
// its retransmits, the next comes after the back-off, and when the peer
// answers at last the connection comes up.
TEST_F(EngineIkev1Test, UnansweredMainModeIsRetriedForever) {
  auto ca = V1(AtoB());
  ca.keyingtries = 0;
  Load(a, ca);
  Load(b, V1(BtoA()));
  bool b_up = false;
  net.filter = [&](const Datagram& d, size_t) { return d.to.addr == b.addr && !b_up ? 0 : 1; };
  ASSERT_TRUE(a.engine.Initiate("site").ok());
  ASSERT_TRUE(net.Run(Millis(300000)));
  EXPECT_TRUE(a.log.Contains("keying try 2 (%forever)"));
  EXPECT_TRUE(a.log.Contains("keying try 4 (%forever)"));
  EXPECT_FALSE(a.log.Contains("giving up"));
  b_up = true;
  ASSERT_TRUE(net.Run(Millis(120000)));
  EXPECT_EQ(Established(a), 1u) << a.log.Errors();
  ExpectMatchingChildren(a, b, 1);
}

// RFC 2407 4.6.3.3: A loses its state without telling B (its Deletes are
// lost), then starts again: its message 5 carries INITIAL-CONTACT and B
// drops the old ISAKMP SA and its child instead of keeping both.
TEST_F(EngineIkev1Test, InitialContactRemovesThePeersOldSas) {
  Up(V1(AtoB()), V1(BtoA()));
  ExpectMatchingChildren(a, b, 1);
  const auto old = b.engine.Status().ike_sas.at(0);
  net.filter = [&](const Datagram& d, size_t) { return d.to.addr == b.addr ? 0 : 1; };
  ASSERT_TRUE(a.engine.Terminate("site").ok());
  ASSERT_TRUE(net.Run(Millis(1000)));
  ASSERT_EQ(b.engine.Status().ike_sas.size(), 1u);  // B knows nothing
  net.filter = [&](const Datagram&, size_t) { return 1; };
  ASSERT_TRUE(a.engine.Initiate("site").ok());
  ASSERT_TRUE(net.Run(Millis(5000)));
  auto st = b.engine.Status();
  ASSERT_EQ(st.ike_sas.size(), 1u) << b.log.Errors();
  EXPECT_NE(st.ike_sas[0].spi_i, old.spi_i);
  ASSERT_EQ(st.ike_sas[0].children.size(), 1u);
  EXPECT_NE(st.ike_sas[0].children[0].inbound_spi, old.children.at(0).inbound_spi);
  EXPECT_TRUE(b.log.Contains("peer sent INITIAL-CONTACT"));
  ExpectMatchingChildren(a, b, 1);
}

// Hostile input: datagrams that are not a parsable main-mode message 1
// leave nothing behind; message 1s beyond the half-open cap are dropped.
TEST_F(EngineIkev1Test, UnauthenticatedInputIsBounded) {
  Load(b, V1(BtoA()));
  const Endpoint to{b.addr, 500};
  // Garbage with an ISAKMP 1.0 version byte, and a truncated header.
  std::vector<uint8_t> junk(60, 0x41);
  junk[17] = 0x10;
  b.engine.OnDatagram(junk, to, {a.addr, 500});
  b.engine.OnDatagram(std::span(junk).first(20), to, {a.addr, 500});
  EXPECT_TRUE(b.engine.Status().ike_sas.empty());
  EXPECT_GE(b.engine.Status().counters.dropped_malformed, 1u);

  // A real message 1 from A's engine, replayed under 100 initiator cookies.
  Load(a, V1(AtoB()));
  std::vector<uint8_t> m1;
  net.filter = [&](const Datagram& d, size_t) {
    if (m1.empty() && IsV1Exchange(d, v1c::exchange::kIdentityProtection)) m1 = d.bytes;
    return 0;
  };
  ASSERT_TRUE(a.engine.Initiate("site").ok());
  net.Deliver();
  ASSERT_FALSE(m1.empty());
  for (int i = 0; i < 100; ++i) {
    m1[0] = static_cast<uint8_t>(i);
    b.engine.OnDatagram(m1, to, {a.addr, 500});
  }
  EXPECT_EQ(b.engine.Status().ike_sas.size(), 8u);  // kMaxHalfOpenPerPeer
  EXPECT_EQ(b.engine.Status().counters.dropped_half_open_limit, 92u);
  // They expire.
  net.filter = nullptr;
  clock.Advance(Millis(31000));
  b.engine.OnTimer();
  EXPECT_TRUE(b.engine.Status().ike_sas.empty());

  // A message 1 from an address no IKEv1 connection names keeps nothing.
  b.engine.OnDatagram(m1, to, {Ip("198.51.100.9"), 500});
  EXPECT_TRUE(b.engine.Status().ike_sas.empty());
}

// Security (VM 585 does it against a live daemon): what an on-path host
// recorded or forged is sent to B's established SA. Replays of A's QM1 and
// R-U-THERE once their exchanges are over would verify again (IKEv1 has no
// replay protection but unique message IDs): B installed a second inbound
// SA and answered the R-U-THERE. A message 1 with the live initiator cookie
// from another address (B's %any conn matches it) took the SA's place in
// the table. Now each is dropped and counted, and the SA goes on.
TEST_F(EngineIkev1Test, ReplayedAndForgedMessagesLeaveTheSaAlone) {
  auto ca = V1(AtoB());
  ca.dpd_delay = config::Seconds(10);
  ca.dpd_timeout = config::Seconds(30);
  auto anyone =
      V1(Conn("anyone", b.addr, IpAddress{}, {Net("10.2.0.0/24")}, {Net("10.99.0.0/24")}));
  Load(a, ca);
  std::vector<Connection> cb = {V1(BtoA()), anyone};
  ASSERT_TRUE(b.engine.LoadConnections(cb).ok());
  std::vector<std::vector<uint8_t>> recorded;  // everything A sent B
  net.filter = [&](const Datagram& d, size_t) {
    if (d.to.addr == b.addr) recorded.push_back(d.bytes);
    return 1;
  };
  ASSERT_TRUE(a.engine.Initiate("site").ok());
  ASSERT_TRUE(net.Run(Millis(25000)));  // up, then two R-U-THEREs answered
  ASSERT_TRUE(net.Run(Millis(31000)));  // the quick mode's exchange is gone
  ASSERT_EQ(Established(b), 1u) << b.log.Errors();
  size_t informationals = 0, quick = 0;
  for (const auto& d : recorded) {
    Datagram dg{d, {a.addr, 500}, {b.addr, 500}};
    informationals += IsV1Exchange(dg, v1c::exchange::kInformational);
    quick += IsV1Exchange(dg, v1c::exchange::kQuickMode);
  }
  ASSERT_GE(informationals, 2u);
  ASSERT_EQ(quick, 2u);  // QM1, QM3
  const auto before = b.engine.Status();
  const auto& sa = before.ike_sas.at(0);

  size_t answered_informationals = 0;
  net.filter = [&](const Datagram& d, size_t) {
    answered_informationals +=
        d.to.addr == a.addr && IsV1Exchange(d, v1c::exchange::kInformational);
    return 1;
  };
  for (const auto& d : recorded) b.engine.OnDatagram(d, {b.addr, 500}, {a.addr, 500});
  // Message 1 with the live cookies' initiator half, from elsewhere.
  std::vector<uint8_t> m1 = recorded.front();
  b.engine.OnDatagram(m1, {b.addr, 500}, {Ip("198.51.100.9"), 500});
  net.Deliver();

  const auto after = b.engine.Status();
  ASSERT_EQ(after.ike_sas.size(), 1u);
  EXPECT_EQ(after.ike_sas[0].state, "ESTABLISHED");
  EXPECT_EQ(after.ike_sas[0].spi_i, sa.spi_i);
  EXPECT_EQ(after.ike_sas[0].spi_r, sa.spi_r);
  ASSERT_EQ(after.ike_sas[0].children.size(), 1u);
  EXPECT_EQ(after.ike_sas[0].children[0].inbound_spi, sa.children.at(0).inbound_spi);
  EXPECT_EQ(b.kernel.SasByDir(kernel::Direction::kIn).size(), 1u);
  EXPECT_EQ(answered_informationals, 0u);
  EXPECT_TRUE(b.log.Contains("dropping a replayed IKEv1 message"));
  EXPECT_EQ(after.counters.dropped_init_for_existing_sa, 1u);
  EXPECT_GE(after.counters.dropped_unexpected - before.counters.dropped_unexpected,
            informationals + 2);

  // The SA still works: B follows A's Deletes.
  net.filter = nullptr;
  ASSERT_TRUE(a.engine.Terminate("site").ok());
  ASSERT_TRUE(net.Run(Millis(1000)));
  EXPECT_TRUE(b.engine.Status().ike_sas.empty());
  EXPECT_TRUE(b.kernel.SasByDir(kernel::Direction::kIn).empty());
}

// A forged quick mode costs nothing: a QM1 under the live cookies whose
// HASH(1) does not verify (A's recorded QM1 under a new message ID, and one
// with its body garbled) is dropped and counted before B reserves an SPI
// for it. B used to call ALLOC_SPI first and keep the reservation.
TEST_F(EngineIkev1Test, ForgedQuickModeReservesNoSpi) {
  Load(a, V1(AtoB()));
  Load(b, V1(BtoA()));
  std::vector<uint8_t> qm1;
  net.filter = [&](const Datagram& d, size_t) {
    if (qm1.empty() && d.to.addr == b.addr && IsV1Exchange(d, v1c::exchange::kQuickMode))
      qm1 = d.bytes;
    return 1;
  };
  ASSERT_TRUE(a.engine.Initiate("site").ok());
  ASSERT_TRUE(net.Run(Millis(5000)));
  ASSERT_EQ(Established(b), 1u) << b.log.Errors();
  ASSERT_GT(qm1.size(), 60u);
  const auto before = b.engine.Status();
  const auto reserved = b.kernel.reserved_spis();
  const size_t sas = b.kernel.sas().size();
  auto new_mid = qm1;
  new_mid[20] ^= 0x5a;  // M-ID: HASH(1) and the IV cover it
  auto garbled = qm1;
  for (size_t i = 40; i < garbled.size(); ++i) garbled[i] ^= 0xa5;
  garbled[21] ^= 0x01;
  b.engine.OnDatagram(new_mid, {b.addr, 500}, {a.addr, 500});
  b.engine.OnDatagram(garbled, {b.addr, 500}, {a.addr, 500});
  net.Deliver();
  const auto after = b.engine.Status();
  EXPECT_EQ(b.kernel.reserved_spis(), reserved);
  EXPECT_EQ(b.kernel.sas().size(), sas);
  EXPECT_EQ(after.counters.dropped_unauthenticated - before.counters.dropped_unauthenticated, 2u);
  ASSERT_EQ(after.ike_sas.size(), 1u);
  EXPECT_EQ(after.ike_sas[0].children.size(), 1u);
  // A genuine quick mode still reserves its SPI and completes.
  SoftExpire(a, a.engine.Status().ike_sas.at(0).children.at(0));
  ASSERT_TRUE(net.Run(Millis(5000)));
  ExpectMatchingChildren(a, b, 1);
}

// Our main mode in progress and an on-path host that knows its cookies:
// ahead of B's genuine message 6 it sends A a message 6 with its last
// cipher block garbled, one with the whole body garbled, and a clear
// AUTHENTICATION-FAILED notify. Each is dropped and counted; the genuine
// message 6 completes the exchange. A used to end the attempt at the first
// ("pre-shared keys differ?") and give up (keyingtries=1).
TEST_F(EngineIkev1Test, ForgedMainModeMessage6LeavesTheExchangeAlone) {
  Load(a, V1(AtoB()));
  Load(b, V1(BtoA()));
  bool forged = false;
  uint64_t dropped_before = 0;
  net.filter = [&](const Datagram& d, size_t) {
    const bool m6 = d.to.addr == a.addr && IsV1Exchange(d, v1c::exchange::kIdentityProtection) &&
                    (d.bytes[19] & 1) != 0;
    if (!m6 || forged) return 1;
    forged = true;
    dropped_before = a.engine.Status().counters.dropped_unauthenticated;
    auto tail = d.bytes;
    tail[tail.size() - 17] ^= 0x01;  // the last two plaintext blocks
    auto body = d.bytes;
    for (size_t i = 28; i < body.size(); ++i) body[i] ^= 0x3c;
    a.engine.OnDatagram(tail, d.to, d.from);
    a.engine.OnDatagram(body, d.to, d.from);
    v1c::Message n;
    auto h = v1c::DecodeHeader(d.bytes);
    EXPECT_TRUE(h.ok());
    n.header.cookie_i = h->cookie_i;
    n.header.cookie_r = h->cookie_r;
    n.header.exchange = v1c::exchange::kInformational;
    v1c::NotifyPayload np;
    np.protocol = v1c::protocol::kIsakmp;
    np.type = v1c::notify::kAuthenticationFailed;
    n.payloads.push_back({v1c::payload::kNotification, np, {}});
    auto wire = v1c::Encode(n);
    EXPECT_TRUE(wire.ok());
    a.engine.OnDatagram(*wire, d.to, d.from);
    EXPECT_EQ(a.engine.Status().ike_sas.size(), 1u);
    return 1;
  };
  ASSERT_TRUE(a.engine.Initiate("site").ok());
  ASSERT_TRUE(net.Run(Millis(5000)));
  ASSERT_TRUE(forged);
  EXPECT_EQ(a.engine.Status().counters.dropped_unauthenticated - dropped_before, 2u);
  EXPECT_EQ(Established(a), 1u) << a.log.Errors();
  EXPECT_EQ(Established(b), 1u) << b.log.Errors();
  EXPECT_EQ(a.engine.Status().ike_sas.at(0).spi_i, b.engine.Status().ike_sas.at(0).spi_i);
  EXPECT_EQ(a.engine.Status().counters.ike_sas_established, 1u);
  EXPECT_FALSE(a.log.Contains("giving up"));
  EXPECT_TRUE(a.log.Contains("(unauthenticated, ignored)"));
  ExpectMatchingChildren(a, b, 1);
}

// A conn that allows both versions (keyexchange=ike as strongSwan means
// it: ikev2=permit) answers a peer starting with IKEv1 in IKEv1, and the
// same conn still answers IKEv2. Without it the main mode finds no conn.
TEST_F(EngineIkev1Test, ConnAllowingBothVersionsAnswersIkev1) {
  auto both = V1(BtoA());
  both.ike_version = config::IkeVersionPolicy::kIkev2Permit;
  // IKEv2 wants an integrity transform with CBC; IKEv1 ignores it.
  both.ike_proposals = {P(ProtocolId::kIke, {Encr(12, 128), Integ(2), Prf(2), Dh(14)})};
  auto v2_only = both;
  v2_only.ike_version = config::IkeVersionPolicy::kIkev2;
  Load(b, v2_only);
  Load(a, V1(AtoB()));
  ASSERT_TRUE(a.engine.Initiate("site").ok());
  ASSERT_TRUE(net.Run(Millis(3000)));
  EXPECT_EQ(Established(b), 0u);
  EXPECT_TRUE(b.log.Contains("no IKEv1 connection for main mode"));

  Load(b, both);
  ASSERT_TRUE(net.Run(Millis(10000)));  // A's retransmits find it now
  ASSERT_EQ(Established(b), 1u) << b.log.Errors();
  ExpectMatchingChildren(a, b, 1);
  EXPECT_EQ(b.engine.Status().ike_sas.at(0).version, 1);
  EXPECT_FALSE(b.engine.Status().ike_sas.at(0).initiator);

  // IKEv2 from A to the same conn of B.
  ASSERT_TRUE(a.engine.Terminate("site").ok());
  ASSERT_TRUE(net.Run(Millis(1000)));
  ASSERT_TRUE(b.engine.Status().ike_sas.empty());
  auto a2 = AtoB();
  a2.ike_proposals = both.ike_proposals;
  a2.esp_proposals = both.esp_proposals;
  Load(a, a2);
  ASSERT_TRUE(a.engine.Initiate("site").ok());
  ASSERT_TRUE(net.Run(Millis(5000)));
  ASSERT_EQ(Established(b), 1u) << b.log.Errors();
  EXPECT_EQ(b.engine.Status().ike_sas.at(0).version, 2);
  ExpectMatchingChildren(a, b, 1);
}

// esp=...-esn on both ends (RFC 4304 in quick mode): both kernels' SAs
// use 64-bit sequence numbers, status names it.
TEST_F(EngineIkev1Test, EsnReachesBothKernels) {
  auto ca = V1(AtoB()), cb = V1(BtoA());
  for (auto* c : {&ca, &cb})
    c->esp_proposals = {
        P(ProtocolId::kEsp, {Encr(12, 128), Integ(2), Dh(14), {TransformType::kEsn, 1, 0}})};
  Up(ca, cb);
  ExpectMatchingChildren(a, b, 1);
  for (const Peer* p : {&a, &b})
    for (auto dir : {kernel::Direction::kIn, kernel::Direction::kOut})
      for (const auto* sa : p->kernel.SasByDir(dir)) EXPECT_TRUE(sa->esn) << p->name;
  EXPECT_EQ(a.engine.Status().ike_sas.at(0).children.at(0).algorithms,
            "AES_CBC_128/HMAC_SHA1_96/MODP_2048/ESN");
}

TEST_F(EngineIkev1Test, AggressiveModeIsRefusedWithAReason) {
  Load(b, V1(BtoA()));
  v1c::Message m;
  m.header.cookie_i = 0x0102030405060708;
  m.header.exchange = v1c::exchange::kAggressive;
  v1c::VendorIdPayload vid;
  vid.id = {1, 2, 3, 4};
  m.payloads.push_back({v1c::payload::kVendorId, vid, {}});
  auto wire = v1c::Encode(m);
  ASSERT_TRUE(wire.ok());
  b.engine.OnDatagram(*wire, {b.addr, 500}, {a.addr, 500});
  EXPECT_TRUE(b.engine.Status().ike_sas.empty());
  EXPECT_TRUE(b.log.Contains("aggressive mode"));
}

// The dispatcher keeps IKEv2 going beside IKEv1: one IKEv2 and one IKEv1
// connection between the same two engines both come up.
TEST_F(EngineIkev1Test, Ikev2AndIkev1SideBySide) {
  auto a2 = AtoB({Net("10.1.0.0/24")}, {Net("10.3.0.0/24")});
  auto b2 = BtoA({Net("10.3.0.0/24")}, {Net("10.1.0.0/24")});
  a2.name = b2.name = "v2";
  std::vector<Connection> ca = {V1(AtoB()), a2}, cb = {V1(BtoA()), b2};
  ASSERT_TRUE(a.engine.LoadConnections(ca).ok());
  ASSERT_TRUE(b.engine.LoadConnections(cb).ok());
  ASSERT_TRUE(a.engine.Initiate("site").ok());
  ASSERT_TRUE(a.engine.Initiate("v2").ok());
  ASSERT_TRUE(net.Run(Millis(5000)));
  auto st = a.engine.Status();
  ASSERT_EQ(st.ike_sas.size(), 2u) << a.log.Errors();
  int versions = 0;
  for (const auto& s : st.ike_sas) {
    versions += s.version;
    EXPECT_EQ(s.state, "ESTABLISHED");
  }
  EXPECT_EQ(versions, 3);
  ExpectMatchingChildren(a, b, 2);
}

}  // namespace
}  // namespace ipsec::engine::test
