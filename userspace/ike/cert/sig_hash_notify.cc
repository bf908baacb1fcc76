#include "ike/cert/sig_hash_notify.h"

namespace ipsec::cert {

std::span<const SigHash> OurSignatureHashes() {
  static constexpr SigHash kOurs[] = {SigHash::kSha256, SigHash::kSha384, SigHash::kSha512,
                                      SigHash::kIdentity};
  return kOurs;
}

Bytes BuildSignatureHashData(std::span<const SigHash> hashes) {
  Bytes out;
  for (SigHash h : hashes) {
    auto v = static_cast<uint16_t>(h);
    out.push_back(static_cast<uint8_t>(v >> 8));
    out.push_back(static_cast<uint8_t>(v));
  }
  return out;
}

Result<std::vector<SigHash>> ParseSignatureHashData(std::span<const uint8_t> data) {
  if (data.size() % 2) return MakeError("SIGNATURE_HASH_ALGORITHMS of odd length");
  if (data.size() > 2 * 64) return MakeError("SIGNATURE_HASH_ALGORITHMS with over 64 entries");
  std::vector<SigHash> out;
  for (size_t i = 0; i < data.size(); i += 2) {
    uint16_t v = static_cast<uint16_t>(data[i] << 8 | data[i + 1]);
    if (v < 1 || v > 5) continue;
    auto h = static_cast<SigHash>(v);
    bool dup = false;
    for (SigHash seen : out) dup |= seen == h;
    if (!dup) out.push_back(h);
  }
  return out;
}

}  // namespace ipsec::cert
