#include "common/algorithms.h"

#include <string>

namespace ipsec::alg {

std::string EspSuiteNames() {
  std::string out;
  for (const auto& s : kEspSuites) {
    if (!out.empty()) out += ", ";
    out += s.name;
  }
  return out;
}

}  // namespace ipsec::alg
