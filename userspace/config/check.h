// `ipsecd --check -f FILE [--secrets FILE] [--json]`: load, resolve, print,
// start nothing. Exit status 0 only when there was no error (warnings are
// printed to err and do not fail the check).
#pragma once

#include <iosfwd>
#include <string>

#include "config/config.h"

namespace ipsec::config {

struct CheckOptions {
  std::string config_path;
  // Empty: Config::SecretsPath() (secretsfile= or ipsec.secrets beside the config).
  std::string secrets_path;
  bool json = false;
  LoadOptions load;  // host info etc.; defaults to the real machine
};

// Prints the resolved connections to out (text or JSON), warnings and errors
// to err. Never prints a secret: at most "PSK: found (N bytes)".
int RunCheck(const CheckOptions& options, std::ostream& out, std::ostream& err);

}  // namespace ipsec::config
