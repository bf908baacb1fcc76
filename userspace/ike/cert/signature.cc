#include "ike/cert/signature.h"

#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <algorithm>

#include "ike/constants.h"

namespace ipsec::cert {

namespace {

constexpr uint8_t kMethodRsa = static_cast<uint8_t>(ike::AuthMethod::kRsaSig);
constexpr uint8_t kMethodP256 = static_cast<uint8_t>(ike::AuthMethod::kEcdsaP256);
constexpr uint8_t kMethodP384 = static_cast<uint8_t>(ike::AuthMethod::kEcdsaP384);
constexpr uint8_t kMethodP521 = static_cast<uint8_t>(ike::AuthMethod::kEcdsaP521);
constexpr uint8_t kMethodDigital = static_cast<uint8_t>(ike::AuthMethod::kDigitalSignature);

const EVP_MD* Md(SigHash h) {
  switch (h) {
    case SigHash::kSha1:
      return EVP_sha1();
    case SigHash::kSha256:
      return EVP_sha256();
    case SigHash::kSha384:
      return EVP_sha384();
    case SigHash::kSha512:
      return EVP_sha512();
    case SigHash::kIdentity:
      return nullptr;
  }
  return nullptr;
}

const char* HashName(SigHash h) {
  static const char* kNames[] = {"?", "SHA-1", "SHA-256", "SHA-384", "SHA-512", "Identity"};
  auto i = static_cast<size_t>(h);
  return i < 6 ? kNames[i] : "?";
}

bool IsEcdsa(KeyType k) {
  return k == KeyType::kEcdsaP256 || k == KeyType::kEcdsaP384 || k == KeyType::kEcdsaP521;
}

// The classic ECDSA method of a curve, and its hash and r/s length.
struct ClassicEcdsa {
  uint8_t method;
  KeyType curve;
  SigHash hash;
  size_t half;
};
constexpr ClassicEcdsa kClassicEcdsa[] = {{kMethodP256, KeyType::kEcdsaP256, SigHash::kSha256, 32},
                                          {kMethodP384, KeyType::kEcdsaP384, SigHash::kSha384, 48},
                                          {kMethodP521, KeyType::kEcdsaP521, SigHash::kSha512, 66}};

const ClassicEcdsa* ClassicFor(uint8_t method) {
  for (const auto& c : kClassicEcdsa)
    if (c.method == method) return &c;
  return nullptr;
}

// DER of an AlgorithmIdentifier with an OID and (for RSA) NULL parameters.
Bytes SimpleAlgorithm(int nid, bool null_params) {
  const ASN1_OBJECT* obj = OBJ_nid2obj(nid);
  int oid_len = i2d_ASN1_OBJECT(obj, nullptr);
  Bytes oid(static_cast<size_t>(oid_len));
  unsigned char* p = oid.data();
  i2d_ASN1_OBJECT(obj, &p);
  Bytes out = {0x30, static_cast<uint8_t>(oid.size() + (null_params ? 2 : 0))};
  out.insert(out.end(), oid.begin(), oid.end());
  if (null_params) out.insert(out.end(), {0x05, 0x00});
  return out;
}

// RSASSA-PSS with hash h, MGF1 with h, salt = digest length, trailer 1
// (RFC 7427 A.4.3 gives SHA-256's as an example).
Bytes PssAlgorithm(SigHash h) {
  const uint8_t hash_last =
      static_cast<uint8_t>(static_cast<int>(h) - 1);  // 2.16.840.1.101.3.4.2.N
  const Bytes hash_alg = {0x30, 0x0d, 0x06, 0x09, 0x60,      0x86, 0x48, 0x01,
                          0x65, 0x03, 0x04, 0x02, hash_last, 0x05, 0x00};
  const Bytes mgf1_oid = {0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x08};
  const uint8_t salt = static_cast<uint8_t>(EVP_MD_get_size(Md(h)));
  Bytes params;
  params.push_back(0xa0);
  params.push_back(static_cast<uint8_t>(hash_alg.size()));
  params.insert(params.end(), hash_alg.begin(), hash_alg.end());
  Bytes mgf = {0x30, static_cast<uint8_t>(mgf1_oid.size() + hash_alg.size())};
  mgf.insert(mgf.end(), mgf1_oid.begin(), mgf1_oid.end());
  mgf.insert(mgf.end(), hash_alg.begin(), hash_alg.end());
  params.push_back(0xa1);
  params.push_back(static_cast<uint8_t>(mgf.size()));
  params.insert(params.end(), mgf.begin(), mgf.end());
  params.insert(params.end(), {0xa2, 0x03, 0x02, 0x01, salt});
  const Bytes pss_oid = {0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0a};
  Bytes seq = pss_oid;
  seq.push_back(0x30);
  seq.push_back(static_cast<uint8_t>(params.size()));
  seq.insert(seq.end(), params.begin(), params.end());
  Bytes out = {0x30, static_cast<uint8_t>(seq.size())};
  out.insert(out.end(), seq.begin(), seq.end());
  return out;
}

// Signs or verifies octets with md (nullptr for Ed25519) and RSA padding.
struct PssParams {
  const EVP_MD* mgf1 = nullptr;
  int salt = 0;
};

OsslPtr<EVP_MD_CTX> InitCtx(EVP_PKEY* key, const EVP_MD* md, const PssParams* pss, bool sign) {
  OsslPtr<EVP_MD_CTX> ctx(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pctx = nullptr;
  if (!ctx) return nullptr;
  int ok = sign ? EVP_DigestSignInit(ctx.get(), &pctx, md, nullptr, key)
                : EVP_DigestVerifyInit(ctx.get(), &pctx, md, nullptr, key);
  if (ok != 1) return nullptr;
  if (pss && (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
              EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, pss->salt) != 1 ||
              EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, pss->mgf1) != 1))
    return nullptr;
  return ctx;
}

Result<Bytes> RawSign(EVP_PKEY* key, const EVP_MD* md, const PssParams* pss,
                      std::span<const uint8_t> octets) {
  ERR_clear_error();
  auto ctx = InitCtx(key, md, pss, true);
  size_t len = 0;
  if (!ctx || EVP_DigestSign(ctx.get(), nullptr, &len, octets.data(), octets.size()) != 1)
    return MakeError("signing failed (" + TakeOpensslError() + ")");
  Bytes sig(len);
  if (EVP_DigestSign(ctx.get(), sig.data(), &len, octets.data(), octets.size()) != 1)
    return MakeError("signing failed (" + TakeOpensslError() + ")");
  sig.resize(len);
  return sig;
}

bool RawVerify(EVP_PKEY* key, const EVP_MD* md, const PssParams* pss, std::span<const uint8_t> sig,
               std::span<const uint8_t> octets) {
  auto ctx = InitCtx(key, md, pss, false);
  bool ok =
      ctx && EVP_DigestVerify(ctx.get(), sig.data(), sig.size(), octets.data(), octets.size()) == 1;
  ERR_clear_error();
  return ok;
}

// ECDSA: DER Ecdsa-Sig-Value <-> r|s of fixed halves (RFC 4754 7).
Result<Bytes> DerToRs(std::span<const uint8_t> der, size_t half) {
  const unsigned char* p = der.data();
  ECDSA_SIG* s = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size()));
  if (!s) return MakeError("bad ECDSA signature encoding");
  Bytes out(2 * half);
  const BIGNUM *r, *sv;
  ECDSA_SIG_get0(s, &r, &sv);
  bool ok = BN_bn2binpad(r, out.data(), static_cast<int>(half)) > 0 &&
            BN_bn2binpad(sv, out.data() + half, static_cast<int>(half)) > 0;
  ECDSA_SIG_free(s);
  if (!ok) return MakeError("ECDSA signature too long");
  return out;
}

Result<Bytes> RsToDer(std::span<const uint8_t> rs) {
  ECDSA_SIG* s = ECDSA_SIG_new();
  BIGNUM* r = BN_bin2bn(rs.data(), static_cast<int>(rs.size() / 2), nullptr);
  BIGNUM* sv = BN_bin2bn(rs.data() + rs.size() / 2, static_cast<int>(rs.size() / 2), nullptr);
  if (!s || !r || !sv || ECDSA_SIG_set0(s, r, sv) != 1) {
    ECDSA_SIG_free(s);
    BN_free(r);
    BN_free(sv);
    return MakeError("out of memory");
  }
  int len = i2d_ECDSA_SIG(s, nullptr);
  Bytes out(static_cast<size_t>(len > 0 ? len : 0));
  unsigned char* p = out.data();
  i2d_ECDSA_SIG(s, &p);
  ECDSA_SIG_free(s);
  return out;
}

SigHash HashOfNid(int nid, bool* ok) {
  *ok = true;
  switch (nid) {
    case NID_sha256:
      return SigHash::kSha256;
    case NID_sha384:
      return SigHash::kSha384;
    case NID_sha512:
      return SigHash::kSha512;
    case NID_sha1:
      return SigHash::kSha1;
  }
  *ok = false;
  return SigHash::kSha1;
}

// A method-14 AlgorithmIdentifier, decoded.
struct DecodedAlgorithm {
  enum { kRsaPkcs1, kRsaPss, kEcdsa, kEd25519 } kind;
  SigHash hash;
  PssParams pss;
};

Result<DecodedAlgorithm> DecodeAlgorithm(std::span<const uint8_t> der) {
  const unsigned char* p = der.data();
  OsslPtr<X509_ALGOR> alg(d2i_X509_ALGOR(nullptr, &p, static_cast<long>(der.size())));
  if (!alg || p != der.data() + der.size()) return MakeError("malformed AlgorithmIdentifier");
  const ASN1_OBJECT* obj;
  int ptype;
  const void* pval;
  X509_ALGOR_get0(&obj, &ptype, &pval, alg.get());
  DecodedAlgorithm d{};
  bool ok = true;
  switch (int nid = OBJ_obj2nid(obj)) {
    case NID_sha1WithRSAEncryption:
    case NID_sha256WithRSAEncryption:
    case NID_sha384WithRSAEncryption:
    case NID_sha512WithRSAEncryption: {
      int md_nid = NID_undef;
      OBJ_find_sigid_algs(nid, &md_nid, nullptr);
      d.kind = DecodedAlgorithm::kRsaPkcs1;
      d.hash = HashOfNid(md_nid, &ok);
      break;
    }
    case NID_ecdsa_with_SHA1:
    case NID_ecdsa_with_SHA256:
    case NID_ecdsa_with_SHA384:
    case NID_ecdsa_with_SHA512: {
      int md_nid = NID_undef;
      OBJ_find_sigid_algs(nid, &md_nid, nullptr);
      d.kind = DecodedAlgorithm::kEcdsa;
      d.hash = HashOfNid(md_nid, &ok);
      break;
    }
    case NID_ED25519:
      d.kind = DecodedAlgorithm::kEd25519;
      d.hash = SigHash::kIdentity;
      break;
    case NID_rsassaPss: {
      if (ptype != V_ASN1_SEQUENCE) return MakeError("RSASSA-PSS without parameters");
      const ASN1_STRING* seq = static_cast<const ASN1_STRING*>(pval);
      const unsigned char* q = ASN1_STRING_get0_data(seq);
      RSA_PSS_PARAMS* pss = d2i_RSA_PSS_PARAMS(nullptr, &q, ASN1_STRING_length(seq));
      if (!pss) return MakeError("malformed RSASSA-PSS parameters");
      // Absent fields take RFC 4055's defaults: SHA-1, MGF1-SHA-1, salt 20.
      auto hash_nid = [](const X509_ALGOR* a) {
        if (!a) return NID_sha1;
        const ASN1_OBJECT* o;
        X509_ALGOR_get0(&o, nullptr, nullptr, a);
        return OBJ_obj2nid(o);
      };
      d.kind = DecodedAlgorithm::kRsaPss;
      d.hash = HashOfNid(hash_nid(pss->hashAlgorithm), &ok);
      bool mgf_ok = true;
      bool mgf1 =
          !pss->maskGenAlgorithm || OBJ_obj2nid(pss->maskGenAlgorithm->algorithm) == NID_mgf1;
      // MGF1's parameter is the AlgorithmIdentifier of its hash.
      OsslPtr<X509_ALGOR> mgf_md;
      if (pss->maskGenAlgorithm && pss->maskGenAlgorithm->parameter &&
          pss->maskGenAlgorithm->parameter->type == V_ASN1_SEQUENCE) {
        const ASN1_STRING* m = pss->maskGenAlgorithm->parameter->value.sequence;
        const unsigned char* mp = ASN1_STRING_get0_data(m);
        mgf_md.reset(d2i_X509_ALGOR(nullptr, &mp, ASN1_STRING_length(m)));
        mgf_ok = mgf_md != nullptr;
      }
      SigHash mgf_hash = mgf_ok ? HashOfNid(hash_nid(mgf_md.get()), &mgf_ok) : SigHash::kSha1;
      long salt = pss->saltLength ? ASN1_INTEGER_get(pss->saltLength) : 20;
      long trailer = pss->trailerField ? ASN1_INTEGER_get(pss->trailerField) : 1;
      RSA_PSS_PARAMS_free(pss);
      if (!mgf1 || !mgf_ok)
        return MakeError("RSASSA-PSS with an unsupported mask generation function");
      if (salt < 0 || salt > 512 || trailer != 1)
        return MakeError("RSASSA-PSS with an unsupported salt length or trailer");
      d.pss.mgf1 = Md(mgf_hash);
      d.pss.salt = static_cast<int>(salt);
      break;
    }
    default: {
      char name[80];
      OBJ_obj2txt(name, sizeof name, obj, 0);
      return MakeError(std::string("unsupported signature algorithm ") + name);
    }
  }
  if (!ok) return MakeError("unsupported hash in the signature algorithm");
  return d;
}

}  // namespace

std::string SignatureScheme::ToString() const {
  if (method == kMethodRsa) return "RSA PKCS#1 v1.5 SHA-1 (method 1)";
  if (const auto* c = ClassicFor(method))
    return "ECDSA-" + std::to_string(c->half == 66 ? 521 : c->half * 8) + " (method " +
           std::to_string(method) + ")";
  std::string pad = padding == RsaPadding::kPss ? " PSS" : "";
  return std::string("RFC 7427 ") + HashName(hash) + pad;
}

std::string SchemeName(KeyType key, const SignatureScheme& s) {
  static const char* kHashes[] = {"?", "sha1", "sha256", "sha384", "sha512", "identity"};
  const auto i = static_cast<size_t>(s.hash);
  const std::string hash = i < 6 ? kHashes[i] : "?";
  switch (key) {
    case KeyType::kRsa:
      return (s.padding == RsaPadding::kPss ? "rsa-pss-" : "rsa-pkcs1-") + hash;
    case KeyType::kEcdsaP256:
      return "ecdsa-p256-" + hash;
    case KeyType::kEcdsaP384:
      return "ecdsa-p384-" + hash;
    case KeyType::kEcdsaP521:
      return "ecdsa-p521-" + hash;
    case KeyType::kEd25519:
      return "ed25519";
    case KeyType::kOther:
      break;
  }
  return "method-" + std::to_string(s.method);
}

Result<SignatureScheme> ChooseScheme(KeyType key, std::span<const SigHash> peer_hashes,
                                     bool prefer_pss, std::span<const SigHash> preferred) {
  SignatureScheme s;
  auto peer_has = [&](SigHash h) {
    return std::find(peer_hashes.begin(), peer_hashes.end(), h) != peer_hashes.end();
  };
  if (key == KeyType::kRsa && !preferred.empty() && preferred.front() == SigHash::kSha1)
    return SignatureScheme{kMethodRsa, SigHash::kSha1, RsaPadding::kPkcs1};
  if (peer_hashes.empty()) {  // classic methods only
    if (key == KeyType::kRsa)
      return SignatureScheme{kMethodRsa, SigHash::kSha1, RsaPadding::kPkcs1};
    for (const auto& c : kClassicEcdsa)
      if (c.curve == key) return SignatureScheme{c.method, c.hash, RsaPadding::kPkcs1};
    return MakeError(
        "an Ed25519 key needs RFC 7427 signatures and the peer sent no "
        "SIGNATURE_HASH_ALGORITHMS");
  }
  if (key == KeyType::kEd25519) {
    if (!peer_has(SigHash::kIdentity))
      return MakeError("the peer's SIGNATURE_HASH_ALGORITHMS lacks Identity (needed for Ed25519)");
    return SignatureScheme{kMethodDigital, SigHash::kIdentity, RsaPadding::kPkcs1};
  }
  // The hash of the curve's strength first, then the others in our order.
  std::vector<SigHash> order = {SigHash::kSha256, SigHash::kSha384, SigHash::kSha512};
  for (const auto& c : kClassicEcdsa)
    if (c.curve == key) order.insert(order.begin(), c.hash);
  if (!preferred.empty()) {
    order.clear();
    for (SigHash h : preferred)
      if (h != SigHash::kSha1 && h != SigHash::kIdentity) order.push_back(h);
    std::string names;
    for (SigHash h : order) names += std::string(names.empty() ? "" : "/") + HashName(h);
    bool any = false;
    for (SigHash h : order) any = any || peer_has(h);
    if (!any)
      return MakeError("the peer's SIGNATURE_HASH_ALGORITHMS lists none of the configured " +
                       (names.empty() ? std::string("hashes") : names));
  }
  for (SigHash h : order) {
    if (!peer_has(h)) continue;
    s.method = kMethodDigital;
    s.hash = h;
    s.padding = key == KeyType::kRsa && prefer_pss ? RsaPadding::kPss : RsaPadding::kPkcs1;
    return s;
  }
  return MakeError("the peer's SIGNATURE_HASH_ALGORITHMS lists none of SHA-256/384/512");
}

Result<Bytes> AlgorithmIdentifier(KeyType key, const SignatureScheme& s) {
  if (key == KeyType::kEd25519) return SimpleAlgorithm(NID_ED25519, false);
  if (key == KeyType::kRsa && s.padding == RsaPadding::kPss) {
    if (s.hash == SigHash::kSha1 || s.hash == SigHash::kIdentity)
      return MakeError("RSASSA-PSS needs SHA-256/384/512");
    return PssAlgorithm(s.hash);
  }
  static constexpr struct {
    SigHash hash;
    int rsa, ecdsa;
  } kNids[] = {{SigHash::kSha1, NID_sha1WithRSAEncryption, NID_ecdsa_with_SHA1},
               {SigHash::kSha256, NID_sha256WithRSAEncryption, NID_ecdsa_with_SHA256},
               {SigHash::kSha384, NID_sha384WithRSAEncryption, NID_ecdsa_with_SHA384},
               {SigHash::kSha512, NID_sha512WithRSAEncryption, NID_ecdsa_with_SHA512}};
  for (const auto& n : kNids) {
    if (n.hash != s.hash) continue;
    if (key == KeyType::kRsa) return SimpleAlgorithm(n.rsa, true);
    if (IsEcdsa(key)) return SimpleAlgorithm(n.ecdsa, false);
  }
  return MakeError("no signature algorithm for this key and hash");
}

Result<Bytes> SignAuth(const PrivateKey& key, const SignatureScheme& s,
                       std::span<const uint8_t> octets) {
  KeyType type = key.type();
  if (s.method == kMethodRsa) {
    if (type != KeyType::kRsa) return MakeError("method 1 needs an RSA key");
    return RawSign(key.get(), EVP_sha1(), nullptr, octets);
  }
  if (const auto* c = ClassicFor(s.method)) {
    if (type != c->curve) return MakeError("the key's curve does not match " + s.ToString());
    auto der = RawSign(key.get(), Md(c->hash), nullptr, octets);
    if (!der) return der;
    return DerToRs(*der, c->half);
  }
  if (s.method != kMethodDigital) return MakeError("unsupported AUTH method");
  auto alg = AlgorithmIdentifier(type, s);
  if (!alg) return alg;
  PssParams pss{Md(s.hash), EVP_MD_get_size(Md(s.hash))};
  bool use_pss = type == KeyType::kRsa && s.padding == RsaPadding::kPss;
  auto sig = RawSign(key.get(), type == KeyType::kEd25519 ? nullptr : Md(s.hash),
                     use_pss ? &pss : nullptr, octets);
  if (!sig) return sig;
  Bytes out;
  out.push_back(static_cast<uint8_t>(alg->size()));
  out.insert(out.end(), alg->begin(), alg->end());
  out.insert(out.end(), sig->begin(), sig->end());
  return out;
}

Status VerifyAuth(uint8_t method, std::span<const uint8_t> data, EVP_PKEY* peer_key,
                  std::span<const uint8_t> octets, std::span<const SigHash> allowed,
                  SignatureScheme* used) {
  KeyType type = KeyTypeOf(peer_key);
  SignatureScheme ignored;
  if (!used) used = &ignored;
  *used = SignatureScheme{method, SigHash::kSha1, RsaPadding::kPkcs1};
  const std::string bad = "AUTH signature does not verify with the certificate's key";
  if (method == kMethodRsa) {
    if (type != KeyType::kRsa)
      return MakeError("AUTH method 1 (RSA) but the key is " + DescribeKey(peer_key));
    if (!RawVerify(peer_key, EVP_sha1(), nullptr, data, octets)) return MakeError(bad);
    return {};
  }
  if (const auto* c = ClassicFor(method)) {
    if (type != c->curve)
      return MakeError("AUTH method " + std::to_string(method) + " but the key is " +
                       DescribeKey(peer_key));
    if (data.size() != 2 * c->half) return MakeError("ECDSA r|s of the wrong length");
    auto der = RsToDer(data);
    if (!der) return der.error();
    if (!RawVerify(peer_key, Md(c->hash), nullptr, *der, octets)) return MakeError(bad);
    used->hash = c->hash;
    return {};
  }
  if (method != kMethodDigital)
    return MakeError("AUTH method " + std::to_string(method) + " is not a signature method");
  if (data.empty() || data[0] == 0 || data.size() < 1u + data[0])
    return MakeError("AUTH method 14 with a truncated AlgorithmIdentifier");
  auto alg = DecodeAlgorithm(data.subspan(1, data[0]));
  if (!alg) return alg.error();
  std::span<const uint8_t> sig = data.subspan(1 + data[0]);
  if (std::find(allowed.begin(), allowed.end(), alg->hash) == allowed.end())
    return MakeError(std::string("AUTH signed with ") + HashName(alg->hash) +
                     ", which we did not announce");
  bool key_fits =
      (alg->kind == DecodedAlgorithm::kEd25519 && type == KeyType::kEd25519) ||
      (alg->kind == DecodedAlgorithm::kEcdsa && IsEcdsa(type)) ||
      ((alg->kind == DecodedAlgorithm::kRsaPkcs1 || alg->kind == DecodedAlgorithm::kRsaPss) &&
       type == KeyType::kRsa);
  if (!key_fits)
    return MakeError("AUTH algorithm does not fit the key (" + DescribeKey(peer_key) + ")");
  bool ok = RawVerify(peer_key, Md(alg->hash),
                      alg->kind == DecodedAlgorithm::kRsaPss ? &alg->pss : nullptr, sig, octets);
  if (!ok) return MakeError(bad);
  used->hash = alg->hash;
  used->padding = alg->kind == DecodedAlgorithm::kRsaPss ? RsaPadding::kPss : RsaPadding::kPkcs1;
  return {};
}

}  // namespace ipsec::cert
