// ByteReader / ByteWriter: the bounded cursor every parser of network input
// goes through (OpenIKED's (buffer, offset, length) discipline as a type).
// A ByteReader can never read past its span: every read returns false /
// nullopt when the bytes are not there and advances only on success, so a
// parser that checks each read cannot overrun. Multi-byte integers are big
// endian (network order).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace ipsec {

class ByteReader {
 public:
  ByteReader() = default;
  explicit ByteReader(std::span<const uint8_t> data) : data_(data) {}

  size_t offset() const { return pos_; }  // bytes consumed so far
  size_t remaining() const { return data_.size() - pos_; }
  bool empty() const { return remaining() == 0; }
  std::span<const uint8_t> rest() const { return data_.subspan(pos_); }
  std::span<const uint8_t> consumed() const { return data_.first(pos_); }

  bool ReadU8(uint8_t* v) {
    if (remaining() < 1) return false;
    *v = data_[pos_++];
    return true;
  }
  bool ReadU16(uint16_t* v) {
    if (remaining() < 2) return false;
    *v = static_cast<uint16_t>(data_[pos_] << 8 | data_[pos_ + 1]);
    pos_ += 2;
    return true;
  }
  bool ReadU32(uint32_t* v) {
    if (remaining() < 4) return false;
    uint32_t r = 0;
    for (int i = 0; i < 4; ++i) r = r << 8 | data_[pos_ + i];
    *v = r;
    pos_ += 4;
    return true;
  }
  bool ReadU64(uint64_t* v) {
    if (remaining() < 8) return false;
    uint64_t r = 0;
    for (int i = 0; i < 8; ++i) r = r << 8 | data_[pos_ + i];
    *v = r;
    pos_ += 8;
    return true;
  }
  // A view of the next n bytes (valid as long as the underlying buffer).
  std::optional<std::span<const uint8_t>> ReadSpan(size_t n) {
    if (remaining() < n) return std::nullopt;
    auto s = data_.subspan(pos_, n);
    pos_ += n;
    return s;
  }
  bool ReadBytes(size_t n, std::vector<uint8_t>* out) {
    auto s = ReadSpan(n);
    if (!s) return false;
    out->assign(s->begin(), s->end());
    return true;
  }
  // A reader limited to the next n bytes; this reader skips past them.
  std::optional<ByteReader> Sub(size_t n) {
    auto s = ReadSpan(n);
    if (!s) return std::nullopt;
    return ByteReader(*s);
  }
  bool Skip(size_t n) { return ReadSpan(n).has_value(); }

 private:
  std::span<const uint8_t> data_;
  size_t pos_ = 0;
};

class ByteWriter {
 public:
  ByteWriter() = default;

  size_t size() const { return buf_.size(); }
  const std::vector<uint8_t>& bytes() const { return buf_; }
  std::vector<uint8_t> Take() { return std::move(buf_); }

  void U8(uint8_t v) { buf_.push_back(v); }
  void U16(uint16_t v) {
    buf_.push_back(static_cast<uint8_t>(v >> 8));
    buf_.push_back(static_cast<uint8_t>(v));
  }
  void U32(uint32_t v) {
    for (int s = 24; s >= 0; s -= 8) buf_.push_back(static_cast<uint8_t>(v >> s));
  }
  void U64(uint64_t v) {
    for (int s = 56; s >= 0; s -= 8) buf_.push_back(static_cast<uint8_t>(v >> s));
  }
  void Bytes(std::span<const uint8_t> b) { buf_.insert(buf_.end(), b.begin(), b.end()); }
  void Zeros(size_t n) { buf_.insert(buf_.end(), n, 0); }

  // Length fields are written as placeholders and patched once the body is
  // known. Returns false if the patch would fall outside what was written.
  bool PatchU16(size_t at, uint16_t v) {
    if (at + 2 > buf_.size()) return false;
    buf_[at] = static_cast<uint8_t>(v >> 8);
    buf_[at + 1] = static_cast<uint8_t>(v);
    return true;
  }
  bool PatchU32(size_t at, uint32_t v) {
    if (at + 4 > buf_.size()) return false;
    for (int i = 0; i < 4; ++i) buf_[at + i] = static_cast<uint8_t>(v >> (24 - 8 * i));
    return true;
  }
  bool PatchU8(size_t at, uint8_t v) {
    if (at >= buf_.size()) return false;
    buf_[at] = v;
    return true;
  }

 private:
  std::vector<uint8_t> buf_;
};

}  // namespace ipsec
