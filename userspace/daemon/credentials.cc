#include "daemon/credentials.h"

namespace ipsec::daemon {
namespace {

bool Loaded(const config::Connection& c) {
  return c.auto_action != config::AutoAction::kIgnore;
}

std::string Joined(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
  return s;
}

}  // namespace

Result<std::shared_ptr<const Credentials>> Credentials::Load(const config::Config& cfg,
                                                             const config::Secrets& secrets,
                                                             std::vector<std::string>* warnings) {
  auto out = std::make_shared<Credentials>();
  std::vector<std::string> errors;
  bool want_anchors = false;
  for (const auto& c : cfg.connections) {
    if (!Loaded(c)) continue;
    want_anchors = want_anchors || c.remote.auth == config::AuthBy::kPubkey;
    if (c.local.auth != config::AuthBy::kPubkey || c.local.cert.empty() ||
        out->by_path_.count(c.local.cert))
      continue;
    auto certs = cert::LoadCertificates(c.local.cert);
    if (!certs) {
      errors.push_back("conn " + c.name + ": " + c.local.side + "cert: " + certs.error().message);
      continue;
    }
    const config::PrivateKeyEntry* key = secrets.FindPrivateKey(certs->front().public_key());
    if (!key) {
      errors.push_back(
          "conn " + c.name + ": no private key for " + c.local.side + "cert " + c.local.cert +
          " ('" + certs->front().Subject() + "') in " +
          (secrets.files().empty() ? std::string("ipsec.secrets") : secrets.files().front()) +
          " (add ': RSA|ECDSA|PKCS8 KEYFILE')");
      continue;
    }
    out->by_path_.emplace(c.local.cert,
                          engine::LocalCredential{std::move(certs).value(), key->key});
  }
  if (want_anchors) {
    std::vector<std::string> skipped;
    for (const auto& dir : cfg.setup.ca_dirs)
      if (auto st = out->anchors_.LoadAnchorDir(dir, &skipped); !st)
        errors.push_back("CA directory " + dir + ": " + st.error().message);
    for (const auto& dir : cfg.setup.crl_dirs)
      if (auto st = out->anchors_.LoadCrlDir(dir, &skipped); !st)
        errors.push_back("CRL directory " + dir + ": " + st.error().message);
    if (warnings)
      for (auto& s : skipped) warnings->push_back("skipped " + s);
    if (out->anchors_.anchors().empty())
      for (const auto& c : cfg.connections)
        if (Loaded(c) && c.remote.auth == config::AuthBy::kPubkey) {
          errors.push_back("conn " + c.name + ": " + c.remote.side +
                           " authenticates with a certificate but no CA certificate is in " +
                           Joined(cfg.setup.ca_dirs) + " (set cadir=)");
          break;
        }
  }
  if (!errors.empty()) {
    std::string msg;
    for (const auto& e : errors) msg += (msg.empty() ? "" : "\n") + e;
    return MakeError(msg);
  }
  return std::shared_ptr<const Credentials>(std::move(out));
}

const engine::LocalCredential* Credentials::Find(std::string_view cert_path) const {
  auto it = by_path_.find(cert_path);
  return it == by_path_.end() ? nullptr : &it->second;
}

}  // namespace ipsec::daemon
