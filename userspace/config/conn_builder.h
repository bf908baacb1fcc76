// Meaning of the settings of one conn (after %default and also= merged) and
// of config setup: values parsed and checked, ends resolved (%defaultroute,
// which end is local), subnet pairs and proposals built.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "config/conf_reader.h"
#include "config/config.h"
#include "config/connection.h"

namespace ipsec::config {

// Canonical keyword ("leftsubnet", "salifetime") -> the setting that won.
using SettingMap = std::map<std::string, RawSetting>;

struct Diagnostics {
  std::vector<Diagnostic>* errors;
  std::vector<Diagnostic>* warnings;
  void Error(const RawSetting& s, std::string message) const {
    errors->push_back({s.where, s.key, std::move(message)});
  }
  void Error(const SourceLocation& where, std::string keyword, std::string message) const {
    errors->push_back({where, std::move(keyword), std::move(message)});
  }
  void Warn(const RawSetting& s, std::string message) const {
    warnings->push_back({s.where, s.key, std::move(message)});
  }
  void Warn(const SourceLocation& where, std::string keyword, std::string message) const {
    warnings->push_back({where, std::move(keyword), std::move(message)});
  }
};

// nullopt when it had errors (reported through diags). openswan_files:
// RawConfig::openswan_files (keyexchange=ike means IKEv1 there).
std::optional<Connection> BuildConnection(const std::string& name, const SourceLocation& where,
                                          const SettingMap& settings, const HostInfo& host,
                                          const LoadOptions& options, const Diagnostics& diags,
                                          const std::map<std::string, std::string>& openswan_files);
SetupConfig BuildSetup(const SettingMap& settings, const Diagnostics& diags);

}  // namespace ipsec::config
