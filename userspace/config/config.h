// Loading ipsec.conf. See Documentation/configuration.md for the language
// accepted (libreswan, Openswan and strongSwan dialects) and the defaults.
//
//   auto cfg = config::LoadConfig("/etc/ipsec.conf", {});
//   if (!cfg) { std::cerr << cfg.error().message; ... }  // one "FILE:LINE: kw: msg" per line
//   for (auto& w : cfg->warnings) log(w.ToString());
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/ip_address.h"
#include "common/result.h"
#include "config/connection.h"

namespace ipsec::config {

// The parts of the machine the resolver looks at, injectable for tests.
class HostInfo {
 public:
  virtual ~HostInfo() = default;
  // Every address configured on this host (decides which end is local).
  virtual std::vector<IpAddress> LocalAddresses() const = 0;
  // The source address the kernel uses for the default route of family
  // (AF_INET/AF_INET6), for left=%defaultroute; nullopt when there is none.
  virtual std::optional<IpAddress> DefaultRouteSource(int family) const = 0;
};

// The real machine: getifaddrs() and the default route from the kernel.
std::unique_ptr<HostInfo> SystemHostInfo();

// A fixed machine for tests and fuzzing.
class FixedHostInfo : public HostInfo {
 public:
  FixedHostInfo(std::vector<IpAddress> local, std::optional<IpAddress> v4_default,
                std::optional<IpAddress> v6_default = std::nullopt)
      : local_(std::move(local)), v4_(v4_default), v6_(v6_default) {}
  std::vector<IpAddress> LocalAddresses() const override { return local_; }
  std::optional<IpAddress> DefaultRouteSource(int family) const override {
    return family == AF_INET6 ? v6_ : v4_;
  }

 private:
  std::vector<IpAddress> local_;
  std::optional<IpAddress> v4_, v6_;
};

struct LoadOptions {
  // nullptr: SystemHostInfo(). Not owned.
  const HostInfo* host = nullptr;
  // include lines: followed (true) or an error (false; the fuzzers use this).
  bool allow_includes = true;
  // When set, absolute include paths are looked up under this directory
  // (tests load configs that say "include /etc/ipsec.d/*.conf").
  std::string include_root;
  // Neither end is a local address: an error instead of a warning.
  bool require_local_end = false;
  // The engine negotiates IKEv1: a conn asking for it loads. Until then
  // (false) such a conn is one error line; tests set it to see the parse.
  bool ikev1_negotiated = false;
  // Where a relative leftcert= is looked for, in order.
  std::vector<std::string> cert_dirs = {"/etc/ipsec.d/certs", "/etc/swanctl/x509"};
};

// Reads path and everything it includes. Errors: every problem found, one
// "FILE:LINE: keyword: message" per line in Error::message.
Result<Config> LoadConfig(const std::string& path, const LoadOptions& options);
// The same from a buffer; file_name is used in messages and as the base for
// relative includes.
Result<Config> ParseConfigText(std::string_view text, const std::string& file_name,
                               const LoadOptions& options);

}  // namespace ipsec::config
