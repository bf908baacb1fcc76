// LoadConfig: read (conf_reader), check keywords, merge %default and also=,
// then build each conn (conn_builder).
#include "config/config.h"

#include <algorithm>
#include <functional>
#include <map>
#include <set>

#include "config/conf_reader.h"
#include "config/conn_builder.h"
#include "config/keywords.h"
#include "config/values.h"

namespace ipsec::config {

const Connection* Config::Find(const std::string& name) const {
  for (const auto& c : connections)
    if (c.name == name) return &c;
  return nullptr;
}

std::string Config::SecretsPath() const {
  std::string dir = ".";
  if (size_t slash = path.rfind('/'); slash != std::string::npos)
    dir = slash ? path.substr(0, slash) : "/";
  if (!setup.secretsfile.empty())
    return setup.secretsfile[0] == '/' ? setup.secretsfile : dir + "/" + setup.secretsfile;
  return dir + "/ipsec.secrets";
}

namespace {

struct CheckedSection {
  const RawSection* raw;
  SettingMap settings;           // canonical key -> setting (also= excluded)
  std::vector<RawSetting> also;  // in order
};

class Resolver {
 public:
  Resolver(const LoadOptions& options, const HostInfo& host, std::vector<Diagnostic>* errors,
           std::vector<Diagnostic>* warnings)
      : options_(options), host_(host), d_{errors, warnings} {}

  void Run(const RawConfig& raw, Config* out);

 private:
  void CheckSection(const RawSection& s, SettingMap* settings, std::vector<RawSetting>* also);
  // own settings, then also= targets in order, each only where not yet set.
  bool Collect(const std::string& name, std::vector<std::string>* stack, SettingMap* into,
               const RawSetting* via);

  const LoadOptions& options_;
  const HostInfo& host_;
  Diagnostics d_;
  std::map<std::string, CheckedSection> conns_;
  std::vector<std::string> conn_order_;
  CheckedSection default_;
  bool have_default_ = false;
  std::set<std::string> reported_loops_;
  // mtu= sets the MTU of the conn's ipsecN device: the first loaded conn
  // with mtu= on a device wins; a later one that disagrees gets a warning.
  void CheckDeviceMtu(const Connection& c, const SettingMap& merged);
  std::map<std::string, std::pair<std::string, uint32_t>> device_mtu_;  // ipsecN[@NS]: conn, mtu
};

void Resolver::CheckDeviceMtu(const Connection& c, const SettingMap& merged) {
  if (!c.mtu || c.auto_action == AutoAction::kIgnore) return;
  const std::string dev = DeviceName(c);
  auto [it, inserted] = device_mtu_.emplace(dev, std::make_pair(c.name, *c.mtu));
  if (inserted || it->second.second == *c.mtu) return;
  d_.Warn(merged.at("mtu"),
          "conn " + c.name + " sets " + dev + "'s MTU to " + std::to_string(*c.mtu) + " but conn " +
              it->second.first + " sets it to " + std::to_string(it->second.second) + "; " +
              std::to_string(it->second.second) + " (conn " + it->second.first + ") is used");
}

void Resolver::CheckSection(const RawSection& s, SettingMap* settings,
                            std::vector<RawSetting>* also) {
  const KeywordScope scope =
      s.kind == RawSection::Kind::kSetup ? KeywordScope::kSetup : KeywordScope::kConn;
  for (const auto& st : s.settings) {
    auto m = FindKeyword(st.key, scope);
    if (!m) {
      std::string msg = "unknown keyword";
      if (auto near = ClosestMatch(st.key, AllKeywordNames()))
        msg += " (did you mean " + *near + "?)";
      d_.Error(st, msg);
      continue;
    }
    if (m->keyword->scope != scope) {
      d_.Error(st, scope == KeywordScope::kConn
                       ? "belongs in 'config setup', not in a conn section"
                       : "belongs in a conn section, not in 'config setup'");
      continue;
    }
    if (m->keyword->support == KeywordSupport::kUnimplemented) {
      std::string msg = "known but not implemented yet; ignored";
      if (!m->keyword->note.empty()) msg += " (" + std::string(m->keyword->note) + ")";
      d_.Warn(st, msg);
      continue;
    }
    if (m->keyword->support == KeywordSupport::kNoEffect) {
      std::string msg = "parsed, but has no effect yet";
      if (!m->keyword->note.empty()) msg += " (" + std::string(m->keyword->note) + ")";
      d_.Warn(st, msg);  // still parsed below: a bad value is an error
    }
    if (m->keyword->support == KeywordSupport::kObsolete) {
      std::string msg = "obsolete; ignored";
      if (!m->keyword->note.empty()) msg += " (" + std::string(m->keyword->note) + ")";
      d_.Warn(st, msg);
      continue;
    }
    if (m->canonical == "also") {
      for (const auto& target : SplitList(st.value)) {
        RawSetting one = st;
        one.value = target;
        also->push_back(one);
      }
      continue;
    }
    auto [it, inserted] = settings->emplace(m->canonical, st);
    if (!inserted) {
      std::string msg =
          "set twice in this section (first at line " + std::to_string(it->second.where.line) + ")";
      if (it->second.key != st.key)
        msg += "; " + st.key + "= and " + it->second.key + "= are the same setting";
      d_.Error(st, msg);
    }
  }
}

bool Resolver::Collect(const std::string& name, std::vector<std::string>* stack, SettingMap* into,
                       const RawSetting* via) {
  auto it = conns_.find(name);
  if (it == conns_.end()) {
    std::vector<std::string> names(conn_order_.begin(), conn_order_.end());
    std::string msg = "no conn named '" + name + "'";
    if (auto near = ClosestMatch(name, names)) msg += " (did you mean " + *near + "?)";
    d_.Error(*via, msg);
    return false;
  }
  if (std::find(stack->begin(), stack->end(), name) != stack->end()) {
    // Report each cycle once, not once per conn on it.
    std::vector<std::string> members(std::find(stack->begin(), stack->end(), name), stack->end());
    std::sort(members.begin(), members.end());
    std::string key;
    for (const auto& m : members) key += m + "\n";
    if (reported_loops_.insert(key).second) {
      std::string chain;
      for (const auto& n : *stack) chain += n + " -> ";
      d_.Error(*via, "also= loop: " + chain + name);
    }
    return false;
  }
  stack->push_back(name);
  for (const auto& [k, v] : it->second.settings) into->emplace(k, v);
  bool ok = true;
  for (const auto& a : it->second.also) ok = Collect(a.value, stack, into, &a) && ok;
  stack->pop_back();
  return ok;
}

void Resolver::Run(const RawConfig& raw, Config* out) {
  SettingMap setup;
  std::set<std::string> also_targets;
  for (const auto& s : raw.sections) {
    if (s.kind == RawSection::Kind::kCa) continue;
    if (s.kind == RawSection::Kind::kSetup) {
      std::vector<RawSetting> also;
      CheckSection(s, &setup, &also);
      continue;
    }
    if (s.name == "%default") {
      // Several %default sections merge (strongSwan); the first setting wins.
      SettingMap m;
      std::vector<RawSetting> also;
      CheckSection(s, &m, &also);
      for (auto& [k, v] : m) {
        auto [it, inserted] = default_.settings.emplace(k, v);
        if (!inserted)
          d_.Error(v, "set twice in conn %default (first at " + it->second.where.ToString() + ")");
      }
      default_.also.insert(default_.also.end(), also.begin(), also.end());
      have_default_ = true;
      continue;
    }
    if (auto it = conns_.find(s.name); it != conns_.end()) {
      d_.Error(s.where, "conn",
               "conn " + s.name + " is defined twice (first at " +
                   it->second.raw->where.ToString() + ")");
      continue;
    }
    CheckedSection c;
    c.raw = &s;
    CheckSection(s, &c.settings, &c.also);
    for (const auto& a : c.also) also_targets.insert(a.value);
    conns_.emplace(s.name, std::move(c));
    conn_order_.push_back(s.name);
  }
  for (const auto& a : default_.also) also_targets.insert(a.value);
  out->setup = BuildSetup(setup, d_);

  for (const auto& name : conn_order_) {
    const CheckedSection& c = conns_.at(name);
    SettingMap merged;
    std::vector<std::string> stack;
    RawSetting self{"conn", name, c.raw->where};
    if (!Collect(name, &stack, &merged, &self)) continue;
    if (have_default_) {
      for (const auto& [k, v] : default_.settings) merged.emplace(k, v);
      bool ok = true;
      std::vector<std::string> dstack{name};
      for (const auto& a : default_.also) ok = Collect(a.value, &dstack, &merged, &a) && ok;
      if (!ok) continue;
    }
    // A conn only used through also= and not itself started is a template.
    auto a = merged.find("auto");
    if (also_targets.count(name) && (a == merged.end() || a->second.value == "ignore")) continue;
    auto conn =
        BuildConnection(name, c.raw->where, merged, host_, options_, d_, raw.openswan_files);
    if (!conn) continue;
    CheckDeviceMtu(*conn, merged);
    out->connections.push_back(std::move(*conn));
  }
}

Result<Config> Finish(RawConfig raw, const std::string& path, const LoadOptions& options,
                      std::vector<Diagnostic> errors, std::vector<Diagnostic> warnings) {
  std::unique_ptr<HostInfo> system;
  const HostInfo* host = options.host;
  if (!host) {
    system = SystemHostInfo();
    host = system.get();
  }
  Config cfg;
  cfg.path = path;
  cfg.files = raw.files;
  Resolver(options, *host, &errors, &warnings).Run(raw, &cfg);
  cfg.warnings = std::move(warnings);
  if (!errors.empty()) {
    std::string msg;
    for (const auto& e : errors) msg += (msg.empty() ? "" : "\n") + e.ToString();
    return MakeError(msg);
  }
  return cfg;
}

}  // namespace

Result<Config> LoadConfig(const std::string& path, const LoadOptions& options) {
  std::vector<Diagnostic> errors, warnings;
  ConfReader reader(options, &errors, &warnings);
  reader.ReadFile(path, nullptr);
  return Finish(reader.Take(), path, options, std::move(errors), std::move(warnings));
}

Result<Config> ParseConfigText(std::string_view text, const std::string& file_name,
                               const LoadOptions& options) {
  std::vector<Diagnostic> errors, warnings;
  ConfReader reader(options, &errors, &warnings);
  reader.ReadText(text, file_name);
  return Finish(reader.Take(), file_name, options, std::move(errors), std::move(warnings));
}

}  // namespace ipsec::config
