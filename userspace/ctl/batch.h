// ipsecctl batch FILE: many ipsecctl commands from one process, one per
// line, the way `ip -batch` works. Setting up a tunnel by hand is a dozen
// commands; one process (and one look at the file) for all of them is what
// scripts and the VM tests want, where every exec is expensive.
#pragma once

#include <functional>
#include <istream>
#include <string>

namespace CLI {
class App;
}

namespace ipsec::ctl {

// Registers the subcommands a batch line may use on a fresh App.
using AddCommands = std::function<void(CLI::App&)>;

// Runs each line of `in` as one ipsecctl command line (words split as a
// shell would for plain words and quotes; '#' starts a comment; blank lines
// are skipped). Stops at the first command that fails, printing
// "ipsecctl: NAME:LINE: ..." to stderr, and returns that command's exit
// status (1 the kernel or daemon refused, 2 bad arguments); 0 when all ran.
int RunBatch(std::istream& in, const std::string& name, const AddCommands& add_commands);

}  // namespace ipsec::ctl
