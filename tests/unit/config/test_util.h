// Helpers shared by the config tests: data paths, a fixed machine, temp files.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <string>

#include "config/config.h"

namespace ipsec::config::testing {

inline std::string DataDir() {
  return CONFIG_TEST_DATA_DIR;
}

inline IpAddress Addr(const char* s) {
  auto a = IpAddress::Parse(s);
  EXPECT_TRUE(a.has_value()) << s;
  return a.value_or(IpAddress());
}

inline IpPrefix Prefix(const char* s) {
  auto p = IpPrefix::Parse(s);
  EXPECT_TRUE(p.has_value()) << s;
  return p.value_or(IpPrefix());
}

// A temporary directory removed (with its files) at the end of the test.
class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/config_test.XXXXXX";
    path_ = mkdtemp(tmpl);
  }
  ~TempDir() { std::system(("rm -rf '" + path_ + "'").c_str()); }
  const std::string& path() const { return path_; }
  std::string Write(const std::string& name, const std::string& text, mode_t mode = 0600) const {
    std::string p = path_ + "/" + name;
    std::ofstream(p) << text;
    chmod(p.c_str(), mode);
    return p;
  }

 private:
  std::string path_;
};

}  // namespace ipsec::config::testing
