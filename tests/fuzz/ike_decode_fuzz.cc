// Decode() of arbitrary datagrams: must never crash, over-read or leak, and
// anything it accepts must encode again to bytes it accepts identically.
#include <cstdint>
#include <cstdlib>
#include <span>

#include "ike/codec.h"
#include "ike/payload_rules.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ipsec::ike;
  std::span<const uint8_t> in(data, size);
  (void)DecodeHeader(in);
  auto m = DecodeUnchecked(in);
  if (!m) return 0;
  (void)CheckPayloadRules(*m);
  (void)Summarize(*m);
  if (m->encrypted) return 0;
  // Round trip: what we parsed must encode and parse back to the same message.
  auto wire = Encode(*m);
  if (!wire)
    return 0;  // e.g. fields that do not fit cannot happen from valid input,
               // but an unknown payload body of 65535-4 bytes can
  auto again = DecodeUnchecked(*wire);
  if (!again) abort();
  again->header.length = m->header.length = 0;
  again->header.next_payload = m->header.next_payload = 0;
  // Reserved bits and transform attributes we do not understand are dropped
  // on encode (the flag saying they were there is not re-derivable), so
  // compare payload types and bodies with that flag cleared.
  if (again->payloads.size() != m->payloads.size()) abort();
  for (size_t i = 0; i < m->payloads.size(); ++i) {
    for (Message* msg : {&*m, &*again})
      if (auto* sa = std::get_if<SaPayload>(&msg->payloads[i].body))
        for (auto& p : sa->proposals) p.has_unknown_attribute = false;
    if (!(again->payloads[i].body == m->payloads[i].body) ||
        again->payloads[i].type != m->payloads[i].type)
      abort();
  }
  return 0;
}
