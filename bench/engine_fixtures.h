// What the in-process Engine benchmarks (handshake_bench.cc,
// many_sas_bench.cc) give their Engines in place of the daemon's: a clock
// that stands still, datagrams queued in memory for the benchmark's pump to
// deliver, and one pre-shared key for every pair of identities.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <span>
#include <vector>

#include "engine/engine.h"

namespace ipsec::bench {

class FixedClock : public engine::Clock {
 public:
  engine::Millis Now() const override { return engine::Millis(1000); }
};

struct Datagram {
  std::vector<uint8_t> bytes;
  engine::Endpoint from, to;
};

// Sends into a queue shared by both engines; the pump delivers them.
class QueueSender : public engine::DatagramSender {
 public:
  explicit QueueSender(std::deque<Datagram>& q) : q_(q) {}
  void Send(std::span<const uint8_t> d, const engine::Endpoint& local,
            const engine::Endpoint& remote) override {
    q_.push_back({{d.begin(), d.end()}, local, remote});
  }

 private:
  std::deque<Datagram>& q_;
};

// The same key whatever the identities.
class FixedPsk : public engine::SecretProvider {
 public:
  std::optional<SecureBytes> FindPsk(const config::Identity&,
                                     const config::Identity&) const override {
    static const uint8_t kPsk[] = "benchmark pre-shared key, not a secret";
    return SecureBytes(std::span<const uint8_t>(kPsk, sizeof(kPsk) - 1));
  }
};

}  // namespace ipsec::bench
