#include "config/ike_version.h"

#include <algorithm>
#include <optional>
#include <tuple>
#include <utility>
#include <vector>

namespace ipsec::config {

namespace {

const RawSetting* Get(const SettingMap& s, const std::string& key) {
  auto it = s.find(key);
  return it == s.end() || it->second.broken ? nullptr : &it->second;
}

// One setting's answer: the policy and why (for the IKEv1 error line).
struct Asked {
  IkeVersionPolicy policy;
  const RawSetting* setting;
  std::string why;
};

std::optional<Asked> FromIkev2(const RawSetting& st, const Diagnostics& d, bool* ok) {
  const auto& v = st.value;
  if (v == "yes") return Asked{IkeVersionPolicy::kIkev2, &st, ""};
  if (v == "insist") return Asked{IkeVersionPolicy::kIkev2Insist, &st, ""};
  // libreswan 3: propose initiates IKEv2 and accepts IKEv1; permit
  // initiates IKEv1 and accepts IKEv2. Both answer either version here.
  if (v == "propose") return Asked{IkeVersionPolicy::kIkev2Permit, &st, ""};
  if (v == "permit") {
    d.Warn(st,
           "permit: IKEv2 is initiated (libreswan 3 would start IKEv1); a peer starting "
           "with either version is answered in it");
    return Asked{IkeVersionPolicy::kIkev2Permit, &st, ""};
  }
  if (v == "no" || v == "never")
    return Asked{IkeVersionPolicy::kIkev1, &st, "ikev2=" + v + " asks for IKEv1"};
  d.Error(st, "'" + v + "' is not one of yes, no, insist, permit, propose");
  *ok = false;
  return std::nullopt;
}

std::optional<Asked> FromKeyexchange(const RawSetting& st,
                                     const std::map<std::string, std::string>& openswan_files,
                                     const Diagnostics& d, bool* ok) {
  const auto& v = st.value;
  if (v == "ikev2") return Asked{IkeVersionPolicy::kIkev2Insist, &st, ""};
  if (v == "ikev1") return Asked{IkeVersionPolicy::kIkev1, &st, "keyexchange=ikev1 asks for IKEv1"};
  if (v == "ike") {
    // strongSwan: initiate IKEv2, accept both (libreswan 4 has no
    // keyexchange=ike). Openswan (and libreswan before 4, whose ikev2=
    // defaulted to permit): IKEv1.
    auto f = openswan_files.find(st.where.file);
    if (f == openswan_files.end()) return Asked{IkeVersionPolicy::kIkev2Permit, &st, ""};
    return Asked{IkeVersionPolicy::kIkev1, &st,
                 "keyexchange=ike in a file read as Openswan's dialect (" + f->second +
                     "), where it means IKEv1"};
  }
  d.Error(st, "'" + v + "' is not one of ike, ikev1, ikev2");
  *ok = false;
  return std::nullopt;
}

bool IsYes(const std::string& v) {
  return v == "yes" || v == "true" || v == "1" || v == "push" || v == "pull" || v == "client" ||
         v == "server";
}

}  // namespace

bool ResolveIkeVersion(const SettingMap& settings,
                       const std::map<std::string, std::string>& openswan_files,
                       const LoadOptions& options, const Diagnostics& d, Connection* c) {
  bool ok = true;
  std::optional<Asked> by_ikev2, by_keyexchange;
  if (const RawSetting* st = Get(settings, "ikev2")) by_ikev2 = FromIkev2(*st, d, &ok);
  if (const RawSetting* st = Get(settings, "keyexchange"))
    by_keyexchange = FromKeyexchange(*st, openswan_files, d, &ok);
  if (!ok) return false;
  // Either version (kIkev2Permit) agrees with both; IKEv1 only and IKEv2
  // only contradict each other.
  const auto both = IkeVersionPolicy::kIkev2Permit;
  if (by_ikev2 && by_keyexchange && by_ikev2->policy != both && by_keyexchange->policy != both &&
      (by_ikev2->policy == IkeVersionPolicy::kIkev1) !=
          (by_keyexchange->policy == IkeVersionPolicy::kIkev1)) {
    d.Error(*by_keyexchange->setting, "contradicts " + by_ikev2->setting->key + "=" +
                                          by_ikev2->setting->value + " (line " +
                                          std::to_string(by_ikev2->setting->where.line) + ")");
    return false;
  }
  // keyexchange= is the more specific of the two when both agree, unless
  // it allows either version and ikev2= narrows it.
  const bool narrowed = by_keyexchange && by_ikev2 && by_keyexchange->policy == both;
  const std::optional<Asked>& won = by_keyexchange && !narrowed ? by_keyexchange : by_ikev2;
  if (!won) return true;
  c->ike_version = won->policy;
  if (won->policy == IkeVersionPolicy::kIkev1 && !options.ikev1_negotiated) {
    d.Error(*won->setting, "IKEv1 is not yet negotiated by this daemon (only IKEv2 is): " +
                               won->why + "; use keyexchange=ikev2 if the peer speaks IKEv2");
    return false;
  }
  return true;
}

bool RefuseIkev1Extensions(const SettingMap& settings, const Diagnostics& d) {
  std::vector<std::pair<const RawSetting*, std::string>> errors;
  auto refuse = [&](const std::string& key, bool any_value, const std::string& why) {
    const RawSetting* st = Get(settings, key);
    if (!st) return;
    if (!any_value && !IsYes(st->value)) {
      if (st->value != "no" && st->value != "false" && st->value != "0")
        errors.emplace_back(st, "'" + st->value + "' is not yes or no");
      return;
    }
    errors.emplace_back(st, why);
  };
  const std::string aggressive =
      "aggressive mode is refused: it sends a hash keyed with the pre-shared key before either "
      "side is authenticated, so anyone who sees it can guess the key offline (main mode only)";
  const std::string xauth =
      "XAUTH is not supported (an IKEv1 extension outside RFC 2409; pre-shared keys only)";
  const std::string modecfg =
      "mode-config is not supported (no address or DNS assignment; configure both ends)";
  refuse("aggressive", false, aggressive);
  refuse("aggrmode", false, aggressive);
  refuse("xauth", true, xauth);
  refuse("xauth_identity", true, xauth);
  refuse("modecfgdns", true, modecfg);
  refuse("modecfgpull", false, modecfg);
  for (const char* side : {"left", "right"}) {
    refuse(std::string(side) + "xauthclient", false, xauth);
    refuse(std::string(side) + "xauthserver", false, xauth);
    refuse(std::string(side) + "modecfgclient", false, modecfg);
    refuse(std::string(side) + "modecfgserver", false, modecfg);
  }
  // In file order, as the other errors of a conn.
  std::stable_sort(errors.begin(), errors.end(), [](const auto& a, const auto& b) {
    return std::tie(a.first->where.file, a.first->where.line) <
           std::tie(b.first->where.file, b.first->where.line);
  });
  for (const auto& [st, why] : errors) d.Error(*st, why);
  return errors.empty();
}

}  // namespace ipsec::config
