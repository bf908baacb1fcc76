// Lifecycle of SAs on the fake clock: rekey in both roles (key direction,
// make-before-break, one rekey per child, collisions), rekey timing from
// the configuration, DPD timeout and actions, revival.
#include <gtest/gtest.h>

#include "engine/child_install.h"
#include "engine/ike_sa.h"
#include "engine/peer_busy.h"
#include "engine/task_manager.h"
#include "engine/tasks/tasks.h"
#include "fixture.h"

namespace ipsec::engine::test {
namespace {

using kernel::Direction;

ChildSaStatus OnlyChild(const Peer& p) {
  auto s = p.engine.Status();
  EXPECT_EQ(s.ike_sas.size(), 1u);
  if (s.ike_sas.empty() || s.ike_sas[0].children.empty()) return {};
  EXPECT_EQ(s.ike_sas[0].children.size(), 1u);
  return s.ike_sas[0].children[0];
}

kernel::ExpireEvent SoftExpire(uint32_t spi, Direction dir, bool hard = false) {
  kernel::ExpireEvent ev;
  ev.spi = spi;
  ev.dir = dir;
  ev.hard = hard;
  return ev;
}

class LifecycleTest : public EngineTest {
 protected:
  // Counts CREATE_CHILD_SA requests on the wire.
  void CountChildRequests() {
    net.filter = [this](const Datagram& d, size_t) {
      if (Is(d, ike::ExchangeType::kCreateChildSa, false)) ++child_requests;
      return drop_all ? 0 : 1;
    };
  }
  void Up(Connection ca, Connection cb) {
    Load(a, std::move(ca));
    Load(b, std::move(cb));
    ASSERT_TRUE(a.engine.Initiate("site").ok());
    ASSERT_TRUE(net.Run(Millis(5000)));
    ASSERT_EQ(Established(a), 1u) << a.log.Errors();
  }
  int child_requests = 0;
  bool drop_all = false;
};

// RFC 7296 2.17: the i->r keys are those of the exchange's initiator. A
// child the IKE responder creates (or rekeys) has the IKE initiator's
// inbound SA keyed with the i->r keys. (Two of our engines agree with each
// other either way; strongSwan did not, and traffic stopped for a lifetime.)
TEST_F(LifecycleTest, ChildKeysFollowTheExchangeInitiatorNotTheIkeRole) {
  kernel::MockKernel kernel;
  EngineContext ctx(clock, a.random, a.sender, kernel, a.secrets, a.log);
  IkeSa sa(ctx, 1, /*initiator=*/true);
  sa.conn = std::make_shared<const Connection>(AtoB());
  sa.local = {a.addr, 500};
  sa.remote = {b.addr, 500};
  ChildSa child;
  child.initiator = false;  // the peer (IKE responder) sent CREATE_CHILD_SA
  child.inbound_spi = 0x1111;
  child.outbound_spi = 0x2222;
  child.reqid = 1;
  child.local_ts = Net("10.1.0.0/24");
  child.remote_ts = Net("10.2.0.0/24");
  child.transforms.encr = 20;  // AES-GCM-16
  child.transforms.encr_key_bits = 256;
  ike::ChildSaKeys keys;
  keys.encr_i = SecureBytes(std::vector<uint8_t>(36, 0x11));
  keys.encr_r = SecureBytes(std::vector<uint8_t>(36, 0x22));
  ASSERT_TRUE(InstallChild(ctx, sa, child, keys).ok());
  const auto* in = kernel.FindSa(0x1111, Direction::kIn);
  const auto* out = kernel.FindSa(0x2222, Direction::kOut);
  ASSERT_TRUE(in && out);
  EXPECT_TRUE(in->enc_key == keys.encr_i) << "inbound must use the peer's (initiator's) keys";
  EXPECT_TRUE(out->enc_key == keys.encr_r);
}

// RFC 7296 2.25.2: a Delete of a child that the peer sent on the IKE SA
// while our rekey of that IKE SA crossed it (libreswan does: its Delete
// rides the old SA) is answered "as usual, with a Delete payload", though
// the child has moved to the new IKE SA. An empty answer left pluto
// keeping a child it had logged as deleted (VM 547).
TEST_F(LifecycleTest, ChildDeleteOnTheRekeyedIkeSaFindsTheMovedChild) {
  kernel::MockKernel kernel;
  EngineContext ctx(clock, a.random, a.sender, kernel, a.secrets, a.log);
  IkeSa old_sa(ctx, 1, /*initiator=*/true), new_sa(ctx, 2, /*initiator=*/true);
  for (IkeSa* sa : {&old_sa, &new_sa}) {
    sa->conn = std::make_shared<const Connection>(AtoB());
    sa->local = {a.addr, 500};
    sa->remote = {b.addr, 500};
    sa->state = IkeSa::State::kEstablished;
  }
  old_sa.state = IkeSa::State::kDeleting;
  auto child = std::make_unique<ChildSa>();
  child->inbound_spi = 0x1111;
  child->outbound_spi = 0x2222;
  child->reqid = 1;
  child->state = ChildSa::State::kInstalled;
  child->local_ts = Net("10.1.0.0/24");
  child->remote_ts = Net("10.2.0.0/24");
  child->transforms.encr = 20;  // AES-GCM-16
  child->transforms.encr_key_bits = 256;
  ike::ChildSaKeys keys;
  keys.encr_i = SecureBytes(std::vector<uint8_t>(36, 0x11));
  keys.encr_r = SecureBytes(std::vector<uint8_t>(36, 0x22));
  ASSERT_TRUE(InstallChild(ctx, new_sa, *child, keys).ok());
  new_sa.children.push_back(std::move(child));
  old_sa.successor = new_sa.serial();
  ctx.find_sa = [&](uint64_t serial) { return serial == new_sa.serial() ? &new_sa : nullptr; };

  ike::Message req, resp;
  ike::DeletePayload d;
  d.protocol = static_cast<uint8_t>(ProtocolId::kEsp);
  d.spi_size = 4;
  d.spis.push_back({0x00, 0x00, 0x22, 0x22});  // our outbound SPI: the peer's inbound
  req.Add(ike::PayloadType::kDelete, std::move(d));
  auto task = MakeInformationalResponderTask(ctx);
  task->ProcessRequest(old_sa, req);
  task->BuildResponse(old_sa, resp);

  const auto* answer = resp.Find<ike::DeletePayload>(ike::PayloadType::kDelete);
  ASSERT_NE(answer, nullptr) << "answered without a Delete payload";
  ASSERT_EQ(answer->spis.size(), 1u);
  EXPECT_EQ(answer->spis[0], (ike::Bytes{0x00, 0x00, 0x11, 0x11}));
  EXPECT_TRUE(new_sa.children.empty());
  EXPECT_FALSE(kernel.FindSa(0x2222, Direction::kOut));
}

// RFC 7296 2.25.2: a CREATE_CHILD_SA the peer sends on an IKE SA we have
// rekeyed (its children moved on) or are closing gets TEMPORARY_FAILURE, so
// the peer retries on the new IKE SA, not CHILD_SA_NOT_FOUND (which makes it
// give the child up) or an empty answer.
TEST_F(LifecycleTest, ChildRequestOnARekeyedIkeSaIsTemporaryFailure) {
  kernel::MockKernel kernel;
  EngineContext ctx(clock, a.random, a.sender, kernel, a.secrets, a.log);
  IkeSa old_sa(ctx, 1, /*initiator=*/true);
  old_sa.conn = std::make_shared<const Connection>(AtoB());
  old_sa.state = IkeSa::State::kEstablished;
  old_sa.successor = 2;  // the rekey moved every child to SA 2

  ike::Message req, resp;
  req.header.exchange = ike::ExchangeType::kCreateChildSa;
  ike::NotifyPayload rekey;
  rekey.protocol = static_cast<uint8_t>(ProtocolId::kEsp);
  rekey.type = static_cast<uint16_t>(ike::NotifyType::kRekeySa);
  rekey.spi = {0x00, 0x00, 0x22, 0x22};
  req.Add(ike::PayloadType::kNotify, std::move(rekey));
  req.Add(ike::PayloadType::kSa, ike::SaPayload{});
  req.Add(ike::PayloadType::kTsi, ike::TsPayload{{ike::MakeTrafficSelector(Net("10.2.0.0/24"))}});
  req.Add(ike::PayloadType::kTsr, ike::TsPayload{{ike::MakeTrafficSelector(Net("10.1.0.0/24"))}});
  auto task = MakeChildCreateTask(ctx, 0);
  task->ProcessRequest(old_sa, req);
  task->BuildResponse(old_sa, resp);
  const auto* n = resp.Find<ike::NotifyPayload>(ike::PayloadType::kNotify);
  ASSERT_NE(n, nullptr);
  EXPECT_EQ(n->type, static_cast<uint16_t>(ike::NotifyType::kTemporaryFailure));
  EXPECT_TRUE(kernel.sas().empty());
}

TEST_F(LifecycleTest, PeerRekeysAChildOfOurIkeSa) {
  Up(AtoB(), BtoA());
  const auto before = OnlyChild(b);
  b.engine.OnKernelExpire(SoftExpire(before.inbound_spi, Direction::kIn));
  ASSERT_TRUE(net.Run(Millis(5000)));
  ExpectMatchingChildren(a, b, 1);
  const auto after = OnlyChild(a);
  EXPECT_NE(after.outbound_spi, before.inbound_spi);
  EXPECT_TRUE(a.log.Contains("child SA rekeyed by peer"));
}

// The kernel reports the soft lifetime of the inbound and of the outbound
// SA: the child is rekeyed once.
TEST_F(LifecycleTest, OneRekeyPerChildForBothSoftExpires) {
  Up(AtoB(), BtoA());
  CountChildRequests();
  const auto c = OnlyChild(a);
  a.engine.OnKernelExpire(SoftExpire(c.inbound_spi, Direction::kIn));
  a.engine.OnKernelExpire(SoftExpire(c.outbound_spi, Direction::kOut));
  ASSERT_TRUE(net.Run(Millis(5000)));
  // Both again, late (the old pair is gone): nothing.
  a.engine.OnKernelExpire(SoftExpire(c.inbound_spi, Direction::kIn));
  a.engine.OnKernelExpire(SoftExpire(c.outbound_spi, Direction::kOut));
  ASSERT_TRUE(net.Run(Millis(5000)));
  EXPECT_EQ(child_requests, 1);
  ExpectMatchingChildren(a, b, 1);
}

// The old inbound SA of a child we rekeyed outlives the child by
// kRetiredInboundMs: ESP the peer sent on it can still be queued for
// decryption when the Delete's response arrives. Its outbound SA goes at once.
TEST_F(LifecycleTest, RekeyedInboundSaLingersThenGoes) {
  Up(AtoB(), BtoA());
  const auto old = OnlyChild(a);
  a.engine.OnKernelExpire(SoftExpire(old.inbound_spi, Direction::kIn));
  net.Deliver();
  ASSERT_NE(OnlyChild(a).inbound_spi, old.inbound_spi) << "rekeyed";
  EXPECT_TRUE(a.kernel.FindSa(old.inbound_spi, Direction::kIn)) << "kept a little longer";
  EXPECT_FALSE(a.kernel.FindSa(old.outbound_spi, Direction::kOut));
  ASSERT_TRUE(net.Run(Millis(kRetiredInboundMs + 1000)));
  EXPECT_FALSE(a.kernel.FindSa(old.inbound_spi, Direction::kIn));
  EXPECT_EQ(a.kernel.SasByDir(Direction::kIn).size(), 1u);
}

// A connection's traffic survives its rekeys: the kernel counters of each
// SA are added to the connection's retired total right before the SA is
// deleted (the outbound at once, the lingering inbound when it goes), on
// the side that rekeyed and on the side that was rekeyed.
TEST_F(LifecycleTest, RekeyedSasCountersGoToTheConnectionTotal) {
  Up(AtoB(), BtoA());
  auto site = [](const Peer& p) {
    auto s = p.engine.Status();
    EXPECT_EQ(s.connections.size(), 1u);
    return s.connections.empty() ? ConnectionStatus{} : s.connections[0];
  };
  kernel::Counters in, out;
  in.rx_packets = 10, in.rx_bytes = 1000;
  out.tx_packets = 7, out.tx_bytes = 700;
  const auto old = OnlyChild(a);
  ASSERT_TRUE(a.kernel.SetSaStats(old.inbound_spi, Direction::kIn, in));
  ASSERT_TRUE(a.kernel.SetSaStats(old.outbound_spi, Direction::kOut, out));
  ASSERT_TRUE(b.kernel.SetSaStats(old.outbound_spi, Direction::kIn, in));
  ASSERT_TRUE(b.kernel.SetSaStats(old.inbound_spi, Direction::kOut, out));
  EXPECT_EQ(site(a).retired.in_packets, 0u);

  a.engine.OnKernelExpire(SoftExpire(old.inbound_spi, Direction::kIn));
  net.Deliver();
  ASSERT_NE(OnlyChild(a).inbound_spi, old.inbound_spi) << "rekeyed";
  // The outbound SA is gone and counted; the inbound lingers, listed.
  EXPECT_EQ(site(a).retired.out_packets, 7u);
  EXPECT_EQ(site(a).retired.out_bytes, 700u);
  EXPECT_EQ(site(a).retired.in_packets, 0u);
  ASSERT_EQ(site(a).lingering_inbound.size(), 1u);
  EXPECT_EQ(site(a).lingering_inbound[0].second, old.inbound_spi);

  ASSERT_TRUE(net.Run(Millis(kRetiredInboundMs + 1000)));
  EXPECT_TRUE(site(a).lingering_inbound.empty());
  EXPECT_EQ(site(a).retired.in_packets, 10u);
  EXPECT_EQ(site(a).retired.in_bytes, 1000u);
  EXPECT_EQ(site(b).retired.in_packets, 10u);
  EXPECT_EQ(site(b).retired.out_packets, 7u);

  // A second rekey adds to the first.
  const auto second = OnlyChild(a);
  ASSERT_TRUE(a.kernel.SetSaStats(second.inbound_spi, Direction::kIn, in));
  ASSERT_TRUE(a.kernel.SetSaStats(second.outbound_spi, Direction::kOut, out));
  a.engine.OnKernelExpire(SoftExpire(second.inbound_spi, Direction::kIn));
  ASSERT_TRUE(net.Run(Millis(kRetiredInboundMs + 1000)));
  EXPECT_EQ(site(a).retired.in_packets, 20u);
  EXPECT_EQ(site(a).retired.out_bytes, 1400u);
}

// libreswan drops (or mis-books) a request of ours that crosses the next
// of a series of its own: right after we answer a peer's request, our own
// next request on that IKE SA waits kPeerBusyHoldMs (peer_busy.h).
TEST_F(LifecycleTest, OurRequestWaitsRightAfterThePeersRequest) {
  Up(AtoB(), BtoA());
  const auto c = OnlyChild(a);
  // B rekeys the child: A answers its CREATE_CHILD_SA and its Delete.
  b.engine.OnKernelExpire(SoftExpire(c.outbound_spi, Direction::kIn));
  net.Deliver();
  const auto n = OnlyChild(a);
  ASSERT_NE(n.inbound_spi, c.inbound_spi) << "rekeyed by B";
  const int64_t answered = clock.Now().count();
  int64_t sent_at = -1;
  net.filter = [&](const Datagram& d, size_t) {
    if (d.from.addr == a.addr && Is(d, ike::ExchangeType::kCreateChildSa, false) && sent_at < 0)
      sent_at = clock.Now().count();
    return 1;
  };
  a.engine.OnKernelExpire(SoftExpire(n.inbound_spi, Direction::kIn));
  net.Deliver();
  EXPECT_EQ(sent_at, -1) << "A's rekey went while B had just sent a request";
  ASSERT_TRUE(net.Run(Millis(5000)));
  EXPECT_GE(sent_at, answered + kPeerBusyHoldMs);
  EXPECT_LT(sent_at, answered + kPeerBusyHoldMs + kRetransmitBaseMs);
  EXPECT_NE(OnlyChild(a).inbound_spi, n.inbound_spi) << "A's rekey done";
  ExpectMatchingChildren(a, b, 1);
}

// A peer that keeps sending requests holds ours back kPeerBusyMaxHoldMs at most.
TEST(PeerBusyHoldTest, BoundedForAChattyPeer) {
  PeerBusyHold h;
  EXPECT_FALSE(h.HoldUntil(0)) << "nothing answered yet";
  h.OnAnswered(100);
  EXPECT_EQ(h.HoldUntil(100), 100 + kPeerBusyHoldMs);
  EXPECT_FALSE(h.HoldUntil(100 + kPeerBusyHoldMs));
  int64_t t = 100;
  for (; t < 100 + 2 * kPeerBusyMaxHoldMs; t += kPeerBusyHoldMs / 2) {
    h.OnAnswered(t);
    if (!h.HoldUntil(t)) break;
  }
  EXPECT_EQ(t, 100 + kPeerBusyMaxHoldMs) << "held from 100 until the bound";
  h.OnInitiated();
  h.OnAnswered(t);
  EXPECT_EQ(h.HoldUntil(t), t + kPeerBusyHoldMs) << "the next hold counts afresh";
}

// Make-before-break as the responder of a rekey: the new inbound SA before
// answering, the new outbound SA only once the peer deletes the old pair
// (until then the peer may not have the new inbound SA), the old inbound SA
// kept until then.
TEST_F(LifecycleTest, RekeyResponderSwitchesOutboundWhenThePeerDeletesTheOld) {
  Up(AtoB(), BtoA());
  const auto old = OnlyChild(b);
  bool hold_delete = true;
  net.filter = [&](const Datagram& d, size_t) {
    return hold_delete && d.from.addr == a.addr && Is(d, ike::ExchangeType::kInformational, false)
               ? 0
               : 1;
  };
  a.engine.OnKernelExpire(SoftExpire(OnlyChild(a).inbound_spi, Direction::kIn));
  net.Deliver();
  // B answered: new inbound beside the old, still sending on the old.
  EXPECT_EQ(b.kernel.SasByDir(Direction::kIn).size(), 2u);
  ASSERT_EQ(b.kernel.SasByDir(Direction::kOut).size(), 1u);
  EXPECT_EQ(b.kernel.SasByDir(Direction::kOut)[0]->spi, old.outbound_spi);
  EXPECT_NE(b.kernel.FindSa(old.inbound_spi, Direction::kIn), nullptr);
  // A's Delete arrives (retransmitted): B switches and drops the old pair.
  hold_delete = false;
  ASSERT_TRUE(net.Run(Millis(5000)));
  ExpectMatchingChildren(a, b, 1);
  EXPECT_EQ(b.kernel.FindSa(old.inbound_spi, Direction::kIn), nullptr);
  EXPECT_NE(b.kernel.SasByDir(Direction::kOut)[0]->spi, old.outbound_spi);
  EXPECT_EQ(b.kernel.policies().size(), 1u);
}

// RFC 7296 2.8.1: both ends rekey the same child at once; one new pair is
// left, the same on both ends.
// Both ends create a child for the same pair on one IKE SA (their
// CREATE_CHILD_SAs cross, as when libreswan revives on the IKE SA we kept
// what it had on the duplicate one): two pairs for one pair of subnets. At
// its soft lifetime the older one is deleted, not rekeyed, or both would
// be rekeyed for ever.
TEST_F(LifecycleTest, StaleDuplicateChildIsDeletedNotRekeyed) {
  bool dropped = false;
  net.filter = [&](const Datagram& d, size_t) {
    if (dropped || d.from.addr != a.addr || !Is(d, ike::ExchangeType::kCreateChildSa, false))
      return 1;
    dropped = true;  // A's first CREATE_CHILD_SA (pair 2): retransmitted later
    return 0;
  };
  Load(a, AtoB({Net("10.1.0.0/24")}, {Net("10.2.0.0/24"), Net("10.22.0.0/24")}));
  Load(b, BtoA({Net("10.2.0.0/24"), Net("10.22.0.0/24")}, {Net("10.1.0.0/24")}));
  ASSERT_TRUE(a.engine.Initiate("site").ok());
  net.Deliver();
  ASSERT_TRUE(dropped);
  ASSERT_TRUE(b.engine.Initiate("site").ok());  // B creates pair 2 meanwhile
  ASSERT_TRUE(net.Run(Millis(5000)));
  auto children = [](const Peer& p) { return p.engine.Status().ike_sas.at(0).children; };
  ASSERT_EQ(children(a).size(), 3u) << a.log.Errors();
  ASSERT_EQ(children(b).size(), 3u) << b.log.Errors();
  // The older of A's two children for 10.1.0.0/24 === 10.22.0.0/24.
  std::vector<ChildSaStatus> dup;
  for (const auto& c : children(a))
    if (c.remote_ts.at(0) == Net("10.22.0.0/24")) dup.push_back(c);
  ASSERT_EQ(dup.size(), 2u);
  ASSERT_NE(dup[0].established_ms, dup[1].established_ms);
  if (dup[0].established_ms > dup[1].established_ms) std::swap(dup[0], dup[1]);
  const uint32_t older = dup[0].inbound_spi, newer = dup[1].inbound_spi;
  CountChildRequests();
  a.engine.OnKernelExpire(SoftExpire(older, Direction::kIn));
  ASSERT_TRUE(net.Run(Millis(5000)));
  EXPECT_EQ(child_requests, 0) << "the stale duplicate was rekeyed";
  EXPECT_TRUE(a.log.Contains("instead of rekeying"));
  ASSERT_EQ(children(a).size(), 2u);
  ASSERT_EQ(children(b).size(), 2u);
  ExpectMatchingChildren(a, b, 2);
  // The survivor is rekeyed as usual.
  a.engine.OnKernelExpire(SoftExpire(newer, Direction::kIn));
  ASSERT_TRUE(net.Run(Millis(5000)));
  EXPECT_EQ(child_requests, 1);
  ASSERT_EQ(children(a).size(), 2u);
  ExpectMatchingChildren(a, b, 2);
}

TEST_F(LifecycleTest, SimultaneousChildRekeyLeavesOnePair) {
  Up(AtoB(), BtoA());
  a.engine.OnKernelExpire(SoftExpire(OnlyChild(a).inbound_spi, Direction::kIn));
  b.engine.OnKernelExpire(SoftExpire(OnlyChild(b).inbound_spi, Direction::kIn));
  ASSERT_TRUE(net.Run(Millis(10000)));
  EXPECT_TRUE(a.log.Contains("rekey collision") && b.log.Contains("rekey collision"));
  ExpectMatchingChildren(a, b, 1);
  EXPECT_EQ(a.kernel.policies().size(), 1u);
  EXPECT_EQ(b.kernel.policies().size(), 1u);
  EXPECT_EQ(Established(a), 1u);
}

// rekeymargin / rekeyfuzz / rekey=no reach the kernel's soft lifetime.
TEST_F(LifecycleTest, RekeyTimingComesFromTheConfiguration) {
  auto ca = AtoB();
  ca.child_lifetime = config::Seconds(3600);
  ca.rekey_margin = config::Seconds(100);
  ca.rekey_fuzz_percent = 0;
  Up(ca, BtoA());
  const auto* in = a.kernel.FindSa(OnlyChild(a).inbound_spi, Direction::kIn);
  ASSERT_NE(in, nullptr);
  EXPECT_EQ(in->soft.seconds, 3500u);
  EXPECT_EQ(in->hard.seconds, 3600u);
  // B: the defaults, 9 min margin with 100% fuzz.
  const auto* bin = b.kernel.FindSa(OnlyChild(b).inbound_spi, Direction::kIn);
  ASSERT_NE(bin, nullptr);
  EXPECT_GE(bin->soft.seconds, 3600u - 2 * 540);
  EXPECT_LE(bin->soft.seconds, 3600u - 540);
}

TEST_F(LifecycleTest, RekeyNoMeansNoSoftLifetimeAndNoIkeRekey) {
  auto ca = AtoB();
  ca.rekey = false;
  ca.ike_lifetime = config::Seconds(100);
  Up(ca, BtoA());
  const auto spi_i = a.engine.Status().ike_sas.at(0).spi_i;
  EXPECT_EQ(a.kernel.FindSa(OnlyChild(a).inbound_spi, Direction::kIn)->soft.seconds, 0u);
  ASSERT_TRUE(net.Run(Millis(150000)));
  EXPECT_FALSE(a.log.Contains("IKE SA rekeyed"));
  EXPECT_EQ(a.engine.Status().ike_sas.at(0).spi_i, spi_i);
}

// dpdtimeout bounds the liveness check: dead 5 s (dpddelay) + 10 s
// (dpdtimeout) after the peer went, not after the 31 s retransmit schedule.
TEST_F(LifecycleTest, DpdTimeoutIsHonoured) {
  auto ca = AtoB();
  ca.dpd_delay = config::Seconds(5);
  ca.dpd_timeout = config::Seconds(10);
  Up(ca, BtoA());
  CountChildRequests();
  drop_all = true;
  ASSERT_TRUE(net.Run(Millis(14500)));
  EXPECT_EQ(Established(a), 1u);
  ASSERT_TRUE(net.Run(Millis(1000)));
  EXPECT_TRUE(a.log.Contains("is dead")) << a.log.Errors();
  EXPECT_EQ(a.engine.Status().ike_sas.size(), 0u);
  EXPECT_TRUE(a.kernel.sas().empty());
  EXPECT_TRUE(a.kernel.policies().empty());  // dpdaction=clear
}

// The peer dies just as we start a rekey (VM 549: pluto killed at our soft
// lifetime): DPD waits for an idle SA, so the rekey in flight must give up at
// dpdtimeout too, not after the 31 s retransmit schedule.
TEST_F(LifecycleTest, DpdTimeoutBoundsARekeyInFlight) {
  auto ca = AtoB();
  ca.dpd_delay = config::Seconds(5);
  ca.dpd_timeout = config::Seconds(10);
  Up(ca, BtoA());
  CountChildRequests();  // its filter drops everything once drop_all is set
  drop_all = true;
  a.engine.OnKernelExpire(SoftExpire(OnlyChild(a).inbound_spi, Direction::kIn));
  ASSERT_TRUE(net.Run(Millis(9500)));
  EXPECT_EQ(Established(a), 1u);
  ASSERT_TRUE(net.Run(Millis(1000)));
  EXPECT_TRUE(a.log.Contains("did not answer CREATE_CHILD_SA request 3 within dpdtimeout"))
      << a.log.Errors();
  EXPECT_EQ(a.engine.Status().ike_sas.size(), 0u);
}

TEST_F(LifecycleTest, DpdActionRestartInitiatesAgain) {
  auto ca = AtoB();
  ca.dpd_delay = config::Seconds(5);
  ca.dpd_timeout = config::Seconds(10);
  ca.dpd_action = DpdAction::kRestart;
  Up(ca, BtoA());
  CountChildRequests();
  drop_all = true;
  ASSERT_TRUE(net.Run(Millis(16000)));
  EXPECT_TRUE(a.log.Contains("is dead"));
  drop_all = false;  // the peer is back (its old SA still there)
  ASSERT_TRUE(net.Run(Millis(20000)));
  EXPECT_EQ(Established(a), 1u) << a.log.Errors();
  ASSERT_EQ(a.kernel.SasByDir(Direction::kOut).size(), 1u);
  ExpectOutboundMatchesInbound(a, b);
}

TEST_F(LifecycleTest, DpdActionHoldKeepsThePolicyAndStartsOnTraffic) {
  auto ca = AtoB();
  ca.dpd_delay = config::Seconds(5);
  ca.dpd_timeout = config::Seconds(10);
  ca.dpd_action = DpdAction::kHold;
  Up(ca, BtoA());
  const uint32_t reqid = OnlyChild(a).reqid;
  CountChildRequests();
  drop_all = true;
  ASSERT_TRUE(net.Run(Millis(16000)));
  EXPECT_EQ(a.engine.Status().ike_sas.size(), 0u);
  EXPECT_TRUE(a.kernel.sas().empty());
  EXPECT_TRUE(HasPolicy(a, "10.1.0.0/24", "10.2.0.0/24")) << "hold keeps the policy";
  ASSERT_TRUE(net.Run(Millis(20000)));
  EXPECT_EQ(a.engine.Status().ike_sas.size(), 0u) << "hold waits for traffic";
  drop_all = false;
  kernel::AcquireEvent acq;
  acq.reqid = reqid;
  acq.packet.src = Net("10.1.0.5/32");
  acq.packet.dst = Net("10.2.0.5/32");
  a.engine.OnKernelAcquire(acq);
  ASSERT_TRUE(net.Run(Millis(5000)));
  EXPECT_EQ(Established(a), 1u) << a.log.Errors();
  EXPECT_EQ(a.kernel.policies().size(), 1u);
  a.engine.Shutdown();
  EXPECT_TRUE(a.kernel.policies().empty());
}

// auto=route: the policy is there from load with the reqid its child will
// have, nothing is negotiated until the kernel's ACQUIRE, and the policy
// outlives the child (a peer Delete) so the next packet starts it again.
TEST_F(LifecycleTest, AutoRoutePoliciesAtLoadAndNegotiationOnAcquire) {
  auto ca = AtoB();
  ca.auto_action = AutoAction::kRoute;
  Load(b, BtoA());
  Load(a, ca);
  ASSERT_TRUE(net.Run(Millis(5000)));
  EXPECT_EQ(a.engine.Status().ike_sas.size(), 0u) << "auto=route waits for traffic";
  ASSERT_EQ(a.kernel.policies().size(), 1u);
  ASSERT_TRUE(HasPolicy(a, "10.1.0.0/24", "10.2.0.0/24"));
  const uint32_t reqid = a.kernel.policies().begin()->second.reqid;
  kernel::AcquireEvent acq;
  acq.reqid = reqid;
  acq.packet.src = Net("10.1.0.5/32");
  acq.packet.dst = Net("10.2.0.5/32");
  a.engine.OnKernelAcquire(acq);
  ASSERT_TRUE(net.Run(Millis(5000)));
  ASSERT_EQ(Established(a), 1u) << a.log.Errors();
  EXPECT_EQ(OnlyChild(a).reqid, reqid) << "the child takes the trap policy's reqid";
  EXPECT_EQ(a.kernel.policies().size(), 1u);
  // The peer takes the tunnel down: the SAs go, the policy stays.
  ASSERT_TRUE(b.engine.Terminate("site").ok());
  ASSERT_TRUE(net.Run(Millis(5000)));
  EXPECT_EQ(a.engine.Status().ike_sas.size(), 0u);
  EXPECT_TRUE(a.kernel.sas().empty());
  EXPECT_TRUE(HasPolicy(a, "10.1.0.0/24", "10.2.0.0/24")) << "auto=route keeps the policy";
  a.engine.OnKernelAcquire(acq);
  ASSERT_TRUE(net.Run(Millis(5000)));
  EXPECT_EQ(Established(a), 1u) << a.log.Errors();
  // Unloading the connection removes the policy.
  ASSERT_TRUE(a.engine.LoadConnections({}).ok());
  ASSERT_TRUE(net.Run(Millis(5000)));
  EXPECT_TRUE(a.kernel.policies().empty());
}

TEST_F(LifecycleTest, AutoStartComesBackAfterAPeerDelete) {
  auto ca = AtoB();
  ca.auto_action = AutoAction::kStart;
  Load(b, BtoA());
  Load(a, ca);  // auto=start initiates
  ASSERT_TRUE(net.Run(Millis(5000)));
  ASSERT_EQ(Established(a), 1u);
  const auto first = OnlyChild(a);
  ASSERT_TRUE(b.engine.Terminate("site").ok());
  ASSERT_TRUE(net.Run(Millis(10000)));
  EXPECT_EQ(Established(a), 1u) << a.log.Errors();
  EXPECT_NE(OnlyChild(a).inbound_spi, first.inbound_spi);
  ExpectMatchingChildren(a, b, 1);
}

TEST_F(LifecycleTest, KeyingTriesForeverBacksOff) {
  auto ca = AtoB();
  ca.keyingtries = 0;  // %forever
  Load(a, ca);
  ASSERT_TRUE(a.engine.Initiate("site").ok());  // B has no connection: no answer
  CountChildRequests();
  drop_all = true;
  size_t sent_before = net.sent;
  ASSERT_TRUE(net.Run(Millis(600000)));
  const size_t attempts_10min = net.sent - sent_before;
  // 7 datagrams per attempt (first + 6 retransmits, 31.5 s); back-off to 60 s
  // between attempts: about 7 attempts in 10 min, not 18.
  EXPECT_GT(attempts_10min, 7u * 5);
  EXPECT_LT(attempts_10min, 7u * 10);
  EXPECT_TRUE(a.log.Contains("(%forever)"));
  drop_all = false;
  Load(b, BtoA());
  ASSERT_TRUE(net.Run(Millis(120000)));
  EXPECT_EQ(Established(a), 1u) << a.log.Errors();
}

TEST_F(LifecycleTest, HardExpiryWithoutRekeyBringsANewChild) {
  auto ca = AtoB();
  ca.rekey = false;
  ca.auto_action = AutoAction::kStart;
  Load(b, BtoA());
  Load(a, ca);
  ASSERT_TRUE(net.Run(Millis(5000)));
  const auto first = OnlyChild(a);
  a.engine.OnKernelExpire(SoftExpire(first.inbound_spi, Direction::kIn, /*hard=*/true));
  ASSERT_TRUE(net.Run(Millis(5000)));
  const auto second = OnlyChild(a);
  EXPECT_NE(second.inbound_spi, first.inbound_spi);
  ExpectMatchingChildren(a, b, 1);
}

// The operator's view (Documentation/operations.md, "Logs"): each event of
// a tunnel's life is one line at info or above naming the connection; a
// rekey's old child goes quietly (its "deleted" would read as a tunnel down).
// Authentication failures: EngineTest.WrongPskFailsWithClearMessageOnBothSides.
TEST_F(LifecycleTest, OneInfoLinePerOperatorEvent) {
  auto ca = AtoB();
  ca.dpd_delay = config::Seconds(5);
  ca.dpd_timeout = config::Seconds(10);
  auto info_lines = [&](std::string_view needle) {
    size_t n = 0;
    for (const auto& l : a.log.lines)
      if (l.level != LogLevel::kDebug && l.conn == "site" &&
          l.text.find(needle) != std::string::npos)
        ++n;
    return n;
  };
  Up(ca, BtoA());
  EXPECT_EQ(info_lines("IKE SA established"), 1u);
  EXPECT_EQ(info_lines("CHILD_SA site{1} established"), 1u);
  a.log.lines.clear();

  const auto old = OnlyChild(a);
  a.engine.OnKernelExpire(SoftExpire(old.inbound_spi, Direction::kIn));
  a.engine.OnKernelExpire(SoftExpire(old.outbound_spi, Direction::kOut));
  ASSERT_TRUE(net.Run(Millis(3000)));
  EXPECT_EQ(info_lines("soft lifetime: rekeying"), 1u);
  EXPECT_EQ(info_lines("CHILD_SA site{1} established"), 1u);
  EXPECT_EQ(info_lines("deleted"), 0u) << "the rekeyed child is not a tunnel going down";
  EXPECT_TRUE(a.log.Contains("deleted", LogLevel::kDebug));
  a.log.lines.clear();

  drop_all = true;
  CountChildRequests();
  ASSERT_TRUE(net.Run(Millis(16000)));
  EXPECT_EQ(info_lines("is dead"), 1u);
  EXPECT_EQ(a.engine.Status().ike_sas.size(), 0u);
}

}  // namespace
}  // namespace ipsec::engine::test
