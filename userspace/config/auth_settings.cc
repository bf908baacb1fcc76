#include "config/auth_settings.h"

#include <sys/stat.h>

#include <algorithm>

#include "config/values.h"
#include "ike/cert/certificate.h"
#include "ike/cert/dn.h"

namespace ipsec::config {
namespace {

// One authby=/leftauth= word: how the end authenticates and, for
// signatures, the scheme its suffixes ask for.
struct AuthChoice {
  AuthBy auth = AuthBy::kPsk;
  std::vector<cert::SigHash> hashes;  // End::sig_hashes
  bool pss = false;
  std::string key;        // End::sig_key
  uint32_t key_bits = 0;  // End::sig_key_bits
};

// psk/secret, or KIND[-SUFFIX...] with KIND one of rsasig, rsa, rsa/pss,
// ecdsa, pubkey, ed25519 and each SUFFIX a key size (rsa-4096, ecdsa-256:
// not checked) or a hash: strongSwan's sha1/sha256/sha384/sha512 (RSA
// PKCS#1 v1.5, except rsa/pss) or libreswan's sha2/sha2_256/... (which mean
// RSASSA-PSS for RSA, as libreswan's authby=rsa-sha2 does). nullopt: an
// unknown KIND (why stays empty) or SUFFIX (why says which).
std::optional<AuthChoice> AuthWord(const std::string& w, std::string* why) {
  if (w == "secret" || w == "psk") return AuthChoice{};
  std::vector<std::string> parts;
  for (size_t start = 0;;) {
    size_t dash = w.find('-', start);
    parts.push_back(w.substr(start, dash - start));
    if (dash == std::string::npos) break;
    start = dash + 1;
  }
  static const char* const kKinds[] = {"rsasig", "rsa", "rsa/pss", "ecdsa", "pubkey", "ed25519"};
  if (std::find(std::begin(kKinds), std::end(kKinds), parts[0]) == std::end(kKinds))
    return std::nullopt;
  AuthChoice c{AuthBy::kPubkey, {}, parts[0] == "rsa/pss", "", 0};
  if (parts[0] == "rsa" || parts[0] == "rsasig" || parts[0] == "rsa/pss")
    c.key = "rsa";
  else if (parts[0] != "pubkey")
    c.key = parts[0];
  static constexpr std::pair<const char*, uint16_t> kHashes[] = {
      {"sha1", 1},     {"sha256", 2},   {"sha384", 3},  {"sha512", 4},
      {"sha2_256", 2}, {"sha2_384", 3}, {"sha2_512", 4}};
  for (size_t i = 1; i < parts.size(); ++i) {
    const std::string& p = parts[i];
    if (!p.empty() && p.find_first_not_of("0123456789") == std::string::npos) {
      auto bits = ParseUint(p, 1, 65536);
      if (bits) c.key_bits = *bits;
      continue;
    }
    const bool libreswan_sha2 = p.rfind("sha2", 0) == 0 && p != "sha256";
    if (libreswan_sha2 && (parts[0] == "rsa" || parts[0] == "rsasig")) c.pss = true;
    if (p == "sha2") {
      for (uint16_t h : {2, 3, 4}) c.hashes.push_back(static_cast<cert::SigHash>(h));
      continue;
    }
    auto it = std::find_if(std::begin(kHashes), std::end(kHashes),
                           [&](const auto& k) { return p == k.first; });
    if (it == std::end(kHashes)) {
      *why = "'" + p + "' in '" + w + "' is not a hash (sha1, sha256, sha384, sha512)";
      return std::nullopt;
    }
    c.hashes.push_back(static_cast<cert::SigHash>(it->second));
  }
  return c;
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
    AuthChoice conn_auth = ParseAuthby();
    c_->authby = conn_auth.auth;
    for (End* e : {&c_->local, &c_->remote}) ParseEnd(conn_auth, e);
    return ok_;
  }

 private:
  void Fail(const RawSetting& st, std::string msg) {
    d_.Error(st, std::move(msg));
    ok_ = false;
  }

  // authby= words, '|' or ',' or blank separated (libreswan allows several).
  AuthChoice ParseAuthby() {
    const RawSetting* st = get_("authby");
    if (!st) return {};
    std::optional<AuthChoice> chosen;
    std::string value = st->value;
    for (char& ch : value)
      if (ch == '|' || ch == ',') ch = ' ';
    for (const auto& w : SplitList(value)) {
      std::string why;
      auto a = AuthWord(w, &why);
      if (!a) {
        Fail(*st, why.empty() ? "'" + w + "' is not supported (secret/psk, or rsasig/ecdsa/pubkey)"
                              : why);
        return {};
      }
      if (chosen && chosen->auth != a->auth) {
        d_.Warn(*st, "several methods given; only '" +
                         std::string(chosen->auth == AuthBy::kPsk ? "secret" : "pubkey") +
                         "' (the first) is used");
        continue;
      }
      if (!chosen) chosen = a;
    }
    return chosen.value_or(AuthChoice{});
  }

  void ParseEnd(const AuthChoice& conn_auth, End* e) {
    const std::string& side = e->side;
    AuthChoice choice = conn_auth;
    if (const RawSetting* st = get_(side + "auth")) {
      std::string why;
      auto a = AuthWord(st->value, &why);
      if (!a)
        Fail(*st,
             why.empty() ? "'" + st->value + "' is not supported (psk, or pubkey/rsa/ecdsa)" : why);
      else
        choice = *a;
    }
    e->auth = choice.auth;
    e->sig_hashes = choice.hashes;
    e->sig_pss = choice.pss;
    e->sig_key = choice.key;
    e->sig_key_bits = choice.key_bits;
    if (const RawSetting* st = get_(side + "sendcert")) ParseSendCert(*st, e);
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

  // strongSwan's always|ifasked|never (yes/no), libreswan's sendifasked.
  void ParseSendCert(const RawSetting& st, End* e) {
    static constexpr std::pair<const char*, SendCert> kWords[] = {
        {"always", SendCert::kAlways},   {"yes", SendCert::kAlways},
        {"ifasked", SendCert::kIfAsked}, {"sendifasked", SendCert::kIfAsked},
        {"never", SendCert::kNever},     {"no", SendCert::kNever}};
    for (const auto& [word, value] : kWords)
      if (st.value == word) {
        e->sendcert = value;
        return;
      }
    Fail(st, "'" + st.value + "' is not supported (always/yes, ifasked, never/no)");
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
