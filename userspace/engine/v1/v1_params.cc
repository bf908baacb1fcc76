#include "engine/v1/v1_params.h"

#include "engine/identity.h"
#include "engine/proposals.h"
#include "ike/v1/phase1_proposal.h"
#include "ike/v1/quick_mode_proposal.h"

namespace ipsec::engine::v1 {

ike::v1::IdPayload ToV1Id(const ike::IdPayload& id) {
  ike::v1::IdPayload out;
  out.id_type = static_cast<uint8_t>(id.id_type);
  out.data = id.data;
  return out;
}

ike::IdPayload FromV1Id(const ike::v1::IdPayload& id) {
  ike::IdPayload out;
  out.id_type = static_cast<ike::IdType>(id.id_type);
  out.data = id.data;
  return out;
}

Result<ike::v1::MainModeParams> MainModeParamsFor(EngineContext& ctx, const Connection& conn,
                                                  const Endpoint& local, const Endpoint& remote) {
  ike::v1::MainModeParams p;
  const auto& ike = IkeProposalsOf(conn);
  auto transforms = ike::v1::Phase1TransformsFor(ike, conn.ike_lifetime.count());
  if (!transforms) return transforms.error();
  p.transforms = std::move(*transforms);
  const ike::IdPayload local_id = IdPayloadOf(conn.local.id, local.addr);
  p.local_id = ToV1Id(local_id);
  using IdKind = config::Identity::Kind;
  const bool any_peer = conn.remote.id.kind == IdKind::kAny ||
                        (conn.remote.id.kind == IdKind::kNone && !conn.remote.host.is_set());
  const ike::IdPayload remote_id =
      IdPayloadOf(any_peer ? config::Identity{} : conn.remote.id, remote.addr);
  if (!any_peer) p.expected_peer_id = ToV1Id(remote_id);
  // Main mode authenticates before the peer's ID is known (it comes
  // encrypted, last): the key is the configured pair's.
  auto psk = ctx.secrets.FindPsk(IdentityOf(local_id), IdentityOf(remote_id));
  if (!psk)
    return MakeError("no pre-shared key for " + ike::IdToString(local_id) + " - " +
                     ike::IdToString(remote_id));
  p.psk = std::move(*psk);
  p.local = {local.addr, local.port};
  p.remote = {remote.addr, remote.port};
  return p;
}

Result<ike::v1::QuickModeParams> QuickModeParamsFor(const Connection& conn, size_t pair, bool udp) {
  const auto& esp = EspProposalsOf(conn);
  uint16_t pfs = 0;  // esp= naming a group: PFS with the first one
  for (const auto& p : esp)
    for (const auto& t : p.transforms)
      if (t.type == TransformType::kDh && t.id != 0 && pfs == 0) pfs = t.id;
  auto transforms = ike::v1::QuickModeTransformsFor(esp, pfs, conn.child_lifetime.count(), udp);
  if (!transforms) return transforms.error();
  // lifebytes= goes out as a life duration in kilobytes (RFC 2407 4.5).
  for (auto& t : *transforms)
    t.attrs.life_kilobytes = (uint64_t{conn.child_lifebytes} + 1023) / 1024;
  if (pair >= conn.subnet_pairs.size()) return MakeError("no subnet pair " + std::to_string(pair));
  return ike::v1::QuickModeParams{std::move(*transforms), conn.subnet_pairs[pair].local,
                                  conn.subnet_pairs[pair].remote};
}

}  // namespace ipsec::engine::v1
