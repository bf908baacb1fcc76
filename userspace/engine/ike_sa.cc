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

bool IkeSa::HasLiveChildForPair(size_t pair) const {
  for (const auto& c : children)
    if (c->pair_index == pair && c->state == ChildSa::State::kInstalled) return true;
  return false;
}

}  // namespace ipsec::engine
