// One pure function per payload body (after the 4-byte generic payload
// header), each taking a bounded reader over exactly that body. Used by
// codec.cc; public so tests and fuzzers can reach each parser alone.
// `base` is the body's offset in the datagram, for error messages.
#pragma once

#include <string>

#include "common/bytes.h"
#include "common/result.h"
#include "ike/message.h"

namespace ipsec::ike {

Result<SaPayload> ParseSa(ByteReader r, size_t base);
Result<KePayload> ParseKe(ByteReader r, size_t base);
Result<NoncePayload> ParseNonce(ByteReader r, size_t base);
Result<IdPayload> ParseId(ByteReader r, size_t base);
Result<AuthPayload> ParseAuth(ByteReader r, size_t base);
Result<NotifyPayload> ParseNotify(ByteReader r, size_t base);
Result<DeletePayload> ParseDelete(ByteReader r, size_t base);
Result<TsPayload> ParseTs(ByteReader r, size_t base);
Result<ConfigPayload> ParseConfig(ByteReader r, size_t base);

// Parses the body for `type` into the matching PayloadBody alternative
// (RawPayload for CERT, CERTREQ, EAP, unknown). Not for SK/SKF.
Result<PayloadBody> ParsePayloadBody(PayloadType type, ByteReader r, size_t base);

// Appends the body (no generic header) of p. Fails when a field does not fit
// (e.g. more than 255 transforms, an SPI longer than 255 bytes).
Status WritePayloadBody(const PayloadBody& body, ByteWriter& w);

}  // namespace ipsec::ike
