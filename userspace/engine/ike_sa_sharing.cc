#include "engine/ike_sa_sharing.h"

#include "engine/context.h"
#include "engine/identity.h"
#include "engine/ike_sa.h"

namespace ipsec::engine {
bool SharesIkeSa(const ConnectionConfig& a, const ConnectionConfig& b) {
  return a.local.host == b.local.host && a.remote.host == b.remote.host &&
         a.local.ike_port == b.local.ike_port && a.remote.ike_port == b.remote.ike_port &&
         a.local.id == b.local.id && a.remote.id == b.remote.id &&
         a.ike_proposals == b.ike_proposals && a.ike_lifetime_s == b.ike_lifetime_s &&
         a.dpd_delay_s == b.dpd_delay_s && a.dpd_timeout_s == b.dpd_timeout_s &&
         a.dpd_action == b.dpd_action;
}

bool AcceptsIkeSa(const ConnectionConfig& c, const IkeSa& sa) {
  if (c.auto_action == AutoAction::kIgnore || sa.state != IkeSa::State::kEstablished) return false;
  if (!AddressMatches(c.local.host, sa.local.addr) ||
      !AddressMatches(c.remote.host, sa.remote.addr))
    return false;
  if (!IdMatches(c.remote.id, c.remote.host, sa.remote_id)) return false;
  // Our own ID must be the one this IKE SA authenticated with.
  const IpAddress& self = c.local.host.is_set() ? c.local.host : sa.local.addr;
  return IdFromConfig(c.local.id, self) == sa.local_id;
}

std::vector<std::shared_ptr<const ConnectionConfig>> ChildConnections(const EngineContext& ctx,
                                                                      const IkeSa& sa) {
  std::vector<std::shared_ptr<const ConnectionConfig>> out;
  if (sa.conn) out.push_back(sa.conn);
  for (const auto& c : ctx.connections)
    if (c != sa.conn && (!sa.conn || c->name != sa.conn->name) && AcceptsIkeSa(*c, sa))
      out.push_back(c);
  return out;
}

}  // namespace ipsec::engine
