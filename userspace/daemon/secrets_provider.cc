#include "daemon/secrets_provider.h"

namespace ipsec::daemon {

std::optional<SecureBytes> SecretsProvider::FindPsk(const config::Identity& local,
                                                    const config::Identity& remote) const {
  IpAddress local_addr, remote_addr;
  for (const auto& c : conns_) {
    if (c.local.id.Matches(local) &&
        (c.remote.id.kind == config::Identity::Kind::kAny || c.remote.id.Matches(remote))) {
      local_addr = c.local.host;
      remote_addr = c.remote.host;
      break;
    }
  }
  return secrets_.FindPsk(local, remote, local_addr, remote_addr);
}

const engine::LocalCredential* SecretsProvider::FindCredential(std::string_view cert_path) const {
  return credentials_ ? credentials_->Find(cert_path) : nullptr;
}

const cert::CertStore* SecretsProvider::TrustAnchors() const {
  return credentials_ ? &credentials_->anchors() : nullptr;
}

}  // namespace ipsec::daemon
