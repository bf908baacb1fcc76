// The IKEv2 message codec: bytes <-> Message (QUICHE's framer: no state, no
// SA lookups). Every length is checked before use; every failure says what,
// where (byte offset in the datagram) and why.
//
// Receive path for the engine:
//   1. DecodeHeader(datagram)            -> SPIs, exchange, flags, message ID
//   2. look up the IKE SA, pick the inbound SkCipher (or none for IKE_SA_INIT)
//   3. Decode(datagram, cipher)          -> Message (SK verified, decrypted and
//      parsed; payload rules of payload_rules.h checked)
// Send path: Encode(message) for IKE_SA_INIT; EncodeEncrypted(message,
// outbound cipher, random) for everything else.
#pragma once

#include <cstdint>
#include <span>

#include "common/random.h"
#include "common/result.h"
#include "ike/decode_error.h"
#include "ike/message.h"
#include "ike/sk_cipher.h"

namespace ipsec::ike {

// Largest datagram we accept or build (RFC 7296 2.: at least 1280 for
// IPv6; we allow up to a full UDP datagram).
inline constexpr size_t kMaxMessageSize = 65535;

// Parses and checks only the fixed header: version, length field against the
// datagram size (the datagram may not be shorter; trailing bytes are an error).
DecodeResult<IkeHeader> DecodeHeader(std::span<const uint8_t> datagram);

// Full decode. If the message carries SK, cipher must be the inbound cipher
// of the IKE SA (else kNeedKeys); the ICV is verified before any inner byte is
// parsed. Payload rules (payload_rules.h) are checked last. cipher may be
// nullptr for IKE_SA_INIT.
DecodeResult<Message> Decode(std::span<const uint8_t> datagram, const SkCipher* cipher = nullptr);

// Same as Decode without the payload-rules check (for tests and tooling).
DecodeResult<Message> DecodeUnchecked(std::span<const uint8_t> datagram,
                                      const SkCipher* cipher = nullptr);

// The message of reassembled SKF fragments (fragments.h): the joined,
// already verified and unpadded plaintext parsed as the chain starting with
// first_inner, then the payload rules checked as in Decode.
DecodeResult<Message> DecodeReassembled(const IkeHeader& header, uint8_t first_inner,
                                        std::span<const uint8_t> plain);

// The plaintext of an SK or SKF payload: payloads + padding + pad-length
// byte, a multiple of block bytes (RFC 7296 3.14).
Bytes PadForSk(std::span<const uint8_t> payloads, size_t block);

// Cleartext message (message.encrypted must be false). Fills length and
// next_payload. Fails only if the result would exceed kMaxMessageSize or a
// field does not fit its wire size.
Result<Bytes> Encode(const Message& message);

// Protected message: payloads go inside an SK payload encrypted and
// integrity-protected with cipher (the outbound direction); random gives the
// IV. message.encrypted is ignored (treated as true).
Result<Bytes> EncodeEncrypted(const Message& message, const SkCipher& cipher, RandomSource& random);

// The payload chain of message as it goes inside SK, unpadded.
Result<Bytes> EncodeInnerPayloads(const Message& message);

// The body of an ID payload after the generic header (ID Type, 3 reserved
// bytes, data): RestOfInitIDPayload / RestOfRespIDPayload of RFC 7296 2.15.
Bytes EncodeIdBody(const IdPayload& id);

}  // namespace ipsec::ike
