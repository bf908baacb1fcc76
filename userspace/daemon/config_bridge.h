// From the resolved configuration (config/) to what the engine takes
// (engine/engine.h): connections, the PSK lookup, certificates and keys.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "config/connection.h"
#include "config/secrets.h"
#include "daemon/credentials.h"
#include "engine/engine.h"

namespace ipsec::daemon {

// "ipsec0", or "ipsecN" for ipsec-interface=N.
std::string InterfaceName(const config::Connection& c);

// The MTU each ipsecN device gets from mtu= (device name -> MTU and the
// conn it came from): the first loaded connection with mtu= on a device
// wins, as the config's warning about disagreeing conns says.
struct DeviceMtu {
  uint32_t mtu = 0;
  std::string conn;
};
std::map<std::string, DeviceMtu> DeviceMtus(const std::vector<config::Connection>& conns);

// TCP MSS clamping per ipsecN device from mss-clamp= (IPSEC_TUN_A_MSS_CLAMP
// value and the conn it came from), the first loaded conn setting it wins.
// A device no conn sets it on gets 0 (off).
struct DeviceMssClamp {
  uint16_t clamp = 0;
  std::string conn;
};
std::map<std::string, DeviceMssClamp> DeviceMssClamps(const std::vector<config::Connection>& conns);

// One engine connection per config connection, auto=ignore ones left out
// (they exist in the file but nothing may start them).
engine::ConnectionConfig ToEngine(const config::Connection& c);
std::vector<engine::ConnectionConfig> ToEngine(const std::vector<config::Connection>& conns);

// The engine's identity strings ("10.0.0.1", "vpn.example.org",
// "user@example.org", "C=CH, O=Example, CN=moon") back to config
// identities, for the secrets lookup.
config::Identity IdentityFromEngine(std::string_view id);

// engine::SecretProvider over ipsec.secrets and the loaded Credentials. The engine gives only the
// two IDs; the addresses used for address-keyed entries come from the connection whose IDs these
// are (the first one that matches).
class SecretsProvider : public engine::SecretProvider {
 public:
  SecretsProvider(const config::Secrets& secrets, const std::vector<config::Connection>& conns)
      : secrets_(secrets), conns_(conns) {}
  std::optional<SecureBytes> FindPsk(std::string_view local_id,
                                     std::string_view remote_id) const override;
  const engine::LocalCredential* FindCredential(std::string_view cert_path) const override;
  const cert::CertStore* TrustAnchors() const override;
  // The certificates and keys of the configuration in use (Credentials::Load).
  void SetCredentials(std::shared_ptr<const Credentials> c) { credentials_ = std::move(c); }

 private:
  const config::Secrets& secrets_;
  const std::vector<config::Connection>& conns_;
  std::shared_ptr<const Credentials> credentials_;
};

}  // namespace ipsec::daemon
