#include "engine/ike_sa_sharing.h"

#include "engine/context.h"
#include "engine/identity.h"
#include "engine/ike_sa.h"

namespace ipsec::engine {
bool SharesIkeSa(const Connection& a, const Connection& b) {
  // share-ike=no: only the connection's own attempts meet on its IKE SA.
  if ((!a.share_ike || !b.share_ike) && a.name != b.name) return false;
  return a.share_ike == b.share_ike && a.local.host == b.local.host &&
         a.remote.host == b.remote.host && a.local.ike_port == b.local.ike_port &&
         a.remote.ike_port == b.remote.ike_port && a.local.id == b.local.id &&
         a.remote.id == b.remote.id && a.ike_proposals == b.ike_proposals &&
         a.ike_lifetime == b.ike_lifetime && a.dpd_delay == b.dpd_delay &&
         a.dpd_timeout == b.dpd_timeout && a.dpd_action == b.dpd_action;
}

bool MayJoinIkeSa(const Connection& c, const IkeSa& sa) {
  if (!sa.conn || ((!c.share_ike || !sa.conn->share_ike) && sa.conn->name != c.name)) return false;
  return SharesIkeSa(*sa.conn, c) || AcceptsIkeSa(c, sa);
}

bool AcceptsIkeSa(const Connection& c, const IkeSa& sa) {
  if (c.auto_action == AutoAction::kIgnore || sa.state != IkeSa::State::kEstablished) return false;
  if (!AddressMatches(c.local.host, sa.local.addr) ||
      !AddressMatches(c.remote.host, sa.remote.addr))
    return false;
  if (!IdMatches(c.remote.id, c.remote.host, sa.remote_id)) return false;
  // Our own ID must be the one this IKE SA authenticated with.
  const IpAddress& self = c.local.host.is_set() ? c.local.host : sa.local.addr;
  return IdPayloadOf(c.local.id, self) == sa.local_id;
}

bool SupersedesInitialContact(const IkeSa& other, const IkeSa& sa) {
  if (&other == &sa || !sa.conn || !other.conn) return false;
  const Connection& c = *sa.conn;
  const IpAddress& peer = c.remote.host.is_set() ? c.remote.host : sa.remote.addr;
  // rightid=%any says nothing about the peer's identity: its address does.
  if ((c.remote.id.kind == config::Identity::Kind::kAny ||
       c.remote.id.kind == config::Identity::Kind::kNone) &&
      other.remote.addr != sa.remote.addr)
    return false;
  if (other.state == IkeSa::State::kEstablished)
    return other.local_id == sa.local_id && IdMatches(c.remote.id, peer, other.remote_id);
  if (other.state != IkeSa::State::kConnecting || !other.initiator() ||
      other.serial() > sa.serial())
    return false;
  const Connection& o = *other.conn;
  return IdPayloadOf(o.local.id, o.local.host) == sa.local_id &&
         IdPayloadOf(o.remote.id, other.remote.addr) == IdPayloadOf(c.remote.id, peer);
}

const std::vector<std::shared_ptr<const Connection>>& ChildConnections(const EngineContext& ctx,
                                                                       IkeSa& sa) {
  // The identities and the state AcceptsIkeSa reads do not change while the
  // SA is established; the rest is the cache's key.
  auto& cache = sa.child_conns;
  if (cache.generation == ctx.connections_generation && cache.conn == sa.conn.get() &&
      cache.local == sa.local && cache.remote == sa.remote &&
      sa.state == IkeSa::State::kEstablished)
    return cache.conns;
  auto& out = cache.conns;
  out.clear();
  if (sa.conn) out.push_back(sa.conn);
  for (const auto& c : ctx.connections)
    if (c != sa.conn && (!sa.conn || c->name != sa.conn->name) && AcceptsIkeSa(*c, sa))
      out.push_back(c);
  // Before it is established only its own connection qualifies: not kept.
  cache.generation = sa.state == IkeSa::State::kEstablished ? ctx.connections_generation : 0;
  cache.conn = sa.conn.get();
  cache.local = sa.local;
  cache.remote = sa.remote;
  return out;
}

}  // namespace ipsec::engine
