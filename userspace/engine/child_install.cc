#include "engine/child_install.h"

#include "engine/ike_sa.h"
#include "engine/rekey_timing.h"
#include "engine/retired_traffic.h"

namespace ipsec::engine {
namespace {

kernel::TrafficSelector Sel(const IpPrefix& src, const IpPrefix& dst) {
  kernel::TrafficSelector s;
  s.src = src;
  s.dst = dst;
  return s;
}

std::tuple<int, std::string, std::string, uint32_t> PolicyKey(const ChildSa& c) {
  return {c.ifindex, c.local_ts.ToString(), c.remote_ts.ToString(), c.reqid};
}

kernel::Lifetime Seconds(uint64_t s) {
  kernel::Lifetime l;
  l.seconds = s;
  return l;
}

}  // namespace

Result<uint32_t> AllocInboundSpi(EngineContext& ctx, const Connection& conn,
                                 const IpAddress& local) {
  auto dev = ctx.kernel.EnsureDevice(config::DeviceName(conn));
  return ctx.kernel.AllocSpi(local, dev ? dev->ifindex : 0);
}

Status InstallChild(EngineContext& ctx, const IkeSa& sa, ChildSa& child,
                    const ike::ChildSaKeys& keys, bool defer_outbound) {
  // The child's own connection: a child sharing another connection's IKE
  // SA keeps its interface, lifetime and replay window.
  const Connection& conn = child.conn ? *child.conn : *sa.conn;
  auto dev = ctx.kernel.EnsureDevice(config::DeviceName(conn));
  if (!dev) return MakeError("interface " + config::DeviceName(conn) + ": " + dev.error().message);
  child.ifindex = dev->ifindex;
  child.udp_encap = sa.nat_local || sa.nat_remote;

  // Keys: the outbound SA of whoever initiated the child's exchange uses
  // the i->r keys.
  const bool ini = child.initiator;
  // The kernel's soft EXPIRE starts our rekey; the peer's rekey may come
  // first. Without rekey (rekey=no) the child just dies at its hard lifetime.
  const uint64_t hard = child.lifetime_s ? child.lifetime_s : conn.child_lifetime.count();
  uint64_t soft = ChildRekeySeconds(conn, ctx.random, hard);
  if (child.peer_rekeys_first && soft) soft += (hard - soft) / 2;

  kernel::SaParams in;
  in.spi = child.inbound_spi;
  in.dir = kernel::Direction::kIn;
  in.reqid = child.reqid;
  in.src = sa.remote.addr;
  in.dst = sa.local.addr;
  in.encr_id = child.transforms.encr;
  in.encr_key_bits = child.transforms.encr_key_bits;
  in.enc_key = ini ? keys.encr_r : keys.encr_i;
  in.integ_id = child.transforms.integ;
  in.auth_key = ini ? keys.integ_r : keys.integ_i;
  in.esn = child.transforms.esn;
  if (conn.replay_window) in.replay_window = *conn.replay_window;
  in.soft = Seconds(soft);
  in.hard = Seconds(hard);
  // Volume: the peer's (IKEv1 kilobytes) when it set one, else lifebytes=.
  if (const uint64_t bytes = child.lifetime_kb ? child.lifetime_kb * 1024 : conn.child_lifebytes) {
    in.hard.bytes = bytes;
    in.soft.bytes = bytes - bytes / 10;
  }
  in.selectors.push_back(Sel(child.remote_ts, child.local_ts));
  if (child.udp_encap) {
    in.encap_sport = sa.remote.port;
    in.encap_dport = sa.local.port;
  }

  kernel::SaParams out = in;
  out.spi = child.outbound_spi;
  out.dir = kernel::Direction::kOut;
  out.src = sa.local.addr;
  out.dst = sa.remote.addr;
  out.enc_key = ini ? keys.encr_i : keys.encr_r;
  out.auth_key = ini ? keys.integ_i : keys.integ_r;
  out.selectors = {Sel(child.local_ts, child.remote_ts)};
  if (child.udp_encap) {
    out.encap_sport = sa.local.port;
    out.encap_dport = sa.remote.port;
  }

  if (auto st = ctx.kernel.AddSa(child.ifindex, in); !st)
    return MakeError("adding inbound SA " + std::to_string(in.spi) + ": " + st.error().message);
  child.inbound_installed = true;
  child.spi_reserved = false;  // the SA took the reservation over
  child.pending_outbound = std::move(out);
  if (!defer_outbound) {
    if (auto st = InstallPendingOutbound(ctx, child); !st) {
      RemoveChild(ctx, child);
      return st;
    }
  }

  auto& refs = ctx.policy_refs[PolicyKey(child)];
  if (refs == 0) {
    kernel::Policy pol;
    pol.sel = Sel(child.local_ts, child.remote_ts);
    pol.reqid = child.reqid;
    if (auto st = ctx.kernel.AddPolicy(child.ifindex, pol); !st) {
      ctx.policy_refs.erase(PolicyKey(child));
      RemoveChild(ctx, child);
      return MakeError("adding policy " + child.local_ts.ToString() +
                       " === " + child.remote_ts.ToString() + ": " + st.error().message);
    }
  }
  ++refs;
  if (auto held = ctx.held_policies.find(PolicyKey(child)); held != ctx.held_policies.end()) {
    ctx.held_policies.erase(held);  // taken over: its reference goes
    --refs;
  }
  child.policy_installed = true;
  child.state = ChildSa::State::kInstalled;
  child.established_ms = ctx.NowMs();
  ++ctx.counters.child_sas_installed;
  return Status::Ok();
}

Status InstallPendingOutbound(EngineContext& ctx, ChildSa& child) {
  if (!child.pending_outbound) return Status::Ok();
  const kernel::SaParams out = std::move(*child.pending_outbound);
  child.pending_outbound.reset();
  if (auto st = ctx.kernel.AddSa(child.ifindex, out); !st)
    return MakeError("adding outbound SA " + std::to_string(out.spi) + ": " + st.error().message);
  child.outbound_installed = true;
  return Status::Ok();
}

namespace {

// Both directions' endpoints of child as sa now stands.
std::pair<kernel::SaUpdate, kernel::SaUpdate> Endpoints(const IkeSa& sa, const ChildSa& child) {
  kernel::SaUpdate in, out;
  in.spi = child.inbound_spi;
  in.dir = kernel::Direction::kIn;
  in.src = sa.remote.addr;
  in.dst = sa.local.addr;
  out.spi = child.outbound_spi;
  out.dir = kernel::Direction::kOut;
  out.src = sa.local.addr;
  out.dst = sa.remote.addr;
  if (child.udp_encap) {
    in.encap_sport = out.encap_dport = sa.remote.port;
    in.encap_dport = out.encap_sport = sa.local.port;
  }
  return {in, out};
}

}  // namespace

void MoveChildren(EngineContext& ctx, IkeSa& sa) {
  for (auto& c : sa.children) {
    auto [in, out] = Endpoints(sa, *c);
    if (c->pending_outbound) {
      c->pending_outbound->src = *out.src;
      c->pending_outbound->dst = *out.dst;
      c->pending_outbound->encap_sport = out.encap_sport;
      c->pending_outbound->encap_dport = out.encap_dport;
    }
    for (const auto* upd : {&in, &out}) {
      bool installed = upd == &in ? c->inbound_installed : c->outbound_installed;
      if (!installed) continue;
      if (auto st = ctx.kernel.UpdateSa(c->ifindex, *upd); !st)
        ctx.Log(LogLevel::kWarning, c->conn_name(),
                "moving " + std::string(upd == &in ? "inbound" : "outbound") + " SA " +
                    std::to_string(upd->spi) + " to " + sa.remote.ToString() + ": " +
                    st.error().message);
    }
  }
}

void RemoveChild(EngineContext& ctx, ChildSa& child) {
  child.pending_outbound.reset();
  if (child.spi_reserved && child.conn) {
    // Its negotiation failed or its IKE SA went before the inbound SA was
    // added: DEL_SA of the SPI releases the reservation (uapi ALLOC_SPI).
    if (auto dev = ctx.kernel.GetDevice(config::DeviceName(*child.conn)))
      (void)ctx.kernel.DelSa(dev->ifindex, child.inbound_spi, kernel::Direction::kIn);
  }
  child.spi_reserved = false;
  if (child.policy_installed) {
    auto it = ctx.policy_refs.find(PolicyKey(child));
    if (it != ctx.policy_refs.end() && --it->second <= 0) {
      ctx.policy_refs.erase(it);
      kernel::Policy pol;
      pol.sel = Sel(child.local_ts, child.remote_ts);
      pol.reqid = child.reqid;
      (void)ctx.kernel.DelPolicy(child.ifindex, pol);
    }
    child.policy_installed = false;
  }
  std::vector<std::pair<uint32_t, kernel::Direction>> going;
  if (child.outbound_installed) going.emplace_back(child.outbound_spi, kernel::Direction::kOut);
  if (child.inbound_installed) going.emplace_back(child.inbound_spi, kernel::Direction::kIn);
  CountRetiredSas(ctx, child.conn_name(), child.ifindex, going);
  if (child.outbound_installed) {
    (void)ctx.kernel.DelSa(child.ifindex, child.outbound_spi, kernel::Direction::kOut);
    child.outbound_installed = false;
  }
  if (child.inbound_installed) {
    (void)ctx.kernel.DelSa(child.ifindex, child.inbound_spi, kernel::Direction::kIn);
    child.inbound_installed = false;
  }
}

void RetireChild(EngineContext& ctx, ChildSa& child) {
  const bool keep_inbound = child.inbound_installed;
  child.inbound_installed = false;
  RemoveChild(ctx, child);
  if (keep_inbound)
    ctx.retired_inbound[{child.ifindex, child.inbound_spi}] = {ctx.NowMs() + kRetiredInboundMs,
                                                               child.conn_name()};
}

void ReapRetiredInbound(EngineContext& ctx, int64_t now_ms, bool all) {
  for (auto it = ctx.retired_inbound.begin(); it != ctx.retired_inbound.end();) {
    if (!all && it->second.due_ms > now_ms) {
      ++it;
      continue;
    }
    CountRetiredSas(ctx, it->second.conn, it->first.first,
                    {{it->first.second, kernel::Direction::kIn}});
    (void)ctx.kernel.DelSa(it->first.first, it->first.second, kernel::Direction::kIn);
    it = ctx.retired_inbound.erase(it);
  }
}

std::optional<int64_t> NextRetiredInboundMs(const EngineContext& ctx) {
  std::optional<int64_t> next;
  for (const auto& [key, r] : ctx.retired_inbound)
    if (!next || r.due_ms < *next) next = r.due_ms;
  return next;
}

void HoldPolicy(EngineContext& ctx, const ChildSa& child, const std::string& conn) {
  if (!child.policy_installed || ctx.held_policies.count(PolicyKey(child))) return;
  ++ctx.policy_refs[PolicyKey(child)];
  kernel::Policy pol;
  pol.sel = Sel(child.local_ts, child.remote_ts);
  pol.reqid = child.reqid;
  ctx.held_policies[PolicyKey(child)] = {conn, pol};
}

namespace {

// Held and trap policies alike: drop conn's entries ("" = all) from kept,
// and each one's reference; the last reference deletes the kernel policy.
template <typename KeptMap>
void ReleaseKeptPolicies(EngineContext& ctx, KeptMap& kept, std::string_view conn) {
  for (auto it = kept.begin(); it != kept.end();) {
    if (!conn.empty() && it->second.first != conn) {
      ++it;
      continue;
    }
    auto ref = ctx.policy_refs.find(it->first);
    if (ref != ctx.policy_refs.end() && --ref->second <= 0) {
      ctx.policy_refs.erase(ref);
      (void)ctx.kernel.DelPolicy(std::get<0>(it->first), it->second.second);
    }
    it = kept.erase(it);
  }
}

}  // namespace

void ReleaseHeldPolicies(EngineContext& ctx, std::string_view conn) {
  ReleaseKeptPolicies(ctx, ctx.held_policies, conn);
}

Status InstallTrapPolicies(EngineContext& ctx, const Connection& conn) {
  auto dev = ctx.kernel.EnsureDevice(config::DeviceName(conn));
  if (!dev) return MakeError("interface " + config::DeviceName(conn) + ": " + dev.error().message);
  for (size_t i = 0; i < conn.subnet_pairs.size(); ++i) {
    const auto& local = conn.subnet_pairs[i].local;
    const auto& remote = conn.subnet_pairs[i].remote;
    kernel::Policy pol;
    pol.sel = Sel(local, remote);
    pol.reqid = ctx.ReqidFor(conn.name, i);
    const auto key = std::make_tuple(dev->ifindex, local.ToString(), remote.ToString(), pol.reqid);
    if (ctx.trap_policies.count(key)) continue;
    auto& refs = ctx.policy_refs[key];
    if (refs == 0) {
      if (auto st = ctx.kernel.AddPolicy(dev->ifindex, pol); !st) {
        ctx.policy_refs.erase(key);
        return MakeError("adding policy " + local.ToString() + " === " + remote.ToString() + ": " +
                         st.error().message);
      }
    }
    ++refs;
    ctx.trap_policies[key] = {conn.name, pol};
  }
  return Status::Ok();
}

void ReleaseTrapPolicies(EngineContext& ctx, std::string_view conn) {
  ReleaseKeptPolicies(ctx, ctx.trap_policies, conn);
}

}  // namespace ipsec::engine
