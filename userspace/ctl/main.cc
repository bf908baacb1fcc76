// ipsecctl: the command-line tool of ipsec_tun. Kernel subcommands
// (kernel_cmds.h) work without the daemon; daemon subcommands talk to ipsecd;
// `batch FILE` runs many of either from one process (batch.h).
// Exit status: 0 ok, 1 the kernel or daemon refused, 2 bad arguments.
#include <CLI/CLI.hpp>
#include <fstream>
#include <iostream>

#include "common/version.h"
#include "ctl/batch.h"
#include "ctl/daemon_cmds.h"
#include "ctl/kernel_cmds.h"

namespace {

void AddAll(CLI::App& app) {
  ipsec::ctl::AddKernelCommands(app);
  ipsec::ctl::AddDaemonCommands(app, ipsec::ctl::ListKernelDevices);
}

void AddBatchCommand(CLI::App& app) {
  auto* cmd =
      app.add_subcommand("batch", "run ipsecctl commands from FILE (- for stdin), one a line");
  auto file = std::make_shared<std::string>();
  cmd->add_option("file", *file, "command file, or - for standard input")->required();
  cmd->callback([file] {
    int rc;
    if (*file == "-") {
      rc = ipsec::ctl::RunBatch(std::cin, "<stdin>", AddAll);
    } else {
      std::ifstream in(*file);
      if (!in) {
        std::cerr << "ipsecctl: batch: cannot open " << *file << "\n";
        throw CLI::RuntimeError(2);
      }
      rc = ipsec::ctl::RunBatch(in, *file, AddAll);
    }
    if (rc != 0) throw CLI::RuntimeError(rc);
  });
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"ipsecctl: control ipsec_tun devices, SAs and policies"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("ipsecctl (ipsec_tun) ") + ipsec::kVersion);
  AddAll(app);
  AddBatchCommand(app);
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
