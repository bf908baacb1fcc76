// The responder's table of IKE SAs by the initiator's SPI and address
// (RFC 7296 2.1: how a retransmitted IKE_SA_INIT finds its SA), and the
// limits on half-open SAs — those whose IKE_AUTH has not completed, which
// anyone can create with one spoofed datagram:
//
//   lifetime    a half-open SA older than lifetime_ms is destroyed
//               (RFC 7296 2.4 suggests tens of seconds; strongSwan's
//               half_open_timeout is 30 s); defaults in HalfOpenLimits
//   global      at most `global` at once; beyond, IKE_SA_INIT is dropped
//   per source  at most `per_source` from one IP address
//   cookies     from `cookie_threshold` on, a new IKE_SA_INIT must carry a
//               valid COOKIE (2.6, cookie.h) before it gets any state
//
// An SA stays in the table once established (so an exact retransmission of
// its IKE_SA_INIT is still recognised and answered from the cache), but then
// no longer counts against the limits and never expires here.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <tuple>
#include <utility>
#include <vector>

#include "common/ip_address.h"
#include "engine/engine.h"

namespace ipsec::engine {

class IkeSa;

struct HalfOpenLimits {
  int64_t lifetime_ms = 30000;
  size_t global = 1024;
  size_t per_source = 16;
  size_t cookie_threshold = 64;
};

class HalfOpenTable {
 public:
  explicit HalfOpenTable(HalfOpenLimits limits = {}) : limits_(limits) {}
  const HalfOpenLimits& limits() const { return limits_; }
  // ddos-mode / ddos-ike-threshold from config setup (config/connection.h).
  void set_cookie_threshold(size_t n) { limits_.cookie_threshold = n; }

  enum class Admission { kAdmit, kNeedCookie, kRefuseGlobal, kRefuseSource };

  // The responder SA that IKE_SA_INIT (spi_i) from peer created, if any.
  IkeSa* Find(uint64_t spi_i, const Endpoint& peer) const;
  // May IKE_SA_INIT from addr create state now? kNeedCookie is checked
  // before the limits: a valid cookie proves the address, not a right to
  // exceed them.
  Admission Admit(const IpAddress& addr) const;
  // A new responder SA, half-open, created at now_ms.
  void Add(IkeSa* sa, int64_t now_ms);
  // Its IKE_AUTH completed (or it was rekeyed into being): stop counting it.
  void Settle(IkeSa* sa);
  void Remove(IkeSa* sa);
  // Half-open SAs created at or before now_ms - lifetime_ms.
  std::vector<IkeSa*> Expired(int64_t now_ms) const;
  // Both O(log n) in the SAs filed here: a responder's established SAs
  // stay filed (Find) but are not walked.
  std::optional<int64_t> NextExpiryMs() const;
  size_t half_open() const { return half_open_; }

 private:
  struct Entry {
    IkeSa* sa;
    int64_t created_ms;
    bool half_open;
  };
  using Key = std::pair<uint64_t, Endpoint>;
  struct KeyLess {
    bool operator()(const Key& x, const Key& y) const;
  };
  void Uncount(const Key& key, Entry& e);

  // The half-open ones by (created_ms, serial): Expired and NextExpiryMs
  // read the oldest first.
  std::set<std::tuple<int64_t, uint64_t, IkeSa*>> open_;
  HalfOpenLimits limits_;
  std::map<Key, Entry, KeyLess> by_key_;
  std::map<const IkeSa*, Key> key_of_;      // the key an SA was added under
  std::map<IpAddress, size_t> per_source_;  // half-open SAs per peer address
  size_t half_open_ = 0;
};

}  // namespace ipsec::engine
