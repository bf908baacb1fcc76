#include "engine/init_pacing.h"

#include <algorithm>

namespace ipsec::engine {

bool InitPacer::MayGo(const IpAddress& peer) const {
  if (limits_.global != 0 && half_open_.size() >= limits_.global) return false;
  if (limits_.per_peer == 0) return true;
  auto it = per_peer_.find(peer);
  return it == per_peer_.end() || it->second < limits_.per_peer;
}

void InitPacer::Count(uint64_t id, const IpAddress& peer, int64_t now_ms) {
  half_open_.emplace(id, Slot{peer, now_ms});
  ++per_peer_[peer];
}

bool InitPacer::Request(uint64_t id, const IpAddress& peer, int64_t now_ms) {
  if (half_open_.count(id)) return true;
  if (waiting_ids_.count(id)) return false;
  // Behind others already waiting it waits too: Release() keeps the order.
  if (waiting_.empty() && MayGo(peer)) {
    Count(id, peer, now_ms);
    return true;
  }
  waiting_.emplace_back(id, peer);
  waiting_ids_.insert(id);
  return false;
}

void InitPacer::Finish(uint64_t id) {
  if (auto it = half_open_.find(id); it != half_open_.end()) {
    auto p = per_peer_.find(it->second.peer);
    if (p != per_peer_.end() && --p->second == 0) per_peer_.erase(p);
    half_open_.erase(it);
    return;
  }
  if (!waiting_ids_.erase(id)) return;
  auto w =
      std::find_if(waiting_.begin(), waiting_.end(), [&](const auto& e) { return e.first == id; });
  if (w != waiting_.end()) waiting_.erase(w);
}

std::vector<uint64_t> InitPacer::Release(int64_t now_ms) {
  std::vector<uint64_t> go;
  // One pass in order; stops early once the global limit is reached.
  for (auto it = waiting_.begin(); it != waiting_.end();) {
    if (limits_.global != 0 && half_open_.size() >= limits_.global) break;
    if (!MayGo(it->second)) {
      ++it;
      continue;
    }
    Count(it->first, it->second, now_ms);
    go.push_back(it->first);
    waiting_ids_.erase(it->first);
    it = waiting_.erase(it);
  }
  return go;
}

std::vector<std::pair<uint64_t, int64_t>> InitPacer::HalfOpen() const {
  std::vector<std::pair<uint64_t, int64_t>> v;
  v.reserve(half_open_.size());
  for (const auto& [id, slot] : half_open_) v.emplace_back(id, slot.since_ms);
  return v;
}

}  // namespace ipsec::engine
