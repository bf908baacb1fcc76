// Vector files: records of "key = hex" lines under a "[kind]" line; lines
// starting with whitespace continue the previous value; '#' comments.
#pragma once

#include <fstream>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "common/hex.h"
#include "common/secure_bytes.h"
#include "ike/message.h"

namespace ipsec::ike::testing {

struct Record {
  std::string kind;
  int line = 0;
  std::map<std::string, std::string> fields;

  const std::string& S(const std::string& k) const {
    auto it = fields.find(k);
    if (it == fields.end()) throw std::runtime_error("missing field " + k);
    return it->second;
  }
  Bytes H(const std::string& k) const {
    auto b = FromHex(S(k));
    if (!b) throw std::runtime_error("bad hex in field " + k);
    return *b;
  }
  SecureBytes K(const std::string& k) const { return SecureBytes(H(k)); }
  unsigned long N(const std::string& k) const { return std::stoul(S(k), nullptr, 0); }
  uint64_t Spi(const std::string& k) const { return std::stoull(S(k), nullptr, 16); }
};

inline std::vector<Record> Load(const std::string& name) {
  std::ifstream in(std::string(IKE_TEST_DATA_DIR) + "/" + name);
  if (!in) throw std::runtime_error("cannot open " + name);
  std::vector<Record> out;
  std::string line, last_key;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (line.empty() || line[0] == '#') continue;
    if (line[0] == '[') {
      out.push_back(Record{line.substr(1, line.find(']') - 1), n, {}});
      continue;
    }
    if (out.empty()) throw std::runtime_error(name + ":" + std::to_string(n) + ": no record");
    if (line[0] == ' ' || line[0] == '\t') {  // continuation of a hex value
      out.back().fields[last_key] += line;
      continue;
    }
    auto eq = line.find(" = ");
    if (eq == std::string::npos)
      throw std::runtime_error(name + ":" + std::to_string(n) + ": expected 'key = value'");
    last_key = line.substr(0, eq);
    out.back().fields[last_key] = line.substr(eq + 3);
  }
  return out;
}

inline std::vector<Record> Of(const std::vector<Record>& all, const std::string& kind) {
  std::vector<Record> r;
  for (const auto& x : all)
    if (x.kind == kind) r.push_back(x);
  return r;
}

}  // namespace ipsec::ike::testing
