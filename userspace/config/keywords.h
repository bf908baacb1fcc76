// Every ipsec.conf keyword we know, from libreswan, Openswan and strongSwan:
// the ones we act on, the ones we know but do not implement yet (a warning),
// and obsolete ones (a warning saying what replaced them). A keyword not in
// this table is an error with a "did you mean" suggestion.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ipsec::config {

enum class KeywordScope { kSetup, kConn };
// kNoEffect: parsed and checked, but nothing acts on it yet; a warning says
// so at load and in --check (Documentation/configuration.md lists them).
enum class KeywordSupport { kImplemented, kNoEffect, kUnimplemented, kObsolete };

struct Keyword {
  std::string_view name;  // without left/right for sided keywords; "" is left=/right=
  KeywordScope scope;
  bool sided;  // leftX / rightX
  KeywordSupport support;
  std::string_view canonical;  // aliases share one (keylife -> salifetime); "" = name
  std::string_view note;       // for warnings: why, or what to use instead
};

struct KeywordMatch {
  const Keyword* keyword = nullptr;
  std::string side;       // "left", "right" or ""
  std::string canonical;  // side + canonical name: "leftsubnet", "salifetime"
};

// A keyword of scope when there is one by that name, else of the other scope.
std::optional<KeywordMatch> FindKeyword(std::string_view key, KeywordScope scope);
// All spellings (leftX and rightX expanded), for suggestions.
const std::vector<std::string>& AllKeywordNames();

}  // namespace ipsec::config
