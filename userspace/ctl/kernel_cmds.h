// ipsecctl's kernel subcommands (manual keying, state, counters, events):
//   sa add|del|list|flush, policy add|del|list, dev list|add, monitor,
//   encap attach.
// They talk to ipsec_tun.ko directly through GenlKernel, without ipsecd.
// A command that fails throws CLI::RuntimeError with the exit status:
// 2 for bad arguments (nothing was sent), 1 when the kernel refused.
#pragma once

#include <vector>

#include "common/result.h"
#include "kernel/kernel.h"

namespace CLI {
class App;
}

namespace ipsec::ctl {

void AddKernelCommands(CLI::App& app);

// Every ipsecN device of this netns with its counters.
Result<std::vector<kernel::DevInfo>> ListKernelDevices();

}  // namespace ipsec::ctl
