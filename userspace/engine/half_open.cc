#include "engine/half_open.h"

#include <tuple>

#include "engine/ike_sa.h"

namespace ipsec::engine {

bool HalfOpenTable::KeyLess::operator()(const Key& x, const Key& y) const {
  return std::tie(x.first, x.second.addr, x.second.port) <
         std::tie(y.first, y.second.addr, y.second.port);
}

IkeSa* HalfOpenTable::Find(uint64_t spi_i, const Endpoint& peer) const {
  auto it = by_key_.find({spi_i, peer});
  return it == by_key_.end() ? nullptr : it->second.sa;
}

HalfOpenTable::Admission HalfOpenTable::Admit(const IpAddress& addr) const {
  if (half_open_ >= limits_.global) return Admission::kRefuseGlobal;
  if (auto it = per_source_.find(addr); it != per_source_.end() && it->second >= limits_.per_source)
    return Admission::kRefuseSource;
  if (half_open_ >= limits_.cookie_threshold) return Admission::kNeedCookie;
  return Admission::kAdmit;
}

void HalfOpenTable::Add(IkeSa* sa, int64_t now_ms) {
  auto [it, inserted] = by_key_.try_emplace({sa->spi_i, sa->remote}, Entry{sa, now_ms, true});
  if (!inserted) return;  // the engine looked it up first; never replace
  key_of_[sa] = it->first;
  open_.emplace(now_ms, sa->serial(), sa);
  ++half_open_;
  ++per_source_[sa->remote.addr];
}

// By the key's address: the SA's own may have moved since (NAT-T float).
void HalfOpenTable::Uncount(const Key& key, Entry& e) {
  if (!e.half_open) return;
  e.half_open = false;
  open_.erase({e.created_ms, e.sa->serial(), e.sa});
  --half_open_;
  auto it = per_source_.find(key.second.addr);
  if (it != per_source_.end() && --it->second == 0) per_source_.erase(it);
}

void HalfOpenTable::Settle(IkeSa* sa) {
  if (auto k = key_of_.find(sa); k != key_of_.end()) Uncount(k->second, by_key_.at(k->second));
}

void HalfOpenTable::Remove(IkeSa* sa) {
  auto k = key_of_.find(sa);
  if (k == key_of_.end()) return;
  auto it = by_key_.find(k->second);
  Uncount(it->first, it->second);
  by_key_.erase(it);
  key_of_.erase(k);
}

std::vector<IkeSa*> HalfOpenTable::Expired(int64_t now_ms) const {
  std::vector<IkeSa*> v;
  for (const auto& [created_ms, serial, sa] : open_) {
    if (now_ms < created_ms + limits_.lifetime_ms) break;
    v.push_back(sa);
  }
  return v;
}

std::optional<int64_t> HalfOpenTable::NextExpiryMs() const {
  if (open_.empty()) return std::nullopt;
  return std::get<0>(*open_.begin()) + limits_.lifetime_ms;
}

}  // namespace ipsec::engine
