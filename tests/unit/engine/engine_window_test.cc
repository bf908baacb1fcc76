// The IKE message window (RFC 7296 2.3, engine/task_manager.h): both ends
// advertise their window (ike-window=, default kDefaultOurIkeWindow) with SET_WINDOW_SIZE in
// IKE_AUTH; the connections joining a shared IKE SA then have that many CREATE_CHILD_SA requests
// outstanding at once, each retransmitted on its own and matched by message
// ID; the responder takes requests anywhere in its window, in any order,
// and processes each one once.
#include "engine/task_manager.h"
#include "fixture.h"

namespace ipsec::engine::test {
namespace {

constexpr int kConns = 20;

std::vector<Connection> Tunnels(const IpAddress& left, const IpAddress& right, bool a_side,
                                AutoAction action) {
  std::vector<Connection> v;
  for (int i = 1; i <= kConns; ++i) {
    const std::string l =
        "10." + std::to_string(a_side ? 1 : 2) + "." + std::to_string(i) + ".0/24";
    const std::string r =
        "10." + std::to_string(a_side ? 2 : 1) + "." + std::to_string(i) + ".0/24";
    auto c = Conn("t" + std::to_string(i), left, right, {Net(l.c_str())}, {Net(r.c_str())});
    c.auto_action = action;
    v.push_back(std::move(c));
  }
  return v;
}

class WindowTest : public EngineTest {
 protected:
  void Start() {
    ASSERT_TRUE(b.engine.LoadConnections(Tunnels(b.addr, a.addr, false, AutoAction::kAdd)).ok());
    ASSERT_TRUE(a.engine.LoadConnections(Tunnels(a.addr, b.addr, true, AutoAction::kStart)).ok());
  }
  static bool IsChildRequest(const Datagram& d) {
    return Is(d, ike::ExchangeType::kCreateChildSa, false);
  }
  static uint32_t MessageId(const Datagram& d) {
    return uint32_t{d.bytes[20]} << 24 | uint32_t{d.bytes[21]} << 16 | uint32_t{d.bytes[22]} << 8 |
           d.bytes[23];
  }
  void ExpectAllUp() {
    ASSERT_EQ(a.engine.Status().ike_sas.size(), 1u) << a.log.Errors();
    EXPECT_EQ(a.engine.Status().ike_sas[0].children.size(), size_t{kConns}) << a.log.Errors();
    ExpectMatchingChildren(a, b, kConns);
    EXPECT_EQ(a.log.Errors(), "");
    EXPECT_EQ(b.log.Errors(), "");
  }
};

// A window of 8: 8 requests go out before the first response arrives, the
// rest wait in the queue until a slot frees.
TEST_F(WindowTest, UpToTheWindowInFlightTheRestQueued) {
  size_t in_flight = 0, most = 0, requests = 0;
  net.filter = [&](const Datagram& d, size_t) {
    if (IsChildRequest(d)) {
      ++requests;
      most = std::max(most, ++in_flight);
    } else if (Is(d, ike::ExchangeType::kCreateChildSa, true)) {
      --in_flight;
    }
    return 1;
  };
  Start();
  ASSERT_TRUE(net.Run(Millis(10000)));
  ExpectAllUp();
  EXPECT_EQ(most, size_t{kDefaultOurIkeWindow});
  EXPECT_EQ(requests, size_t{kConns - 1});
  EXPECT_EQ(a.engine.Status().counters.retransmits, 0u);
}

// ike-window=3 at B: B advertises 3, so A never has more than 3
// CREATE_CHILD_SA requests out (and all still come up).
TEST_F(WindowTest, TheWindowWeAdvertiseIsConfigurable) {
  b.engine.SetIkeWindow(3);
  size_t in_flight = 0, most = 0;
  net.filter = [&](const Datagram& d, size_t) {
    if (IsChildRequest(d))
      most = std::max(most, ++in_flight);
    else if (Is(d, ike::ExchangeType::kCreateChildSa, true))
      --in_flight;
    return 1;
  };
  Start();
  ASSERT_TRUE(net.Run(Millis(10000)));
  ExpectAllUp();
  EXPECT_EQ(most, 3u);
  EXPECT_EQ(a.engine.Status().counters.retransmits, 0u);
}

// Every batch of datagrams is delivered in reverse: B gets the requests of
// the window out of order, A the responses. Each is matched by its ID.
TEST_F(WindowTest, OutOfOrderRequestsAndResponses) {
  std::vector<uint32_t> order;
  net.filter = [&](const Datagram& d, size_t) {
    if (IsChildRequest(d)) order.push_back(MessageId(d));
    return 1;
  };
  net.reorder = true;
  Start();
  ASSERT_TRUE(net.Run(Millis(10000)));
  ExpectAllUp();
  EXPECT_FALSE(std::is_sorted(order.begin(), order.end())) << "nothing was reordered";
  EXPECT_EQ(a.engine.Status().counters.dropped_unexpected, 0u);
  EXPECT_EQ(b.engine.Status().counters.dropped_unexpected, 0u);
  EXPECT_EQ(a.engine.Status().counters.retransmits, 0u);
}

// The third CREATE_CHILD_SA request is lost once: only it is retransmitted,
// the requests after it go on in the window (up to the window from it),
// and its retransmission is answered.
TEST_F(WindowTest, ALostMiddleRequestIsRetransmittedOnItsOwn) {
  std::map<uint32_t, int> sent;  // message ID -> times sent
  uint32_t lost_id = 0;
  size_t sent_before_resend = 0;
  net.filter = [&](const Datagram& d, size_t) {
    if (!IsChildRequest(d)) return 1;
    const uint32_t id = MessageId(d);
    if (++sent[id] == 2 && id == lost_id) sent_before_resend = sent.size();
    if (sent.size() == 3 && sent[id] == 1) {
      lost_id = id;
      return 0;
    }
    return 1;
  };
  Start();
  ASSERT_TRUE(net.Run(Millis(10000)));
  ExpectAllUp();
  EXPECT_EQ(a.engine.Status().counters.retransmits, 1u);
  for (const auto& [id, times] : sent) EXPECT_EQ(times, id == lost_id ? 2 : 1) << "ID " << id;
  // Before it was resent, the window from it had gone out.
  EXPECT_EQ(sent_before_resend, 3 + kDefaultOurIkeWindow - 1);
  EXPECT_EQ(b.engine.Status().counters.duplicate_requests, 0u);
}

// Every request arrives twice: each is processed once (no second child
// SA), the copy answered from the response cache.
TEST_F(WindowTest, DuplicatesInTheWindowAreNeverProcessedTwice) {
  net.filter = [&](const Datagram& d, size_t) { return IsChildRequest(d) ? 2 : 1; };
  net.reorder = true;
  Start();
  ASSERT_TRUE(net.Run(Millis(10000)));
  ExpectAllUp();
  EXPECT_EQ(b.engine.Status().counters.duplicate_requests, size_t{kConns - 1});
  EXPECT_EQ(b.kernel.SasByDir(kernel::Direction::kIn).size(), size_t{kConns});
}

}  // namespace
}  // namespace ipsec::engine::test
