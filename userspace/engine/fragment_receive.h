// The receive side of IKE fragmentation (RFC 7383) for one IKE SA: an SKF
// datagram is verified, kept in the SA's reassembler, and once its message
// is whole that message goes on as if it had come in one datagram.
#pragma once

#include <optional>
#include <span>

#include "engine/context.h"
#include "engine/ike_sa.h"
#include "ike/decode_error.h"
#include "ike/message.h"

namespace ipsec::engine {

// datagram: its IKE header names SKF as the first payload and sa is the IKE
// SA of its SPIs. nullopt: nothing more to do (a fragment kept, or dropped
// and counted); otherwise the reassembled message or why it failed to parse.
std::optional<ike::DecodeResult<ike::Message>> ReceiveFragment(EngineContext& ctx, IkeSa& sa,
                                                               std::span<const uint8_t> datagram,
                                                               const Endpoint& remote);

}  // namespace ipsec::engine
