// "include PATTERN" as both ipsec.conf and ipsec.secrets have it: a glob,
// relative to the directory of the including file, optionally under a root
// directory (tests), with loop detection by the caller's stack of open files.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace ipsec::config {

struct IncludeExpansion {
  std::vector<std::string> paths;  // sorted, as glob(3) returns them
  std::string pattern;             // the pattern actually globbed (for messages)
};

// Errors: an unreadable directory, a pattern without wildcards that names no
// file. A wildcard pattern that matches nothing gives empty paths (the caller
// warns).
Result<IncludeExpansion> ExpandInclude(std::string_view pattern, const std::string& including_file,
                                       const std::string& include_root);

// The whole file (at most 4 MiB). Error message: "cannot read PATH: reason".
Result<std::string> ReadWholeFile(const std::string& path);

// realpath() or the path itself when that fails (for include-loop detection).
std::string CanonicalPath(const std::string& path);

}  // namespace ipsec::config
