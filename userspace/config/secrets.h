// ipsec.secrets: "ID1 ID2 : PSK "secret"" lines (libreswan, Openswan and
// strongSwan syntax), and private keys for certificates as strongSwan writes
// them: ": RSA file [passphrase]", ": ECDSA file [passphrase]", ": PKCS8 file
// [passphrase]" (a relative file is looked up in /etc/ipsec.d/private,
// /etc/swanctl/private, then beside the secrets file). Keys are loaded at
// parse time; a key that does not load is an error naming FILE:LINE and the
// kind. Other kinds (EAP, XAUTH, libreswan's "RSA { ... }" blocks) give a
// warning. Secrets live in SecureBytes or OpenSSL keys and are never printed.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/ip_address.h"
#include "common/result.h"
#include "common/secure_bytes.h"
#include "config/connection.h"
#include "ike/cert/private_key.h"

namespace ipsec::config {

struct SecretsLoadOptions {
  bool allow_includes = true;
  std::string include_root;       // as LoadOptions::include_root
  bool check_permissions = true;  // warn when group- or world-readable
  // Where a relative key file name of an RSA/ECDSA/PKCS8 line is looked for.
  std::vector<std::string> private_dirs = {"/etc/ipsec.d/private", "/etc/swanctl/private"};
};

struct PskEntry {
  std::vector<Identity> ids;  // empty: ": PSK" (matches any pair, lowest rank)
  SecureBytes psk;
  SourceLocation where;
};

// ": RSA file", ": ECDSA file", ": PKCS8 file": a loaded private key. IDs
// are kept but a key is found by its public half (the certificate's).
struct PrivateKeyEntry {
  std::vector<Identity> ids;
  std::string kind;  // "RSA", "ECDSA", "PKCS8"
  std::string path;  // the file loaded
  std::shared_ptr<const cert::PrivateKey> key;
  SourceLocation where;
};

// Which entry FindPsk picked, for --check ("PSK: found (N bytes) FILE:LINE").
struct PskMatch {
  SecureBytes psk;
  SourceLocation where;
  int rank = 0;  // higher is better (see secrets.cc)
};

class Secrets {
 public:
  // Best match for this pair, as libreswan/strongSwan pick it: both IDs
  // listed > remote listed (local via %any or single-ID entry) > local
  // listed > %any pair > ": PSK". An ID also matches through the end's
  // address (lower rank than the ID itself). Ties: first in file order.
  std::optional<SecureBytes> FindPsk(const Identity& local, const Identity& remote,
                                     const IpAddress& local_addr,
                                     const IpAddress& remote_addr) const;
  std::optional<PskMatch> FindPskMatch(const Identity& local, const Identity& remote,
                                       const IpAddress& local_addr,
                                       const IpAddress& remote_addr) const;

  // The key whose public half is pub (a certificate's key); nullptr if none.
  const PrivateKeyEntry* FindPrivateKey(const EVP_PKEY* pub) const;

  const std::vector<PskEntry>& entries() const { return entries_; }
  const std::vector<PrivateKeyEntry>& private_keys() const { return keys_; }
  const std::vector<Diagnostic>& warnings() const { return warnings_; }
  const std::vector<std::string>& files() const { return files_; }

 private:
  friend class SecretsParser;
  std::vector<PskEntry> entries_;
  std::vector<PrivateKeyEntry> keys_;
  std::vector<Diagnostic> warnings_;
  std::vector<std::string> files_;
};

Result<Secrets> LoadSecrets(const std::string& path, const SecretsLoadOptions& options = {});
Result<Secrets> ParseSecretsText(std::string_view text, const std::string& file_name,
                                 const SecretsLoadOptions& options = {});

}  // namespace ipsec::config
