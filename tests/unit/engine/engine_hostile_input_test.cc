// Unauthenticated input against two engines on the fake network: forged
// IKE_SA_INIT naming a live SA, replays, floods of half-open SAs, cookies,
// the resend limit, peer moves and the child SA limit
// (Documentation/security.md, "IKE daemon").
#include "engine/child_sa.h"
#include "engine/context.h"
#include "engine/half_open.h"
#include "engine/ike_sa.h"
#include "fixture.h"
#include "ike/codec.h"

namespace ipsec::engine::test {
namespace {

using ike::ExchangeType;
using kernel::Direction;

class HostileInputTest : public EngineTest {
 protected:
  // Every datagram the network carries, in order.
  void Record() {
    net.filter = [this](const Datagram& d, size_t) {
      seen.push_back(d);
      return drop_all ? 0 : 1;
    };
  }
  const Datagram* First(ExchangeType ex, bool response, const IpAddress& from) const {
    for (const auto& d : seen)
      if (Is(d, ex, response) && d.from.addr == from) return &d;
    return nullptr;
  }
  void Establish(Connection ca, Connection cb) {
    Load(a, std::move(ca));
    Load(b, std::move(cb));
    Record();
    ASSERT_TRUE(a.engine.Initiate("site").ok());
    ASSERT_TRUE(net.Run(Millis(5000)));
    ASSERT_EQ(Established(a), 1u) << a.log.Errors();
    ASSERT_EQ(Established(b), 1u) << b.log.Errors();
  }
  // B as a "right=%any" responder.
  Connection AnyToB() {
    auto c = BtoA();
    c.remote.host = IpAddress();
    return c;
  }
  // A's IKE_SA_INIT request with another SPIi: a valid request for B from
  // whoever we pretend to be.
  static std::vector<uint8_t> WithSpiI(std::vector<uint8_t> init, uint64_t spi_i) {
    for (int i = 0; i < 8; ++i) init[i] = static_cast<uint8_t>(spi_i >> (56 - 8 * i));
    return init;
  }
  static std::vector<uint8_t> WithMessageId(std::vector<uint8_t> m, uint32_t mid) {
    for (int i = 0; i < 4; ++i) m[20 + i] = static_cast<uint8_t>(mid >> (24 - 8 * i));
    return m;
  }
  // A's first IKE_SA_INIT request, captured without letting it through.
  std::vector<uint8_t> CaptureInit() {
    Load(a, AtoB());
    drop_all = true;
    Record();
    EXPECT_TRUE(a.engine.Initiate("site").ok());
    net.Deliver();
    EXPECT_TRUE(a.engine.Terminate("site").ok());
    drop_all = false;
    const Datagram* d = First(ExchangeType::kIkeSaInit, false, a.addr);
    EXPECT_NE(d, nullptr);
    return d ? d->bytes : std::vector<uint8_t>{};
  }
  size_t SentBy(const Peer& p, ExchangeType ex, bool response) const {
    size_t n = 0;
    for (const auto& d : seen) n += d.from.addr == p.addr && Is(d, ex, response);
    return n;
  }

  std::vector<Datagram> seen;
  bool drop_all = false;
};

// Point 1: an on-path host forges IKE_SA_INIT with the SPIi of the live SA,
// from the peer's own address, with every plausible message ID and with
// changed contents. B must not rekey, kill or otherwise touch the SA.
TEST_F(HostileInputTest, ForgedInitWithLiveSpiNeverTouchesTheSa) {
  Establish(AtoB(), BtoA());
  const auto before = b.engine.Status().ike_sas.at(0);
  const auto child = before.children.at(0);
  const auto* in_before = b.kernel.FindSa(child.inbound_spi, Direction::kIn);
  ASSERT_NE(in_before, nullptr);
  const auto in_key = in_before->enc_key;
  const std::vector<uint8_t> init = First(ExchangeType::kIkeSaInit, false, a.addr)->bytes;
  const Endpoint from{a.addr, 500}, to{b.addr, 500};
  int forged = 0;
  for (uint32_t mid = 0; mid < 6; ++mid) {
    auto f = WithMessageId(init, mid);
    if (mid == 0) f.back() ^= 0x01;  // same ID as the original, other nonce
    b.engine.OnDatagram(f, to, from);
    ++forged;
  }
  net.Deliver();
  auto after = b.engine.Status();
  ASSERT_EQ(after.ike_sas.size(), 1u);
  EXPECT_EQ(after.ike_sas[0].state, "ESTABLISHED");
  EXPECT_EQ(after.ike_sas[0].spi_i, before.spi_i);
  EXPECT_EQ(after.ike_sas[0].spi_r, before.spi_r);
  ASSERT_EQ(after.ike_sas[0].children.size(), 1u);
  EXPECT_EQ(after.ike_sas[0].children[0].inbound_spi, child.inbound_spi);
  EXPECT_EQ(after.counters.dropped_init_for_existing_sa, static_cast<uint64_t>(forged));
  const auto* in_after = b.kernel.FindSa(child.inbound_spi, Direction::kIn);
  ASSERT_NE(in_after, nullptr);
  EXPECT_TRUE(in_after->enc_key == in_key);
  // The SA's keys are intact: a child rekey and a DPD-style exchange work.
  kernel::ExpireEvent ev;
  ev.spi = a.engine.Status().ike_sas.at(0).children.at(0).inbound_spi;
  ev.dir = Direction::kIn;
  a.engine.OnKernelExpire(ev);
  ASSERT_TRUE(net.Run(Millis(5000)));
  ExpectMatchingChildren(a, b, 1);
  EXPECT_EQ(b.engine.Status().counters.dropped_unauthenticated, 0u);
  EXPECT_EQ(a.engine.Status().counters.retransmits, 0u);
  EXPECT_TRUE(b.log.Contains("child SA rekeyed by peer"));
}

// An exact retransmission of IKE_SA_INIT is answered with the very same
// response, even once established — but only as often as the resend limit
// allows, so replaying it from a spoofed source amplifies nothing.
TEST_F(HostileInputTest, InitRetransmissionAnsweredFromCacheWithinResendLimit) {
  Establish(AtoB(), BtoA());
  const auto init = First(ExchangeType::kIkeSaInit, false, a.addr)->bytes;
  const auto resp = First(ExchangeType::kIkeSaInit, true, b.addr)->bytes;
  seen.clear();
  drop_all = true;
  const Endpoint from{a.addr, 500}, to{b.addr, 500};
  for (int i = 0; i < 10; ++i) b.engine.OnDatagram(init, to, from);
  net.Deliver();
  ASSERT_EQ(seen.size(), kSaResendBurst);
  for (const auto& d : seen) EXPECT_EQ(d.bytes, resp);
  auto c = b.engine.Status().counters;
  EXPECT_EQ(c.duplicate_requests, 10u);
  EXPECT_EQ(c.resends_limited, 10u - kSaResendBurst);
  EXPECT_EQ(c.dropped_init_for_existing_sa, 0u);
  // The bucket refills at kSaResendPerSecond.
  clock.Advance(Millis(1000));
  seen.clear();
  for (int i = 0; i < 3; ++i) b.engine.OnDatagram(init, to, from);
  net.Deliver();
  EXPECT_EQ(seen.size(), size_t{kSaResendPerSecond});
  EXPECT_EQ(Established(b), 1u);
}

// The same limit holds for encrypted requests (a replayed IKE_AUTH).
TEST_F(HostileInputTest, ReplayedAuthenticatedRequestResendsAreLimited) {
  Establish(AtoB(), BtoA());
  const auto auth = First(ExchangeType::kIkeAuth, false, a.addr)->bytes;
  seen.clear();
  drop_all = true;
  for (int i = 0; i < 20; ++i) b.engine.OnDatagram(auth, {b.addr, 500}, {a.addr, 500});
  net.Deliver();
  EXPECT_EQ(seen.size(), kSaResendBurst);
  EXPECT_EQ(b.engine.Status().counters.resends_limited, 20u - kSaResendBurst);
}

// Half-open SAs die after their lifetime; established ones are untouched.
TEST_F(HostileInputTest, HalfOpenSasExpire) {
  const auto init = CaptureInit();
  Load(b, AnyToB());
  const HalfOpenLimits limits;
  for (uint64_t i = 1; i <= 5; ++i)
    b.engine.OnDatagram(WithSpiI(init, i), {b.addr, 500},
                        {Ip(("198.51.100." + std::to_string(i)).c_str()), 500});
  EXPECT_EQ(b.engine.Status().ike_sas.size(), 5u);
  ASSERT_TRUE(b.engine.NextTimeout().has_value());
  EXPECT_LE(*b.engine.NextTimeout(), Millis(limits.lifetime_ms));
  clock.Advance(Millis(limits.lifetime_ms - 1));
  b.engine.OnTimer();
  EXPECT_EQ(b.engine.Status().ike_sas.size(), 5u);
  clock.Advance(Millis(1));
  b.engine.OnTimer();
  EXPECT_EQ(b.engine.Status().ike_sas.size(), 0u);
  EXPECT_EQ(b.engine.Status().counters.half_open_expired, 5u);
  EXPECT_FALSE(b.engine.NextTimeout().has_value());
}

TEST_F(HostileInputTest, PerSourceHalfOpenLimit) {
  const auto init = CaptureInit();
  Load(b, AnyToB());
  const HalfOpenLimits limits;
  const Endpoint flooder{Ip("198.51.100.7"), 500};
  for (uint64_t i = 1; i <= limits.per_source + 5; ++i)
    b.engine.OnDatagram(WithSpiI(init, i), {b.addr, 500}, flooder);
  EXPECT_EQ(b.engine.Status().ike_sas.size(), limits.per_source);
  EXPECT_EQ(b.engine.Status().counters.dropped_half_open_limit, 5u);
  // Others still get in, and so does an honest initiator.
  b.engine.OnDatagram(WithSpiI(init, 1000), {b.addr, 500}, {Ip("198.51.100.8"), 500});
  EXPECT_EQ(b.engine.Status().ike_sas.size(), limits.per_source + 1);
  Load(a, AtoB());
  ASSERT_TRUE(a.engine.Initiate("site").ok());
  ASSERT_TRUE(net.Run(Millis(5000)));
  EXPECT_EQ(Established(a), 1u) << a.log.Errors();
  ExpectMatchingChildren(a, b, 1);
}

// Above the threshold nobody gets state without a cookie (RFC 7296 2.6);
// our initiator answers the challenge and gets through, against our own
// responder here, against libreswan and strongSwan in tests/vm/533 and 534.
TEST_F(HostileInputTest, CookieChallengeAboveThreshold) {
  const auto init = CaptureInit();
  Load(b, AnyToB());
  const HalfOpenLimits limits;
  for (uint64_t i = 0; i < limits.cookie_threshold; ++i)
    b.engine.OnDatagram(WithSpiI(init, i + 1), {b.addr, 500},
                        {Ip(("198.51.100." + std::to_string(1 + i / 8)).c_str()), 500});
  ASSERT_EQ(b.engine.Status().ike_sas.size(), limits.cookie_threshold);
  // One more spoofed request: a COOKIE and no state.
  net.Deliver();  // the responses to the spoofed sources, out of the way
  seen.clear();
  drop_all = true;
  b.engine.OnDatagram(WithSpiI(init, 5000), {b.addr, 500}, {Ip("203.0.113.1"), 500});
  net.Deliver();
  EXPECT_EQ(b.engine.Status().ike_sas.size(), limits.cookie_threshold);
  EXPECT_EQ(b.engine.Status().counters.cookies_sent, 1u);
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_LT(seen[0].bytes.size(), init.size());  // smaller than the request: no amplifier
  drop_all = false;
  // The honest initiator answers it and is let in.
  Load(a, AtoB());
  ASSERT_TRUE(a.engine.Initiate("site").ok());
  ASSERT_TRUE(net.Run(Millis(5000)));
  EXPECT_TRUE(a.log.Contains("peer asked for a COOKIE"));
  EXPECT_EQ(Established(a), 1u) << a.log.Errors();
  EXPECT_EQ(b.engine.Status().counters.cookies_sent, 2u);
  ExpectMatchingChildren(a, b, 1);
}

// ddos-mode=busy (config setup): a threshold of 0 challenges the very first
// request, and an honest initiator still gets through in one extra round.
TEST_F(HostileInputTest, CookieThresholdZeroChallengesEveryone) {
  Load(b, AnyToB());
  b.engine.SetCookieThreshold(0);
  Load(a, AtoB());
  ASSERT_TRUE(a.engine.Initiate("site").ok());
  ASSERT_TRUE(net.Run(Millis(5000)));
  EXPECT_TRUE(a.log.Contains("peer asked for a COOKIE"));
  EXPECT_EQ(b.engine.Status().counters.cookies_sent, 1u);
  EXPECT_EQ(Established(a), 1u) << a.log.Errors();
  ExpectMatchingChildren(a, b, 1);
}

// A COOKIE copied from another request (other SPIi or address) is refused.
TEST_F(HostileInputTest, CookieIsBoundToTheRequest) {
  const auto init = CaptureInit();
  Load(b, AnyToB());
  const HalfOpenLimits limits;
  for (uint64_t i = 0; i < limits.cookie_threshold; ++i)
    b.engine.OnDatagram(WithSpiI(init, i + 1), {b.addr, 500},
                        {Ip(("198.51.100." + std::to_string(1 + i / 8)).c_str()), 500});
  // A (the honest one) gets its cookie; its retry with it, replayed from
  // another address, must not be let in.
  Load(a, AtoB());
  std::vector<uint8_t> with_cookie;
  net.filter = [&](const Datagram& d, size_t) {
    if (Is(d, ExchangeType::kIkeSaInit, false) && d.bytes[16] == 41 /* N first */)
      with_cookie = d.bytes;
    return 1;
  };
  ASSERT_TRUE(a.engine.Initiate("site").ok());
  ASSERT_TRUE(net.Run(Millis(5000)));
  ASSERT_FALSE(with_cookie.empty());
  const size_t sas = b.engine.Status().ike_sas.size();
  b.engine.OnDatagram(with_cookie, {b.addr, 500}, {Ip("203.0.113.77"), 500});
  b.engine.OnDatagram(WithSpiI(with_cookie, 0x77), {b.addr, 500}, {a.addr, 500});
  EXPECT_EQ(b.engine.Status().ike_sas.size(), sas);
  EXPECT_EQ(b.engine.Status().counters.cookies_sent, 3u);
}

// Point 3: a replayed authenticated message from elsewhere moves nothing;
// without a NAT even a fresh one does not; replays are no liveness.
TEST_F(HostileInputTest, ReplayedMessageNeitherMovesTheSaNorCountsAsLiveness) {
  auto ca = AtoB();
  ca.dpd_delay = config::Seconds(5);
  auto cb = BtoA();
  cb.dpd_delay = config::Seconds(20);
  cb.dpd_action = DpdAction::kClear;
  Establish(ca, cb);
  ASSERT_TRUE(net.Run(Millis(7000)));  // A's DPD goes out
  const Datagram* dpd = nullptr;
  for (const auto& d : seen)
    if (Is(d, ExchangeType::kInformational, false) && d.from.addr == a.addr) dpd = &d;
  ASSERT_NE(dpd, nullptr);
  const auto replay = dpd->bytes;
  // From another address: B's SA stays where it is.
  b.engine.OnDatagram(replay, {b.addr, 500}, {Ip("203.0.113.9"), 500});
  EXPECT_EQ(b.engine.Status().ike_sas.at(0).remote.addr, a.addr);
  // A goes silent; the replays continue every second from A's address.
  drop_all = true;
  // B's DPD starts 20 s after A's last fresh message and gives up after
  // its retransmissions (~63 s): 100 s of replays.
  for (int s = 0; s < 100; ++s) {
    b.engine.OnDatagram(replay, {b.addr, 500}, {a.addr, 500});
    ASSERT_TRUE(net.Run(Millis(1000)));
  }
  EXPECT_TRUE(b.log.Contains("is dead")) << "replays kept the dead peer alive";
  EXPECT_EQ(Established(b), 0u);
}

TEST_F(HostileInputTest, FreshMessageFromElsewhereMovesOnlyAPeerBehindNat) {
  Establish(AtoB(), BtoA());
  // A's next request reaches B from another address (nobody is behind a
  // NAT: 2.23 says stay).
  net.rewrite = [&](Datagram& d) {
    if (d.from.addr == a.addr) d.from = {Ip("203.0.113.9"), 500};
  };
  ASSERT_TRUE(a.engine.Terminate("site").ok());
  net.Deliver();
  net.rewrite = nullptr;
  EXPECT_EQ(b.engine.Status().counters.peer_moves_refused, 1u);
  EXPECT_FALSE(b.log.Contains("peer moved"));
}

// Point 5: CREATE_CHILD_SA beyond the limit gets NO_ADDITIONAL_SAS.
TEST_F(HostileInputTest, ChildSaLimitPerIkeSa) {
  std::vector<IpPrefix> many;
  for (size_t i = 0; i <= kMaxChildSasPerIkeSa; ++i)
    many.push_back(Net(
        ("10." + std::to_string(100 + i / 200) + "." + std::to_string(i % 200) + ".0/24").c_str()));
  Load(a, AtoB({Net("10.1.0.0/24")}, many));
  Load(b, BtoA(many, {Net("10.1.0.0/24")}));
  ASSERT_TRUE(a.engine.Initiate("site").ok());
  ASSERT_TRUE(net.Run(Millis(20000)));
  EXPECT_EQ(b.engine.Status().ike_sas.at(0).children.size(), kMaxChildSasPerIkeSa);
  EXPECT_EQ(b.engine.Status().counters.child_sa_limit_refused, 1u);
  EXPECT_TRUE(a.log.Contains("NO_ADDITIONAL_SAS")) << a.log.Errors();
}

class NullSender : public DatagramSender {
 public:
  void Send(std::span<const uint8_t>, const Endpoint&, const Endpoint&) override {}
};

// The table alone: the global limit (the engine tests reach the per-source
// one and the cookie threshold first).
TEST(HalfOpenTableTest, GlobalLimitAndSettling) {
  HalfOpenTable t(HalfOpenLimits{30000, 4, 2, 100});
  FakeClock clock;
  SeqRandom random(1);
  NullSender sender;
  kernel::MockKernel kernel(1);
  MapSecrets secrets;
  LogSink log("t");
  EngineContext ctx(clock, random, sender, kernel, secrets, log);
  std::vector<std::unique_ptr<IkeSa>> sas;
  for (int i = 0; i < 4; ++i) {
    const auto addr = Ip(("198.51.100." + std::to_string(1 + i / 2)).c_str());
    ASSERT_EQ(t.Admit(addr), HalfOpenTable::Admission::kAdmit) << i;
    sas.push_back(std::make_unique<IkeSa>(ctx, i, false));
    sas.back()->spi_i = 100 + i;
    sas.back()->remote = {addr, 500};
    t.Add(sas.back().get(), 0);
  }
  EXPECT_EQ(t.Admit(Ip("198.51.100.9")), HalfOpenTable::Admission::kRefuseGlobal);
  t.Settle(sas[0].get());
  EXPECT_EQ(t.half_open(), 3u);
  EXPECT_EQ(t.Admit(Ip("198.51.100.9")), HalfOpenTable::Admission::kAdmit);
  EXPECT_EQ(t.Admit(Ip("198.51.100.2")), HalfOpenTable::Admission::kRefuseSource);
  EXPECT_EQ(t.Find(100, {Ip("198.51.100.1"), 500}), sas[0].get());  // still found
  EXPECT_EQ(t.Expired(30000).size(), 3u);                           // settled: no expiry
  t.Remove(sas[3].get());
  EXPECT_EQ(t.Admit(Ip("198.51.100.2")), HalfOpenTable::Admission::kAdmit);
  EXPECT_EQ(t.Find(103, {Ip("198.51.100.2"), 500}), nullptr);
}

}  // namespace
}  // namespace ipsec::engine::test

namespace ipsec::engine::test {
namespace {

// Every exchange after IKE_SA_INIT is protected (RFC 7296 1.2): a cleartext
// INFORMATIONAL carrying Delete for the live SA, with the right SPIs and
// the next message ID, must be dropped, not obeyed (the codec's payload
// rules refuse it: a guard against that ever regressing).
TEST_F(EngineTest, CleartextDeleteForLiveSaIsIgnored) {
  Load(a, AtoB());
  Load(b, BtoA());
  ASSERT_TRUE(a.engine.Initiate("site").ok());
  ASSERT_TRUE(net.Run(Millis(5000)));
  const auto st = b.engine.Status().ike_sas.at(0);
  for (uint32_t mid = 0; mid < 6; ++mid) {
    ike::Message m;
    m.header.spi_i = st.spi_i;
    m.header.spi_r = st.spi_r;
    m.header.exchange = ike::ExchangeType::kInformational;
    m.header.flags = ike::kFlagInitiator;
    m.header.message_id = mid;
    ike::DeletePayload del;
    del.protocol = static_cast<uint8_t>(ProtocolId::kIke);
    m.Add(ike::PayloadType::kDelete, del);
    auto bytes = ike::Encode(m);
    ASSERT_TRUE(bytes.ok());
    b.engine.OnDatagram(*bytes, {b.addr, 500}, {a.addr, 500});
  }
  net.Deliver();
  ASSERT_EQ(Established(b), 1u);
  EXPECT_EQ(b.engine.Status().ike_sas.at(0).children.size(), 1u);
  EXPECT_EQ(b.engine.Status().counters.dropped_malformed, 6u);
}

}  // namespace
}  // namespace ipsec::engine::test

namespace ipsec::engine::test {
namespace {

// Point 4: two initiators on one "right=%any" connection (narrowed into the
// same subnet pair) get a reqid each, so neither child SA's policy carries
// the other's traffic.
TEST_F(EngineTest, TwoInitiatorsOnOneAnyConnectionGetTheirOwnReqid) {
  Peer c(net, clock, "C", Ip("192.0.2.3"), 3, 0x3000);
  net.Attach(&c);
  c.secrets.any_psk = a.secrets.any_psk;
  auto cb = BtoA({Net("10.2.0.0/24")}, {Net("10.0.0.0/8")});
  cb.remote.host = IpAddress();
  Load(b, cb);
  Load(a, AtoB());
  Load(c, Conn("site", c.addr, b.addr, {Net("10.3.0.0/24")}, {Net("10.2.0.0/24")}));
  ASSERT_TRUE(a.engine.Initiate("site").ok());
  ASSERT_TRUE(c.engine.Initiate("site").ok());
  ASSERT_TRUE(net.Run(Millis(5000)));
  const auto st = b.engine.Status();
  ASSERT_EQ(st.ike_sas.size(), 2u) << b.log.Errors();
  std::map<std::string, uint32_t> reqid_by_peer;
  for (const auto& s : st.ike_sas) {
    ASSERT_EQ(s.children.size(), 1u);
    reqid_by_peer[s.remote.addr.ToString()] = s.children[0].reqid;
  }
  EXPECT_NE(reqid_by_peer.at("192.0.2.1"), reqid_by_peer.at("192.0.2.3"));
  EXPECT_TRUE(HasPolicy(b, "10.2.0.0/24", "10.1.0.0/24"));
  EXPECT_TRUE(HasPolicy(b, "10.2.0.0/24", "10.3.0.0/24"));
  // Each policy names its own initiator's reqid.
  for (const auto& [ifindex, pol] : b.kernel.policies()) {
    if (pol.sel.src != Net("10.2.0.0/24")) continue;
    const char* peer = pol.sel.dst == Net("10.1.0.0/24") ? "192.0.2.1" : "192.0.2.3";
    EXPECT_EQ(pol.reqid, reqid_by_peer.at(peer)) << pol.sel.dst.ToString();
  }
  // A rekey from one of them keeps its reqid.
  kernel::ExpireEvent ev;
  ev.spi = a.engine.Status().ike_sas.at(0).children.at(0).inbound_spi;
  ev.dir = kernel::Direction::kIn;
  a.engine.OnKernelExpire(ev);
  ASSERT_TRUE(net.Run(Millis(5000)));
  for (const auto& s : b.engine.Status().ike_sas)
    for (const auto& ch : s.children)
      EXPECT_EQ(ch.reqid, reqid_by_peer.at(s.remote.addr.ToString()));
}

}  // namespace
}  // namespace ipsec::engine::test
