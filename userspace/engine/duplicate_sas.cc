#include "engine/duplicate_sas.h"

#include <string>
#include <unordered_map>
#include <utility>

#include "engine/ike_sa.h"
#include "engine/ike_sa_sharing.h"

namespace ipsec::engine {
namespace {

bool Settled(const IkeSa& sa) {
  if (sa.state != IkeSa::State::kEstablished || !sa.tasks.Idle() || sa.children.empty())
    return false;
  for (const auto& c : sa.children)
    if (c->state != ChildSa::State::kInstalled) return false;
  return true;
}

// The index key: peer address and both identities, as bytes.
std::string PeerKey(const IkeSa& sa) {
  std::string k = sa.remote.addr.ToString();
  for (const ike::IdPayload* id : {&sa.remote_id, &sa.local_id}) {
    k += '\0';
    k += static_cast<char>(id->id_type);
    k += std::to_string(id->data.size());
    k += ':';
    k.append(id->data.begin(), id->data.end());
  }
  return k;
}

bool SameGroup(const IkeSa& x, const IkeSa& y) {
  return x.conn_name() == y.conn_name() || SharesIkeSa(*x.conn, *y.conn);
}

std::pair<uint64_t, uint64_t> SpiKey(const IkeSa& sa) {
  return {sa.spi_i, sa.spi_r};
}

}  // namespace

std::vector<DuplicateSa> FindDuplicateSas(const std::vector<IkeSa*>& sas) {
  // Per (peer, identities): groups of SAs whose connections share; a group
  // is compared through its first member. Groups per key are few (one per
  // distinct set of IKE parameters towards that peer).
  std::unordered_map<std::string, std::vector<std::vector<IkeSa*>>> index;
  for (IkeSa* sa : sas) {
    if (!sa->conn || !Settled(*sa)) continue;
    auto& groups = index[PeerKey(*sa)];
    auto g = groups.begin();
    while (g != groups.end() && !SameGroup(*g->front(), *sa)) ++g;
    if (g == groups.end())
      groups.push_back({sa});
    else
      g->push_back(sa);
  }
  std::vector<DuplicateSa> out;
  for (auto& [key, groups] : index)
    for (auto& group : groups) {
      if (group.size() < 2) continue;
      IkeSa* keeper = group.front();
      for (IkeSa* sa : group)
        if (SpiKey(*sa) > SpiKey(*keeper)) keeper = sa;
      for (IkeSa* sa : group)
        if (sa != keeper) out.push_back({sa, keeper});
    }
  return out;
}

}  // namespace ipsec::engine
