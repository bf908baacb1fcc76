#include "engine/ike_sa.h"

namespace ipsec::engine {

ChildSa* IkeSa::FindChildByInbound(uint32_t spi) {
  for (auto& c : children)
    if (c->inbound_spi == spi) return c.get();
  return nullptr;
}

ChildSa* IkeSa::FindChildByOutbound(uint32_t spi) {
  for (auto& c : children)
    if (c->outbound_spi == spi && c->state != ChildSa::State::kCreating) return c.get();
  return nullptr;
}

bool IkeSa::HasLiveChildFor(const std::string& name, size_t pair, uint32_t except_inbound) const {
  for (const auto& c : children)
    if (c->pair_index == pair && c->state == ChildSa::State::kInstalled && c->conn_name() == name &&
        (except_inbound == 0 || c->inbound_spi != except_inbound))
      return true;
  return false;
}

bool IkeSa::HasNewerChildFor(const ChildSa& child) const {
  bool after = false;  // same millisecond: the later one in the list
  for (const auto& c : children) {
    if (c.get() == &child) {
      after = true;
      continue;
    }
    if (c->pair_index != child.pair_index || c->state != ChildSa::State::kInstalled ||
        c->conn_name() != child.conn_name())
      continue;
    if (c->established_ms > child.established_ms ||
        (after && c->established_ms == child.established_ms))
      return true;
  }
  return false;
}

ipsec::Status IkeSa::InstallKeys(ike::IkeSaKeys k) {
  keys = std::move(k);
  const auto& t = transforms;
  const bool ini = initiator_;
  auto in = ike::SkCipher::Create(t.encr, t.encr_key_bits, t.integ, ini ? keys.sk_er : keys.sk_ei,
                                  ini ? keys.sk_ar : keys.sk_ai);
  if (!in) return in.error();
  auto out = ike::SkCipher::Create(t.encr, t.encr_key_bits, t.integ, ini ? keys.sk_ei : keys.sk_er,
                                   ini ? keys.sk_ai : keys.sk_ar);
  if (!out) return out.error();
  in_cipher.emplace(std::move(in).value());
  out_cipher.emplace(std::move(out).value());
  return ipsec::Status::Ok();
}

}  // namespace ipsec::engine
