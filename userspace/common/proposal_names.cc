// Transform names and the ike=/esp= parser. One token table serves both
// dialects: libreswan writes "aes_gcm256-sha384-dh20" or "aes128-sha1;modp1024",
// strongSwan "aes256gcm16-prfsha384-ecp384!"; each token's transform type is
// recognised from its name, so the two can even be mixed. The spellings and
// what the module implements are the registry's (common/algorithms.h); the
// AES grammar (key length, GCM ICV part) is here.
#include "common/proposal_names.h"

#include <algorithm>
#include <cctype>
#include <optional>

#include "common/algorithms.h"
#include "common/default_proposals.h"

namespace ipsec {
namespace {

namespace encr = alg::encr;
namespace integ = alg::integ;
namespace prf = alg::prf;
namespace esn = alg::esn;
using TT = TransformType;

bool IsAead(uint16_t encr_id) {
  const alg::Encr* e = alg::FindEncr(encr_id);
  return e && e->aead;
}

bool IsToken(const alg::Tokens& tokens, std::string_view s) {
  return std::find(tokens.begin(), tokens.end(), s) != tokens.end();
}

// ---------------------------------------------------------------------------
// Token recognition.

enum class Kind { kEncr, kHash, kPrf, kDh, kEsn, kNone, kKeyBits };

struct Token {
  Token(Kind k, uint16_t i = 0, uint16_t bits = 0, bool is_aead = false)
      : kind(k), id(i), key_bits(bits), aead(is_aead) {}
  Kind kind;
  uint16_t id;
  uint16_t key_bits;
  bool aead;
  std::string weak;  // non-empty: accepted with this warning
};

bool ParseBits(std::string_view s, uint16_t* bits) {
  if (s == "128")
    *bits = 128;
  else if (s == "192")
    *bits = 192;
  else if (s == "256")
    *bits = 256;
  else
    return false;
  return true;
}

bool ConsumePrefix(std::string_view* s, std::string_view p) {
  if (s->substr(0, p.size()) != p) return false;
  s->remove_prefix(p.size());
  return true;
}

// GCM ICV length spellings: strongSwan "16"/"128" (octets/bits), libreswan
// "_a"/"_b"/"_c" (8/12/16 octets) or "8"/"12"/"16"; nothing means 16.
std::optional<uint16_t> GcmIcv(std::string_view s) {
  if (s.empty()) return encr::kAesGcm16;
  for (uint16_t id : {encr::kAesGcm16, encr::kAesGcm12, encr::kAesGcm8})
    if (IsToken(alg::FindEncr(id)->tokens, s)) return id;
  return std::nullopt;
}

std::optional<Token> AesToken(std::string_view rest) {
  uint16_t bits = 0;
  // CBC: "aes", "aes256", "aes_cbc", "aes_cbc256", "aes_cbc_256", "aescbc256"?
  std::string_view cbc = rest;
  if (!ConsumePrefix(&cbc, "_cbc")) ConsumePrefix(&cbc, "cbc");
  if (!cbc.empty() && cbc[0] == '_') cbc.remove_prefix(1);
  if (cbc.empty()) return Token{Kind::kEncr, encr::kAesCbc, 128};
  if (ParseBits(cbc, &bits)) return Token{Kind::kEncr, encr::kAesCbc, bits};
  // strongSwan: aes<bits>gcm<icv>, aes<bits>gmac
  if (rest.size() >= 3 && ParseBits(rest.substr(0, 3), &bits)) {
    std::string_view t = rest.substr(3);
    if (ConsumePrefix(&t, "gcm")) {
      if (auto id = GcmIcv(t)) return Token{Kind::kEncr, *id, bits, true};
    }
    if (t == "gmac") return Token{Kind::kEncr, encr::kNullAuthAesGmac, bits, true};
  }
  // libreswan: aes_gcm, aes_gcm128, aes_gcm_c, aes_gcm_c_256, aes_gcm16_256, aes_gmac_256
  std::string_view t = rest;
  if (ConsumePrefix(&t, "_gcm") || ConsumePrefix(&t, "gcm")) {
    if (t.empty()) return Token{Kind::kEncr, encr::kAesGcm16, 128, true};
    if (!t.empty() && t[0] == '_' && ParseBits(t.substr(1), &bits))
      return Token{Kind::kEncr, encr::kAesGcm16, bits, true};
    if (ParseBits(t, &bits)) return Token{Kind::kEncr, encr::kAesGcm16, bits, true};
    // ICV part, then optional key length.
    for (size_t cut = 1; cut <= t.size(); ++cut) {
      auto icv = GcmIcv(t.substr(0, cut));
      if (!icv) continue;
      std::string_view k = t.substr(cut);
      if (!k.empty() && k[0] == '_') k.remove_prefix(1);
      if (k.empty()) return Token{Kind::kEncr, *icv, 128, true};
      if (ParseBits(k, &bits)) return Token{Kind::kEncr, *icv, bits, true};
    }
    return std::nullopt;
  }
  if (ConsumePrefix(&t, "_gmac") || ConsumePrefix(&t, "gmac")) {
    if (!t.empty() && t[0] == '_') t.remove_prefix(1);
    if (t.empty()) return Token{Kind::kEncr, encr::kNullAuthAesGmac, 128, true};
    if (ParseBits(t, &bits)) return Token{Kind::kEncr, encr::kNullAuthAesGmac, bits, true};
  }
  return std::nullopt;
}

// Hash names shared by integrity ("sha256") and PRF ("prfsha256") tokens.
// Returns the integrity and PRF IDs.
bool HashIds(std::string_view s, uint16_t* integ_id, uint16_t* prf_id) {
  for (const auto& i : alg::kIntegs) {
    if (i.implemented && IsToken(i.tokens, s)) {
      *integ_id = i.id, *prf_id = i.prf;
      return true;
    }
  }
  return false;
}

// Recognised but refused, with the reason a person needs.
struct Refused {
  std::string_view prefix;
  std::string_view why;
};
constexpr Refused kRefused[] = {
    {"3des",
     "3DES is a 64-bit block cipher (Sweet32) deprecated by RFC 8221/8247 and not "
     "implemented; use aes128 or aes256"},
    {"des", "DES is broken and not implemented; use aes128 or aes256"},
    {"md5", "MD5 is broken (RFC 8247: MUST NOT); use sha256"},
    {"prfmd5", "MD5 is broken (RFC 8247: MUST NOT); use prfsha256"},
    {"modp768", "the 768-bit group is broken (RFC 8247: MUST NOT); use modp2048 or ecp256"},
    {"dh1", "the 768-bit group is broken (RFC 8247: MUST NOT); use modp2048 or ecp256"},
    {"aes_ctr", "AES-CTR is not implemented; use aes_gcm or aes"},
    {"aesctr", "AES-CTR is not implemented; use aes_gcm or aes"},
    {"blowfish", "Blowfish is not implemented; use aes"},
    {"cast", "CAST is not implemented; use aes"},
    {"camellia", "Camellia is not implemented; use aes"},
    {"serpent", "Serpent is not implemented; use aes"},
    {"twofish", "Twofish is not implemented; use aes"},
    {"aesxcbc", "AES-XCBC is not implemented; use sha256"},
    {"aes_xcbc", "AES-XCBC is not implemented; use sha256"},
    {"prfaesxcbc", "AES-XCBC is not implemented; use prfsha256"},
    {"aescmac", "AES-CMAC is not implemented; use sha256"},
    {"modp6144", "MODP 6144 is not implemented; use modp4096 or ecp384"},
    {"modp8192", "MODP 8192 is not implemented; use modp4096 or ecp384"},
    {"x448", "Curve448 is not implemented; use x25519"},
    {"curve448", "Curve448 is not implemented; use x25519"},
    {"ecp192", "ECP 192 is not implemented; use ecp256"},
    {"ecp224", "ECP 224 is not implemented; use ecp256"},
};

// token is lower case. On failure, *why says what is wrong with it.
std::optional<Token> Recognise(std::string_view token, std::string* why) {
  if (!token.empty() && std::all_of(token.begin(), token.end(), ::isdigit)) {
    uint16_t bits = 0;
    if (ParseBits(token, &bits)) return Token{Kind::kKeyBits, 0, bits};
    *why = "not a key length (128, 192 or 256)";
    return std::nullopt;
  }
  if (IsToken(alg::FindEncr(encr::kChaCha20Poly1305)->tokens, token))
    return Token{Kind::kEncr, encr::kChaCha20Poly1305, 0, true};
  if (token == "null" || token == "none") return Token{Kind::kNone};
  if (token == "esn") return Token{Kind::kEsn, esn::kYes};
  if (token == "noesn") return Token{Kind::kEsn, esn::kNo};
  for (const auto& r : kRefused) {
    if (token == r.prefix || (token.substr(0, r.prefix.size()) == r.prefix && r.prefix != "des" &&
                              r.prefix != "dh1" && r.prefix != "cast")) {
      *why = std::string(r.why);
      return std::nullopt;
    }
  }
  if (token == "3des_cbc" || token == "des_cbc" || token == "cast128") {
    *why = "not implemented; use aes128 or aes256";
    return std::nullopt;
  }
  std::string_view rest = token;
  if (ConsumePrefix(&rest, "aes")) {
    if (auto t = AesToken(rest)) return t;
    if (token.find("ctr") != std::string::npos) {
      *why = "AES-CTR is not implemented; use aes_gcm or aes";
      return std::nullopt;
    }
    *why = "unknown AES variant (write aes128, aes256, aes128gcm16, aes_gcm256, ...)";
    return std::nullopt;
  }
  uint16_t integ_id = 0, prf_id = 0;
  if (HashIds(token, &integ_id, &prf_id)) return Token{Kind::kHash, integ_id};
  std::string_view p = token;
  if (ConsumePrefix(&p, "prf")) {
    if (HashIds(p, &integ_id, &prf_id)) return Token{Kind::kPrf, prf_id};
    *why = "unknown PRF (write prfsha256, prfsha384, prfsha512 or prfsha1)";
    return std::nullopt;
  }
  for (const auto& d : alg::kDhs) {
    if (d.public_bytes && IsToken(d.tokens, token)) {
      Token t{Kind::kDh, d.id};
      if (d.weak)
        t.weak = std::string(token) +
                 " is a weak DH group (RFC 8247: SHOULD NOT); accepted "
                 "for interoperability";
      return t;
    }
  }
  *why = "unknown algorithm";
  return std::nullopt;
}

uint16_t IntegToPrf(uint16_t integ_id) {
  return alg::FindInteg(integ_id)->prf;
}

void AddUnique(std::vector<Transform>* v, Transform t) {
  if (std::find(v->begin(), v->end(), t) == v->end()) v->push_back(t);
}

Error TokenError(std::string_view token, const std::string& why) {
  return MakeError(std::string(token) + ": " + why);
}

// One comma-separated item: "aes128-sha1;modp1024".
Result<Proposal> ParseOne(std::string_view item, ProtocolId protocol,
                          std::vector<std::string>* warnings) {
  const bool ike = protocol == ProtocolId::kIke;
  std::vector<Transform> encrs, integs, prfs, dhs, esns;
  std::vector<uint16_t> hashes;  // integrity-named tokens, resolved below
  bool saw_none = false;
  bool last_was_encr = false;
  size_t pos = 0;
  while (pos <= item.size()) {
    size_t end = item.find_first_of("-;+", pos);
    if (end == std::string_view::npos) end = item.size();
    std::string_view raw = item.substr(pos, end - pos);
    pos = end + 1;
    if (raw.empty()) {
      return MakeError("'" + std::string(item) +
                       "': empty algorithm name (doubled '-', ';' or '+')");
    }
    std::string token(raw);
    std::transform(token.begin(), token.end(), token.begin(), ::tolower);
    std::string why;
    auto t = Recognise(token, &why);
    if (!t) return TokenError(raw, why);
    if (!t->weak.empty()) warnings->push_back(t->weak);
    switch (t->kind) {
      case Kind::kKeyBits:
        // libreswan's "aes-256": a key length for the cipher just named.
        if (!last_was_encr || encrs.back().id == encr::kChaCha20Poly1305)
          return TokenError(raw, "a key length must follow an AES cipher");
        encrs.back().key_length = t->key_bits;
        break;
      case Kind::kEncr:
        AddUnique(&encrs, {TT::kEncr, t->id, t->key_bits});
        break;
      case Kind::kHash:
        hashes.push_back(t->id);
        break;
      case Kind::kPrf:
        if (ike) {
          AddUnique(&prfs, {TT::kPrf, t->id});
        } else {
          warnings->push_back(std::string(raw) +
                              ": a PRF has no meaning for ESP; ignored (as strongSwan does)");
        }
        break;
      case Kind::kDh:
        AddUnique(&dhs, {TT::kDh, t->id});
        break;
      case Kind::kEsn:
        if (ike) return TokenError(raw, "ESN applies to ESP only");
        AddUnique(&esns, {TT::kEsn, t->id});
        break;
      case Kind::kNone:
        saw_none = true;
        break;
    }
    last_was_encr = t->kind == Kind::kEncr;
    if (end == item.size()) break;
  }
  if (encrs.empty())
    return MakeError("'" + std::string(item) +
                     "': no encryption algorithm (e.g. aes256, aes256gcm16)");
  const bool aead = IsAead(encrs.front().id);
  for (const auto& e : encrs) {
    if (IsAead(e.id) != aead)
      return MakeError(
          "'" + std::string(item) +
          "': mixes AEAD and non-AEAD ciphers in one proposal; separate them with ','");
    if (ike && e.id == encr::kNullAuthAesGmac)
      return TokenError("aes_gmac", "GMAC gives no confidentiality and is not allowed for IKE");
  }
  if (aead) {
    // With an AEAD cipher an integrity-named token is the PRF in IKE
    // (libreswan "aes_gcm256-sha384", strongSwan "aes256gcm16-sha384") and
    // an error in ESP.
    for (uint16_t h : hashes) {
      if (!ike)
        return MakeError(
            "'" + std::string(item) +
            "': an AEAD cipher needs no integrity algorithm (write '-null' or nothing)");
      AddUnique(&prfs, {TT::kPrf, IntegToPrf(h)});
    }
  } else {
    if (saw_none)
      return MakeError(
          "'" + std::string(item) +
          "': 'null' integrity is only allowed with an AEAD cipher (aes_gcm, chacha20)");
    for (uint16_t h : hashes) AddUnique(&integs, {TT::kInteg, h});
    if (integs.empty()) {  // libreswan fills in its defaults
      AddUnique(&integs, {TT::kInteg, integ::kHmacSha2_256_128});
      AddUnique(&integs, {TT::kInteg, integ::kHmacSha2_512_256});
    }
    if (ike && prfs.empty())
      for (const auto& i : integs) AddUnique(&prfs, {TT::kPrf, IntegToPrf(i.id)});
  }
  if (ike && prfs.empty()) {
    AddUnique(&prfs, {TT::kPrf, prf::kHmacSha2_256});
    AddUnique(&prfs, {TT::kPrf, prf::kHmacSha2_512});
  }
  if (ike && dhs.empty()) {  // no DH group named: the default groups
    for (uint16_t g : kDefaultDhGroups) AddUnique(&dhs, {TT::kDh, g});
  }
  if (!ike) {
    // Only what the ipsec_tun module implements can be installed.
    for (const auto& e : encrs)
      if (KernelAlgorithmName(e).empty())
        return MakeError(
            "'" + std::string(item) + "': " + TransformToString(e) +
            " is not implemented by the ipsec_tun module (it has: " + alg::EspSuiteNames() + ")");
    if (esns.empty()) esns.push_back({TT::kEsn, esn::kNo});
  }
  Proposal p{protocol, {}};
  for (auto* v : {&encrs, &integs, &prfs, &dhs, &esns})
    p.transforms.insert(p.transforms.end(), v->begin(), v->end());
  return p;
}

}  // namespace

std::string KernelAlgorithmName(const Transform& t) {
  if (t.type == TT::kEncr) {
    for (const auto& e : alg::kEspSuites)
      if (e.encr_id == t.id && e.key_bits == t.key_length) return std::string(e.name);
  } else if (t.type == TT::kInteg) {
    const alg::Integ* i = alg::FindInteg(t.id);
    if (i && i->implemented) return std::string(i->module);
  }
  return "";
}

Result<ParsedProposals> ParseProposals(std::string_view text, ProtocolId protocol) {
  ParsedProposals out;
  std::string_view s = text;
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  if (!s.empty() && s.back() == '!') {
    out.strict = true;
    s.remove_suffix(1);
  }
  if (s.empty()) return MakeError("empty proposal list");
  size_t pos = 0;
  while (pos <= s.size()) {
    size_t end = s.find(',', pos);
    if (end == std::string_view::npos) end = s.size();
    std::string_view item = s.substr(pos, end - pos);
    while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
    while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
    if (!item.empty() && item.back() == '!') {  // strongSwan allows '!' per item too
      out.strict = true;
      item.remove_suffix(1);
    }
    if (item.empty()) return MakeError("empty proposal between ','");
    auto p = ParseOne(item, protocol, &out.warnings);
    if (!p) return p.error();
    out.proposals.push_back(std::move(*p));
    if (end == s.size()) break;
    pos = end + 1;
  }
  return out;
}

}  // namespace ipsec
