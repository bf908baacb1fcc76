#include "engine/identity.h"

#include <algorithm>
#include <cctype>

namespace ipsec::engine {

ike::IdPayload IdFromConfig(const std::string& id, const IpAddress& host) {
  if (id.empty() || id == "%any") return ike::MakeIdFromAddress(host);
  if (id[0] == '@') return ike::MakeIdFqdn(id.substr(1));
  if (auto a = IpAddress::Parse(id)) return ike::MakeIdFromAddress(*a);
  if (id.find('@') != std::string::npos) {  // user@domain: ID_RFC822_ADDR
    ike::IdPayload p;
    p.id_type = ike::IdType::kRfc822Addr;
    p.data.assign(id.begin(), id.end());
    return p;
  }
  return ike::MakeIdFqdn(id);
}

bool IdMatches(const std::string& configured, const IpAddress& host, const ike::IdPayload& got) {
  if (configured == "%any") return true;
  if (configured.empty() && !host.is_set()) return true;
  ike::IdPayload want = IdFromConfig(configured, host);
  if (want.id_type != got.id_type || want.data.size() != got.data.size()) return false;
  if (want.id_type == ike::IdType::kFqdn || want.id_type == ike::IdType::kRfc822Addr)
    return std::equal(want.data.begin(), want.data.end(), got.data.begin(),
                      [](uint8_t a, uint8_t b) { return std::tolower(a) == std::tolower(b); });
  return want.data == got.data;
}

bool AddressMatches(const IpAddress& configured, const IpAddress& actual) {
  return !configured.is_set() || configured.IsAny() || configured == actual;
}

}  // namespace ipsec::engine
