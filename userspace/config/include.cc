#include "config/include.h"

#include <glob.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace ipsec::config {

namespace {
constexpr size_t kMaxFileBytes = 4 << 20;

std::string DirName(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}
}  // namespace

Result<IncludeExpansion> ExpandInclude(std::string_view pattern, const std::string& including_file,
                                       const std::string& include_root) {
  IncludeExpansion out;
  std::string p(pattern);
  if (p.empty()) return MakeError("include needs a file name or pattern");
  if (p[0] == '/') {
    out.pattern = include_root.empty() ? p : include_root + p;
  } else {
    out.pattern = DirName(including_file) + "/" + p;
  }
  glob_t g{};
  int rc = glob(out.pattern.c_str(), 0, nullptr, &g);
  if (rc == 0) {
    for (size_t i = 0; i < g.gl_pathc; ++i) out.paths.emplace_back(g.gl_pathv[i]);
  }
  globfree(&g);
  if (rc == GLOB_NOMATCH) {
    if (p.find_first_of("*?[") == std::string::npos)
      return MakeError("cannot read " + out.pattern + ": " + std::strerror(ENOENT));
    return out;
  }
  if (rc != 0) return MakeError("cannot read " + out.pattern + ": directory not readable");
  return out;
}

Result<std::string> ReadWholeFile(const std::string& path) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0)
    return MakeError("cannot read " + path + ": " + std::strerror(errno), errno);
  if (S_ISDIR(st.st_mode)) return MakeError("cannot read " + path + ": is a directory", EISDIR);
  errno = 0;
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return MakeError("cannot read " + path + ": " + std::strerror(errno ? errno : EIO), errno);
  std::ostringstream ss;
  char buf[65536];
  size_t total = 0;
  while (in.read(buf, sizeof buf) || in.gcount() > 0) {
    total += static_cast<size_t>(in.gcount());
    if (total > kMaxFileBytes) return MakeError("cannot read " + path + ": larger than 4 MiB");
    ss.write(buf, in.gcount());
  }
  if (in.bad()) return MakeError("cannot read " + path + ": " + std::strerror(EIO), EIO);
  return ss.str();
}

std::string CanonicalPath(const std::string& path) {
  char buf[PATH_MAX];
  if (realpath(path.c_str(), buf)) return buf;
  return path;
}

}  // namespace ipsec::config
