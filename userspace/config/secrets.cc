// ipsec.secrets parsing and PSK selection.
//   ID ID ... : PSK "secret" | 0xHEX | 0sBASE64 | 'secret' | bare
//   : PSK "default"          (no IDs: any pair, lowest rank)
//   include PATTERN          (glob, relative to this file)
//   : RSA|ECDSA|PKCS8 FILE ["passphrase"]   (a private key, secrets.h)
// Other kinds (EAP, XAUTH, ...) are skipped with a warning, libreswan's RSA
// multi-line "{ ... }" blocks included. No message ever contains secret text.
#include "config/secrets.h"

#include <openssl/crypto.h>
#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <cstring>

#include "config/include.h"
#include "config/values.h"

namespace ipsec::config {

namespace {
struct Tok {
  std::string text;
  bool quoted = false;
  bool unterminated = false;
};

}  // namespace

class SecretsParser {
 public:
  SecretsParser(const SecretsLoadOptions& options, Secrets* out, std::vector<Diagnostic>* errors)
      : options_(options), out_(out), errors_(errors) {}

  void ReadFile(const std::string& path, const SourceLocation* included_from);
  void ReadText(std::string_view text, const std::string& name);

 private:
  void ParseLine(std::string_view line, const SourceLocation& where);
  void ParseKeyLine(const std::vector<Tok>& toks, size_t colon, const std::string& kind,
                    std::vector<Identity> ids, const SourceLocation& where);
  void Error(const SourceLocation& w, std::string kw, std::string msg) {
    errors_->push_back({w, std::move(kw), std::move(msg)});
  }
  void Warn(const SourceLocation& w, std::string kw, std::string msg) {
    out_->warnings_.push_back({w, std::move(kw), std::move(msg)});
  }

  const SecretsLoadOptions& options_;
  Secrets* out_;
  std::vector<Diagnostic>* errors_;
  std::vector<std::string> open_files_;
  bool in_brace_block_ = false;
  SourceLocation brace_opened_;
};

namespace {

// Whitespace-separated tokens; "..." and '...' are single tokens; '#' after
// whitespace (or first) ends the line.
std::vector<Tok> Tokenize(std::string_view line) {
  std::vector<Tok> out;
  size_t i = 0;
  while (i < line.size()) {
    char c = line[i];
    if (c == ' ' || c == '\t' || c == '\r') {
      ++i;
      continue;
    }
    if (c == '#') break;
    Tok t;
    if (c == '"' || c == '\'') {
      size_t close = line.find(c, i + 1);
      t.quoted = true;
      if (close == std::string_view::npos) {
        t.unterminated = true;
        t.text = std::string(line.substr(i + 1));
        i = line.size();
      } else {
        t.text = std::string(line.substr(i + 1, close - i - 1));
        i = close + 1;
      }
    } else {
      size_t end = i;
      while (end < line.size() && line[end] != ' ' && line[end] != '\t' && line[end] != '\r') ++end;
      t.text = std::string(line.substr(i, end - i));
      i = end;
    }
    out.push_back(std::move(t));
  }
  return out;
}

bool IsKind(const std::string& s) {
  static const char* kKinds[] = {"PSK", "RSA", "ECDSA", "EAP",   "XAUTH", "NTLM",
                                 "P12", "PIN", "PKCS8", "BLISS", "PPK",   "NULL"};
  for (const char* k : kKinds)
    if (strcasecmp(s.c_str(), k) == 0) return true;
  return false;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool DecodeHex(std::string_view s, SecureBytes* out) {
  std::string_view digits = s;
  SecureBytes b(digits.size() / 2);
  if (digits.empty() || digits.size() % 2) return false;
  for (size_t i = 0; i < b.size(); ++i) {
    int hi = HexValue(digits[2 * i]), lo = HexValue(digits[2 * i + 1]);
    if (hi < 0 || lo < 0) return false;
    b[i] = static_cast<uint8_t>(hi << 4 | lo);
  }
  *out = std::move(b);
  return true;
}

bool DecodeBase64(std::string_view s, SecureBytes* out) {
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  if (s.empty() || s.size() % 4) return false;
  SecureBytes b(s.size() / 4 * 3);
  size_t n = 0;
  for (size_t i = 0; i < s.size(); i += 4) {
    int v[4];
    int pad = 0;
    for (int k = 0; k < 4; ++k) {
      char c = s[i + k];
      if (c == '=' && i + 4 == s.size() && k >= 2) {
        v[k] = 0;
        ++pad;
      } else {
        if (pad) return false;  // data after '='
        v[k] = value(c);
        if (v[k] < 0) return false;
      }
    }
    uint32_t w = static_cast<uint32_t>(v[0] << 18 | v[1] << 12 | v[2] << 6 | v[3]);
    b[n++] = static_cast<uint8_t>(w >> 16);
    if (pad < 2) b[n++] = static_cast<uint8_t>(w >> 8);
    if (pad < 1) b[n++] = static_cast<uint8_t>(w);
  }
  *out = b.Slice(0, n);
  return true;
}

}  // namespace

void SecretsParser::ReadFile(const std::string& path, const SourceLocation* included_from) {
  std::string canon = CanonicalPath(path);
  SourceLocation at = included_from ? *included_from : SourceLocation{path, 0};
  if (std::find(open_files_.begin(), open_files_.end(), canon) != open_files_.end()) {
    std::string chain;
    for (const auto& f : open_files_) chain += f + " -> ";
    Error(at, "include", "include loop: " + chain + canon);
    return;
  }
  if (open_files_.size() >= 16) {
    Error(at, "include", "includes nested more than 16 deep");
    return;
  }
  auto text = ReadWholeFile(path);
  if (!text) {
    Error(at, included_from ? "include" : "", text.error().message);
    return;
  }
  struct stat st;
  if (options_.check_permissions && stat(path.c_str(), &st) == 0 && (st.st_mode & 077)) {
    char mode[8];
    snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    Warn({path, 0}, "",
         std::string("readable or writable by group or others (mode ") + mode +
             "): anyone on this machine may read the keys; run chmod 600 " + path);
  }
  open_files_.push_back(canon);
  ReadText(*text, path);
  open_files_.pop_back();
  OPENSSL_cleanse(text->data(), text->size());  // the file held the keys
}

void SecretsParser::ReadText(std::string_view text, const std::string& name) {
  bool pushed = false;
  if (open_files_.empty()) {
    open_files_.push_back(name);
    pushed = true;
  }
  out_->files_.push_back(name);
  in_brace_block_ = false;
  int line_no = 0;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    ParseLine(text.substr(pos, nl - pos), {name, ++line_no});
    if (nl == text.size()) break;
    pos = nl + 1;
  }
  if (in_brace_block_) Error(brace_opened_, "", "unbalanced braces: '{' without '}'");
  in_brace_block_ = false;
  if (pushed) open_files_.pop_back();
}

void SecretsParser::ParseLine(std::string_view line, const SourceLocation& where) {
  if (in_brace_block_) {
    if (line.find('}') != std::string_view::npos) in_brace_block_ = false;
    return;
  }
  std::vector<Tok> toks = Tokenize(line);
  // Tokens may hold a secret: wipe them whatever path we leave by.
  struct Wipe {
    std::vector<Tok>& t;
    ~Wipe() {
      for (auto& x : t) OPENSSL_cleanse(x.text.data(), x.text.size());
    }
  } wipe{toks};
  if (toks.empty()) return;
  if (!toks[0].quoted && toks[0].text == "include") {
    if (toks.size() != 2) {
      Error(where, "include", "expected 'include FILE-OR-PATTERN'");
      return;
    }
    if (!options_.allow_includes) {
      Error(where, "include", "includes are disabled here");
      return;
    }
    auto exp = ExpandInclude(toks[1].text, where.file, options_.include_root);
    if (!exp) {
      Error(where, "include", exp.error().message);
      return;
    }
    if (exp->paths.empty()) Warn(where, "include", "no files match " + exp->pattern);
    for (const auto& p : exp->paths) ReadFile(p, &where);
    return;
  }
  // Find the ':' separating the IDs from the kind.
  size_t colon = toks.size();
  for (size_t i = 0; i < toks.size(); ++i) {
    if (toks[i].quoted) break;
    if (toks[i].text == ":") {
      colon = i;
      break;
    }
    // "13.236.192.60: PSK" -- the colon glued to the last ID.
    const std::string& t = toks[i].text;
    if (t.size() > 1 && t.back() == ':' && t.substr(t.size() - 2) != "::" && i + 1 < toks.size() &&
        IsKind(toks[i + 1].text)) {
      toks[i].text.pop_back();
      toks.insert(toks.begin() + i + 1, Tok{":"});
      colon = i + 1;
      break;
    }
  }
  if (colon == toks.size()) {
    Error(where, "",
          "expected 'ID ... : PSK \"secret\"' (no ':' separating IDs from the key type)");
    return;
  }
  if (colon + 1 >= toks.size()) {
    Error(where, "", "expected a key type (PSK) after ':'");
    return;
  }
  const std::string kind = toks[colon + 1].text;
  std::string upper = kind;
  std::transform(upper.begin(), upper.end(), upper.begin(), ::toupper);
  if (!IsKind(upper)) {
    Error(where, kind, "unknown key type (PSK, RSA, ECDSA, EAP, XAUTH, ...)");
    return;
  }
  PskEntry entry;
  entry.where = where;
  bool ok = true;
  for (size_t i = 0; i < colon; ++i) {
    std::string warning;
    auto id = ParseIdentity(toks[i].text, &warning);
    if (!id) {
      Error(where, toks[i].text, id.error().message);
      ok = false;
      continue;
    }
    if (!warning.empty()) Warn(where, toks[i].text, warning);
    entry.ids.push_back(*id);
  }
  bool key_kind = upper == "RSA" || upper == "ECDSA" || upper == "PKCS8";
  if (key_kind && colon + 2 < toks.size() &&
      (toks[colon + 2].quoted || toks[colon + 2].text[0] != '{')) {
    if (ok) ParseKeyLine(toks, colon, upper, std::move(entry.ids), where);
    return;
  }
  if (upper != "PSK") {
    Warn(where, upper,
         key_kind ? "raw key blocks are not used (name a key file: ': " + upper + " file.pem')"
                  : "only PSK secrets and key files are used; this entry is ignored");
    for (size_t i = colon + 2; i < toks.size(); ++i) {
      if (toks[i].quoted) continue;
      if (toks[i].text.find('{') != std::string::npos &&
          toks[i].text.find('}') == std::string::npos)
        in_brace_block_ = true;
    }
    if (in_brace_block_) brace_opened_ = where;
    return;
  }
  if (colon + 2 >= toks.size()) {
    Error(where, "PSK", "missing secret after PSK");
    return;
  }
  if (colon + 3 < toks.size()) {
    Error(where, "PSK", "unexpected text after the secret (quote a secret that contains spaces)");
    return;
  }
  const Tok& secret = toks[colon + 2];
  if (secret.unterminated) {
    Error(where, "PSK", "unterminated quoted secret");
    return;
  }
  std::string_view s = secret.text;
  if (!secret.quoted && s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    if (!DecodeHex(s.substr(2), &entry.psk)) {
      Error(where, "PSK", "bad hex secret after 0x (an even number of hex digits)");
      return;
    }
  } else if (!secret.quoted && s.size() > 2 && s[0] == '0' && s[1] == 's') {
    if (!DecodeBase64(s.substr(2), &entry.psk)) {
      Error(where, "PSK", "bad base64 secret after 0s");
      return;
    }
  } else {
    entry.psk =
        SecureBytes(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(s.data()), s.size()));
  }
  if (entry.psk.empty()) {
    Error(where, "PSK", "empty secret");
    return;
  }
  if (ok) out_->entries_.push_back(std::move(entry));
}

void SecretsParser::ParseKeyLine(const std::vector<Tok>& toks, size_t colon,
                                 const std::string& kind, std::vector<Identity> ids,
                                 const SourceLocation& where) {
  const Tok& file = toks[colon + 2];
  if (file.unterminated || file.text.empty()) {
    Error(where, kind, "expected a key file name after " + kind);
    return;
  }
  if (colon + 4 < toks.size()) {
    Error(where, kind, "unexpected text after the passphrase (quote one that contains spaces)");
    return;
  }
  SecureBytes pass;
  if (colon + 3 < toks.size()) {
    const Tok& p = toks[colon + 3];
    if (p.unterminated) {
      Error(where, kind, "unterminated quoted passphrase");
      return;
    }
    if (!p.quoted && p.text == "%prompt") {
      Error(where, kind,
            "%prompt is not supported (the daemon has no terminal): write the passphrase");
      return;
    }
    pass = SecureBytes(
        std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(p.text.data()), p.text.size()));
  }
  std::string path = file.text;
  if (path[0] != '/') {
    std::vector<std::string> dirs = options_.private_dirs;
    size_t slash = where.file.rfind('/');
    dirs.push_back(slash == std::string::npos ? "." : where.file.substr(0, slash));
    std::string found;
    for (const auto& d : dirs) {
      struct stat st;
      if (stat((d + "/" + path).c_str(), &st) == 0 && S_ISREG(st.st_mode)) {
        found = d + "/" + path;
        break;
      }
    }
    if (found.empty()) {
      std::string looked;
      for (const auto& d : dirs) looked += (looked.empty() ? "" : ", ") + d;
      Error(where, kind, "'" + path + "' is in none of " + looked);
      return;
    }
    path = found;
  }
  auto key = cert::LoadPrivateKey(path, pass);
  if (!key) {
    Error(where, kind, key.error().message);
    return;
  }
  cert::KeyType type = key->type();
  bool rsa = type == cert::KeyType::kRsa;
  if ((kind == "RSA" && !rsa) || (kind == "ECDSA" && (rsa || type == cert::KeyType::kEd25519)))
    Warn(where, kind, path + " holds an " + key->Describe() + " key (used as such)");
  PrivateKeyEntry e;
  e.ids = std::move(ids);
  e.kind = kind;
  e.path = path;
  e.key = std::make_shared<const cert::PrivateKey>(std::move(*key));
  e.where = where;
  out_->keys_.push_back(std::move(e));
}

const PrivateKeyEntry* Secrets::FindPrivateKey(const EVP_PKEY* pub) const {
  for (const auto& k : keys_)
    if (k.key->Matches(pub)) return &k;
  return nullptr;
}

namespace {

// 3: the ID itself; 2: the end's address; 1: %any; 0: nothing.
int SideMatch(const std::vector<Identity>& ids, const Identity& id, const IpAddress& addr) {
  int best = 0;
  for (const auto& e : ids) {
    if (id.kind != Identity::Kind::kNone && id.kind != Identity::Kind::kAny && e.Matches(id))
      best = std::max(best, 3);
    else if (addr.is_set() &&
             (e.kind == Identity::Kind::kIpv4 || e.kind == Identity::Kind::kIpv6) &&
             e.address == addr)
      best = std::max(best, 2);
    else if (e.kind == Identity::Kind::kAny)
      best = std::max(best, 1);
  }
  return best;
}

}  // namespace

std::optional<PskMatch> Secrets::FindPskMatch(const Identity& local, const Identity& remote,
                                              const IpAddress& local_addr,
                                              const IpAddress& remote_addr) const {
  const PskEntry* best = nullptr;
  int best_rank = 0;
  auto names_neither = [&](const PskEntry& e) {
    // An entry naming an ID that is neither end is about someone else.
    for (const auto& id : e.ids) {
      if (id.kind == Identity::Kind::kAny) continue;
      if (SideMatch({id}, local, local_addr) < 2 && SideMatch({id}, remote, remote_addr) < 2)
        return true;
    }
    return false;
  };
  for (const auto& e : entries_) {
    int rank = 0;
    if (names_neither(e)) continue;
    if (e.ids.empty()) {
      rank = 1;
    } else {
      int l = SideMatch(e.ids, local, local_addr), r = SideMatch(e.ids, remote, remote_addr);
      bool single = e.ids.size() == 1;
      if (l >= 2 && r >= 2)
        rank = 20 + l + r;
      else if (r >= 2 && (l == 1 || single))
        rank = 15 + r;
      else if (l >= 2 && (r == 1 || single))
        rank = 10 + l;
      else if (l == 1 && r == 1)
        rank = 5;
    }
    if (rank > best_rank) {
      best_rank = rank;
      best = &e;
    }
  }
  if (!best) return std::nullopt;
  return PskMatch{best->psk, best->where, best_rank};
}

std::optional<SecureBytes> Secrets::FindPsk(const Identity& local, const Identity& remote,
                                            const IpAddress& local_addr,
                                            const IpAddress& remote_addr) const {
  auto m = FindPskMatch(local, remote, local_addr, remote_addr);
  if (!m) return std::nullopt;
  return std::move(m->psk);
}

namespace {
Result<Secrets> Done(Secrets s, std::vector<Diagnostic> errors) {
  if (errors.empty()) return s;
  std::string msg;
  for (const auto& e : errors) msg += (msg.empty() ? "" : "\n") + e.ToString();
  return MakeError(msg);
}
}  // namespace

Result<Secrets> LoadSecrets(const std::string& path, const SecretsLoadOptions& options) {
  Secrets s;
  std::vector<Diagnostic> errors;
  SecretsParser(options, &s, &errors).ReadFile(path, nullptr);
  return Done(std::move(s), std::move(errors));
}

Result<Secrets> ParseSecretsText(std::string_view text, const std::string& file_name,
                                 const SecretsLoadOptions& options) {
  Secrets s;
  std::vector<Diagnostic> errors;
  SecretsParser(options, &s, &errors).ReadText(text, file_name);
  return Done(std::move(s), std::move(errors));
}

}  // namespace ipsec::config
