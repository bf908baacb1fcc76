#include "engine/sas_by_identity.h"

#include <algorithm>

#include "engine/ike_sa.h"

namespace ipsec::engine {
namespace {

// Both identities as bytes: type, length, octets each.
std::string IdentityKey(const IkeSa& sa) {
  std::string k;
  for (const ike::IdPayload* id : {&sa.local_id, &sa.remote_id}) {
    k += static_cast<char>(id->id_type);
    k += std::to_string(id->data.size());
    k += ':';
    k.append(id->data.begin(), id->data.end());
  }
  return k;
}

}  // namespace

void SasByIdentity::Add(IkeSa* sa) {
  auto [it, fresh] = key_of_.try_emplace(sa, IdentityKey(*sa));
  if (!fresh) return;
  auto& group = groups_[it->second];
  group.push_back(sa);
  if (group.size() == 2) crowded_.insert(it->second);
}

IkeSa* SasByIdentity::Remove(IkeSa* sa) {
  auto k = key_of_.find(sa);
  if (k == key_of_.end()) return nullptr;
  const std::string key = std::move(k->second);
  key_of_.erase(k);
  auto g = groups_.find(key);
  std::erase(g->second, sa);
  if (g->second.empty()) {
    groups_.erase(g);
    return nullptr;
  }
  if (g->second.size() > 1) return nullptr;
  crowded_.erase(key);
  return g->second.front();
}

std::vector<IkeSa*> SasByIdentity::WithIdentitiesOf(const IkeSa& sa) const {
  auto g = groups_.find(IdentityKey(sa));
  return g == groups_.end() ? std::vector<IkeSa*>{} : g->second;
}

std::vector<IkeSa*> SasByIdentity::Crowded() const {
  std::vector<IkeSa*> out;
  for (const auto& key : crowded_) {
    const auto& group = groups_.at(key);
    out.insert(out.end(), group.begin(), group.end());
  }
  return out;
}

}  // namespace ipsec::engine
