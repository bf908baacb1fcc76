// Turns the engine's status snapshot and the kernel's SA counters into the
// control protocol's replies (control_protocol.h). Pure functions, so the
// unit tests check exactly what "ipsecctl status" will show.
#pragma once

#include <vector>

#include "daemon/control_protocol.h"
#include "engine/engine.h"
#include "kernel/kernel.h"

namespace ipsec::daemon {

// Extra per-connection facts the daemon knows and the engine does not.
struct ConnectionExtras {
  std::string name;
  std::string interface;
  std::vector<std::string> routes;
};

std::string Spi32Hex(uint32_t spi);  // "c0ffee01"
std::string Spi64Hex(uint64_t spi);  // "0123456789abcdef"
const char* AutoName(engine::AutoAction a);

// now: Clock time of the snapshot, for ages.
control::StatusResult BuildStatus(const engine::StatusSnapshot& snap,
                                  const std::vector<kernel::SaInfo>& kernel_sas,
                                  const std::vector<ConnectionExtras>& extras, engine::Millis now);
control::TrafficResult BuildTraffic(const engine::StatusSnapshot& snap,
                                    const std::vector<kernel::SaInfo>& kernel_sas,
                                    engine::Millis now);

}  // namespace ipsec::daemon
