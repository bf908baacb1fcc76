// The module's algorithm table (kmod/crypto_algs.h, the very header
// crypto.c compiles) agrees with userspace's registry
// (userspace/common/algorithms.h) row for row: the same IDs, kernel crypto
// names, key, salt, IV and ICV sizes, and nothing more or less on either side.
#include "crypto_algs.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string_view>

#include "common/algorithms.h"

namespace ipsec::alg {
namespace {

const ipsec_tun_encr_alg* ModuleEncr(uint16_t id) {
  for (const auto& m : ipsec_tun_encr_algs)
    if (m.id == id) return &m;
  return nullptr;
}

const ipsec_tun_integ_alg* ModuleInteg(uint16_t id) {
  for (const auto& m : ipsec_tun_integ_algs)
    if (m.id == id) return &m;
  return nullptr;
}

std::set<unsigned> KeyBytesOf(const Encr& e) {
  std::set<unsigned> out;
  if (e.fixed_key_bits) out.insert(e.fixed_key_bits / 8);
  for (uint16_t b : e.key_bits)
    if (b) out.insert(b / 8);
  return out;
}

TEST(ModuleAlgorithms, EveryEspCipherOfTheRegistryIsTheModules) {
  for (const auto& e : kEncrs) {
    const ipsec_tun_encr_alg* m = ModuleEncr(e.id);
    if (!e.esp) {
      EXPECT_EQ(m, nullptr) << e.name << ": in the module, not marked esp in the registry";
      continue;
    }
    ASSERT_NE(m, nullptr) << e.name << ": marked esp in the registry, not in the module";
    EXPECT_EQ(std::string_view(m->name), e.kernel) << e.name;
    std::set<unsigned> module_keys;
    for (uint8_t k : m->keylens)
      if (k) module_keys.insert(k);
    EXPECT_EQ(module_keys, KeyBytesOf(e)) << e.name;
    EXPECT_EQ(m->saltlen, e.salt_bytes) << e.name;
    EXPECT_EQ(m->ivlen, e.iv_bytes) << e.name;
    EXPECT_EQ(m->icvlen, e.icv_bytes) << e.name;
    // ESP pads to 4 bytes at least (RFC 4303 2.4), to the block for CBC.
    EXPECT_EQ(m->align, std::max<unsigned>(e.block_bytes, 4)) << e.name;
    // Counter modes take the sequence number as IV (RFC 4106 3.1, 7634 2).
    EXPECT_EQ(m->iv_from_seq, e.aead) << e.name;
  }
}

TEST(ModuleAlgorithms, EveryModuleCipherIsInTheRegistry) {
  std::set<uint16_t> seen;
  for (const auto& m : ipsec_tun_encr_algs) {
    EXPECT_TRUE(seen.insert(m.id).second) << m.id << " twice in the module";
    const Encr* e = FindEncr(m.id);
    ASSERT_NE(e, nullptr) << m.id;
    EXPECT_TRUE(e->esp) << e->name;
  }
}

TEST(ModuleAlgorithms, IntegrityAlgorithmsAgree) {
  size_t implemented = 0;
  for (const auto& i : kIntegs) {
    const ipsec_tun_integ_alg* m = ModuleInteg(i.id);
    if (!i.implemented || i.id == integ::kNone) {
      EXPECT_EQ(m, nullptr) << i.name;
      continue;
    }
    ++implemented;
    ASSERT_NE(m, nullptr) << i.name << ": not in the module";
    EXPECT_EQ(std::string_view(m->hash), i.kernel) << i.name;
    EXPECT_EQ(m->keylen, i.key_bytes) << i.name;
    EXPECT_EQ(m->icvlen, i.icv_bytes) << i.name;
  }
  EXPECT_EQ(implemented, std::size(ipsec_tun_integ_algs));
}

}  // namespace
}  // namespace ipsec::alg
