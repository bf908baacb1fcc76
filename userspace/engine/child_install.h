// Putting a negotiated child SA into the kernel and taking it out again:
// inbound SA (our SPI, the child's selectors), then outbound SA (the peer's
// SPI), then the outbound policy for the pair, shared by every child SA
// with the same reqid (reference-counted in EngineContext::policy_refs).
// When the IKE SA's peer moves (NAT rebinding, RFC 7296 2.23), its children
// follow (MoveChildren, the kernel's UPD_SA).
#pragma once

#include <optional>

#include "common/result.h"
#include "engine/child_sa.h"
#include "engine/context.h"
#include "ike/crypto/keymat.h"

namespace ipsec::engine {

class IkeSa;

// A new child's inbound SPI for `local`, reserved on conn's device, so that
// ESP the peer sends on it before InstallChild is held for the SA instead of
// lost (the peer may use the child as soon as it has answered). Without the
// device (it cannot be created), an SPI that is only free.
Result<uint32_t> AllocInboundSpi(EngineContext& ctx, const Connection& conn,
                                 const IpAddress& local);
// Installs child (state becomes kInstalled). On failure whatever was
// installed is removed again and the error says which step failed.
// defer_outbound: keep the outbound SA in child.pending_outbound for
// InstallPendingOutbound() instead of installing it now.
Status InstallChild(EngineContext& ctx, const IkeSa& sa, ChildSa& child,
                    const ike::ChildSaKeys& keys, bool defer_outbound = false);
// Installs a deferred outbound SA (it takes over the reqid's traffic at once).
Status InstallPendingOutbound(EngineContext& ctx, ChildSa& child);
// Points every child of sa at sa's current endpoints: outer addresses and,
// for UDP-encapsulated children, the NAT-T ports of both SAs (and of an
// outbound SA still waiting in pending_outbound). Failures are logged; the
// child stays (its inbound side still works, the next move may succeed).
void MoveChildren(EngineContext& ctx, IkeSa& sa);
// Removes child's SAs and (when no other child needs it) its policy; a
// child whose inbound SA was never added releases its SPI's reservation.
void RemoveChild(EngineContext& ctx, ChildSa& child);
// A rekeyed child going away: as RemoveChild, but its inbound SA stays
// kRetiredInboundMs longer. ESP the peer sent on it just before it deleted
// its half can still sit in our receive queue (decryption is queued, the
// IKE Delete is not) when the Delete or its response reaches us; strongSwan
// keeps rekeyed inbound SAs for the same reason (delete_rekeyed_delay).
inline constexpr int64_t kRetiredInboundMs = 2000;
void RetireChild(EngineContext& ctx, ChildSa& child);
// Deletes the retired inbound SAs due by now_ms (all of them if all).
void ReapRetiredInbound(EngineContext& ctx, int64_t now_ms, bool all = false);
std::optional<int64_t> NextRetiredInboundMs(const EngineContext& ctx);
// dpdaction=hold: child's policy stays in the kernel when the child goes,
// so that traffic makes the kernel send ACQUIRE instead of leaving in clear
// by another route. The next child of the same pair takes it over.
void HoldPolicy(EngineContext& ctx, const ChildSa& child, const std::string& conn);
// Removes the held policies of conn ("" = of every connection).
void ReleaseHeldPolicies(EngineContext& ctx, std::string_view conn);
// auto=route: installs conn's policies (one per subnet pair, with the reqid
// its child SAs will have) before any SA exists. The first packet makes the
// kernel drop it and send ACQUIRE; the child SAs then share the policy and
// it outlives them, so the next packet after they go starts them again.
Status InstallTrapPolicies(EngineContext& ctx, const Connection& conn);
// Removes conn's trap policies ("" = every connection's) once no child SA
// uses them.
void ReleaseTrapPolicies(EngineContext& ctx, std::string_view conn);

}  // namespace ipsec::engine
