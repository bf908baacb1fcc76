// A connection's traffic must not go backwards when its child SAs are
// rekeyed or go with a replaced IKE SA: the kernel's counters of each SA
// are read just before the engine deletes it and added to the
// connection's retired total (EngineContext::retired_traffic), which
// "ipsecctl trafficstatus" and "ipsecctl metrics" add to the live SAs'.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "engine/context.h"

namespace ipsec::engine {

// Adds the current kernel counters of sas (SPI, direction) on ifindex to
// ctx.retired_traffic[conn]. Call it right before deleting them: one dump
// of the device for all of them. An SA the kernel no longer has adds
// nothing.
void CountRetiredSas(EngineContext& ctx, const std::string& conn, int ifindex,
                     const std::vector<std::pair<uint32_t, kernel::Direction>>& sas);

}  // namespace ipsec::engine
