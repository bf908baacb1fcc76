// ipsecctl's kernel subcommands (manual keying, state, counters, events):
//   sa add|del|list|flush, policy add|del|list, dev list|add, monitor,
//   encap attach.
// They talk to ipsec_tun.ko directly through GenlKernel, without ipsecd.
// A command that fails throws CLI::RuntimeError with the exit status:
// 2 for bad arguments (nothing was sent), 1 when the kernel refused.
#pragma once

namespace CLI {
class App;
}

namespace ipsec::ctl {

void AddKernelCommands(CLI::App& app);

}  // namespace ipsec::ctl
