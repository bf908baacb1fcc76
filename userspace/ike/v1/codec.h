// The IKEv1 (ISAKMP) message codec: bytes <-> Message, no state. Every
// length is checked before use; every failure is a DecodeError saying what,
// where (datagram offset) and why.
//
// Receive path for the engine:
//   1. Decode(datagram): header checked; a cleartext message's payloads are
//      parsed; an encrypted one (flag E) comes back with encrypted_body.
//   2. the engine decrypts encrypted_body with the phase-1 key and the IV of
//      that exchange (keymat.h), then DecodePayloads(header.next_payload,
//      plaintext, kHeaderSize, /*padded=*/true).
// Send path: EncodePayloads(payloads) -> plaintext to pad and encrypt; then
// Encode(message with header.flags E, header.next_payload and
// encrypted_body set), or Encode(message) for a cleartext one.
#pragma once

#include <cstdint>
#include <span>

#include "common/result.h"
#include "ike/decode_error.h"
#include "ike/v1/message.h"

namespace ipsec::ike::v1 {

inline constexpr size_t kMaxMessageSize = 65535;

// The fixed header only: major version 1, length field equal to the datagram.
DecodeResult<Header> DecodeHeader(std::span<const uint8_t> datagram);

// Header + (cleartext) payload chain; see above for encrypted messages.
DecodeResult<Message> Decode(std::span<const uint8_t> datagram);

// A payload chain starting with type `first`. `base` is the chain's offset
// in the datagram (error messages). padded: bytes after the last payload are
// allowed (RFC 2408 3.5: padding of a decrypted body), else an error.
DecodeResult<std::vector<Payload>> DecodePayloads(uint8_t first, std::span<const uint8_t> chain,
                                                  size_t base, bool padded);

// Payloads with their generic headers, chained (no padding). Fails when a
// body does not fit, or a body's kind does not match its Payload::type.
Result<Bytes> EncodePayloads(const std::vector<Payload>& payloads);

// The datagram: header (length filled) + payloads, or + encrypted_body with
// header.next_payload as given when header.encrypted().
Result<Bytes> Encode(const Message& message);

}  // namespace ipsec::ike::v1
