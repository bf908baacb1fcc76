#include "ctl/batch.h"

#include <CLI/CLI.hpp>
#include <iostream>

namespace ipsec::ctl {
namespace {

constexpr int kExitUsage = 2;

// The line without its comment: '#' outside quotes and at a word start.
std::string StripComment(const std::string& line) {
  char quote = 0;
  for (size_t i = 0; i < line.size(); i++) {
    char c = line[i];
    if (quote) {
      if (c == quote) quote = 0;
    } else if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == '#' && (i == 0 || isspace(static_cast<unsigned char>(line[i - 1])))) {
      return line.substr(0, i);
    }
  }
  return line;
}

bool Blank(const std::string& s) {
  return s.find_first_not_of(" \t\r") == std::string::npos;
}

}  // namespace

int RunBatch(std::istream& in, const std::string& name, const AddCommands& add_commands) {
  std::string line;
  for (int lineno = 1; std::getline(in, line); lineno++) {
    std::string command = StripComment(line);
    if (Blank(command)) continue;
    // A fresh App per line: CLI11 keeps parse state in the App, and a
    // command must not see options given to the one before it.
    CLI::App app{"ipsecctl"};
    app.require_subcommand(1);
    add_commands(app);
    int rc = 0;
    try {
      app.parse(command, false);
    } catch (const CLI::RuntimeError& e) {
      rc = e.get_exit_code();  // the command said why on stderr
    } catch (const CLI::ParseError& e) {
      std::cerr << "ipsecctl: " << name << ":" << lineno << ": " << e.what() << "\n";
      return kExitUsage;
    }
    if (rc != 0) {
      std::cerr << "ipsecctl: " << name << ":" << lineno << ": command failed, batch stopped\n";
      return rc;
    }
  }
  if (in.bad()) {
    std::cerr << "ipsecctl: " << name << ": read error\n";
    return kExitUsage;
  }
  return 0;
}

}  // namespace ipsec::ctl
