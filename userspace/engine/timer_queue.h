// Deadlines by key (an IKE SA's serial, a connection's name), kept in
// deadline order, so that the engine's NextTimeout() reads the earliest at
// once and OnTimer() visits only the keys that are due, where both walked
// every IKE SA and every connection on every turn of the daemon's loop:
// O(n) per message, O(n^2) to bring n peers up. Setting, moving or
// cancelling one deadline is O(log n).
//
// The queue does not know what a deadline depends on: its owner sets a
// key's deadline again whenever something that decides it may have changed
// (the engine: what a call touched, EngineContext::TouchSa).
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <utility>
#include <vector>

namespace ipsec::engine {

template <typename Key>
class TimerQueue {
 public:
  // key's deadline becomes due_ms, in place of any earlier one; nullopt:
  // none (as Cancel).
  void Set(const Key& key, std::optional<int64_t> due_ms) {
    if (!due_ms) {
      Cancel(key);
      return;
    }
    auto [it, inserted] = due_of_.try_emplace(key, *due_ms);
    if (!inserted) {
      if (it->second == *due_ms) return;
      by_due_.erase({it->second, key});
      it->second = *due_ms;
    }
    by_due_.emplace(*due_ms, key);
  }
  // key has no deadline any more (nothing if it had none).
  void Cancel(const Key& key) {
    auto it = due_of_.find(key);
    if (it == due_of_.end()) return;
    by_due_.erase({it->second, key});
    due_of_.erase(it);
  }
  std::optional<int64_t> DueOf(const Key& key) const {
    auto it = due_of_.find(key);
    if (it == due_of_.end()) return std::nullopt;
    return it->second;
  }
  // The earliest deadline of all.
  std::optional<int64_t> Next() const {
    if (by_due_.empty()) return std::nullopt;
    return by_due_.begin()->first;
  }
  // The keys due at now_ms (deadline <= now_ms), earliest deadline first,
  // equal deadlines in key order. They keep their deadlines until Set or
  // Cancel.
  std::vector<Key> Due(int64_t now_ms) const {
    std::vector<Key> due;
    for (auto it = by_due_.begin(); it != by_due_.end() && it->first <= now_ms; ++it)
      due.push_back(it->second);
    return due;
  }
  size_t size() const { return due_of_.size(); }

 private:
  std::set<std::pair<int64_t, Key>> by_due_;  // (deadline, key)
  std::map<Key, int64_t> due_of_;             // key -> its entry's deadline
};

}  // namespace ipsec::engine
