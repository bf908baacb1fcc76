// SecureBytes: key material. Zeroed (OPENSSL_cleanse) whenever its storage is
// released; never printed (no operator<<, ToString gives only the length).
#pragma once

#include <openssl/crypto.h>

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace ipsec {

class SecureBytes {
 public:
  SecureBytes() = default;
  explicit SecureBytes(size_t n) : b_(n, 0) {}
  SecureBytes(std::span<const uint8_t> s) : b_(s.begin(), s.end()) {}
  SecureBytes(const SecureBytes& o) : b_(o.b_) {}
  SecureBytes(SecureBytes&& o) noexcept : b_(std::move(o.b_)) { o.b_.clear(); }
  SecureBytes& operator=(const SecureBytes& o) {
    if (this != &o) { Wipe(); b_ = o.b_; }
    return *this;
  }
  SecureBytes& operator=(SecureBytes&& o) noexcept {
    if (this != &o) { Wipe(); b_ = std::move(o.b_); o.b_.clear(); }
    return *this;
  }
  ~SecureBytes() { Wipe(); }

  uint8_t* data() { return b_.data(); }
  const uint8_t* data() const { return b_.data(); }
  size_t size() const { return b_.size(); }
  bool empty() const { return b_.empty(); }
  uint8_t& operator[](size_t i) { return b_[i]; }
  const uint8_t& operator[](size_t i) const { return b_[i]; }
  std::span<const uint8_t> span() const { return {b_.data(), b_.size()}; }
  std::span<uint8_t> mutable_span() { return {b_.data(), b_.size()}; }
  // Growth reallocates: wipe the old buffer ourselves first.
  void Append(std::span<const uint8_t> s) {
    std::vector<uint8_t> n;
    n.reserve(b_.size() + s.size());
    n.insert(n.end(), b_.begin(), b_.end());
    n.insert(n.end(), s.begin(), s.end());
    Wipe();
    b_ = std::move(n);
  }
  SecureBytes Slice(size_t off, size_t len) const { return SecureBytes(span().subspan(off, len)); }
  bool operator==(const SecureBytes& o) const {
    return b_.size() == o.b_.size() && CRYPTO_memcmp(b_.data(), o.b_.data(), b_.size()) == 0;
  }
  std::string Describe() const { return "<" + std::to_string(b_.size()) + " secret bytes>"; }
  void Wipe() {
    if (!b_.empty()) OPENSSL_cleanse(b_.data(), b_.size());
    b_.clear();
  }

 private:
  std::vector<uint8_t> b_;
};

}  // namespace ipsec
