// The engine's SecretProvider (engine/engine.h) over ipsec.secrets and the
// loaded certificates and keys (daemon/credentials.h).
#pragma once

#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "config/connection.h"
#include "config/secrets.h"
#include "daemon/credentials.h"
#include "engine/engine.h"

namespace ipsec::daemon {

// The engine gives only the two identities; the addresses used for
// address-keyed entries come from the connection whose IDs these are (the
// first one that matches).
class SecretsProvider : public engine::SecretProvider {
 public:
  SecretsProvider(const config::Secrets& secrets, const std::vector<config::Connection>& conns)
      : secrets_(secrets), conns_(conns) {}
  std::optional<SecureBytes> FindPsk(const config::Identity& local_id,
                                     const config::Identity& remote_id) const override;
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
