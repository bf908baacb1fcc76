#include "kernel/algorithms.h"

#include <linux/ipsec_tun.h>

namespace ipsec::kernel {
namespace {

constexpr size_t kSalt = 4;

constexpr EncrAlgorithm kEncr[] = {
    {"aes-gcm-128", IPSEC_TUN_ENCR_AES_GCM_16, 128, 16 + kSalt, true, 16},
    {"aes-gcm-256", IPSEC_TUN_ENCR_AES_GCM_16, 256, 32 + kSalt, true, 16},
    {"aes-gcm-128-icv12", IPSEC_TUN_ENCR_AES_GCM_12, 128, 16 + kSalt, true, 12},
    {"aes-gcm-256-icv12", IPSEC_TUN_ENCR_AES_GCM_12, 256, 32 + kSalt, true, 12},
    {"aes-gcm-128-icv8", IPSEC_TUN_ENCR_AES_GCM_8, 128, 16 + kSalt, true, 8},
    {"aes-gcm-256-icv8", IPSEC_TUN_ENCR_AES_GCM_8, 256, 32 + kSalt, true, 8},
    {"chacha20-poly1305", IPSEC_TUN_ENCR_CHACHA20_POLY1305, 0, 32 + kSalt, true, 16},
    {"aes-gmac-128", IPSEC_TUN_ENCR_NULL_AUTH_AES_GMAC, 128, 16 + kSalt, true, 16},
    {"aes-gmac-256", IPSEC_TUN_ENCR_NULL_AUTH_AES_GMAC, 256, 32 + kSalt, true, 16},
    {"aes-cbc-128", IPSEC_TUN_ENCR_AES_CBC, 128, 16, false, 0},
    {"aes-cbc-256", IPSEC_TUN_ENCR_AES_CBC, 256, 32, false, 0},
};

constexpr IntegAlgorithm kInteg[] = {
    {"hmac-sha1", IPSEC_TUN_AUTH_HMAC_SHA1_96, 20, 12},
    {"hmac-sha256", IPSEC_TUN_AUTH_HMAC_SHA2_256_128, 32, 16},
    {"hmac-sha384", IPSEC_TUN_AUTH_HMAC_SHA2_384_192, 48, 24},
    {"hmac-sha512", IPSEC_TUN_AUTH_HMAC_SHA2_512_256, 64, 32},
};

template <class T>
std::string JoinNames(std::span<const T> algs) {
  std::string out;
  for (const auto& a : algs) {
    if (!out.empty()) out += ", ";
    out += a.name;
  }
  return out;
}

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
  return JoinNames(EncrAlgorithms());
}
std::string IntegNames() {
  return JoinNames(IntegAlgorithms());
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
