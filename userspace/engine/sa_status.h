// An IKE SA and its child SAs as "ipsecctl status" shows them (the
// snapshot's IkeSaStatus), for IKEv2's SAs and IKEv1's alike.
#pragma once

#include "engine/engine.h"
#include "engine/ike_sa.h"

namespace ipsec::engine {

IkeSaStatus StatusOf(const IkeSa& sa);

}  // namespace ipsec::engine
