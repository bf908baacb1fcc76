// Putting a negotiated child SA into the kernel and taking it out again:
// inbound SA (our SPI, the child's selectors), then outbound SA (the peer's
// SPI), then the outbound policy for the pair, shared by every child SA
// with the same reqid (reference-counted in EngineContext::policy_refs).
#pragma once

#include "common/result.h"
#include "engine/child_sa.h"
#include "engine/context.h"
#include "ike/crypto/keymat.h"

namespace ipsec::engine {

class IkeSa;

// Installs child (state becomes kInstalled). On failure whatever was
// installed is removed again and the error says which step failed.
Status InstallChild(EngineContext& ctx, const IkeSa& sa, ChildSa& child,
                    const ike::ChildSaKeys& keys);
// Removes child's SAs and (when no other child needs it) its policy.
void RemoveChild(EngineContext& ctx, ChildSa& child);

}  // namespace ipsec::engine
