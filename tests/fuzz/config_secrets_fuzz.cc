// ParseSecretsText() of arbitrary text: never crashes; a known secret planted
// in a malformed line never appears in an error message.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "config/secrets.h"

using namespace ipsec;
using namespace ipsec::config;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  SecretsLoadOptions options;
  options.allow_includes = false;
  options.check_permissions = false;
  std::string text(reinterpret_cast<const char*>(data), size);
  auto s = ParseSecretsText(text, "fuzz.secrets", options);
  if (s) {
    auto a = IpAddress::Parse("10.0.0.1"), b = IpAddress::Parse("10.0.0.2");
    for (const auto& e : s->entries()) {
      if (e.psk.empty()) abort();
      (void)s->FindPsk(e.ids.empty() ? Identity{} : e.ids[0],
                       e.ids.size() > 1 ? e.ids[1] : Identity{}, *a, *b);
    }
  }
  // The same input with a marker secret appended on a broken line.
  const std::string marker = "Zq7marker7qZ";
  if (text.find(marker) != std::string::npos) return 0;  // the input may name it itself
  auto t = ParseSecretsText(text + "\n10.0.0.1 10.0.0.2 : PSK \"" + marker + "\" extra\n",
                            "fuzz.secrets", options);
  if (t) abort();  // the appended line is always an error
  if (t.error().message.find(marker) != std::string::npos) abort();
  return 0;
}
