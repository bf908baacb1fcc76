// ipsecctl: the command-line tool of ipsec_tun. Kernel subcommands
// (kernel_cmds.h) work without the daemon; daemon subcommands talk to ipsecd.
// Exit status: 0 ok, 1 the kernel or daemon refused, 2 bad arguments.
#include <CLI/CLI.hpp>

#include "ctl/daemon_cmds.h"
#include "ctl/kernel_cmds.h"

int main(int argc, char** argv) {
  CLI::App app{"ipsecctl: control ipsec_tun devices, SAs and policies"};
  app.require_subcommand(1);
  ipsec::ctl::AddKernelCommands(app);
  ipsec::ctl::AddDaemonCommands(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::RuntimeError& e) {
    return e.get_exit_code();  // the command failed and said why
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : 2;  // --help is 0; usage errors are 2
  }
  return 0;
}
