// A connection's settings as IKEv1's state machines take them
// (ike/v1/main_mode.h, quick_mode.h): transforms from ike=/esp= (the
// defaults when absent, without the AEAD and curve choices IKEv1 lacks),
// identities as IKEv1 ID payloads, the pre-shared key, each subnet pair.
#pragma once

#include <cstddef>
#include <string>

#include "common/result.h"
#include "engine/ike_sa.h"
#include "ike/message.h"
#include "ike/v1/main_mode.h"
#include "ike/v1/quick_mode.h"

namespace ipsec::engine::v1 {

// IKEv2's and IKEv1's ID payloads number the types we use alike (IPv4,
// FQDN, user FQDN, IPv6, DN, key ID); IKEv1's carries protocol and port too.
ike::v1::IdPayload ToV1Id(const ike::IdPayload& id);
ike::IdPayload FromV1Id(const ike::v1::IdPayload& id);

// Main mode for conn between these endpoints: transforms, IDs, the PSK
// (by the IDs, as IKEv2 looks it up). Fails with a line naming what is
// missing (no PSK, no ike= item with an IKEv1 form).
Result<ike::v1::MainModeParams> MainModeParamsFor(EngineContext& ctx, const Connection& conn,
                                                  const Endpoint& local, const Endpoint& remote);

// Quick mode for conn's subnet pair `pair`. udp: NAT was detected, so the
// encapsulation mode is UDP tunnel.
Result<ike::v1::QuickModeParams> QuickModeParamsFor(const Connection& conn, size_t pair, bool udp);

}  // namespace ipsec::engine::v1
