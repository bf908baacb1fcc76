// How each end of a conn authenticates: authby=, leftauth=/rightauth=,
// leftcert=, leftca=/rightca=, and the ID a certificate gives an end whose
// leftid= is not written (its subject). Runs after the local end is known.
//   authby=secret|psk                      both ends: pre-shared key
//   authby=rsasig|rsa|ecdsa|pubkey|rsa-sha2... both ends: signatures (certificates)
//   leftauth=psk|secret|pubkey|rsa|ecdsa   one end, over authby=
// A certificate is read and parsed at load; a relative leftcert= is looked up
// in LoadOptions::cert_dirs (/etc/ipsec.d/certs, /etc/swanctl/x509).
#pragma once

#include <functional>
#include <string>

#include "config/conf_reader.h"
#include "config/config.h"
#include "config/conn_builder.h"
#include "config/connection.h"

namespace ipsec::config {

using SettingLookup = std::function<const RawSetting*(const std::string& key)>;

// Fills c->local/remote .auth, .cert, .ca (and .id from the certificate) and
// c->authby. false after reporting an error through d.
bool ParseAuthSettings(const SettingLookup& get, const LoadOptions& options, const Diagnostics& d,
                       Connection* c);

// setup's cadir= / crldir= (one directory each, replacing the defaults).
void ParseCertDirs(const SettingLookup& get, const Diagnostics& d, SetupConfig* out);

}  // namespace ipsec::config
