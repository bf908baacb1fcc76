// ParseConfigText() of arbitrary text: never crashes, and what it accepts
// holds the resolver's invariants.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "common/proposal_names.h"
#include "config/config.h"

using namespace ipsec;
using namespace ipsec::config;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const FixedHostInfo host(
      {*IpAddress::Parse("192.0.2.1"), *IpAddress::Parse("2001:db8::1")},
      *IpAddress::Parse("192.0.2.1"), *IpAddress::Parse("2001:db8::1"));
  LoadOptions options;
  options.host = &host;
  options.allow_includes = false;  // no file system access from fuzz input
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto cfg = ParseConfigText(text, "fuzz.conf", options);
  if (!cfg) {
    if (cfg.error().message.empty()) abort();  // an error always says something
    return 0;
  }
  for (const auto& c : cfg->connections) {
    for (const auto& p : c.subnet_pairs)
      if (p.local.family() != p.remote.family()) abort();
    if (c.ike_proposals.empty() || c.esp_proposals.empty()) abort();
    for (const auto& p : c.esp_proposals)
      for (const auto& t : p.transforms)
        if (t.type == TransformType::kEncr && KernelAlgorithmName(t).empty()) abort();
    if (!c.pfs) {
      for (const auto& p : c.esp_proposals)
        for (const auto& t : p.transforms)
          if (t.type == TransformType::kDh) abort();
    }
    if (c.rekey_margin >= c.child_lifetime) abort();
    (void)ProposalsToString(c.ike_proposals);
    (void)c.local.id.ToString();
  }
  return 0;
}
