// The module's ESP algorithms by ipsecctl name: a view of the registry
// (common/algorithms.h, kEspSuites and the implemented kIntegs rows).
#include "kernel/algorithms.h"

#include <linux/ipsec_tun.h>

#include <algorithm>
#include <array>

#include "common/algorithms.h"

namespace ipsec::kernel {
namespace {

constexpr auto kEncr = [] {
  std::array<EncrAlgorithm, std::size(alg::kEspSuites)> out{};
  size_t n = 0;
  for (const auto& s : alg::kEspSuites) {
    const alg::Encr* e = alg::FindEncr(s.encr_id);
    out[n++] = {s.name,  s.encr_id,   s.key_bits, alg::KeyBytes(*e, s.key_bits) + e->salt_bytes,
                e->aead, e->icv_bytes};
  }
  return out;
}();

constexpr size_t kIntegCount = std::count_if(std::begin(alg::kIntegs), std::end(alg::kIntegs),
                                             [](const alg::Integ& i) { return i.implemented; });

constexpr auto kInteg = [] {
  std::array<IntegAlgorithm, kIntegCount> out{};
  size_t n = 0;
  for (const auto& i : alg::kIntegs)
    if (i.implemented) out[n++] = {i.module, i.id, i.key_bytes, i.icv_bytes};
  return out;
}();

}  // namespace

std::span<const EncrAlgorithm> EncrAlgorithms() {
  return kEncr;
}
std::span<const IntegAlgorithm> IntegAlgorithms() {
  return kInteg;
}

const EncrAlgorithm* FindEncr(std::string_view name) {
  for (const auto& a : kEncr)
    if (a.name == name) return &a;
  return nullptr;
}

const EncrAlgorithm* FindEncr(uint16_t encr_id, uint16_t key_bits) {
  for (const auto& a : kEncr)
    if (a.encr_id == encr_id && (a.key_bits == key_bits || key_bits == 0)) return &a;
  return nullptr;
}

const IntegAlgorithm* FindInteg(std::string_view name) {
  for (const auto& a : kInteg)
    if (a.name == name) return &a;
  return nullptr;
}

const IntegAlgorithm* FindInteg(uint16_t integ_id) {
  for (const auto& a : kInteg)
    if (a.integ_id == integ_id) return &a;
  return nullptr;
}

std::string EncrNames() {
  return alg::EspSuiteNames();
}
std::string IntegNames() {
  std::string out;
  for (const auto& a : kInteg) {
    if (!out.empty()) out += ", ";
    out += a.name;
  }
  return out;
}

std::string EncrName(uint16_t encr_id, uint16_t key_bits) {
  if (const auto* a = FindEncr(encr_id, key_bits)) return std::string(a->name);
  return "encr-" + std::to_string(encr_id) + "/" + std::to_string(key_bits);
}

std::string IntegName(uint16_t integ_id) {
  if (integ_id == IPSEC_TUN_AUTH_NONE) return "none";
  if (const auto* a = FindInteg(integ_id)) return std::string(a->name);
  return "integ-" + std::to_string(integ_id);
}

}  // namespace ipsec::kernel
