// Where an IKE SA's peer is (RFC 7296 2.23). The source of a datagram is
// unauthenticated: anyone can replay a captured message from another
// address. So the peer's address and port are taken from a message only
// after it passed its ICV and its message-ID check (a new request or the
// awaited response, never a retransmission), and only when 2.23 allows it:
//
//   - the peer is behind a NAT (its mapping may change): follow it;
//   - NAT-T: once a NAT is detected on either side, the peer moves from
//     port 500 to 4500 on the same address (2.23, RFC 3948).
//
// Otherwise (nobody behind a NAT) the address stays what IKE_SA_INIT used.
// When the SA moves, its child SAs move with it (kernel UPD_SA).
// The same fresh messages, and only they, count as liveness for DPD.
//
// ESP-in-UDP moves the SA too: the module sends a MAPPING event when an ESP
// packet that passed its ICV and replay check came from another address or
// port than the SA's peer (XFRM_MSG_MAPPING's job), and the IKE SA and its
// children follow when the peer is behind a NAT, as strongSwan's
// update_sa_job does. Without it a NATed peer that sends only ESP (no DPD,
// no rekey due) would receive nothing after its NAT rebinds.
#pragma once

#include "engine/engine.h"

namespace ipsec::engine {

class IkeSa;
struct EngineContext;

// Called by the task manager for an authenticated (SK) message that passed
// the message-ID check, received on local from remote.
void OnFreshAuthenticatedMessage(EngineContext& ctx, IkeSa& sa, const Endpoint& local,
                                 const Endpoint& remote);

// The module saw authenticated ESP-in-UDP of one of sa's children from
// remote (kernel MappingEvent). The local end stays.
void OnEspMapping(EngineContext& ctx, IkeSa& sa, const Endpoint& remote);

}  // namespace ipsec::engine
