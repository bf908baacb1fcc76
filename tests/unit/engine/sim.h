// The engine test simulator: a fake clock, deterministic random bytes, an
// in-memory network with controllable loss, duplication and reordering, and
// a Peer bundling an Engine with its MockKernel, secrets and log.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "engine/engine.h"
#include "kernel/mock_kernel.h"

namespace ipsec::engine::test {

class FakeClock : public Clock {
 public:
  Millis Now() const override { return now_; }
  void Advance(Millis d) { now_ += d; }
  void Set(Millis t) { now_ = t; }

 private:
  Millis now_{1000000};
};

// splitmix64: fixed seed, fixed bytes, different per peer.
class SeqRandom : public RandomSource {
 public:
  explicit SeqRandom(uint64_t seed) : s_(seed) {}
  bool Fill(std::span<uint8_t> out) override {
    for (auto& b : out) {
      if (avail_ == 0) {
        uint64_t z = (s_ += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        cur_ = z ^ (z >> 31);
        avail_ = 8;
      }
      b = static_cast<uint8_t>(cur_ >> (8 * --avail_));
    }
    return true;
  }

 private:
  uint64_t s_, cur_ = 0;
  int avail_ = 0;
};

struct Datagram {
  std::vector<uint8_t> bytes;
  Endpoint from, to;
};

class FakeNetwork;

class NetSender : public DatagramSender {
 public:
  explicit NetSender(FakeNetwork& net) : net_(net) {}
  void Send(std::span<const uint8_t> d, const Endpoint& local, const Endpoint& remote) override;

 private:
  FakeNetwork& net_;
};

class MapSecrets : public SecretProvider {
 public:
  // A PSK for any pair of IDs unless a pair-specific one is set.
  std::string any_psk;
  std::map<std::pair<std::string, std::string>, std::string> by_ids;
  // by_ids keys: the IDs as ike::IdToString prints them ("192.0.2.1",
  // "moon.example.org", "C=CH, O=Example, CN=moon").
  static std::string Text(const config::Identity& id) {
    return id.kind == config::Identity::Kind::kFqdn ? id.name : id.ToString();
  }
  std::optional<SecureBytes> FindPsk(const config::Identity& l,
                                     const config::Identity& r) const override {
    auto it = by_ids.find({Text(l), Text(r)});
    const std::string* s = it != by_ids.end() ? &it->second : any_psk.empty() ? nullptr : &any_psk;
    if (!s) return std::nullopt;
    return SecureBytes(
        std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(s->data()), s->size()));
  }
  // Certificates (engine_cert_test): our credentials by leftcert= path,
  // and the trust anchors (none unless set).
  std::map<std::string, LocalCredential, std::less<>> credentials;
  std::shared_ptr<const cert::CertStore> anchors;
  const LocalCredential* FindCredential(std::string_view path) const override {
    auto it = credentials.find(path);
    return it == credentials.end() ? nullptr : &it->second;
  }
  const cert::CertStore* TrustAnchors() const override { return anchors.get(); }
};

class LogSink : public EventSink {
 public:
  explicit LogSink(std::string who) : who_(std::move(who)) {}
  void Log(LogLevel level, std::string_view conn, std::string_view msg) override {
    lines.push_back({level, std::string(conn), std::string(msg)});
    if (getenv("ENGINE_TEST_VERBOSE"))
      fprintf(stderr, "[%s] %s: %.*s\n", who_.c_str(), std::string(conn).c_str(),
              static_cast<int>(msg.size()), msg.data());
  }
  bool Contains(std::string_view needle, std::optional<LogLevel> level = std::nullopt) const {
    for (const auto& l : lines)
      if ((!level || l.level == *level) && l.text.find(needle) != std::string::npos) return true;
    return false;
  }
  std::string Errors() const {
    std::string s;
    for (const auto& l : lines)
      if (l.level == LogLevel::kError) s += l.text + "\n";
    return s;
  }
  struct Line {
    LogLevel level;
    std::string conn, text;
  };
  std::vector<Line> lines;

 private:
  std::string who_;
};

struct Peer {
  Peer(FakeNetwork& net, FakeClock& clock, std::string name, IpAddress addr, uint64_t seed,
       uint32_t spi_base)
      : name(std::move(name)),
        addr(addr),
        random(seed),
        sender(net),
        kernel(spi_base),
        log(this->name),
        engine(clock, random, sender, kernel, secrets, log) {}
  std::string name;
  IpAddress addr;
  SeqRandom random;
  NetSender sender;
  kernel::MockKernel kernel;
  MapSecrets secrets;
  LogSink log;
  Engine engine;
};

class FakeNetwork {
 public:
  explicit FakeNetwork(FakeClock& clock) : clock_(clock) {}

  void Attach(Peer* p) { peers_.push_back(p); }
  void Enqueue(Datagram d) {
    ++sent;
    queue_.push_back(std::move(d));
  }

  // Decides per datagram: return how many copies to deliver (0 = lost).
  std::function<int(const Datagram&, size_t index)> filter;
  // Reverse the queue before each delivery round (reordering).
  bool reorder = false;
  // Address rewriting (a NAT): applied to datagrams leaving from `inside`.
  struct Nat {
    Endpoint inside, outside;
  };
  std::optional<Nat> nat;
  // Arbitrary rewriting of a datagram in flight (e.g. a NAT with several
  // mappings), applied before the filter.
  std::function<void(Datagram&)> rewrite;

  // Delivers everything queued, repeatedly, then fires timers up to
  // `horizon` of simulated time. Returns false if it did not settle.
  bool Run(Millis horizon = Millis(60000), int max_rounds = 10000);
  // Delivers what is queued now and what that causes, no timers.
  void Deliver(int max_rounds = 10000);

  size_t sent = 0, delivered = 0;

 private:
  void DeliverOne(Datagram d);
  FakeClock& clock_;
  std::vector<Peer*> peers_;
  std::deque<Datagram> queue_;
  size_t index_ = 0;
};

inline void NetSender::Send(std::span<const uint8_t> d, const Endpoint& local,
                            const Endpoint& remote) {
  net_.Enqueue(Datagram{{d.begin(), d.end()}, local, remote});
}

inline void FakeNetwork::DeliverOne(Datagram d) {
  if (nat) {
    if (d.from == nat->inside) d.from = nat->outside;
    if (d.to == nat->outside) d.to = nat->inside;
  }
  if (rewrite) rewrite(d);
  int copies = filter ? filter(d, index_++) : 1;
  for (int i = 0; i < copies; ++i) {
    for (Peer* p : peers_) {
      if (p->addr != d.to.addr) continue;
      ++delivered;
      p->engine.OnDatagram(d.bytes, d.to, d.from);
    }
  }
}

inline void FakeNetwork::Deliver(int max_rounds) {
  for (int round = 0; round < max_rounds && !queue_.empty(); ++round) {
    std::deque<Datagram> batch;
    batch.swap(queue_);
    if (reorder) std::reverse(batch.begin(), batch.end());
    for (auto& d : batch) DeliverOne(std::move(d));
  }
}

inline bool FakeNetwork::Run(Millis horizon, int max_rounds) {
  const Millis end = clock_.Now() + horizon;
  for (int round = 0; round < max_rounds; ++round) {
    Deliver();
    std::optional<Millis> next;
    for (Peer* p : peers_) {
      auto t = p->engine.NextTimeout();
      // The timer queue agrees with a walk over every SA (engine.cc).
      EXPECT_EQ(t, p->engine.NextTimeoutByScan()) << p->name << " at " << clock_.Now().count();
      if (t && (!next || *t < *next)) next = t;
    }
    if (!next || clock_.Now() + *next > end) {
      clock_.Set(end);
      return true;
    }
    clock_.Advance(*next);
    for (Peer* p : peers_) p->engine.OnTimer();
  }
  return false;
}

}  // namespace ipsec::engine::test
