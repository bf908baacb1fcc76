// IKE fragmentation (RFC 7383): OpenFragment() and FragmentReassembler.
// Raw input goes to OpenFragment as a datagram (the ICV-failure and header
// paths). Then the input is read as records, each sealed here with fixed
// keys as an SKF datagram so that it verifies:
//   [flags: bit 0 response, bit 1 AES-CBC+HMAC][message ID][number hi lo]
//   [total hi lo][first inner payload][length][plaintext of that length]
// and fed through OpenFragment and one reassembler (with a small global
// budget); a completed message is parsed (Take), as the engine would.
#include <cstdint>
#include <cstdlib>
#include <span>

#include "common/bytes.h"
#include "fuzz_ciphers.h"
#include "ike/codec.h"
#include "ike/fragments.h"

namespace {

using namespace ipsec;
using namespace ipsec::ike;

using fuzz::Cbc;
using fuzz::Gcm;

Bytes Seal(const SkCipher& c, uint8_t flags, uint8_t message_id, uint16_t number, uint16_t total,
           uint8_t first, std::span<const uint8_t> plain) {
  Bytes p = PadForSk(plain, c.block_size());
  const size_t skf_len = 8 + c.iv_size() + p.size() + c.icv_size();
  ByteWriter w;
  w.U64(0x0102030405060708ULL);
  w.U64(0x1112131415161718ULL);
  w.U8(53);
  w.U8(0x20);
  w.U8(35);  // IKE_AUTH
  w.U8(flags & 1 ? kFlagResponse : kFlagInitiator);
  w.U32(message_id);
  w.U32(static_cast<uint32_t>(28 + skf_len));
  w.U8(first);
  w.U8(0);
  w.U16(static_cast<uint16_t>(skf_len));
  w.U16(number);
  w.U16(total);
  Bytes iv(c.iv_size(), 0x5a);
  auto sealed = c.Seal(w.bytes(), iv, p);
  if (!sealed) abort();
  w.Bytes(iv);
  w.Bytes(*sealed);
  return w.Take();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  (void)OpenFragment(std::span<const uint8_t>(data, size), Gcm());
  FragmentBudget budget;
  budget.limit = 16384;
  FragmentReassembler r(budget);
  ByteReader in(std::span<const uint8_t>(data, size));
  uint8_t flags = 0, message_id = 0, first = 0, length = 0;
  uint16_t number = 0, total = 0;
  while (in.ReadU8(&flags) && in.ReadU8(&message_id) && in.ReadU16(&number) && in.ReadU16(&total) &&
         in.ReadU8(&first) && in.ReadU8(&length)) {
    auto plain = in.ReadSpan(std::min<size_t>(length, in.remaining()));
    const SkCipher& c = (flags & 2) ? Cbc() : Gcm();
    Bytes d = Seal(c, flags, message_id, number, total, first, *plain);
    auto f = OpenFragment(d, c);
    if (!f) abort();  // sealed with the same keys: must verify
    if (r.Add(std::move(f).value()) == FragmentReassembler::Outcome::kComplete) (void)r.Take();
    if (budget.held > budget.limit || r.held_bytes() != budget.held) abort();
  }
  r.Clear();
  if (budget.held != 0) abort();
  return 0;
}
