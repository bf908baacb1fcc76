#include "daemon/startup_cleanup.h"

namespace ipsec::daemon {

Result<Leftovers> RemoveLeftovers(kernel::Kernel& kernel, int ifindex) {
  Leftovers found;
  auto sas = kernel.ListSas(ifindex);
  if (!sas) return sas.error();
  auto pols = kernel.ListPolicies(ifindex);
  if (!pols) return pols.error();
  found.sas = sas->size();
  found.policies = pols->size();
  if (found.sas == 0 && found.policies == 0) return found;
  if (auto st = kernel.Flush(ifindex); !st) return st.error();
  return found;
}

}  // namespace ipsec::daemon
