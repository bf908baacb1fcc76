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
// and DPD settings; share-ike=no on either keeps them apart unless they
// are the same connection. Child-level keys (subnets, esp=, lifetime, interface,
// replay window) may differ. Documentation/configuration.md lists these.
bool SharesIkeSa(const Connection& a, const Connection& b);

// Whether c, as initiator, may put its children under sa: sa is c's own,
// or neither says share-ike=no and sa is for a connection c shares with
// (or, established, its peer and identities fit c: AcceptsIkeSa).
bool MayJoinIkeSa(const Connection& c, const IkeSa& sa);

// Whether c may carry child SAs under the established IKE SA sa: c is
// loaded (not auto=ignore), and sa's addresses and the identities it
// authenticated fit c's ends. Used by the responder to pick the connection
// of a peer's CREATE_CHILD_SA (and IKE_AUTH child) by traffic selectors.
bool AcceptsIkeSa(const Connection& c, const IkeSa& sa);

// Whether other makes sa, ours as initiator with its local_id set, no
// first contact: other is established between the identities sa is about
// to authenticate, or is an earlier attempt of ours still connecting with
// the same configured IDs (it sends the notify). Then sa's IKE_AUTH carries
// no INITIAL_CONTACT, which asserts that sa is the only IKE SA between the
// two identities (RFC 7296 2.4) and makes the peer drop the others.
bool SupersedesInitialContact(const IkeSa& other, const IkeSa& sa);

// The connections whose children may live under sa: sa's own connection
// first, then every other loaded one AcceptsIkeSa() allows, in load order.
// Kept in sa until the connection table, sa's connection or its addresses
// change (valid until then, or until the next call).
const std::vector<std::shared_ptr<const Connection>>& ChildConnections(const EngineContext& ctx,
                                                                       IkeSa& sa);

}  // namespace ipsec::engine
