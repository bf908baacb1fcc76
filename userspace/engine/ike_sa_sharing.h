// Which connections share one IKE SA (strongSwan merges connections with
// equal ike_cfg/peer_cfg the same way). Connections to one peer with the
// same IKE parameters ride one IKE SA: the first establishes it, every
// other one adds its child SAs with CREATE_CHILD_SA. A second IKE SA with
// the same identities would make the peer's uniqueness policy (strongSwan
// uniqueids, libreswan's default) delete the first, and its children with it.
#pragma once

#include <memory>
#include <vector>

#include "engine/engine.h"

namespace ipsec::engine {

struct EngineContext;
class IkeSa;

// Whether a and b may share an IKE SA: same outer addresses and IKE ports,
// same identities (and so the same PSK), same ike= proposals, ikelifetime
// and DPD settings. Child-level keys (subnets, esp=, lifetime, interface,
// replay window) may differ. Documentation/configuration.md lists these.
bool SharesIkeSa(const ConnectionConfig& a, const ConnectionConfig& b);

// Whether c may carry child SAs under the established IKE SA sa: c is
// loaded (not auto=ignore), and sa's addresses and the identities it
// authenticated fit c's ends. Used by the responder to pick the connection
// of a peer's CREATE_CHILD_SA (and IKE_AUTH child) by traffic selectors.
bool AcceptsIkeSa(const ConnectionConfig& c, const IkeSa& sa);

// The connections whose children may live under sa: sa's own connection
// first, then every other loaded one AcceptsIkeSa() allows, in load order.
std::vector<std::shared_ptr<const ConnectionConfig>> ChildConnections(const EngineContext& ctx,
                                                                      const IkeSa& sa);

}  // namespace ipsec::engine
