// What went wrong with a received message, in a form the engine can act on
// (which notify to answer with, whether to count and drop silently) and a
// person can read ("SA payload: transform length 3 < 8 at offset 44").
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <variant>

namespace ipsec::ike {

enum class DecodeErrorKind {
  kTruncated,                   // datagram shorter than the header or its length field: drop
  kInvalidMajorVersion,         // answer INVALID_MAJOR_VERSION (unencrypted)
  kInvalidSyntax,               // malformed payload; answer INVALID_SYNTAX only if authenticated
  kUnsupportedCriticalPayload,  // answer UNSUPPORTED_CRITICAL_PAYLOAD (data = payload type)
  kPayloadNotAllowed,  // payload not allowed in this exchange/role, or outside SK: INVALID_SYNTAX
  kMissingPayload,     // a required payload is absent: INVALID_SYNTAX
  kNeedKeys,           // message has SK but no keys were given (e.g. no IKE SA): drop
  kIntegrityFailed,    // ICV mismatch / AEAD tag failure: drop silently and count
  kUnsupported,        // SKF fragments, IKE_INTERMEDIATE and the like: drop, log
};

const char* DecodeErrorKindName(DecodeErrorKind k);

struct DecodeError {
  DecodeErrorKind kind = DecodeErrorKind::kInvalidSyntax;
  std::string message;
  uint8_t payload_type = 0;  // for kUnsupportedCriticalPayload / kPayloadNotAllowed
};

template <class T>
class [[nodiscard]] DecodeResult {
 public:
  DecodeResult(T value) : v_(std::move(value)) {}
  DecodeResult(DecodeError e) : v_(std::move(e)) {}
  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  const DecodeError& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, DecodeError> v_;
};

}  // namespace ipsec::ike
