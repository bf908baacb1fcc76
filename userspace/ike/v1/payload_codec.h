// One pure function per IKEv1 payload body (after the 4-byte generic
// header), each on a bounded reader over exactly that body; `base` is the
// body's offset in the datagram, for error messages. Used by codec.cc;
// public so tests and the fuzzer can reach each parser alone.
#pragma once

#include "common/bytes.h"
#include "common/result.h"
#include "ike/v1/message.h"

namespace ipsec::ike::v1 {

Result<SaPayload> ParseSa(ByteReader r, size_t base);
Result<KePayload> ParseKe(ByteReader r, size_t base);
Result<NoncePayload> ParseNonce(ByteReader r, size_t base);
Result<IdPayload> ParseId(ByteReader r, size_t base);
Result<HashPayload> ParseHash(ByteReader r, size_t base);
Result<NotifyPayload> ParseNotify(ByteReader r, size_t base);
Result<DeletePayload> ParseDelete(ByteReader r, size_t base);
Result<VendorIdPayload> ParseVendorId(ByteReader r, size_t base);
Result<NatDPayload> ParseNatD(ByteReader r, size_t base);
Result<NatOaPayload> ParseNatOa(ByteReader r, size_t base);

// The body for `type` as the matching PayloadBody alternative (RawPayload
// for CERT, CR, SIG and unknown types). Proposal and Transform payloads
// exist only inside an SA: at top level they are an error.
Result<PayloadBody> ParsePayloadBody(uint8_t type, ByteReader r, size_t base);

// Appends the body (no generic header). Fails when a field does not fit its
// wire size or the body breaks a rule the parser enforces (so that what we
// send, we would accept).
Status WritePayloadBody(const PayloadBody& body, ByteWriter& w);

// Checks an ID payload's data against its type (shared by parser and writer).
Status CheckIdData(uint8_t id_type, const Bytes& data);

}  // namespace ipsec::ike::v1
