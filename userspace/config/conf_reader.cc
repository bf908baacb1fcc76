// The ipsec.conf grammar as libreswan and strongSwan read it:
//   - a line starting in column 0 opens a section ("config setup",
//     "conn NAME", "ca NAME") or is "include PATTERN" / "version 2";
//   - indented lines are "key=value" or "key = value" of the section above;
//   - '#' at the start of a line or after whitespace starts a comment;
//   - a value is one token, a "quoted string" or a {braced list}.
// Anything else is an error naming the line, never skipped.
#include "config/conf_reader.h"

#include <algorithm>
#include <cctype>

#include "config/include.h"

namespace ipsec::config {
namespace {

bool IsSpace(char c) {
  return c == ' ' || c == '\t';
}

std::string_view TrimLeft(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  return s;
}

std::string_view TrimRight(std::string_view s) {
  while (!s.empty() && (IsSpace(s.back()) || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

// Removes a '#' comment that starts the line or follows whitespace, outside quotes.
std::string_view StripComment(std::string_view line) {
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (c == '"') quoted = !quoted;
    if (c == '#' && !quoted && (i == 0 || IsSpace(line[i - 1]))) return line.substr(0, i);
  }
  return line;
}

// First whitespace-delimited word of s.
std::string_view FirstWord(std::string_view s) {
  size_t end = 0;
  while (end < s.size() && !IsSpace(s[end])) ++end;
  return s.substr(0, end);
}

bool ValidKey(std::string_view k) {
  return !k.empty() && std::all_of(k.begin(), k.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '+' ||
           c == '.';
  });
}

std::string AnnotationHint(std::string_view rest) {
  if (rest.substr(0, 2) == "--" || rest.substr(0, 2) == "//" || rest.substr(0, 2) == "<-" ||
      rest[0] == ';' || rest[0] == '(' || rest[0] == '-')
    return " (this looks like an annotation written into the config; comments in ipsec.conf "
           "start with '#')";
  return " (quote a value that contains spaces; comments start with '#')";
}

// Parses one value at the start of s. Returns false with *error set.
bool ParseValue(std::string_view s, std::string* value, std::string_view* rest,
                std::string* error) {
  if (s.empty()) {
    value->clear();
    *rest = s;
    return true;
  }
  if (s[0] == '"') {
    size_t close = s.find('"', 1);
    if (close == std::string_view::npos) {
      *error = "unterminated quoted value (missing closing '\"')";
      return false;
    }
    *value = std::string(s.substr(1, close - 1));
    *rest = s.substr(close + 1);
    return true;
  }
  if (s[0] == '{') {
    size_t close = s.find('}');
    if (close == std::string_view::npos) {
      *error = "unbalanced braces: '{' without '}'";
      return false;
    }
    if (s.substr(1, close - 1).find('{') != std::string_view::npos) {
      *error = "unbalanced braces: '{' inside '{...}'";
      return false;
    }
    *value = std::string(s.substr(0, close + 1));
    *rest = s.substr(close + 1);
    return true;
  }
  std::string out;
  std::string_view r = s;
  while (true) {
    std::string_view tok = FirstWord(r);
    if (tok.find_first_of("{}") != std::string_view::npos) {
      *error = "unbalanced braces in '" + std::string(tok) + "'";
      return false;
    }
    if (tok.find('"') != std::string_view::npos) {
      *error = "stray '\"' in '" + std::string(tok) + "' (quote the whole value)";
      return false;
    }
    out += tok;
    r = TrimLeft(r.substr(tok.size()));
    // "a, b": a comma list written with spaces after the commas.
    if (!tok.empty() && tok.back() == ',' && !r.empty() && r[0] != '#') continue;
    break;
  }
  *value = std::move(out);
  *rest = r;
  return true;
}

}  // namespace

void ConfReader::Error(const SourceLocation& where, std::string keyword, std::string message) {
  errors_->push_back({where, std::move(keyword), std::move(message)});
}

void ConfReader::Warn(const SourceLocation& where, std::string keyword, std::string message) {
  warnings_->push_back({where, std::move(keyword), std::move(message)});
}

void ConfReader::MarkOpenswan(const SourceLocation& where, std::string reason) {
  raw_.openswan_files.emplace(where.file, std::move(reason));  // the first reason stays
}

void ConfReader::ReadFile(const std::string& path, const SourceLocation* included_from) {
  std::string canon = CanonicalPath(path);
  if (std::find(open_files_.begin(), open_files_.end(), canon) != open_files_.end()) {
    std::string chain;
    for (const auto& f : open_files_) chain += f + " -> ";
    Error(included_from ? *included_from : SourceLocation{path, 0}, "include",
          "include loop: " + chain + canon);
    return;
  }
  if (open_files_.size() >= 16) {
    Error(included_from ? *included_from : SourceLocation{path, 0}, "include",
          "includes nested more than 16 deep");
    return;
  }
  auto text = ReadWholeFile(path);
  if (!text) {
    Error(included_from ? *included_from : SourceLocation{path, 0}, included_from ? "include" : "",
          text.error().message);
    return;
  }
  open_files_.push_back(canon);
  ReadText(*text, path);
  open_files_.pop_back();
}

void ConfReader::ReadText(std::string_view text, const std::string& file_name) {
  bool pushed = false;
  if (open_files_.empty()) {  // a buffer given directly
    open_files_.push_back(file_name);
    pushed = true;
  }
  raw_.files.push_back(file_name);
  current_ = -1;
  int line_no = 0;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    ++line_no;
    ParseLine(text.substr(pos, nl - pos), SourceLocation{file_name, line_no});
    if (nl == text.size()) break;
    pos = nl + 1;
  }
  current_ = -1;
  if (pushed) open_files_.pop_back();
}

void ConfReader::Include(std::string_view arg, const SourceLocation& where) {
  std::string pattern, error;
  std::string_view rest;
  if (!ParseValue(TrimLeft(arg), &pattern, &rest, &error)) {
    Error(where, "include", error);
    return;
  }
  if (!TrimLeft(rest).empty()) {
    Error(where, "include",
          "unexpected text after the file name: '" + std::string(TrimLeft(rest)) + "'");
    return;
  }
  current_ = -1;
  if (!options_.allow_includes) {
    Error(where, "include", "includes are disabled here");
    return;
  }
  auto expansion = ExpandInclude(pattern, where.file, options_.include_root);
  if (!expansion) {
    Error(where, "include", expansion.error().message);
    return;
  }
  if (expansion->paths.empty()) {
    Warn(where, "include", "no files match " + expansion->pattern);
    return;
  }
  for (const auto& path : expansion->paths) ReadFile(path, &where);
  current_ = -1;
}

void ConfReader::ParseLine(std::string_view line, const SourceLocation& where) {
  line = TrimRight(StripComment(TrimRight(line)));
  std::string_view content = TrimLeft(line);
  if (content.empty()) return;
  const bool indented = content.size() != line.size();
  std::string_view word = FirstWord(content);
  std::string_view after = TrimLeft(content.substr(word.size()));

  if (word == "include") {
    Include(after, where);
    return;
  }
  if (!indented && word.find('=') == std::string_view::npos && (after.empty() || after[0] != '=')) {
    if (word == "config") {
      if (after != "setup") {
        Error(where, "config", "expected 'config setup'");
        return;
      }
      raw_.sections.push_back({RawSection::Kind::kSetup, "", where, {}});
    } else if (word == "conn" || word == "ca") {
      std::string_view name = FirstWord(after);
      if (name.empty()) {
        Error(where, std::string(word), std::string(word) + " needs a name");
        return;
      }
      if (!TrimLeft(after.substr(name.size())).empty()) {
        Error(where, std::string(word),
              "unexpected text after the name: '" +
                  std::string(TrimLeft(after.substr(name.size()))) + "'");
        return;
      }
      auto kind = word == "conn" ? RawSection::Kind::kConn : RawSection::Kind::kCa;
      if (kind == RawSection::Kind::kCa)
        Warn(where, "ca", "ca sections are not supported (no certificates); section ignored");
      raw_.sections.push_back({kind, std::string(name), where, {}});
    } else if (word == "version") {
      // Openswan's "version 2.0": the only syntax there is.
      MarkOpenswan(where,
                   "'version " + std::string(after) + "' at line " + std::to_string(where.line));
      return;
    } else {
      Error(where, std::string(word),
            "not a section header: a line starting in column 0 must be 'conn NAME', "
            "'config setup' or 'include FILE' (keyword lines are indented)");
      return;
    }
    current_ = static_cast<int>(raw_.sections.size()) - 1;
    warned_unindented_ = false;
    return;
  }

  if (current_ < 0) {
    Error(where, std::string(FirstWord(content.substr(0, content.find('=')))),
          "setting outside any section (it must follow a 'conn NAME' or 'config setup' line)");
    return;
  }
  RawSection& section = raw_.sections[current_];
  if (!indented)
    MarkOpenswan(where, "keyword lines not indented, from line " + std::to_string(where.line));
  if (!indented && !warned_unindented_) {
    // Openswan-era configs pasted from web pages often lose their indentation.
    warned_unindented_ = true;
    Warn(where, "",
         "keyword lines of '" +
             (section.kind == RawSection::Kind::kSetup ? std::string("config setup")
                                                       : "conn " + section.name) +
             "' are not indented; libreswan and strongSwan require leading "
             "whitespace (accepted)");
  }
  size_t eq = content.find('=');
  std::string_view key = content.substr(0, eq);
  while (!key.empty() && IsSpace(key.back())) key.remove_suffix(1);
  if (eq == std::string_view::npos) {
    Error(where, std::string(word), "expected key=value");
    return;
  }
  if (!ValidKey(key)) {
    Error(where, std::string(key),
          key.empty() ? "missing keyword before '='" : "not a valid keyword name");
    return;
  }
  std::string value, error;
  std::string_view rest;
  bool broken = false;
  if (!ParseValue(TrimLeft(content.substr(eq + 1)), &value, &rest, &error)) {
    Error(where, std::string(key), error);
    broken = true;
  } else if (rest = TrimLeft(rest); !rest.empty()) {
    Error(where, std::string(key),
          "unexpected text after the value '" + value + "': '" + std::string(rest) + "'" +
              AnnotationHint(rest));
    broken = true;
  }
  if (section.kind == RawSection::Kind::kCa) return;  // warned at the header
  if (section.kind == RawSection::Kind::kSetup &&
      (key == "protostack" || key == "nat_traversal" || key == "oe" || key == "plutostart" ||
       key == "klipsdebug"))
    MarkOpenswan(where, std::string(key) + "= at line " + std::to_string(where.line));
  section.settings.push_back({std::string(key), std::move(value), where, broken});
}

}  // namespace ipsec::config
