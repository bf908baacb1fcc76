#include "config/auth_settings.h"

#include <sys/stat.h>

#include "config/values.h"
#include "ike/cert/certificate.h"
#include "ike/cert/dn.h"

namespace ipsec::config {
namespace {

// One authby=/leftauth= word: psk, pubkey, or unknown.
std::optional<AuthBy> AuthWord(const std::string& w) {
  if (w == "secret" || w == "psk") return AuthBy::kPsk;
  static const char* const kPubkey[] = {
      "rsasig",         "rsa",        "ecdsa",          "pubkey",
      "rsa-sha1",       "rsa-sha2",   "rsa-sha2_256",   "rsa-sha2_384",
      "rsa-sha2_512",   "ecdsa-sha2", "ecdsa-sha2_256", "ecdsa-sha2_384",
      "ecdsa-sha2_512", "ed25519"};
  for (const char* p : kPubkey)
    if (w == p) return AuthBy::kPubkey;
  // strongSwan's leftauth=rsa-4096-sha256, ecdsa-256, pubkey-sha384...
  for (const char* prefix : {"rsa-", "ecdsa-", "pubkey-", "rsa/pss-"})
    if (w.rfind(prefix, 0) == 0) return AuthBy::kPubkey;
  return std::nullopt;
}

bool IsFile(const std::string& p) {
  struct stat st;
  return stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

class AuthParser {
 public:
  AuthParser(const SettingLookup& get, const LoadOptions& o, const Diagnostics& d, Connection* c)
      : get_(get), options_(o), d_(d), c_(c) {}

  bool Run() {
    AuthBy conn_auth = ParseAuthby();
    c_->authby = conn_auth;
    for (End* e : {&c_->local, &c_->remote}) ParseEnd(conn_auth, e);
    return ok_;
  }

 private:
  void Fail(const RawSetting& st, std::string msg) {
    d_.Error(st, std::move(msg));
    ok_ = false;
  }

  // authby= words, '|' or ',' or blank separated (libreswan allows several).
  AuthBy ParseAuthby() {
    const RawSetting* st = get_("authby");
    if (!st) return AuthBy::kPsk;
    std::optional<AuthBy> chosen;
    std::string value = st->value;
    for (char& ch : value)
      if (ch == '|' || ch == ',') ch = ' ';
    for (const auto& w : SplitList(value)) {
      auto a = AuthWord(w);
      if (!a) {
        Fail(*st, "'" + w + "' is not supported (secret/psk, or rsasig/ecdsa/pubkey)");
        return AuthBy::kPsk;
      }
      if (chosen && *chosen != *a) {
        d_.Warn(*st, "several methods given; only '" +
                         std::string(*chosen == AuthBy::kPsk ? "secret" : "pubkey") +
                         "' (the first) is used");
        continue;
      }
      chosen = a;
    }
    return chosen.value_or(AuthBy::kPsk);
  }

  void ParseEnd(AuthBy conn_auth, End* e) {
    const std::string& side = e->side;
    e->auth = conn_auth;
    if (const RawSetting* st = get_(side + "auth")) {
      auto a = AuthWord(st->value);
      if (!a)
        Fail(*st, "'" + st->value + "' is not supported (psk, or pubkey/rsa/ecdsa)");
      else
        e->auth = *a;
    }
    if (const RawSetting* st = get_(side + "cert")) LoadCert(*st, e);
    if (const RawSetting* st = get_(side + "ca"); st && st->value != "%any") {
      auto dn = cert::ParseDn(st->value);
      if (!dn)
        Fail(*st, dn.error().message);
      else
        e->ca = cert::NameToString(dn->get());
    }
    if (const RawSetting* st = get_(side + "id"); st && st->value == "%fromcert" && e->cert.empty())
      Fail(*st, "%fromcert needs " + side + "cert= (the ID is taken from the certificate)");
    bool local = e == &c_->local;
    if (e->auth == AuthBy::kPubkey && local && e->cert.empty() && ok_) {
      d_.Error(c_->where, side + "cert",
               "conn " + c_->name + ": " + side + " authenticates with a certificate (" +
                   (get_(side + "auth") ? side + "auth=" : std::string("authby=")) + ") but " +
                   side + "cert= is not set");
      ok_ = false;
    }
    if (e->auth == AuthBy::kPsk && !e->cert.empty()) {
      const RawSetting* st = get_(side + "cert");
      d_.Warn(*st, "this end authenticates with a pre-shared key: the certificate is not used");
    }
  }

  void LoadCert(const RawSetting& st, End* e) {
    std::string path;
    if (st.value.empty()) {
      Fail(st, "empty file name");
      return;
    }
    if (st.value[0] == '/') {
      path = st.value;
    } else {
      std::string looked;
      for (const auto& dir : options_.cert_dirs) {
        if (IsFile(dir + "/" + st.value)) {
          path = dir + "/" + st.value;
          break;
        }
        looked += (looked.empty() ? "" : ", ") + dir;
      }
      if (path.empty()) {
        Fail(st, "'" + st.value + "' is in none of " + looked + " (or write an absolute path)");
        return;
      }
    }
    auto certs = cert::LoadCertificates(path);
    if (!certs) {
      Fail(st, certs.error().message);
      return;
    }
    e->cert = path;
    if (certs->size() > 1)
      d_.Warn(st, path + " holds " + std::to_string(certs->size()) +
                      " certificates; the first is this end's, the others are sent as its chain");
    const cert::Certificate& ee = certs->front();
    if (!e->id_configured) {
      e->id.kind = Identity::Kind::kDn;
      e->id.name = ee.Subject();
    }
  }

  const SettingLookup& get_;
  const LoadOptions& options_;
  const Diagnostics& d_;
  Connection* c_;
  bool ok_ = true;
};

}  // namespace

bool ParseAuthSettings(const SettingLookup& get, const LoadOptions& options, const Diagnostics& d,
                       Connection* c) {
  return AuthParser(get, options, d, c).Run();
}

void ParseCertDirs(const SettingLookup& get, const Diagnostics& d, SetupConfig* out) {
  for (auto [key, dirs] :
       {std::pair{"cadir", &out->ca_dirs}, std::pair{"crldir", &out->crl_dirs}}) {
    const RawSetting* st = get(key);
    if (!st) continue;
    struct stat sb;
    if (st->value.empty() || st->value[0] != '/')
      d.Error(*st, "'" + st->value + "': an absolute directory path");
    else if (stat(st->value.c_str(), &sb) != 0 || !S_ISDIR(sb.st_mode))
      d.Error(*st, "'" + st->value + "' is not a directory");
    else
      *dirs = {st->value};
  }
}

}  // namespace ipsec::config
