#include "ctl/args.h"

#include <linux/ipsec_tun.h>
#include <netinet/in.h>

#include <map>
#include <set>

#include "common/hex.h"
#include "kernel/algorithms.h"
#include "kernel/mss_clamp.h"

namespace ipsec::ctl {
namespace {

using kernel::Direction;

Error BadArg(const std::string& msg) {
  return MakeError(msg, EINVAL);
}

// The keyword/value pairs of a command line, each keyword at most once
// (except those listed as repeatable), flags without a value.
class Keywords {
 public:
  // value_keys take one value; flag_keys none; repeat_keys may appear again.
  static Result<Keywords> Parse(Words words, const std::set<std::string>& value_keys,
                                const std::set<std::string>& flag_keys,
                                const std::set<std::string>& repeat_keys = {}) {
    Keywords k;
    for (size_t i = 0; i < words.size(); i++) {
      const std::string& w = words[i];
      bool is_flag = flag_keys.count(w) > 0;
      if (!is_flag && !value_keys.count(w)) return BadArg("unknown argument '" + w + "'");
      if (k.values_.count(w) && !repeat_keys.count(w))
        return BadArg("'" + w + "' given more than once");
      if (is_flag) {
        k.values_[w].push_back("");
        continue;
      }
      if (i + 1 >= words.size()) return BadArg("'" + w + "' needs a value");
      k.values_[w].push_back(words[++i]);
    }
    return k;
  }
  bool Has(const std::string& key) const { return values_.count(key) > 0; }
  std::optional<std::string> Get(const std::string& key) const {
    auto it = values_.find(key);
    if (it == values_.end()) return std::nullopt;
    return it->second.front();
  }
  Result<std::string> Require(const std::string& key) const {
    if (auto v = Get(key)) return *v;
    return BadArg("'" + key + "' is required");
  }
  std::vector<std::string> All(const std::string& key) const {
    auto it = values_.find(key);
    return it == values_.end() ? std::vector<std::string>{} : it->second;
  }

 private:
  std::map<std::string, std::vector<std::string>> values_;
};

Result<std::string> ParseDevName(const std::string& s) {
  if (s.empty() || s.size() >= 16 || s.find('/') != std::string::npos ||
      s.find_first_of(" \t\n") != std::string::npos)
    return BadArg("dev: '" + s + "' is not a valid interface name");
  return s;
}

// The required "dev D", a valid interface name.
Result<std::string> RequireDev(const Keywords& kw) {
  auto dev = kw.Require("dev");
  if (!dev) return dev.error();
  return ParseDevName(*dev);
}

Result<Direction> ParseDir(const std::string& s) {
  if (s == "in") return Direction::kIn;
  if (s == "out") return Direction::kOut;
  return BadArg("dir: expected 'in' or 'out', got '" + s + "'");
}

Result<IpAddress> ParseAddr(const std::string& what, const std::string& s) {
  auto a = IpAddress::Parse(s);
  if (!a) return BadArg(what + ": '" + s + "' is not an IPv4 or IPv6 address");
  return *a;
}

Result<IpPrefix> ParsePrefix(const std::string& what, const std::string& s) {
  auto p = IpPrefix::Parse(s);
  if (!p)
    return BadArg(what + ": '" + s + "' is not an address or prefix (10.0.0.0/24, 2001:db8::/64)");
  return *p;
}

std::string Describe(const kernel::EncrAlgorithm& a) {
  if (!a.combined) return std::to_string(a.enc_key_bytes) + " bytes";
  return std::to_string(a.enc_key_bytes) + " bytes (" + std::to_string(a.enc_key_bytes - 4) +
         " key + 4 salt)";
}

// Lifetime keywords and where they go.
struct LifetimeKey {
  const char* name;
  bool hard;
  uint64_t kernel::Lifetime::*field;
};
constexpr LifetimeKey kLifetimeKeys[] = {
    {"soft-bytes", false, &kernel::Lifetime::bytes},
    {"hard-bytes", true, &kernel::Lifetime::bytes},
    {"soft-packets", false, &kernel::Lifetime::packets},
    {"hard-packets", true, &kernel::Lifetime::packets},
    {"soft-seconds", false, &kernel::Lifetime::seconds},
    {"hard-seconds", true, &kernel::Lifetime::seconds},
};

// The lifetime keywords present in kw, into soft and hard; soft above hard
// is refused (for limits given in both).
Status ParseLifetimes(const Keywords& kw, kernel::Lifetime& soft, kernel::Lifetime& hard) {
  for (const auto& l : kLifetimeKeys) {
    if (auto v = kw.Get(l.name)) {
      auto n = ParseNumber(l.name, *v, UINT64_MAX);
      if (!n) return n.error();
      // Not `(cond ? a : b).*field = v`: g++ 12 assigns to a temporary copy.
      kernel::Lifetime& life = l.hard ? hard : soft;
      life.*(l.field) = *n;
    }
  }
  for (const auto& l : kLifetimeKeys) {
    if (!l.hard) continue;
    uint64_t h = hard.*(l.field), s = soft.*(l.field);
    if (h && s && s > h)
      return BadArg(std::string("soft-") + (l.name + 5) + ": soft limit above the hard limit");
  }
  return {};
}

// encap SPORT:DPORT
Result<std::pair<uint16_t, uint16_t>> ParseEncapPorts(const std::string& e) {
  auto colon = e.find(':');
  if (colon == std::string::npos)
    return BadArg("encap: expected SPORT:DPORT, e.g. 4500:4500, got '" + e + "'");
  auto sp = ParseNumber("encap", e.substr(0, colon), 65535);
  if (!sp) return sp.error();
  auto dp = ParseNumber("encap", e.substr(colon + 1), 65535);
  if (!dp) return dp.error();
  if (*sp == 0 || *dp == 0) return BadArg("encap: port 0 is not a valid UDP port");
  return std::pair<uint16_t, uint16_t>(static_cast<uint16_t>(*sp), static_cast<uint16_t>(*dp));
}

// dev D dir in|out spi N: the SA's identity, common to update and del.
Result<SaIdArgs> ParseSaId(const Keywords& kw) {
  SaIdArgs out;
  auto name = RequireDev(kw);
  if (!name) return name.error();
  out.dev = *name;
  auto dir_s = kw.Require("dir");
  if (!dir_s) return dir_s.error();
  auto dir = ParseDir(*dir_s);
  if (!dir) return dir.error();
  out.dir = *dir;
  auto spi_s = kw.Require("spi");
  if (!spi_s) return spi_s.error();
  auto spi = ParseSpi(*spi_s);
  if (!spi) return spi.error();
  out.spi = *spi;
  return out;
}

}  // namespace

Result<uint64_t> ParseNumber(const std::string& what, const std::string& s, uint64_t max) {
  if (s.empty()) return BadArg(what + ": empty number");
  size_t i = 0;
  int base = 10;
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    base = 16;
    i = 2;
  }
  uint64_t v = 0;
  for (; i < s.size(); i++) {
    char c = s[i];
    int d;
    if (c >= '0' && c <= '9')
      d = c - '0';
    else if (base == 16 && c >= 'a' && c <= 'f')
      d = c - 'a' + 10;
    else if (base == 16 && c >= 'A' && c <= 'F')
      d = c - 'A' + 10;
    else
      return BadArg(what + ": '" + s + "' is not a number");
    if (v > (max - static_cast<uint64_t>(d)) / static_cast<uint64_t>(base))
      return BadArg(what + ": " + s + " is out of range (max " + std::to_string(max) + ")");
    v = v * static_cast<uint64_t>(base) + static_cast<uint64_t>(d);
  }
  return v;
}

Result<uint32_t> ParseSpi(const std::string& s) {
  auto v = ParseNumber("spi", s, 0xffffffffu);
  if (!v) return v.error();
  if (*v < 256) return BadArg("spi: " + s + " is reserved (SPIs 0-255, RFC 4303 2.1); use >= 256");
  return static_cast<uint32_t>(*v);
}

Result<SecureBytes> ParseHexKey(const std::string& what, const std::string& s) {
  if (s.size() < 2 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X'))
    return BadArg(what + ": expected hex starting with 0x");
  auto bytes = FromHex(std::string_view(s).substr(2));
  if (!bytes || bytes->empty()) return BadArg(what + ": not a valid hex string");
  SecureBytes key(*bytes);
  OPENSSL_cleanse(bytes->data(), bytes->size());
  return key;
}

Result<uint8_t> ParseProto(const std::string& s) {
  static const std::map<std::string, uint8_t> kNames = {{"any", 0},
                                                        {"icmp", IPPROTO_ICMP},
                                                        {"tcp", IPPROTO_TCP},
                                                        {"udp", IPPROTO_UDP},
                                                        {"gre", IPPROTO_GRE},
                                                        {"esp", IPPROTO_ESP},
                                                        {"icmpv6", IPPROTO_ICMPV6},
                                                        {"sctp", IPPROTO_SCTP}};
  if (auto it = kNames.find(s); it != kNames.end()) return it->second;
  auto v = ParseNumber("proto", s, 255);
  if (!v) return BadArg("proto: '" + s + "' is not a protocol name (tcp, udp, icmp, ...) or 0-255");
  return static_cast<uint8_t>(*v);
}

Result<std::pair<uint16_t, uint16_t>> ParsePortRange(const std::string& what,
                                                     const std::string& s) {
  auto dash = s.find('-');
  auto lo = ParseNumber(what, s.substr(0, dash), 65535);
  if (!lo) return lo.error();
  uint64_t hi = *lo;
  if (dash != std::string::npos) {
    auto h = ParseNumber(what, s.substr(dash + 1), 65535);
    if (!h) return h.error();
    hi = *h;
  }
  if (hi < *lo) return BadArg(what + ": range " + s + " is empty (first port above last)");
  return std::pair<uint16_t, uint16_t>(static_cast<uint16_t>(*lo), static_cast<uint16_t>(hi));
}

Result<kernel::TrafficSelector> ParseSaSelector(const std::string& s) {
  auto dash = s.find('-');
  if (dash == std::string::npos)
    return BadArg("sel: expected SRC-DST, e.g. 10.1.0.0/24-10.2.0.0/24, got '" + s + "'");
  auto src = ParsePrefix("sel", s.substr(0, dash));
  if (!src) return src.error();
  auto dst = ParsePrefix("sel", s.substr(dash + 1));
  if (!dst) return dst.error();
  if (src->family() != dst->family()) return BadArg("sel: '" + s + "' mixes IPv4 and IPv6");
  kernel::TrafficSelector ts;
  ts.src = *src;
  ts.dst = *dst;
  return ts;
}

Result<SaAddArgs> ParseSaAdd(Words words) {
  std::set<std::string> value_keys = {"dev",           "dir",   "spi", "reqid", "src",
                                      "dst",           "enc",   "key", "auth",  "authkey",
                                      "replay-window", "encap", "sel", "seq"};
  for (const auto& l : kLifetimeKeys) value_keys.insert(l.name);
  auto kw = Keywords::Parse(words, value_keys, {"esn"}, {"sel"});
  if (!kw) return kw.error();
  SaAddArgs out;
  kernel::SaParams& sa = out.sa;

  auto dev_name = RequireDev(*kw);
  if (!dev_name) return dev_name.error();
  out.dev = *dev_name;

  auto dir_s = kw->Require("dir");
  if (!dir_s) return dir_s.error();
  auto dir = ParseDir(*dir_s);
  if (!dir) return dir.error();
  sa.dir = *dir;

  auto spi_s = kw->Require("spi");
  if (!spi_s) return spi_s.error();
  auto spi = ParseSpi(*spi_s);
  if (!spi) return spi.error();
  sa.spi = *spi;

  if (auto r = kw->Get("reqid")) {
    auto v = ParseNumber("reqid", *r, 0xffffffffu);
    if (!v) return v.error();
    sa.reqid = static_cast<uint32_t>(*v);
  } else if (sa.dir == Direction::kOut) {
    return BadArg("'reqid' is required for dir out (policies name it)");
  }

  auto src_s = kw->Require("src");
  if (!src_s) return src_s.error();
  auto src = ParseAddr("src", *src_s);
  if (!src) return src.error();
  auto dst_s = kw->Require("dst");
  if (!dst_s) return dst_s.error();
  auto dst = ParseAddr("dst", *dst_s);
  if (!dst) return dst.error();
  if (src->family() != dst->family()) return BadArg("src and dst: one is IPv4, the other IPv6");
  sa.src = *src;
  sa.dst = *dst;

  auto enc_s = kw->Require("enc");
  if (!enc_s) return enc_s.error();
  const kernel::EncrAlgorithm* enc = kernel::FindEncr(*enc_s);
  if (!enc) return BadArg("enc: unknown algorithm '" + *enc_s + "'; known: " + kernel::EncrNames());
  sa.encr_id = enc->encr_id;
  sa.encr_key_bits = enc->key_bits;
  auto key_s = kw->Require("key");
  if (!key_s) return key_s.error();
  auto key = ParseHexKey("key", *key_s);
  if (!key) return key.error();
  if (key->size() != enc->enc_key_bytes)
    return BadArg("key: " + std::string(enc->name) + " needs " + Describe(*enc) + ", got " +
                  std::to_string(key->size()));
  sa.enc_key = std::move(*key);

  if (enc->combined) {
    if (kw->Has("auth") || kw->Has("authkey"))
      return BadArg("auth: " + std::string(enc->name) +
                    " authenticates by itself; give no 'auth'/'authkey'");
  } else {
    auto auth_s = kw->Get("auth");
    if (!auth_s)
      return BadArg("'auth' is required with " + std::string(enc->name) +
                    " (one of: " + kernel::IntegNames() + ")");
    const kernel::IntegAlgorithm* integ = kernel::FindInteg(*auth_s);
    if (!integ)
      return BadArg("auth: unknown algorithm '" + *auth_s + "'; known: " + kernel::IntegNames());
    auto ak_s = kw->Require("authkey");
    if (!ak_s) return ak_s.error();
    auto ak = ParseHexKey("authkey", *ak_s);
    if (!ak) return ak.error();
    if (ak->size() != integ->key_bytes)
      return BadArg("authkey: " + std::string(integ->name) + " needs " +
                    std::to_string(integ->key_bytes) + " bytes, got " + std::to_string(ak->size()));
    sa.integ_id = integ->integ_id;
    sa.auth_key = std::move(*ak);
  }

  if (auto w = kw->Get("replay-window")) {
    auto v = ParseNumber("replay-window", *w, IPSEC_TUN_REPLAY_WINDOW_MAX);
    if (!v) return v.error();
    sa.replay_window = static_cast<uint32_t>(*v);
  }
  sa.esn = kw->Has("esn");
  if (auto e = kw->Get("encap")) {
    auto ports = ParseEncapPorts(*e);
    if (!ports) return ports.error();
    std::tie(sa.encap_sport, sa.encap_dport) = *ports;
  }
  if (auto q = kw->Get("seq")) {
    // The module's sequence space (uapi SEQ): 2^32 - 1, with ESN 2^63 - 1
    // outbound (any 64-bit value inbound).
    uint64_t max = !sa.esn ? 0xffffffffu : sa.dir == Direction::kOut ? INT64_MAX : UINT64_MAX;
    auto v = ParseNumber("seq", *q, max);
    if (!v) return v.error();
    sa.seq = *v;
  }
  for (const auto& s : kw->All("sel")) {
    auto ts = ParseSaSelector(s);
    if (!ts) return ts.error();
    sa.selectors.push_back(*ts);
  }
  if (sa.selectors.size() > 64) return BadArg("sel: at most 64 selectors per SA");
  if (auto st = ParseLifetimes(*kw, sa.soft, sa.hard); !st) return st.error();
  return out;
}

Result<SaUpdateArgs> ParseSaUpdate(Words words) {
  std::set<std::string> value_keys = {"dev", "dir", "spi", "src", "dst", "encap"};
  for (const auto& l : kLifetimeKeys) value_keys.insert(l.name);
  auto kw = Keywords::Parse(words, value_keys, {});
  if (!kw) return kw.error();
  auto id = ParseSaId(*kw);
  if (!id) return id.error();
  SaUpdateArgs out;
  out.dev = id->dev;
  out.upd.spi = id->spi;
  out.upd.dir = id->dir;
  for (const char* which : {"src", "dst"}) {
    auto v = kw->Get(which);
    if (!v) continue;
    auto a = ParseAddr(which, *v);
    if (!a) return a.error();
    (which[0] == 's' ? out.upd.src : out.upd.dst) = *a;
  }
  if (out.upd.src && out.upd.dst && out.upd.src->family() != out.upd.dst->family())
    return BadArg("src and dst: one is IPv4, the other IPv6");
  if (auto e = kw->Get("encap")) {
    auto ports = ParseEncapPorts(*e);
    if (!ports) return ports.error();
    std::tie(out.upd.encap_sport, out.upd.encap_dport) = *ports;
  }
  kernel::Lifetime soft, hard;
  if (auto st = ParseLifetimes(*kw, soft, hard); !st) return st.error();
  bool any_life = false;
  for (const auto& l : kLifetimeKeys) any_life = any_life || kw->Has(l.name);
  if (any_life) {
    out.upd.soft = soft;
    out.upd.hard = hard;
  }
  if (!out.upd.src && !out.upd.dst && !out.upd.encap_sport && !any_life)
    return BadArg("nothing to update: give src, dst, encap or a lifetime");
  return out;
}

Result<SaIdArgs> ParseSaDel(Words words) {
  auto kw = Keywords::Parse(words, {"dev", "dir", "spi"}, {});
  if (!kw) return kw.error();
  return ParseSaId(*kw);
}

Result<PolicyArgs> ParsePolicy(Words words, bool for_add) {
  auto kw = Keywords::Parse(
      words, {"dev", "src", "dst", "proto", "sport", "dport", "reqid", "priority"}, {});
  if (!kw) return kw.error();
  PolicyArgs out;
  auto name = RequireDev(*kw);
  if (!name) return name.error();
  out.dev = *name;
  kernel::TrafficSelector& sel = out.policy.sel;
  auto src_s = kw->Require("src");
  if (!src_s) return src_s.error();
  auto src = ParsePrefix("src", *src_s);
  if (!src) return src.error();
  auto dst_s = kw->Require("dst");
  if (!dst_s) return dst_s.error();
  auto dst = ParsePrefix("dst", *dst_s);
  if (!dst) return dst.error();
  if (src->family() != dst->family()) return BadArg("src and dst: one is IPv4, the other IPv6");
  sel.src = *src;
  sel.dst = *dst;
  if (auto p = kw->Get("proto")) {
    auto proto = ParseProto(*p);
    if (!proto) return proto.error();
    sel.proto = *proto;
  }
  for (const char* which : {"sport", "dport"}) {
    auto v = kw->Get(which);
    if (!v) continue;
    if (sel.proto != IPPROTO_TCP && sel.proto != IPPROTO_UDP && sel.proto != IPPROTO_SCTP)
      return BadArg(std::string(which) + ": ports need 'proto tcp', 'udp' or 'sctp'");
    auto r = ParsePortRange(which, *v);
    if (!r) return r.error();
    if (which[0] == 's')
      std::tie(sel.sport_min, sel.sport_max) = *r;
    else
      std::tie(sel.dport_min, sel.dport_max) = *r;
  }
  if (auto r = kw->Get("reqid")) {
    auto v = ParseNumber("reqid", *r, 0xffffffffu);
    if (!v) return v.error();
    out.policy.reqid = static_cast<uint32_t>(*v);
  } else if (for_add) {
    return BadArg("'reqid' is required: it names the outbound SA the policy uses");
  }
  if (auto p = kw->Get("priority")) {
    auto v = ParseNumber("priority", *p, 0xffffffffu);
    if (!v) return v.error();
    out.policy.priority = static_cast<uint32_t>(*v);
  }
  return out;
}

Result<DevArgs> ParseDev(Words words, bool required_dev) {
  auto kw = Keywords::Parse(words, {"dev"}, {});
  if (!kw) return kw.error();
  DevArgs out;
  if (auto d = kw->Get("dev")) {
    auto name = ParseDevName(*d);
    if (!name) return name.error();
    out.dev = *name;
  } else if (required_dev) {
    return BadArg("'dev' is required");
  }
  return out;
}

Result<DevSetArgs> ParseDevSet(Words words) {
  auto kw = Keywords::Parse(words, {"dev", "mss-clamp"}, {});
  if (!kw) return kw.error();
  DevSetArgs out;
  auto name = RequireDev(*kw);
  if (!name) return name.error();
  out.dev = *name;
  auto v = kw->Require("mss-clamp");
  if (!v) return v.error();
  auto clamp = kernel::ParseMssClamp(*v);
  if (!clamp) return BadArg("mss-clamp: " + clamp.error().message);
  out.mss_clamp = *clamp;
  return out;
}

Result<EncapArgs> ParseEncap(Words words) {
  auto kw = Keywords::Parse(words, {"dev", "port", "addr"}, {});
  if (!kw) return kw.error();
  EncapArgs out;
  auto name = RequireDev(*kw);
  if (!name) return name.error();
  out.dev = *name;
  if (auto p = kw->Get("port")) {
    auto v = ParseNumber("port", *p, 65535);
    if (!v) return v.error();
    if (*v == 0) return BadArg("port: 0 is not a valid UDP port");
    out.port = static_cast<uint16_t>(*v);
  }
  if (auto a = kw->Get("addr")) {
    auto addr = ParseAddr("addr", *a);
    if (!addr) return addr.error();
    out.addr = *addr;
  }
  return out;
}

}  // namespace ipsec::ctl
