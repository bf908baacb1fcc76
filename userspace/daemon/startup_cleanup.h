// What a killed ipsecd left behind. SAs and policies live in the module,
// not in the daemon, so a SIGKILL (or a crash) leaves them on the ipsecN
// devices; the next start would then fail every child install with EEXIST
// on the policy, and the stale outbound SAs would keep encrypting for a peer
// that has long forgotten them. On start the daemon removes them from the
// devices its connections use (nobody else's: other ipsecN are left alone);
// routes into those devices are taken over by RouteTable::Add (replace).
#pragma once

#include <string>

#include "common/result.h"
#include "kernel/kernel.h"

namespace ipsec::daemon {

struct Leftovers {
  size_t sas = 0, policies = 0;
};

// Flushes the device when it holds SAs or policies, and says how many.
Result<Leftovers> RemoveLeftovers(kernel::Kernel& kernel, int ifindex);

}  // namespace ipsec::daemon
