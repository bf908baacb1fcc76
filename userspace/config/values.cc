#include "config/values.h"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "ike/cert/certificate.h"
#include "ike/cert/dn.h"

namespace ipsec::config {

std::string SourceLocation::ToString() const {
  return file + ":" + std::to_string(line);
}

std::string Diagnostic::ToString() const {
  std::string s = (where.line > 0 ? where.ToString() : where.file) + ": ";
  if (!keyword.empty()) s += keyword + ": ";
  return s + message;
}

Identity Identity::FromAddress(const IpAddress& a) {
  Identity id;
  id.kind = a.is_v6() ? Kind::kIpv6 : Kind::kIpv4;
  id.address = a;
  return id;
}

std::string Identity::ToString() const {
  switch (kind) {
    case Kind::kNone:
      return "";
    case Kind::kAny:
      return "%any";
    case Kind::kIpv4:
    case Kind::kIpv6:
      return address.ToString();
    case Kind::kFqdn:
      return "@" + name;
    case Kind::kUserFqdn:
    case Kind::kDn:
      return name;
  }
  return "";
}

namespace {
bool EqualNoCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}
}  // namespace

bool Identity::Matches(const Identity& o) const {
  if (kind != o.kind) return false;
  switch (kind) {
    case Kind::kIpv4:
    case Kind::kIpv6:
      return address == o.address;
    case Kind::kFqdn:
    case Kind::kUserFqdn:
      return EqualNoCase(name, o.name);
    case Kind::kDn: {
      auto a = cert::ParseDn(name), b = cert::ParseDn(o.name);
      return a && b && (cert::DnMatches(a->get(), b->get()) || cert::DnMatches(b->get(), a->get()));
    }
    default:
      return true;
  }
}

Result<Seconds> ParseDuration(std::string_view v) {
  if (v.empty()) return MakeError("empty duration");
  uint64_t n = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (ec != std::errc() || p == v.data())
    return MakeError("'" + std::string(v) + "' is not a duration (e.g. 3600, 90s, 30m, 8h, 1d)");
  std::string_view unit(p, v.data() + v.size() - p);
  uint64_t mult = 0;
  if (unit.empty() || unit == "s")
    mult = 1;
  else if (unit == "m")
    mult = 60;
  else if (unit == "h")
    mult = 3600;
  else if (unit == "d")
    mult = 86400;
  else
    return MakeError("'" + std::string(v) + "': unknown time unit '" + std::string(unit) +
                     "' (use s, m, h or d)");
  if (n > 100ull * 365 * 86400 / mult) return MakeError("'" + std::string(v) + "' is too long");
  return Seconds(n * mult);
}

std::string FormatDuration(Seconds s) {
  auto n = s.count();
  if (n != 0 && n % 86400 == 0) return std::to_string(n / 86400) + "d";
  if (n != 0 && n % 3600 == 0) return std::to_string(n / 3600) + "h";
  if (n != 0 && n % 60 == 0) return std::to_string(n / 60) + "m";
  return std::to_string(n) + "s";
}

Result<bool> ParseYesNo(std::string_view v) {
  if (v == "yes" || v == "true" || v == "1") return true;
  if (v == "no" || v == "false" || v == "0") return false;
  return MakeError("'" + std::string(v) + "' is not yes or no");
}

Result<uint32_t> ParseUint(std::string_view v, uint32_t min, uint32_t max) {
  uint64_t n = 0;
  int base = 10;
  std::string_view d = v;
  if (d.size() > 2 && d[0] == '0' && (d[1] == 'x' || d[1] == 'X')) {
    base = 16;
    d.remove_prefix(2);
  }
  auto [p, ec] = std::from_chars(d.data(), d.data() + d.size(), n, base);
  if (d.empty() || ec != std::errc() || p != d.data() + d.size())
    return MakeError("'" + std::string(v) + "' is not a number");
  if (n < min || n > max)
    return MakeError("'" + std::string(v) + "' is out of range (" + std::to_string(min) + ".." +
                     std::to_string(max) + ")");
  return static_cast<uint32_t>(n);
}

Result<IpAddress> ParseAddress(std::string_view v) {
  if (auto a = IpAddress::Parse(v)) return *a;
  return MakeError("'" + std::string(v) + "' is not an IPv4 or IPv6 address");
}

Result<IpPrefix> ParsePrefix(std::string_view v) {
  size_t slash = v.find('/');
  auto addr = IpAddress::Parse(v.substr(0, slash));
  if (!addr) {
    return MakeError("'" + std::string(v) + "' is not a subnet (address '" +
                     std::string(v.substr(0, slash)) + "' is not an IPv4 or IPv6 address)");
  }
  if (slash == std::string_view::npos) return IpPrefix::Host(*addr);
  std::string_view len_text = v.substr(slash + 1);
  unsigned len = 0;
  auto [p, ec] = std::from_chars(len_text.data(), len_text.data() + len_text.size(), len);
  unsigned max = addr->is_v4() ? 32 : 128;
  if (len_text.empty() || ec != std::errc() || p != len_text.data() + len_text.size() ||
      len > max) {
    return MakeError("'" + std::string(v) + "': bad prefix length '" + std::string(len_text) +
                     "' (0.." + std::to_string(max) + ")");
  }
  IpPrefix prefix(*addr, static_cast<uint8_t>(len));
  if (prefix.address() != *addr) {
    return MakeError("'" + std::string(v) + "' has host bits set (did you mean " +
                     prefix.ToString() + "?)");
  }
  return prefix;
}

std::vector<std::string> SplitList(std::string_view v) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : v) {
    if (c == ' ' || c == '\t' || c == ',') {
      if (!cur.empty()) out.push_back(std::move(cur));
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (!cur.empty()) out.push_back(std::move(cur));
  return out;
}

Result<std::vector<IpPrefix>> ParsePrefixList(std::string_view v) {
  if (!v.empty() && v.front() == '{') {
    if (v.back() != '}') return MakeError("unbalanced braces: '{' without '}'");
    v = v.substr(1, v.size() - 2);
  }
  if (v.find_first_of("{}") != std::string_view::npos)
    return MakeError("unbalanced or nested braces in '" + std::string(v) + "'");
  std::vector<IpPrefix> out;
  for (const auto& piece : SplitList(v)) {
    if (piece[0] == '%' || piece.rfind("vhost:", 0) == 0 || piece.rfind("vnet:", 0) == 0)
      return MakeError("'" + piece + "' is not supported (write the subnet, e.g. 10.0.0.0/24)");
    auto p = ParsePrefix(piece);
    if (!p) return p.error();
    if (std::find(out.begin(), out.end(), *p) != out.end())
      return MakeError("subnet " + p->ToString() + " is listed twice");
    out.push_back(*p);
  }
  if (out.empty()) return MakeError("empty subnet list");
  return out;
}

namespace {
// Looks like an attempt at a dotted IPv4 address: digits and dots only.
bool LooksNumericDotted(std::string_view v) {
  return !v.empty() && v.find('.') != std::string_view::npos &&
         std::all_of(v.begin(), v.end(),
                     [](char c) { return std::isdigit((unsigned char)c) || c == '.'; });
}
}  // namespace

Result<Identity> ParseIdentity(std::string_view v, std::string* warning) {
  Identity id;
  if (v.empty()) return MakeError("empty identity");
  if (v == "%any" || v == "%any6") {
    id.kind = Identity::Kind::kAny;
    return id;
  }
  if (v == "%fromcert") return MakeError("%fromcert is only for leftid= of an end with leftcert=");
  if (v[0] == '%')
    return MakeError("'" + std::string(v) + "' is not an identity (use %any, @fqdn or an address)");
  if (auto a = IpAddress::Parse(v)) return Identity::FromAddress(*a);
  if (v[0] == '@') {
    std::string_view name = v.substr(1);
    if (!name.empty() && (name[0] == '#' || name[0] == '~' || name[0] == '@'))
      return MakeError("'" + std::string(v) + "': key-ID and raw identities are not supported");
    if (name.empty()) return MakeError("'@' needs a name after it");
    id.kind = name.find('@') != std::string_view::npos ? Identity::Kind::kUserFqdn
                                                       : Identity::Kind::kFqdn;
    id.name = std::string(name);
    return id;
  }
  if (v.find('=') != std::string_view::npos) {
    auto dn = cert::ParseDn(v);
    if (!dn) return MakeError(dn.error().message);
    id.kind = Identity::Kind::kDn;
    id.name = cert::NameToString(dn->get());
    return id;
  }
  if (LooksNumericDotted(v))
    return MakeError("'" + std::string(v) +
                     "' is not a valid IPv4 address (check the digits); write @name for a name ID");
  if (v.find_first_of(" \t\"'") != std::string_view::npos)
    return MakeError("'" + std::string(v) + "' contains spaces or quotes");
  if (v.find('@') != std::string_view::npos) {
    id.kind = Identity::Kind::kUserFqdn;
    id.name = std::string(v);
    return id;
  }
  if (v.find(':') != std::string_view::npos)
    return MakeError("'" + std::string(v) + "' is not a valid IPv6 address");
  id.kind = Identity::Kind::kFqdn;
  id.name = std::string(v);
  if (warning)
    *warning = "'" + std::string(v) +
               "' is taken as an FQDN identity (strongSwan's reading; "
               "libreswan would look it up in DNS): write @" +
               std::string(v) + " to say so";
  return id;
}

std::optional<std::string> ClosestMatch(std::string_view word,
                                        const std::vector<std::string>& candidates) {
  // Optimal string alignment distance (adjacent transpositions count 1).
  auto distance = [](std::string_view a, std::string_view b) {
    std::vector<std::vector<size_t>> d(a.size() + 1, std::vector<size_t>(b.size() + 1));
    for (size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
    for (size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
    for (size_t i = 1; i <= a.size(); ++i) {
      for (size_t j = 1; j <= b.size(); ++j) {
        size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
        d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
        if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
          d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
    return d[a.size()][b.size()];
  };
  if (word.size() > 64) return std::nullopt;
  std::string lower(word);
  std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
  size_t best = SIZE_MAX;
  std::optional<std::string> out;
  size_t limit = word.size() <= 4 ? 1 : word.size() <= 8 ? 2 : 3;
  for (const auto& c : candidates) {
    size_t dist = distance(lower, c);
    if (dist < best && dist <= limit) {
      best = dist;
      out = c;
    }
  }
  return out;
}

}  // namespace ipsec::config
