#include "ike/cert/dn.h"

#include <openssl/objects.h>

#include <algorithm>
#include <cctype>
#include <string>
#include <vector>

namespace ipsec::cert {

namespace {

std::string Trim(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return std::string(s.substr(b, e - b));
}

// Splits on sep, honouring "\," escapes (the backslash is dropped).
std::vector<std::string> SplitRdns(std::string_view text, char sep) {
  std::vector<std::string> out(1);
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\' && i + 1 < text.size()) {
      out.back() += text[++i];
    } else if (text[i] == sep) {
      out.emplace_back();
    } else {
      out.back() += text[i];
    }
  }
  return out;
}

int AttributeNid(const std::string& type) {
  if (type == "E" || type == "email") return NID_pkcs9_emailAddress;
  if (type == "S") return NID_stateOrProvinceName;
  return OBJ_txt2nid(type.c_str());
}

std::string EntryText(const X509_NAME_ENTRY* e) {
  unsigned char* utf8 = nullptr;
  int len = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(e));
  if (len < 0) return "";
  std::string s(reinterpret_cast<char*>(utf8), static_cast<size_t>(len));
  OPENSSL_free(utf8);
  return s;
}

}  // namespace

bool LooksLikeDn(std::string_view text) {
  if (!text.empty() && text[0] == '/') return text.find('=') != std::string_view::npos;
  size_t eq = text.find('=');
  if (eq == std::string_view::npos || eq == 0) return false;
  std::string type = Trim(text.substr(0, eq));
  return AttributeNid(type) != NID_undef;
}

Result<OsslPtr<X509_NAME>> ParseDn(std::string_view text) {
  std::string_view body = text;
  char sep = ',';
  if (!body.empty() && body[0] == '/') {  // OpenSSL's one-line form
    body.remove_prefix(1);
    sep = '/';
  }
  OsslPtr<X509_NAME> name(X509_NAME_new());
  if (!name) return MakeError("out of memory");
  for (const std::string& part : SplitRdns(body, sep)) {
    std::string rdn = Trim(part);
    size_t eq = rdn.find('=');
    if (eq == std::string::npos || eq == 0)
      return MakeError("'" + std::string(text) + "': '" + rdn +
                       "' is not TYPE=value in a distinguished name");
    std::string type = Trim(rdn.substr(0, eq)), value = Trim(rdn.substr(eq + 1));
    int nid = AttributeNid(type);
    if (nid == NID_undef)
      return MakeError("'" + std::string(text) + "': unknown attribute type '" + type + "'");
    if (value.empty()) return MakeError("'" + std::string(text) + "': empty value for " + type);
    if (X509_NAME_add_entry_by_NID(name.get(), nid, MBSTRING_UTF8,
                                   reinterpret_cast<const unsigned char*>(value.data()),
                                   static_cast<int>(value.size()), -1, 0) != 1)
      return MakeError("'" + std::string(text) + "': bad value for " + type);
  }
  return name;
}

Result<OsslPtr<X509_NAME>> ParseDnDer(std::span<const uint8_t> der) {
  const unsigned char* p = der.data();
  X509_NAME* n = d2i_X509_NAME(nullptr, &p, static_cast<long>(der.size()));
  if (!n) return MakeError("not a DER distinguished name");
  OsslPtr<X509_NAME> out(n);
  if (p != der.data() + der.size()) return MakeError("trailing bytes after the DER name");
  return out;
}

bool DnMatches(const X509_NAME* pattern, const X509_NAME* name) {
  int n = X509_NAME_entry_count(pattern);
  if (n != X509_NAME_entry_count(name)) return false;
  for (int i = 0; i < n; ++i) {
    const X509_NAME_ENTRY* p = X509_NAME_get_entry(pattern, i);
    const X509_NAME_ENTRY* e = X509_NAME_get_entry(name, i);
    if (OBJ_cmp(X509_NAME_ENTRY_get_object(p), X509_NAME_ENTRY_get_object(e)) != 0) return false;
    std::string pv = EntryText(p), ev = EntryText(e);
    if (pv == "*") continue;
    if (pv.size() != ev.size() || !std::equal(pv.begin(), pv.end(), ev.begin(), [](char a, char b) {
          return std::tolower(static_cast<unsigned char>(a)) ==
                 std::tolower(static_cast<unsigned char>(b));
        }))
      return false;
  }
  return true;
}

}  // namespace ipsec::cert
