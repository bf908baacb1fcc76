#include "ike/crypto/keymat.h"

#include "ike/constants.h"
#include "ike/crypto/algorithms.h"
#include "ike/crypto/prf.h"

namespace ipsec::ike {

namespace {

const Transform* First(const Proposal& p, TransformType type) {
  for (const auto& t : p.transforms)
    if (t.type == type) return &t;
  return nullptr;
}

void AppendU64(SecureBytes& b, uint64_t v) {
  uint8_t raw[8];
  for (int i = 0; i < 8; ++i) raw[i] = static_cast<uint8_t>(v >> (56 - 8 * i));
  b.Append(raw);
}

// Splits prf+(skeyseed, Ni | Nr | SPIi | SPIr) into the seven IKE SA keys.
Result<IkeSaKeys> ExpandIkeSaKeys(const Prf& prf, const IkeSaTransforms& t,
                                  const SecureBytes& skeyseed, std::span<const uint8_t> ni,
                                  std::span<const uint8_t> nr, uint64_t spi_i, uint64_t spi_r) {
  auto encr = LookupEncr(t.encr, t.encr_key_bits);
  if (!encr || !encr->ike)
    return MakeError("unsupported IKE encryption transform " + std::to_string(t.encr) + " with " +
                     std::to_string(t.encr_key_bits) + "-bit key");
  size_t integ_len = 0;
  if (encr->aead) {
    if (t.integ != integ::kNone)
      return MakeError("integrity transform " + std::to_string(t.integ) +
                       " must not accompany an AEAD cipher");
  } else {
    auto integ = LookupInteg(t.integ);
    if (!integ) return MakeError("unsupported IKE integrity transform " + std::to_string(t.integ));
    integ_len = integ->key_bytes;
  }
  size_t encr_len = encr->key_bytes + encr->salt_bytes;
  size_t prf_len = prf.key_size();

  SecureBytes seed;
  seed.Append(ni);
  seed.Append(nr);
  AppendU64(seed, spi_i);
  AppendU64(seed, spi_r);
  size_t total = 3 * prf_len + 2 * integ_len + 2 * encr_len;
  auto km = prf.Plus(skeyseed.span(), seed.span(), total);
  if (!km) return km.error();
  IkeSaKeys k;
  size_t off = 0;
  auto take = [&](size_t n) {
    SecureBytes s = km->Slice(off, n);
    off += n;
    return s;
  };
  k.sk_d = take(prf_len);
  k.sk_ai = take(integ_len);
  k.sk_ar = take(integ_len);
  k.sk_ei = take(encr_len);
  k.sk_er = take(encr_len);
  k.sk_pi = take(prf_len);
  k.sk_pr = take(prf_len);
  return k;
}

}  // namespace

Result<IkeSaTransforms> IkeSaTransformsFrom(const Proposal& p) {
  IkeSaTransforms t;
  const Transform* e = First(p, TransformType::kEncr);
  const Transform* f = First(p, TransformType::kPrf);
  const Transform* i = First(p, TransformType::kInteg);
  const Transform* d = First(p, TransformType::kDh);
  if (!e) return MakeError("IKE proposal has no encryption transform");
  if (!f) return MakeError("IKE proposal has no PRF transform");
  t.encr = e->id;
  t.encr_key_bits = e->key_length;
  t.prf = f->id;
  t.integ = i ? i->id : integ::kNone;
  t.dh = d ? d->id : dh::kNone;
  if (t.encr == encr::kChaCha20Poly1305 && t.encr_key_bits == 0) t.encr_key_bits = 256;
  return t;
}

Result<IkeSaKeys> DeriveIkeSaKeys(const IkeSaTransforms& t, std::span<const uint8_t> ni,
                                  std::span<const uint8_t> nr, const SecureBytes& g_ir,
                                  uint64_t spi_i, uint64_t spi_r) {
  auto prf = Prf::Create(t.prf);
  if (!prf) return prf.error();
  // HMAC PRFs take Ni | Nr whole as the key (2.14; XCBC would truncate).
  SecureBytes nonces;
  nonces.Append(ni);
  nonces.Append(nr);
  SecureBytes skeyseed = prf->Compute(nonces.span(), g_ir.span());
  return ExpandIkeSaKeys(*prf, t, skeyseed, ni, nr, spi_i, spi_r);
}

Result<IkeSaKeys> DeriveRekeyedIkeSaKeys(uint16_t old_prf, const SecureBytes& old_sk_d,
                                         const IkeSaTransforms& t, std::span<const uint8_t> ni,
                                         std::span<const uint8_t> nr, const SecureBytes& g_ir,
                                         uint64_t spi_i, uint64_t spi_r) {
  auto oprf = Prf::Create(old_prf);
  if (!oprf) return oprf.error();
  auto prf = Prf::Create(t.prf);
  if (!prf) return prf.error();
  SecureBytes input;
  input.Append(g_ir.span());
  input.Append(ni);
  input.Append(nr);
  SecureBytes skeyseed = oprf->Compute(old_sk_d.span(), input.span());
  return ExpandIkeSaKeys(*prf, t, skeyseed, ni, nr, spi_i, spi_r);
}

Result<ChildSaTransforms> ChildSaTransformsFrom(const Proposal& p) {
  ChildSaTransforms t;
  const Transform* e = First(p, TransformType::kEncr);
  const Transform* i = First(p, TransformType::kInteg);
  const Transform* n = First(p, TransformType::kEsn);
  if (!e) return MakeError("child SA proposal has no encryption transform");
  t.encr = e->id;
  t.encr_key_bits = e->key_length;
  t.integ = i ? i->id : integ::kNone;
  t.esn = n && n->id == esn::kYes;
  if (t.encr == encr::kChaCha20Poly1305 && t.encr_key_bits == 0) t.encr_key_bits = 256;
  return t;
}

Result<ChildSaKeys> DeriveChildSaKeys(uint16_t prf_id, const SecureBytes& sk_d,
                                      const ChildSaTransforms& t, const SecureBytes* g_ir,
                                      std::span<const uint8_t> ni, std::span<const uint8_t> nr) {
  auto prf = Prf::Create(prf_id);
  if (!prf) return prf.error();
  auto encr = LookupEncr(t.encr, t.encr_key_bits);
  if (!encr)
    return MakeError("unsupported ESP encryption transform " + std::to_string(t.encr) + " with " +
                     std::to_string(t.encr_key_bits) + "-bit key");
  size_t integ_len = 0;
  if (encr->aead) {
    if (t.integ != integ::kNone)
      return MakeError("integrity transform " + std::to_string(t.integ) +
                       " must not accompany an AEAD cipher");
  } else {
    auto integ = LookupInteg(t.integ);
    if (!integ) return MakeError("unsupported ESP integrity transform " + std::to_string(t.integ));
    integ_len = integ->key_bytes;
  }
  size_t encr_len = encr->key_bytes + encr->salt_bytes;
  SecureBytes seed;
  if (g_ir) seed.Append(g_ir->span());
  seed.Append(ni);
  seed.Append(nr);
  auto km = prf->Plus(sk_d.span(), seed.span(), 2 * (encr_len + integ_len));
  if (!km) return km.error();
  ChildSaKeys k;
  size_t off = 0;
  auto take = [&](size_t n) {
    SecureBytes s = km->Slice(off, n);
    off += n;
    return s;
  };
  k.encr_i = take(encr_len);
  k.integ_i = take(integ_len);
  k.encr_r = take(encr_len);
  k.integ_r = take(integ_len);
  return k;
}

}  // namespace ipsec::ike
