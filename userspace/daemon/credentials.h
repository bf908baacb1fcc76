// The certificates and keys IKE_AUTH signs and verifies with, loaded when
// the configuration is (startup, reload, "ipsecctl add"): each loaded conn's
// leftcert= (with the chain in its file) and the private key ipsec.secrets
// holds for it, found by its public half; the trust anchors and CRLs of
// cadir=/crldir= (or the default directories) when a conn checks a peer's
// certificate. The engine reaches them through engine::SecretProvider.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "config/config.h"
#include "config/secrets.h"
#include "engine/engine.h"
#include "ike/cert/cert_store.h"

namespace ipsec::daemon {

class Credentials {
 public:
  // Errors, one line per problem: a leftcert= whose key is in no
  // ": RSA|ECDSA|PKCS8" line, a conn checking a peer's certificate with no
  // trust anchor found. *warnings: files of the anchor/CRL directories that
  // did not parse.
  static Result<std::shared_ptr<const Credentials>> Load(const config::Config& cfg,
                                                         const config::Secrets& secrets,
                                                         std::vector<std::string>* warnings);

  const engine::LocalCredential* Find(std::string_view cert_path) const;
  const cert::CertStore& anchors() const { return anchors_; }

 private:
  std::map<std::string, engine::LocalCredential, std::less<>> by_path_;
  cert::CertStore anchors_;
};

}  // namespace ipsec::daemon
