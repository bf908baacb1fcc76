// Bringing up N tunnels between two in-process Engines over MockKernels, in
// the two shapes of bench/vm/many.sh: N peers with one connection each
// (the initiator has one address, the responder N) and N connections to
// one peer (one /32 subnet pair each, all children under one IKE SA). The
// initiator runs with its default pacing (ike-init-limit=3), the network
// delivers every datagram at once, the clock stands still.
//
// What it is for: the CPU time per tunnel must not grow with N. The
// counters split the time between the two engines (each engine's share of
// OnDatagram/Initiate/OnTimer/NextTimeout calls, as the daemon makes them),
// so a cost that grows with N shows on the side that pays it.
//
// BM_IdleTurn: the cost of one turn of the daemon's loop once N tunnels are
// up and nothing is due (OnTimer() and NextTimeout(), as daemon.cc calls
// them after every timer and every event): with the timer queue
// (engine/timer_queue.h) it must not grow with N.
#include <benchmark/benchmark.h>
#include <time.h>

#include <chrono>
#include <deque>
#include <memory>
#include <string>

#include "engine/engine.h"
#include "engine_fixtures.h"
#include "ike/constants.h"
#include "kernel/mock_kernel.h"

namespace ipsec::bench {
namespace {

using engine::Endpoint;
// This thread's CPU time: the host is shared, wall time would count others.
struct Clock {
  using duration = std::chrono::nanoseconds;
  using time_point = std::chrono::nanoseconds;
  static time_point now() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return std::chrono::seconds(ts.tv_sec) + std::chrono::nanoseconds(ts.tv_nsec);
  }
};

class Quiet : public engine::EventSink {
 public:
  void Log(engine::LogLevel, std::string_view, std::string_view) override {}
};

struct Side {
  Side(std::deque<Datagram>& q, uint32_t spi_base)
      : kernel(spi_base), sender(q), engine(clock, random, sender, kernel, psk, log) {}
  FixedClock clock;
  SystemRandom random;
  kernel::MockKernel kernel;
  QueueSender sender;
  FixedPsk psk;
  Quiet log;
  engine::Engine engine;
  Clock::duration spent{};
};

IpAddress Addr(uint32_t v4) {
  return *IpAddress::Parse(std::to_string(v4 >> 24) + "." + std::to_string(v4 >> 16 & 255) + "." +
                           std::to_string(v4 >> 8 & 255) + "." + std::to_string(v4 & 255));
}

engine::Connection Conn(std::string name, IpAddress local, IpAddress remote, IpPrefix lnet,
                        IpPrefix rnet, bool start) {
  engine::Connection c;
  c.name = std::move(name);
  c.local.host = local;
  c.remote.host = remote;
  c.local.subnets = {lnet};
  c.remote.subnets = {rnet};
  Proposal ike;
  ike.protocol = ProtocolId::kIke;
  ike.transforms = {{TransformType::kEncr, ike::encr::kAesGcm16, 128},
                    {TransformType::kPrf, ike::prf::kHmacSha2_256, 0},
                    {TransformType::kDh, ike::dh::kCurve25519, 0}};
  Proposal esp;
  esp.protocol = ProtocolId::kEsp;
  esp.transforms = {{TransformType::kEncr, ike::encr::kAesGcm16, 128},
                    {TransformType::kEsn, ike::esn::kNo, 0}};
  c.ike_proposals = {ike};
  c.esp_proposals = {esp};
  c.auto_action = start ? engine::AutoAction::kStart : engine::AutoAction::kAdd;
  return c;
}

// Runs f on side s, adding the CPU time it took and
// then what the daemon's event loop does after every event: NextTimeout().
// CPU time of this thread, which runs both engines.
template <typename F>
void On(Side& s, F&& f) {
  const auto t0 = Clock::now();
  f();
  (void)s.engine.NextTimeout();
  s.spent += Clock::now() - t0;
}

// The two shapes. "peers": responder address 10.1.x.y per tunnel;
// "conns": one responder address, tunnel i is 10.100.i/32 === 10.200.i/32.
enum class Shape { kPeers, kConns };

// Both engines and the network between them.
struct Pair {
  std::deque<Datagram> q;
  Side a{q, 0x1000}, b{q, 0x8000000};
};

// Brings the N tunnels up between p's two sides; "" or what went wrong.
std::string BringUp(Shape shape, int n, Pair& p) {
  std::deque<Datagram>& q = p.q;
  Side &a = p.a, &b = p.b;
  const IpAddress ia = Addr(0x0a000001), ib = Addr(0x0a000002);
  std::vector<engine::Connection> ca, cb;
  for (int i = 0; i < n; ++i) {
    const std::string name = "t" + std::to_string(i);
    const IpAddress peer = shape == Shape::kPeers ? Addr(0x0a010000 + i + 1) : ib;
    const auto la = IpPrefix::Host(Addr(0x0a640000 + i)), lb = IpPrefix::Host(Addr(0x0ac80000 + i));
    ca.push_back(Conn(name, ia, peer, la, lb, true));
    cb.push_back(Conn(name, peer, ia, lb, la, false));
  }
  Clock::time_point t0 = Clock::now();
  if (auto s = b.engine.LoadConnections(cb); !s) return "responder: " + s.error().message;
  b.spent += Clock::now() - t0;
  ipsec::Status loaded = ipsec::Status::Ok();
  On(a, [&] { loaded = a.engine.LoadConnections(ca); });
  if (!loaded) return "initiator: " + loaded.error().message;
  for (size_t msgs = 0; !q.empty(); ++msgs) {
    if (msgs > size_t(n) * 40) return "more than 40 messages per tunnel";
    Datagram d = std::move(q.front());
    q.pop_front();
    Side& to = d.to.addr == ia ? a : b;
    On(to, [&] { to.engine.OnDatagram(d.bytes, d.to, d.from); });
    if (q.empty()) On(a, [&] { a.engine.OnTimer(); });  // the pacer's released slots
  }
  const size_t want = 2 * size_t(n);
  if (a.kernel.sas().size() != want || b.kernel.sas().size() != want)
    return "not all children up: initiator " + std::to_string(a.kernel.sas().size()) +
           " SAs, responder " + std::to_string(b.kernel.sas().size()) + ", want " +
           std::to_string(want);
  return "";
}

void Run(benchmark::State& state, Shape shape) {
  const int n = static_cast<int>(state.range(0));
  for (auto _ : state) {
    auto p = std::make_unique<Pair>();
    if (std::string err = BringUp(shape, n, *p); !err.empty()) {
      state.SkipWithError(err.c_str());
      break;
    }
    using Ms = std::chrono::duration<double, std::milli>;
    state.counters["initiator_ms"] += Ms(p->a.spent).count();
    state.counters["responder_ms"] += Ms(p->b.spent).count();
  }
  for (const char* k : {"initiator_ms", "responder_ms"})
    state.counters[k] = benchmark::Counter(state.counters[k] / double(state.iterations()));
  state.counters["initiator_us_per_tunnel"] = state.counters["initiator_ms"] * 1000 / n;
  state.counters["responder_us_per_tunnel"] = state.counters["responder_ms"] * 1000 / n;
}

void BM_ManyPeers(benchmark::State& state) {
  Run(state, Shape::kPeers);
}
void BM_ManyConns(benchmark::State& state) {
  Run(state, Shape::kConns);
}
BENCHMARK(BM_ManyPeers)
    ->Arg(100)
    ->Arg(300)
    ->Arg(1000)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1);
BENCHMARK(BM_ManyConns)
    ->Arg(100)
    ->Arg(300)
    ->Arg(1000)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1);

// Arguments: N, and the side measured (0: the initiator, with N IKE SAs and
// N connections; 1: the responder, with N IKE SAs). N peers, one tunnel
// each, brought up once (not measured); then each iteration is one turn.
void BM_IdleTurn(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  auto p = std::make_unique<Pair>();
  if (std::string err = BringUp(Shape::kPeers, n, *p); !err.empty()) {
    state.SkipWithError(err.c_str());
    return;
  }
  engine::Engine& e = state.range(1) == 0 ? p->a.engine : p->b.engine;
  for (auto _ : state) {
    e.OnTimer();
    benchmark::DoNotOptimize(e.NextTimeout());
  }
  if (!p->q.empty()) state.SkipWithError("an idle turn sent a datagram");
}
BENCHMARK(BM_IdleTurn)
    ->ArgsProduct({{1000, 10000}, {0, 1}})
    ->ArgNames({"sas", "responder"})
    ->Unit(benchmark::kMicrosecond)
    ->Iterations(2000);

}  // namespace
}  // namespace ipsec::bench
