// IKEv1 Decode() of arbitrary datagrams: must never crash, over-read or
// leak; anything accepted must encode to bytes that decode to the same
// payloads; the typed attribute views and a decrypted-chain parse of the
// body run on whatever the SA and body hold.
#include <cstdint>
#include <cstdlib>
#include <span>

#include "ike/v1/attributes.h"
#include "ike/v1/codec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ipsec::ike::v1;
  std::span<const uint8_t> in(data, size);
  // The same bytes as a decrypted body (padding allowed), first payload from byte 0.
  if (size > 1) (void)DecodePayloads(data[0], in.subspan(1), 29, true);
  auto m = Decode(in);
  if (!m) return 0;
  for (const auto& p : m->payloads)
    if (const auto* sa = std::get_if<SaPayload>(&p.body))
      for (const auto& prop : sa->proposals)
        for (const auto& t : prop.transforms) {
          (void)ParseIsakmpAttributes(t.attributes);
          (void)ParseIpsecAttributes(t.attributes);
        }
  auto wire = Encode(*m);
  if (!wire) abort();  // every accepted message fits again: nothing grows
  auto again = Decode(*wire);
  if (!again) abort();
  if (!(again->payloads == m->payloads) || again->encrypted_body != m->encrypted_body) abort();
  return 0;
}
