// The IKE state machine under hostile datagrams, not just the codec: two
// Engines (A initiates, B answers as "right=%any") on the unit tests' fake
// network (tests/unit/engine/sim.h) establish a tunnel — the same bytes
// every run, the random source being seeded — and then the input, read as a
// program, feeds them forged and mutated datagrams:
//
//   op 0  a recorded datagram of the handshake, replayed to its receiver
//         from its sender or from another address
//   op 1  the same with up to 4 bytes overwritten (header, SPIs, message
//         ID, flags, payloads; the rest of the input says which and how)
//   op 2  arbitrary bytes (length-prefixed) behind a header carrying the
//         live SPIs, exchange type and flags from the input
//   op 3  time passes (up to 255 ms) and the timers run
//
// Must never crash, leak or trip a sanitizer; and since nothing delivered
// is both authentic and new, the established IKE SA and its child SA keep
// their SPIs on both ends (Documentation/security.md, "IKE daemon").
#include <cstdint>
#include <cstdlib>
#include <span>
#include <vector>

#include "engine/sim.h"

namespace {

using namespace ipsec;
using namespace ipsec::engine;
using namespace ipsec::engine::test;

IpAddress Ip(const char* s) {
  return *IpAddress::Parse(s);
}

struct World {
  FakeClock clock;
  FakeNetwork net{clock};
  Peer a{net, clock, "A", Ip("192.0.2.1"), 1, 0x1000};
  Peer b{net, clock, "B", Ip("192.0.2.2"), 2, 0x2000};
  std::vector<Datagram> recorded;

  bool Establish() {
    net.Attach(&a);
    net.Attach(&b);
    a.secrets.any_psk = b.secrets.any_psk = "fuzz psk";
    Connection ca;
    ca.name = "site";
    ca.local.host = a.addr;
    ca.remote.host = b.addr;
    ca.local.subnets = {*IpPrefix::Parse("10.1.0.0/24")};
    ca.remote.subnets = {*IpPrefix::Parse("10.2.0.0/24")};
    Connection cb = ca;
    cb.local.host = b.addr;
    cb.remote.host = IpAddress();  // %any
    std::swap(cb.local.subnets, cb.remote.subnets);
    if (!a.engine.LoadConnections({ca}).ok() || !b.engine.LoadConnections({cb}).ok()) return false;
    net.filter = [this](const Datagram& d, size_t) {
      recorded.push_back(d);
      return 1;
    };
    if (!a.engine.Initiate("site").ok() || !net.Run(Millis(5000))) return false;
    net.filter = nullptr;
    return Live(a) != nullptr && Live(b) != nullptr;
  }
  static const IkeSaStatus* Live(const Peer& p) {
    static StatusSnapshot snap;  // keeps the pointer valid until the next call
    snap = p.engine.Status();
    for (const auto& s : snap.ike_sas)
      if (s.state == "ESTABLISHED" && s.children.size() == 1) return &s;
    return nullptr;
  }
};

struct Fingerprint {
  uint64_t spi_i, spi_r;
  uint32_t in, out;
  bool operator==(const Fingerprint&) const = default;
};
Fingerprint Of(const IkeSaStatus& s) {
  return {s.spi_i, s.spi_r, s.children[0].inbound_spi, s.children[0].outbound_spi};
}

class Reader {
 public:
  explicit Reader(std::span<const uint8_t> in) : in_(in) {}
  bool empty() const { return pos_ >= in_.size(); }
  uint8_t U8() { return pos_ < in_.size() ? in_[pos_++] : 0; }
  std::span<const uint8_t> Take(size_t n) {
    n = std::min(n, in_.size() - std::min(pos_, in_.size()));
    auto s = in_.subspan(std::min(pos_, in_.size()), n);
    pos_ += n;
    return s;
  }

 private:
  std::span<const uint8_t> in_;
  size_t pos_ = 0;
};

void PutU64(std::vector<uint8_t>& b, size_t at, uint64_t v) {
  for (int i = 0; i < 8; ++i) b[at + i] = static_cast<uint8_t>(v >> (56 - 8 * i));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  World w;
  if (!w.Establish()) abort();  // deterministic: a failure here is a bug
  const Fingerprint fa = Of(*World::Live(w.a)), fb = Of(*World::Live(w.b));
  const Endpoint stranger{Ip("198.51.100.9"), 500};
  Reader r({data, size});
  for (int ops = 0; ops < 64 && !r.empty(); ++ops) {
    const uint8_t op = r.U8() % 4;
    if (op == 3) {
      w.clock.Advance(Millis(r.U8()));
      w.a.engine.OnTimer();
      w.b.engine.OnTimer();
      w.net.Deliver();
      continue;
    }
    Datagram d;
    if (op == 2) {
      const bool to_b = r.U8() & 1;
      d.from = to_b ? Endpoint{w.a.addr, 500} : Endpoint{w.b.addr, 500};
      d.to = to_b ? Endpoint{w.b.addr, 500} : Endpoint{w.a.addr, 500};
      const auto body = r.Take(r.U8() * 4);
      d.bytes.assign(28, 0);
      PutU64(d.bytes, 0, fa.spi_i);
      PutU64(d.bytes, 8, r.U8() & 1 ? fa.spi_r : 0);
      d.bytes[16] = r.U8();           // next payload
      d.bytes[17] = 0x20;             // IKEv2
      d.bytes[18] = 34 + r.U8() % 4;  // IKE_SA_INIT .. INFORMATIONAL
      d.bytes[19] = r.U8() & 0x28;    // I and R flags
      d.bytes[23] = r.U8() % 8;       // message ID
      d.bytes.insert(d.bytes.end(), body.begin(), body.end());
      const uint32_t len = static_cast<uint32_t>(d.bytes.size());
      for (int i = 0; i < 4; ++i) d.bytes[24 + i] = static_cast<uint8_t>(len >> (24 - 8 * i));
    } else {
      d = w.recorded[r.U8() % w.recorded.size()];
      if (r.U8() & 1) d.from = stranger;
      if (op == 1) {
        for (int n = r.U8() % 4 + 1; n > 0; --n) {
          const size_t at = (size_t{r.U8()} << 8 | r.U8()) % d.bytes.size();
          d.bytes[at] = r.U8();
        }
      }
    }
    (d.to.addr == w.a.addr ? w.a : w.b).engine.OnDatagram(d.bytes, d.to, d.from);
    w.net.Deliver();
  }
  // Nothing authentic and new was delivered: both ends still hold the SAs.
  const IkeSaStatus* la = World::Live(w.a);
  if (!la || !(Of(*la) == fa)) abort();
  const IkeSaStatus* lb = World::Live(w.b);
  if (!lb || !(Of(*lb) == fb)) abort();
  return 0;
}
