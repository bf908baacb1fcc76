// Which IKE version a conn asks for (ikev2=, keyexchange=, and what
// keyexchange=ike means in the file's dialect), and the IKEv1-only
// extensions that are refused with a reason (aggressive mode, XAUTH,
// mode-config). See Documentation/configuration.md, "IKE version".
#pragma once

#include <map>
#include <string>

#include "config/conn_builder.h"

namespace ipsec::config {

// Sets c->ike_version from settings; false after reporting an error (a
// bad value, a contradiction, or IKEv1 while options.ikev1_negotiated is
// false: one line naming the setting that asked for it).
// openswan_files: files read in Openswan's dialect, with the reason
// (RawConfig::openswan_files), where keyexchange=ike means IKEv1.
bool ResolveIkeVersion(const SettingMap& settings,
                       const std::map<std::string, std::string>& openswan_files,
                       const LoadOptions& options, const Diagnostics& d, Connection* c);

// aggressive=yes, XAUTH and mode-config settings: an error each, saying
// why; false when there was one.
bool RefuseIkev1Extensions(const SettingMap& settings, const Diagnostics& d);

}  // namespace ipsec::config
