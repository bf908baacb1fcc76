// A complete IKEv2 handshake, IKE_SA_INIT + IKE_AUTH (PSK) with the first
// child SA, between two in-process Engines over MockKernels, with a fixed
// clock and datagrams handed across in memory. Both ends run in this one
// thread, so the CPU time per iteration is what one core pays for both
// sides of one handshake; the report gives handshakes/s per core from it
// and DH's share by comparison with BM_DhSide (bench_ike).
//
// Each iteration builds fresh engines and kernels (cheap next to the
// crypto) so that every handshake starts from nothing, as a new peer does.
#include <benchmark/benchmark.h>

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

// Keeps the last warning/error so a failed handshake can say why.
class LastError : public engine::EventSink {
 public:
  void Log(engine::LogLevel level, std::string_view conn, std::string_view msg) override {
    if (level >= engine::LogLevel::kWarning) last = std::string(conn) + ": " + std::string(msg);
  }
  std::string last;
};

engine::Connection Conn(const char* local, const char* remote, const char* lnet, const char* rnet,
                        uint16_t group) {
  engine::Connection c;
  c.name = "bench";
  c.local.host = *IpAddress::Parse(local);
  c.remote.host = *IpAddress::Parse(remote);
  c.local.subnets = {*IpPrefix::Parse(lnet)};
  c.remote.subnets = {*IpPrefix::Parse(rnet)};
  Proposal ike;
  ike.protocol = ProtocolId::kIke;
  ike.transforms = {{TransformType::kEncr, ike::encr::kAesGcm16, 128},
                    {TransformType::kPrf, ike::prf::kHmacSha2_256, 0},
                    {TransformType::kDh, group, 0}};
  Proposal esp;
  esp.protocol = ProtocolId::kEsp;
  esp.transforms = {{TransformType::kEncr, ike::encr::kAesGcm16, 128},
                    {TransformType::kEsn, ike::esn::kNo, 0}};
  c.ike_proposals = {ike};
  c.esp_proposals = {esp};
  c.auto_action = engine::AutoAction::kAdd;
  return c;
}

struct Side {
  explicit Side(std::deque<Datagram>& q, uint32_t spi_base)
      : kernel(spi_base), sender(q), engine(clock, random, sender, kernel, psk, log) {}
  FixedClock clock;
  SystemRandom random;
  kernel::MockKernel kernel;
  QueueSender sender;
  FixedPsk psk;
  LastError log;
  engine::Engine engine;
};

// One handshake; returns "" on success or why it failed.
std::string Handshake(uint16_t group) {
  std::deque<Datagram> q;
  Side a(q, 0x1000), b(q, 0x8000);
  const Endpoint eb{*IpAddress::Parse("10.0.0.2"), 500};
  if (auto s = a.engine.LoadConnections(
          {Conn("10.0.0.1", "10.0.0.2", "10.1.0.0/16", "10.2.0.0/16", group)});
      !s)
    return "initiator config: " + s.error().message;
  if (auto s = b.engine.LoadConnections(
          {Conn("10.0.0.2", "10.0.0.1", "10.2.0.0/16", "10.1.0.0/16", group)});
      !s)
    return "responder config: " + s.error().message;
  if (auto s = a.engine.Initiate("bench"); !s) return "initiate: " + s.error().message;
  // Four messages make the handshake; anything past a few dozen is a loop.
  for (int n = 0; !q.empty(); ++n) {
    if (n > 32) return "more than 32 messages exchanged";
    Datagram d = std::move(q.front());
    q.pop_front();
    Side& to = d.to == eb ? b : a;
    to.engine.OnDatagram(d.bytes, d.to, d.from);
  }
  if (a.kernel.sas().size() != 2 || b.kernel.sas().size() != 2)
    return "child SAs not installed on both ends (initiator " +
           std::to_string(a.kernel.sas().size()) + ", responder " +
           std::to_string(b.kernel.sas().size()) + " SAs); last error: " + a.log.last + " / " +
           b.log.last;
  return "";
}

void BM_Handshake(benchmark::State& state) {
  const auto group = static_cast<uint16_t>(state.range(0));
  for (auto _ : state) {
    if (std::string err = Handshake(group); !err.empty()) {
      state.SkipWithError(err.c_str());
      break;
    }
  }
}
BENCHMARK(BM_Handshake)->ArgName("dh")->Arg(14)->Arg(19)->Arg(31)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace ipsec::bench
