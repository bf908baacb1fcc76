// Views of the registry (common/algorithms.h) for key derivation and the
// SK payload.
#include "ike/crypto/algorithms.h"

#include "common/algorithms.h"

namespace ipsec::ike {

std::optional<EncrInfo> LookupEncr(uint16_t encr_id, uint16_t key_bits) {
  const alg::Encr* e = alg::FindEncr(encr_id);
  if (!e || !(e->ike || e->esp) || !alg::KeyBitsAllowed(*e, key_bits)) return std::nullopt;
  return EncrInfo{e->aead,        alg::KeyBytes(*e, key_bits),
                  e->salt_bytes,  e->iv_bytes,
                  e->block_bytes, e->icv_bytes,
                  e->ike};
}

std::optional<IntegInfo> LookupInteg(uint16_t integ_id) {
  const alg::Integ* i = alg::FindInteg(integ_id);
  if (!i || !i->implemented) return std::nullopt;
  return IntegInfo{i->key_bytes, i->icv_bytes};
}

std::optional<PrfInfo> LookupPrf(uint16_t prf_id) {
  const alg::Prf* p = alg::FindPrf(prf_id);
  if (!p || !p->implemented) return std::nullopt;
  return PrfInfo{p->key_bytes, p->output_bytes};
}

size_t DhPublicValueSize(uint16_t group) {
  const alg::Dh* d = alg::FindDh(group);
  return d ? d->public_bytes : 0;
}

bool IsDhGroupSupported(uint16_t group) {
  return DhPublicValueSize(group) != 0;
}

bool IsWeakDhGroup(uint16_t group) {
  const alg::Dh* d = alg::FindDh(group);
  return d && d->weak;
}

}  // namespace ipsec::ike
