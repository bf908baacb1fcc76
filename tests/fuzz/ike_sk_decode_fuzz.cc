// Decode() with SK keys. Random bytes almost never pass the ICV, so the
// input is treated as: [1 byte selector][IKE header fields ...][plaintext],
// sealed here with fixed keys; Decode must then verify, decrypt and parse
// the plaintext (padding, inner payload chain) without crashing. Raw inputs
// are also fed as-is to exercise the ICV-failure path.
#include <cstdint>
#include <cstdlib>
#include <span>

#include "common/bytes.h"
#include "fuzz_ciphers.h"
#include "ike/codec.h"

namespace {

using namespace ipsec;
using namespace ipsec::ike;

using fuzz::Cbc;
using fuzz::Gcm;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 3) return 0;
  const SkCipher& c = (data[0] & 1) ? Cbc() : Gcm();
  uint8_t exchange = 34 + (data[0] >> 1) % 5;  // SA_INIT .. INFORMATIONAL, 38 = unknown
  uint8_t first_inner = data[1];
  std::span<const uint8_t> plain(data + 2, size - 2);
  (void)Decode(std::span<const uint8_t>(data, size), &c);

  // Pad the plaintext to the block size by appending a pad length the input
  // did not choose only if misaligned; otherwise its last byte is the pad length.
  Bytes p(plain.begin(), plain.end());
  while (p.size() % c.block_size()) p.push_back(0);
  size_t sk_len = 4 + c.iv_size() + p.size() + c.icv_size();
  if (28 + sk_len > kMaxMessageSize) return 0;
  ByteWriter w;
  w.U64(0x0102030405060708ULL);
  w.U64(0x1112131415161718ULL);
  w.U8(46);
  w.U8(0x20);
  w.U8(exchange);
  w.U8(data[0] & 0x28);
  w.U32(1);
  w.U32(static_cast<uint32_t>(28 + sk_len));
  w.U8(first_inner);
  w.U8(0);
  w.U16(static_cast<uint16_t>(sk_len));
  Bytes iv(c.iv_size(), 0x5a);
  auto sealed = c.Seal(w.bytes(), iv, p);
  if (!sealed) abort();
  w.Bytes(iv);
  w.Bytes(*sealed);
  Bytes wire = w.Take();
  auto m = Decode(wire, &c);
  if (m) (void)Summarize(*m);
  auto raw = DecodeUnchecked(wire, &c);
  // A sealed message can only fail for syntax reasons, never integrity.
  if (!raw && raw.error().kind == DecodeErrorKind::kIntegrityFailed) abort();
  return 0;
}
