// ipsec.conf text -> sections of raw "key=value" settings, with includes
// expanded. No keyword knowledge here beyond section headers; conf_resolve.cc
// gives the settings meaning.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"
#include "config/connection.h"

namespace ipsec::config {

struct RawSetting {
  std::string key;
  std::string value;  // quotes removed; braces kept ("{a b}")
  SourceLocation where;
  // The line had a syntax error (already reported): the key is known to be
  // set, so no "missing left=" follows, but there is no usable value.
  bool broken = false;
};

struct RawSection {
  enum class Kind { kSetup, kConn, kCa };
  Kind kind = Kind::kConn;
  std::string name;  // conn name ("%default" too); empty for config setup
  SourceLocation where;
  std::vector<RawSetting> settings;
};

struct RawConfig {
  std::vector<RawSection> sections;
  std::vector<std::string> files;
  // Files read as Openswan's dialect -> why ("'version 2.0' at line 1").
  // Markers: Openswan's "version" line, setup keywords only Openswan had
  // (protostack=, nat_traversal=, oe=, plutostart=, klipsdebug=), keyword
  // lines without indentation (AWS's Openswan instructions as pasted from
  // the web page; libreswan and strongSwan refuse them).
  std::map<std::string, std::string> openswan_files;
};

class ConfReader {
 public:
  ConfReader(const LoadOptions& options, std::vector<Diagnostic>* errors,
             std::vector<Diagnostic>* warnings)
      : options_(options), errors_(errors), warnings_(warnings) {}

  // A file from disk (the top file: included_from == nullptr).
  void ReadFile(const std::string& path, const SourceLocation* included_from);
  // A buffer standing for file_name.
  void ReadText(std::string_view text, const std::string& file_name);

  RawConfig Take() { return std::move(raw_); }

 private:
  void ParseLine(std::string_view line, const SourceLocation& where);
  void Include(std::string_view pattern, const SourceLocation& where);
  void Error(const SourceLocation& where, std::string keyword, std::string message);
  void Warn(const SourceLocation& where, std::string keyword, std::string message);
  void MarkOpenswan(const SourceLocation& where, std::string reason);

  const LoadOptions& options_;
  std::vector<Diagnostic>* errors_;
  std::vector<Diagnostic>* warnings_;
  RawConfig raw_;
  // The section keyword lines go to; -1 after an include or before any section.
  int current_ = -1;
  bool warned_unindented_ = false;
  std::vector<std::string> open_files_;  // canonical paths, for include loops
};

}  // namespace ipsec::config
