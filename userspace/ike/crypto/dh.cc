#include "ike/crypto/dh.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/dh.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>

#include <algorithm>

#include "ike/constants.h"
#include "ike/crypto/algorithms.h"

namespace ipsec::ike {

namespace {

enum class Kind { kModp, kEcp, kX25519 };

struct GroupDesc {
  Kind kind;
  const char* curve = nullptr;          // ECP: OpenSSL group name
  int nid = 0;                          // ECP: curve NID for point arithmetic
  BIGNUM* (*prime)(BIGNUM*) = nullptr;  // MODP: RFC 2409/3526 prime
};

std::optional<GroupDesc> Describe(uint16_t group) {
  switch (group) {
    case dh::kModp1024:
      return GroupDesc{Kind::kModp, nullptr, 0, BN_get_rfc2409_prime_1024};
    case dh::kModp1536:
      return GroupDesc{Kind::kModp, nullptr, 0, BN_get_rfc3526_prime_1536};
    case dh::kModp2048:
      return GroupDesc{Kind::kModp, nullptr, 0, BN_get_rfc3526_prime_2048};
    case dh::kModp3072:
      return GroupDesc{Kind::kModp, nullptr, 0, BN_get_rfc3526_prime_3072};
    case dh::kModp4096:
      return GroupDesc{Kind::kModp, nullptr, 0, BN_get_rfc3526_prime_4096};
    case dh::kEcp256:
      return GroupDesc{Kind::kEcp, "P-256", NID_X9_62_prime256v1, nullptr};
    case dh::kEcp384:
      return GroupDesc{Kind::kEcp, "P-384", NID_secp384r1, nullptr};
    case dh::kEcp521:
      return GroupDesc{Kind::kEcp, "P-521", NID_secp521r1, nullptr};
    case dh::kCurve25519:
      return GroupDesc{Kind::kX25519, nullptr, 0, nullptr};
    default:
      return std::nullopt;
  }
}

struct Free {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
  void operator()(EVP_PKEY_CTX* p) const { EVP_PKEY_CTX_free(p); }
  void operator()(BIGNUM* p) const { BN_clear_free(p); }
  void operator()(BN_CTX* p) const { BN_CTX_free(p); }
  void operator()(OSSL_PARAM_BLD* p) const { OSSL_PARAM_BLD_free(p); }
  void operator()(OSSL_PARAM* p) const { OSSL_PARAM_free(p); }
  void operator()(EC_GROUP* p) const { EC_GROUP_free(p); }
  void operator()(EC_POINT* p) const { EC_POINT_clear_free(p); }
};
template <class T>
using Owned = std::unique_ptr<T, Free>;

Error GroupError(uint16_t group, const std::string& what) {
  return MakeError("DH group " + std::to_string(group) + ": " + what);
}

// Builds an EVP_PKEY from parameters (selection: EVP_PKEY_PUBLIC_KEY or
// EVP_PKEY_KEYPAIR).
Owned<EVP_PKEY> FromData(const char* type, OSSL_PARAM_BLD* bld, int selection) {
  Owned<OSSL_PARAM> params(OSSL_PARAM_BLD_to_param(bld));
  Owned<EVP_PKEY_CTX> ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  EVP_PKEY* pkey = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &pkey, selection, params.get()) != 1)
    return nullptr;
  return Owned<EVP_PKEY>(pkey);
}

class EvpKeyPair : public DhKeyPair {
 public:
  EvpKeyPair(uint16_t group, GroupDesc desc, Owned<EVP_PKEY> key, Bytes pub)
      : DhKeyPair(group), desc_(desc), key_(std::move(key)) {
    public_value_ = std::move(pub);
  }

  Result<SecureBytes> ComputeSharedSecret(std::span<const uint8_t> peer) const override {
    size_t want = DhPublicValueSize(group_);
    if (peer.size() != want)
      return GroupError(group_, "peer public value has " + std::to_string(peer.size()) +
                                    " bytes, expected " + std::to_string(want));
    Owned<EVP_PKEY> peer_key = PeerKey(peer);
    if (!peer_key) return GroupError(group_, "peer public value is not a valid point/element");
    Owned<EVP_PKEY_CTX> ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, key_.get(), nullptr));
    if (!ctx || EVP_PKEY_derive_init(ctx.get()) != 1)
      return GroupError(group_, "cannot initialise key exchange");
    // MODP: g^ir is padded to the modulus length (RFC 7296 2.14).
    if (desc_.kind == Kind::kModp && EVP_PKEY_CTX_set_dh_pad(ctx.get(), 1) != 1)
      return GroupError(group_, "cannot request padded DH output");
    if (EVP_PKEY_derive_set_peer_ex(ctx.get(), peer_key.get(), 1) != 1)
      return GroupError(group_, "peer public value rejected");
    size_t len = 0;
    if (EVP_PKEY_derive(ctx.get(), nullptr, &len) != 1)
      return GroupError(group_, "key exchange failed");
    SecureBytes secret(len);
    if (EVP_PKEY_derive(ctx.get(), secret.data(), &len) != 1)
      return GroupError(group_, "key exchange failed");
    if (len != secret.size()) secret = secret.Slice(0, len);
    if (std::all_of(secret.span().begin(), secret.span().end(), [](uint8_t b) { return b == 0; }))
      return GroupError(group_, "all-zero shared secret");
    return secret;
  }

 private:
  Owned<EVP_PKEY> PeerKey(std::span<const uint8_t> peer) const {
    switch (desc_.kind) {
      case Kind::kX25519:
        return Owned<EVP_PKEY>(
            EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, nullptr, peer.data(), peer.size()));
      case Kind::kEcp: {
        Bytes point{0x04};  // uncompressed: 04 || x || y
        point.insert(point.end(), peer.begin(), peer.end());
        Owned<OSSL_PARAM_BLD> bld(OSSL_PARAM_BLD_new());
        if (!bld ||
            !OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, desc_.curve,
                                             0) ||
            !OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                              point.size()))
          return nullptr;
        return FromData("EC", bld.get(), EVP_PKEY_PUBLIC_KEY);
      }
      case Kind::kModp: {
        Owned<BIGNUM> p(desc_.prime(nullptr)), g(BN_new()),
            y(BN_bin2bn(peer.data(), static_cast<int>(peer.size()), nullptr));
        Owned<OSSL_PARAM_BLD> bld(OSSL_PARAM_BLD_new());
        if (!p || !g || !y || !bld || !BN_set_word(g.get(), 2) ||
            !OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_FFC_P, p.get()) ||
            !OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_FFC_G, g.get()) ||
            !OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, y.get()))
          return nullptr;
        // Range check 1 < y < p-1 ourselves: without q OpenSSL's check is partial.
        Owned<BIGNUM> pm1(BN_dup(p.get()));
        if (!pm1 || !BN_sub_word(pm1.get(), 1) || BN_cmp(y.get(), BN_value_one()) <= 0 ||
            BN_cmp(y.get(), pm1.get()) >= 0)
          return nullptr;
        return FromData("DH", bld.get(), EVP_PKEY_PUBLIC_KEY);
      }
    }
    return nullptr;
  }

  GroupDesc desc_;
  Owned<EVP_PKEY> key_;
};

Result<Bytes> EcPublic(EVP_PKEY* key, uint16_t group) {
  uint8_t buf[1 + 2 * 66];
  size_t len = 0;
  if (EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_PUB_KEY, buf, sizeof(buf), &len) != 1 ||
      len != 1 + DhPublicValueSize(group) || buf[0] != 0x04)
    return GroupError(group, "cannot export public point");
  return Bytes(buf + 1, buf + len);
}

Result<Bytes> ModpPublic(EVP_PKEY* key, uint16_t group) {
  BIGNUM* y = nullptr;
  if (EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_PUB_KEY, &y) != 1)
    return GroupError(group, "cannot export public value");
  Owned<BIGNUM> owned(y);
  Bytes out(DhPublicValueSize(group));
  if (BN_bn2binpad(y, out.data(), static_cast<int>(out.size())) < 0)
    return GroupError(group, "public value too large");
  return out;
}

Result<Bytes> X25519Public(EVP_PKEY* key, uint16_t group) {
  Bytes out(32);
  size_t len = out.size();
  if (EVP_PKEY_get_raw_public_key(key, out.data(), &len) != 1 || len != 32)
    return GroupError(group, "cannot export public key");
  return out;
}

Result<std::unique_ptr<DhKeyPair>> Wrap(uint16_t group, const GroupDesc& d, Owned<EVP_PKEY> key) {
  if (!key) return GroupError(group, "key generation failed");
  Result<Bytes> pub = d.kind == Kind::kEcp    ? EcPublic(key.get(), group)
                      : d.kind == Kind::kModp ? ModpPublic(key.get(), group)
                                              : X25519Public(key.get(), group);
  if (!pub) return pub.error();
  return std::unique_ptr<DhKeyPair>(new EvpKeyPair(group, d, std::move(key), std::move(*pub)));
}

}  // namespace

Result<std::unique_ptr<DhKeyPair>> GenerateDhKeyPair(uint16_t group) {
  auto d = Describe(group);
  if (!d) return GroupError(group, "unsupported");
  switch (d->kind) {
    case Kind::kX25519:
      return Wrap(group, *d, Owned<EVP_PKEY>(EVP_PKEY_Q_keygen(nullptr, nullptr, "X25519")));
    case Kind::kEcp:
      return Wrap(group, *d, Owned<EVP_PKEY>(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", d->curve)));
    case Kind::kModp:
      break;
  }
  Owned<BIGNUM> p(d->prime(nullptr)), g(BN_new());
  Owned<OSSL_PARAM_BLD> bld(OSSL_PARAM_BLD_new());
  if (!p || !g || !bld || !BN_set_word(g.get(), 2) ||
      !OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_FFC_P, p.get()) ||
      !OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_FFC_G, g.get()))
    return GroupError(group, "cannot build domain parameters");
  Owned<EVP_PKEY> domain = FromData("DH", bld.get(), EVP_PKEY_KEY_PARAMETERS);
  if (!domain) return GroupError(group, "cannot build domain parameters");
  Owned<EVP_PKEY_CTX> ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, domain.get(), nullptr));
  EVP_PKEY* key = nullptr;
  if (!ctx || EVP_PKEY_keygen_init(ctx.get()) != 1 || EVP_PKEY_generate(ctx.get(), &key) != 1)
    return GroupError(group, "key generation failed");
  return Wrap(group, *d, Owned<EVP_PKEY>(key));
}

Result<std::unique_ptr<DhKeyPair>> DhKeyPairFromPrivate(uint16_t group,
                                                        std::span<const uint8_t> priv) {
  auto d = Describe(group);
  if (!d) return GroupError(group, "unsupported");
  if (priv.empty()) return GroupError(group, "empty private value");
  if (d->kind == Kind::kX25519) {
    if (priv.size() != 32) return GroupError(group, "private key must be 32 bytes");
    return Wrap(group, *d,
                Owned<EVP_PKEY>(EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, nullptr, priv.data(),
                                                             priv.size())));
  }
  Owned<BIGNUM> x(BN_bin2bn(priv.data(), static_cast<int>(priv.size()), nullptr));
  Owned<BN_CTX> bnctx(BN_CTX_new());
  Owned<OSSL_PARAM_BLD> bld(OSSL_PARAM_BLD_new());
  if (!x || !bnctx || !bld) return GroupError(group, "out of memory");
  if (d->kind == Kind::kEcp) {
    Owned<EC_GROUP> ecg(EC_GROUP_new_by_curve_name(d->nid));
    Owned<EC_POINT> pt(ecg ? EC_POINT_new(ecg.get()) : nullptr);
    uint8_t buf[1 + 2 * 66];
    size_t len = 0;
    if (!pt || EC_POINT_mul(ecg.get(), pt.get(), x.get(), nullptr, nullptr, bnctx.get()) != 1 ||
        (len = EC_POINT_point2oct(ecg.get(), pt.get(), POINT_CONVERSION_UNCOMPRESSED, buf,
                                  sizeof(buf), bnctx.get())) == 0)
      return GroupError(group, "invalid private scalar");
    if (!OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, d->curve, 0) ||
        !OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_PRIV_KEY, x.get()) ||
        !OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, buf, len))
      return GroupError(group, "cannot build key");
    return Wrap(group, *d, FromData("EC", bld.get(), EVP_PKEY_KEYPAIR));
  }
  Owned<BIGNUM> p(d->prime(nullptr)), g(BN_new()), y(BN_new());
  if (!p || !g || !y || !BN_set_word(g.get(), 2) ||
      BN_mod_exp(y.get(), g.get(), x.get(), p.get(), bnctx.get()) != 1)
    return GroupError(group, "invalid private exponent");
  if (!OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_FFC_P, p.get()) ||
      !OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_FFC_G, g.get()) ||
      !OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, y.get()) ||
      !OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_PRIV_KEY, x.get()))
    return GroupError(group, "cannot build key");
  return Wrap(group, *d, FromData("DH", bld.get(), EVP_PKEY_KEYPAIR));
}

}  // namespace ipsec::ike
