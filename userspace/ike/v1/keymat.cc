#include "ike/v1/keymat.h"

#include <string>

#include "ike/v1/algorithms.h"

namespace ipsec::ike::v1 {

namespace {

void AppendU64(SecureBytes* out, uint64_t v) {
  uint8_t b[8];
  for (int i = 0; i < 8; ++i) b[i] = static_cast<uint8_t>(v >> (56 - 8 * i));
  out->Append(b);
}

void AppendU32(SecureBytes* out, uint32_t v) {
  uint8_t b[4];
  for (int i = 0; i < 4; ++i) b[i] = static_cast<uint8_t>(v >> (24 - 8 * i));
  out->Append(b);
}

void AppendU8(SecureBytes* out, uint8_t v) {
  out->Append(std::span<const uint8_t>(&v, 1));
}

Bytes Public(const SecureBytes& s) {
  return Bytes(s.span().begin(), s.span().end());
}

// prf(SKEYID, [prev |] g^xy | CKY-I | CKY-R | n)
SecureBytes SkeyidChild(const Prf& prf, const SecureBytes& skeyid, const SecureBytes* prev,
                        const SecureBytes& g_xy, uint64_t cky_i, uint64_t cky_r, uint8_t n) {
  SecureBytes in;
  if (prev) in.Append(prev->span());
  in.Append(g_xy.span());
  AppendU64(&in, cky_i);
  AppendU64(&in, cky_r);
  AppendU8(&in, n);
  return prf.Compute(skeyid.span(), in.span());
}

Bytes ExchangeHash(const Prf& prf, const SecureBytes& skeyid, std::span<const uint8_t> g_first,
                   std::span<const uint8_t> g_second, uint64_t cky_first, uint64_t cky_second,
                   std::span<const uint8_t> sai_b, std::span<const uint8_t> id_b) {
  SecureBytes in;
  in.Append(g_first);
  in.Append(g_second);
  AppendU64(&in, cky_first);
  AppendU64(&in, cky_second);
  in.Append(sai_b);
  in.Append(id_b);
  return Public(prf.Compute(skeyid.span(), in.span()));
}

Result<Bytes> Truncated(Result<Bytes> digest, size_t block_bytes) {
  if (!digest) return digest;
  if (block_bytes == 0 || block_bytes > digest->size())
    return MakeError("IV of " + std::to_string(block_bytes) + " bytes from a " +
                     std::to_string(digest->size()) + "-byte hash");
  digest->resize(block_bytes);
  return digest;
}

}  // namespace

SecureBytes ExtendEncryptionKey(const Prf& prf, const SecureBytes& skeyid_e, size_t length) {
  if (skeyid_e.size() >= length) return skeyid_e.Slice(0, length);
  SecureBytes out;
  SecureBytes k;  // K0 = the single octet 0
  AppendU8(&k, 0);
  while (out.size() < length) {
    k = prf.Compute(skeyid_e.span(), k.span());
    out.Append(k.span());
  }
  return out.Slice(0, length);
}

Result<Phase1Keys> DerivePhase1PskKeys(const Prf& prf, std::span<const uint8_t> psk,
                                       std::span<const uint8_t> ni_b, std::span<const uint8_t> nr_b,
                                       const SecureBytes& g_xy, uint64_t cookie_i,
                                       uint64_t cookie_r, size_t encr_key_bytes) {
  if (psk.empty()) return MakeError("IKEv1: empty pre-shared key");
  if (ni_b.empty() || nr_b.empty() || g_xy.empty())
    return MakeError("IKEv1: phase-1 keys need both nonces and the DH secret");
  if (encr_key_bytes == 0 || encr_key_bytes > 64)
    return MakeError("IKEv1: cipher key of " + std::to_string(encr_key_bytes) + " bytes");
  Phase1Keys k;
  SecureBytes nonces;
  nonces.Append(ni_b);
  nonces.Append(nr_b);
  k.skeyid = prf.Compute(psk, nonces.span());
  k.skeyid_d = SkeyidChild(prf, k.skeyid, nullptr, g_xy, cookie_i, cookie_r, 0);
  k.skeyid_a = SkeyidChild(prf, k.skeyid, &k.skeyid_d, g_xy, cookie_i, cookie_r, 1);
  k.skeyid_e = SkeyidChild(prf, k.skeyid, &k.skeyid_a, g_xy, cookie_i, cookie_r, 2);
  k.encr_key = ExtendEncryptionKey(prf, k.skeyid_e, encr_key_bytes);
  return k;
}

Bytes HashI(const Prf& prf, const SecureBytes& skeyid, std::span<const uint8_t> g_xi,
            std::span<const uint8_t> g_xr, uint64_t cookie_i, uint64_t cookie_r,
            std::span<const uint8_t> sai_b, std::span<const uint8_t> idii_b) {
  return ExchangeHash(prf, skeyid, g_xi, g_xr, cookie_i, cookie_r, sai_b, idii_b);
}

Bytes HashR(const Prf& prf, const SecureBytes& skeyid, std::span<const uint8_t> g_xi,
            std::span<const uint8_t> g_xr, uint64_t cookie_i, uint64_t cookie_r,
            std::span<const uint8_t> sai_b, std::span<const uint8_t> idir_b) {
  return ExchangeHash(prf, skeyid, g_xr, g_xi, cookie_r, cookie_i, sai_b, idir_b);
}

Bytes QuickModeHash1(const Prf& prf, const SecureBytes& skeyid_a, uint32_t message_id,
                     std::span<const uint8_t> after_hash) {
  return QuickModeHash2(prf, skeyid_a, message_id, {}, after_hash);
}

Bytes QuickModeHash2(const Prf& prf, const SecureBytes& skeyid_a, uint32_t message_id,
                     std::span<const uint8_t> ni_b, std::span<const uint8_t> after_hash) {
  SecureBytes in;
  AppendU32(&in, message_id);
  in.Append(ni_b);
  in.Append(after_hash);
  return Public(prf.Compute(skeyid_a.span(), in.span()));
}

Bytes QuickModeHash3(const Prf& prf, const SecureBytes& skeyid_a, uint32_t message_id,
                     std::span<const uint8_t> ni_b, std::span<const uint8_t> nr_b) {
  SecureBytes in;
  AppendU8(&in, 0);
  AppendU32(&in, message_id);
  in.Append(ni_b);
  in.Append(nr_b);
  return Public(prf.Compute(skeyid_a.span(), in.span()));
}

SecureBytes QuickModeKeymat(const Prf& prf, const SecureBytes& skeyid_d, const SecureBytes* g_qm,
                            uint8_t protocol, uint32_t spi, std::span<const uint8_t> ni_b,
                            std::span<const uint8_t> nr_b, size_t length) {
  SecureBytes seed;
  if (g_qm) seed.Append(g_qm->span());
  AppendU8(&seed, protocol);
  AppendU32(&seed, spi);
  seed.Append(ni_b);
  seed.Append(nr_b);
  SecureBytes out, k;
  while (out.size() < length) {
    SecureBytes in;
    in.Append(k.span());  // empty for K1
    in.Append(seed.span());
    k = prf.Compute(skeyid_d.span(), in.span());
    out.Append(k.span());
  }
  return out.Slice(0, length);
}

Result<Bytes> Phase1Iv(uint16_t hash, std::span<const uint8_t> g_xi, std::span<const uint8_t> g_xr,
                       size_t block_bytes) {
  Bytes in(g_xi.begin(), g_xi.end());
  in.insert(in.end(), g_xr.begin(), g_xr.end());
  return Truncated(Digest(hash, in), block_bytes);
}

Result<Bytes> Phase2Iv(uint16_t hash, std::span<const uint8_t> last_phase1_block,
                       uint32_t message_id, size_t block_bytes) {
  if (last_phase1_block.size() != block_bytes)
    return MakeError("phase-2 IV: last phase-1 block of " +
                     std::to_string(last_phase1_block.size()) + " bytes");
  Bytes in(last_phase1_block.begin(), last_phase1_block.end());
  for (int s = 24; s >= 0; s -= 8) in.push_back(static_cast<uint8_t>(message_id >> s));
  return Truncated(Digest(hash, in), block_bytes);
}

Result<Bytes> NextIv(std::span<const uint8_t> ciphertext, size_t block_bytes) {
  if (block_bytes == 0 || ciphertext.empty() || ciphertext.size() % block_bytes != 0)
    return MakeError("ciphertext of " + std::to_string(ciphertext.size()) + " bytes is not whole " +
                     std::to_string(block_bytes) + "-byte blocks");
  auto last = ciphertext.last(block_bytes);
  return Bytes(last.begin(), last.end());
}

}  // namespace ipsec::ike::v1
