// Every way a received datagram can be malformed must give a precise
// DecodeError of the right kind, never a crash or an over-read (the fuzzer
// and ASan builds back this up).
#include <gtest/gtest.h>

#include "common/bytes.h"
#include "common/hex.h"
#include "ike/codec.h"
#include "ike/payload_codec.h"
#include "test_messages.h"

namespace ipsec::ike {
namespace {

using namespace ipsec::ike::testing;
using K = DecodeErrorKind;

// Header + one payload chain given as raw bytes, with correct lengths.
Bytes Datagram(uint8_t first, const Bytes& payloads, ExchangeType x = ExchangeType::kIkeSaInit,
               uint8_t flags = kFlagInitiator) {
  ByteWriter w;
  w.U64(0x1111111111111111ULL);
  w.U64(0);
  w.U8(first);
  w.U8(0x20);
  w.U8(static_cast<uint8_t>(x));
  w.U8(flags);
  w.U32(0);
  w.U32(static_cast<uint32_t>(28 + payloads.size()));
  w.Bytes(payloads);
  return w.Take();
}

Bytes GenericPayload(uint8_t next, const Bytes& body, bool critical = false,
                     int length_override = -1) {
  ByteWriter w;
  w.U8(next);
  w.U8(critical ? 0x80 : 0);
  w.U16(length_override >= 0 ? static_cast<uint16_t>(length_override)
                             : static_cast<uint16_t>(4 + body.size()));
  w.Bytes(body);
  return w.Take();
}

Bytes Hex(const char* s) {
  return *FromHex(s);
}

DecodeError ExpectError(const Bytes& wire, K kind, const std::string& substring,
                        const SkCipher* c = nullptr) {
  auto r = Decode(wire, c);
  EXPECT_FALSE(r.ok());
  if (r.ok()) return {};
  EXPECT_EQ(r.error().kind, kind) << r.error().message;
  EXPECT_NE(r.error().message.find(substring), std::string::npos)
      << "message was: " << r.error().message;
  return r.error();
}

Bytes ValidSaInit() {
  return *Encode(SaInitRequest());
}

TEST(IkeMalformed, TruncatedHeader) {
  ExpectError({}, K::kTruncated, "shorter than the IKE header");
  Bytes w = ValidSaInit();
  w.resize(27);
  ExpectError(w, K::kTruncated, "shorter than the IKE header");
}

TEST(IkeMalformed, LengthFieldLargerThanDatagram) {
  Bytes w = ValidSaInit();
  w.pop_back();
  ExpectError(w, K::kTruncated, "but datagram has only");
}

TEST(IkeMalformed, LengthFieldSmallerThanDatagram) {
  Bytes w = ValidSaInit();
  w.push_back(0);
  ExpectError(w, K::kInvalidSyntax, "header length field");
}

TEST(IkeMalformed, LengthFieldBelowHeaderSize) {
  Bytes w = Datagram(0, {});
  w[27] = 20;
  ExpectError(w, K::kInvalidSyntax, "< header size 28");
}

TEST(IkeMalformed, WrongMajorVersion) {
  Bytes w = ValidSaInit();
  w[17] = 0x10;
  ExpectError(w, K::kInvalidMajorVersion, "major version 1");
}

TEST(IkeMalformed, ZeroLengthPayloadCannotLoop) {
  // A payload claiming length 0 must not make the parser spin in place.
  Bytes w = Datagram(43, GenericPayload(43, {}, false, 0));
  ExpectError(w, K::kInvalidSyntax, "V payload length 0 < 4 at offset 28");
}

TEST(IkeMalformed, PayloadOverrunsMessage) {
  Bytes w = Datagram(43, GenericPayload(0, {1, 2, 3}, false, 40));
  ExpectError(w, K::kInvalidSyntax, "overruns the message");
}

TEST(IkeMalformed, TruncatedGenericHeader) {
  Bytes w = Datagram(43, {0, 0});
  ExpectError(w, K::kInvalidSyntax, "payload header truncated");
}

TEST(IkeMalformed, BytesAfterLastPayload) {
  Bytes p = GenericPayload(0, {1});
  p.push_back(0xff);
  ExpectError(Datagram(43, p), K::kInvalidSyntax, "1 bytes after the last payload");
}

TEST(IkeMalformed, BadTransformLength) {
  // Proposal with one transform whose length says 3.
  Bytes sa = Hex("00000010 01010001 00000003 01000000");
  auto e = ExpectError(Datagram(33, GenericPayload(0, sa)), K::kInvalidSyntax,
                       "SA payload: transform length 3 < 8 at offset 40");
  EXPECT_EQ(e.payload_type, 33);
}

TEST(IkeMalformed, TransformOverrunsProposal) {
  Bytes sa = Hex("00000010 01010001 00000020 01000000");
  ExpectError(Datagram(33, GenericPayload(0, sa)), K::kInvalidSyntax,
              "transform length 32 overruns proposal");
}

TEST(IkeMalformed, ProposalLengthTooSmallOrLarge) {
  ExpectError(Datagram(33, GenericPayload(0, Hex("00000004 01010001"))), K::kInvalidSyntax,
              "proposal length 4 < 8");
  ExpectError(Datagram(33, GenericPayload(0, Hex("00000040 01010001"))), K::kInvalidSyntax,
              "proposal length 64 overruns payload");
}

// RFC 7296 3.3.1: a responder's SA carries the number of the proposal it
// accepted. strongSwan 5.9 picks our second default IKE proposal (AES-CBC)
// and answers with proposal number 2; that must decode.
TEST(IkeMalformed, ResponseSaMayCarryProposalNumberTwo) {
  Message m = SaInitRequest();
  m.header.flags = kFlagResponse;
  m.header.spi_r = 0xfedcba9876543210ULL;
  auto& sa = std::get<SaPayload>(m.payloads[0].body);
  sa.proposals.erase(sa.proposals.begin());
  ASSERT_EQ(sa.proposals[0].number, 2);
  auto wire = Encode(m);
  ASSERT_TRUE(wire) << wire.error().message;
  auto back = Decode(*wire);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->Find<SaPayload>(PayloadType::kSa)->proposals[0].number, 2);
  // The same SA in a request is refused: an initiator numbers from 1.
  m.header.flags = kFlagInitiator;
  m.header.spi_r = 0;
  wire = Encode(m);
  ASSERT_TRUE(wire) << wire.error().message;
  ExpectError(*wire, K::kInvalidSyntax, "first proposal number is 2");
}

TEST(IkeMalformed, ProposalStructureErrors) {
  // Transform count says 2, only one present.
  ExpectError(Datagram(33, GenericPayload(0, Hex("00000010 01010002 03000008 0100000c"))),
              K::kInvalidSyntax, "transform 2 of 2 truncated");
  // Last-substructure says more follow but none do.
  ExpectError(Datagram(33, GenericPayload(0, Hex("02000010 01010001 00000008 0100000c"))),
              K::kInvalidSyntax, "more follow");
  // First proposal numbered 2.
  ExpectError(Datagram(33, GenericPayload(0, Hex("00000010 02010001 00000008 0100000c"))),
              K::kInvalidSyntax, "first proposal number is 2");
  // Unknown protocol ID 9.
  ExpectError(Datagram(33, GenericPayload(0, Hex("00000010 01090001 00000008 0100000c"))),
              K::kInvalidSyntax, "protocol ID 9 unknown");
  // SPI size overruns.
  ExpectError(Datagram(33, GenericPayload(0, Hex("0000000c 01030801 00000000"))), K::kInvalidSyntax,
              "SPI size 8 overruns proposal");
  // TLV attribute length overruns the transform.
  ExpectError(Datagram(33, GenericPayload(0, Hex("00000014 01010001 0000000c 0100000c 00010010"))),
              K::kInvalidSyntax, "attribute length 16 overruns transform");
  // Zero transforms.
  ExpectError(Datagram(33, GenericPayload(0, Hex("00000008 01010000"))), K::kInvalidSyntax,
              "no transforms");
}

TEST(IkeMalformed, UnknownCriticalPayload) {
  auto e = ExpectError(Datagram(200, GenericPayload(0, {1, 2}, true)),
                       K::kUnsupportedCriticalPayload, "critical payload type 200");
  EXPECT_EQ(e.payload_type, 200);
}

TEST(IkeMalformed, NonceLength) {
  ExpectError(Datagram(40, GenericPayload(0, Fill(15, 1))), K::kInvalidSyntax,
              "Nonce payload: length 15 outside 16..256");
  ExpectError(Datagram(40, GenericPayload(0, Fill(257, 1))), K::kInvalidSyntax, "length 257");
}

TEST(IkeMalformed, OtherPayloadBodies) {
  ExpectError(Datagram(34, GenericPayload(0, Hex("000e0000"))), K::kInvalidSyntax,
              "KE payload: empty");
  ExpectError(Datagram(35, GenericPayload(0, Hex("01000000 0a000001 02"))), K::kInvalidSyntax,
              "address identity of 5 bytes");
  ExpectError(Datagram(41, GenericPayload(0, Hex("0304 4000 0102"))), K::kInvalidSyntax,
              "SPI size 4 overruns");
  ExpectError(Datagram(42, GenericPayload(0, Hex("03040002 01020304"))), K::kInvalidSyntax,
              "2 SPIs of 4 bytes do not match body of 4");
  ExpectError(Datagram(42, GenericPayload(0, Hex("01040001 01020304"))), K::kInvalidSyntax,
              "IKE SA delete with SPI size 4");
  ExpectError(Datagram(42, GenericPayload(0, Hex("03020001 0102"))), K::kInvalidSyntax,
              "SPI size 2 != 4");
  ExpectError(Datagram(44, GenericPayload(0, Hex("00000000"))), K::kInvalidSyntax,
              "no traffic selectors");
  ExpectError(Datagram(44, GenericPayload(0, Hex("01000000 07000014 0000ffff 0a000000 0a0000ff"))),
              K::kInvalidSyntax, "selector length 20, expected 16");
  ExpectError(Datagram(44, GenericPayload(0, Hex("02000000 07000010 0000ffff 0a000000 0a0000ff"))),
              K::kInvalidSyntax, "selector 2 of 2 truncated");
  ExpectError(Datagram(44, GenericPayload(0, Hex("01000000 09000010 0000ffff 0a000000 0a0000ff"))),
              K::kInvalidSyntax, "unsupported selector type 9");
  ExpectError(Datagram(47, GenericPayload(0, Hex("01000000 00010008 0a00"))), K::kInvalidSyntax,
              "attribute length 8 overruns");
  ExpectError(Datagram(39, GenericPayload(0, Hex("02000000"))), K::kInvalidSyntax,
              "AUTH payload: empty");
}

// SKF goes through fragments.h (the engine routes it by the header's next
// payload); Decode refuses it.
TEST(IkeMalformed, FragmentsAreNotForDecode) {
  ExpectError(Datagram(53, GenericPayload(0, Fill(20, 0))), K::kInvalidSyntax, "RFC 7383");
}

TEST(IkeMalformed, SkWithoutKeys) {
  Bytes w = Datagram(46, GenericPayload(41, Fill(40, 0)), ExchangeType::kIkeAuth);
  ExpectError(w, K::kNeedKeys, "no IKE SA keys");
}

TEST(IkeMalformed, SkMustBeLast) {
  Bytes p = GenericPayload(43, Fill(40, 0));
  Bytes v = GenericPayload(0, {1});
  p.insert(p.end(), v.begin(), v.end());
  ExpectError(Datagram(46, p, ExchangeType::kIkeAuth), K::kInvalidSyntax,
              "SK payload is not the last payload");
}

TEST(IkeMalformed, PayloadOutsideSk) {
  Bytes p = GenericPayload(46, {1});
  Bytes sk = GenericPayload(0, Fill(40, 0));
  p.insert(p.end(), sk.begin(), sk.end());
  ExpectError(Datagram(43, p, ExchangeType::kIkeAuth), K::kPayloadNotAllowed,
              "V payload outside the SK payload");
}

class ZeroRandom : public RandomSource {
 public:
  bool Fill(std::span<uint8_t> out) override {
    std::fill(out.begin(), out.end(), 0);
    return true;
  }
};

SkCipher Cbc() {
  return *SkCipher::Create(encr::kAesCbc, 256, integ::kHmacSha2_512_256, SecureBytes(Fill(32, 1)),
                           SecureBytes(Fill(64, 2)));
}
SkCipher Gcm() {
  return *SkCipher::Create(encr::kAesGcm8, 128, integ::kNone, SecureBytes(Fill(20, 3)), {});
}

TEST(IkeMalformed, SkTamperedAnywhereFailsIntegrity) {
  for (bool aead : {false, true}) {
    SkCipher c = aead ? Gcm() : Cbc();
    ZeroRandom rnd;
    Bytes good = *EncodeEncrypted(AuthRequest(), c, rnd);
    ASSERT_TRUE(Decode(good, &c));
    // Every byte after the fixed length field is covered: header (SPIs, msg
    // ID, flags), SK header, IV, ciphertext, ICV.
    for (size_t i = 0; i < good.size(); ++i) {
      if (i >= 24 && i < 28) continue;              // length field: caught as length error
      if (i == 17) continue;                        // version: caught as version error
      if (i == 16 || i == 30 || i == 31) continue;  // chain / SK length: syntax errors
      Bytes bad = good;
      bad[i] ^= 0x01;
      auto r = Decode(bad, &c);
      ASSERT_FALSE(r.ok()) << "byte " << i;
      EXPECT_EQ(r.error().kind, K::kIntegrityFailed) << "byte " << i << ": " << r.error().message;
    }
  }
}

// libreswan 4.10 answers our Delete of a child SA it does not know with a
// Delete payload naming no SPI (ESP, SPI size 4, count 0): nothing to delete
// in return, not a malformed message (RFC 7296 1.4.1).
TEST(IkeMalformed, DeleteWithNoSpisIsAccepted) {
  for (uint8_t spi_size : {4, 0}) {
    Message m;
    m.header.exchange = ExchangeType::kInformational;
    m.header.flags = kFlagResponse;
    m.Add(PayloadType::kDelete, DeletePayload{3, spi_size, {}});
    SkCipher c = Gcm();
    ZeroRandom rnd;
    auto wire = EncodeEncrypted(m, c, rnd);
    ASSERT_TRUE(wire.ok());
    auto r = Decode(*wire, &c);
    ASSERT_TRUE(r.ok()) << int{spi_size} << ": " << r.error().message;
    ASSERT_EQ(r->payloads.size(), 1u);
    const auto& d = std::get<DeletePayload>(r->payloads[0].body);
    EXPECT_EQ(d.protocol, 3);
    EXPECT_TRUE(d.spis.empty());
  }
}

TEST(IkeMalformed, SkWrongKeyFails) {
  SkCipher c = Cbc();
  ZeroRandom rnd;
  Bytes good = *EncodeEncrypted(DeleteRequest(), c, rnd);
  SkCipher other = *SkCipher::Create(encr::kAesCbc, 256, integ::kHmacSha2_512_256,
                                     SecureBytes(Fill(32, 1)), SecureBytes(Fill(64, 9)));
  ExpectError(good, K::kIntegrityFailed, "integrity check failed", &other);
}

TEST(IkeMalformed, SkTooShortForIvAndIcv) {
  SkCipher c = Cbc();
  Bytes w = Datagram(46, GenericPayload(41, Fill(20, 0)), ExchangeType::kInformational, 0);
  ExpectError(w, K::kInvalidSyntax, "too short for IV, ICV", &c);
}

TEST(IkeMalformed, SkBadPadLength) {
  // A correctly authenticated SK whose pad length byte exceeds the plaintext.
  SkCipher c = Gcm();
  Bytes hdr = Datagram(46, {}, ExchangeType::kInformational, 0);
  Bytes plain = {0x00, 0x00, 0x00, 0x09};  // pad length 9 > 3 bytes before it
  size_t sk_len = 4 + 8 + plain.size() + 8;
  hdr[27] = static_cast<uint8_t>(28 + sk_len);
  ByteWriter w;
  w.Bytes(hdr);
  w.U8(0);
  w.U8(0);
  w.U16(static_cast<uint16_t>(sk_len));
  Bytes iv(8, 0);
  auto sealed = c.Seal(w.bytes(), iv, plain);
  ASSERT_TRUE(sealed);
  w.Bytes(iv);
  w.Bytes(*sealed);
  ExpectError(w.Take(), K::kInvalidSyntax, "pad length 9 exceeds", &c);
}

TEST(IkeMalformed, NestedSkIsRejected) {
  SkCipher c = Gcm();
  // Built by hand: an authentic SK whose plaintext starts with another SK.
  Bytes hdr = Datagram(46, {}, ExchangeType::kInformational, 0);
  Bytes plain = GenericPayload(0, Fill(4, 0));
  plain.push_back(0);  // pad length 0
  size_t sk_len = 4 + 8 + plain.size() + 8;
  hdr[27] = static_cast<uint8_t>(28 + sk_len);
  ByteWriter b;
  b.Bytes(hdr);
  b.U8(46);
  b.U8(0);
  b.U16(static_cast<uint16_t>(sk_len));
  Bytes iv(8, 0);
  auto sealed = c.Seal(b.bytes(), iv, plain);
  ASSERT_TRUE(sealed);
  b.Bytes(iv);
  b.Bytes(*sealed);
  ExpectError(b.Take(), K::kInvalidSyntax, "SK payload nested inside SK", &c);
}

TEST(IkeMalformed, EveryTruncationFailsCleanly) {
  Bytes good = ValidSaInit();
  for (size_t n = 0; n < good.size(); ++n) {
    Bytes cut(good.begin(), good.begin() + n);
    EXPECT_FALSE(Decode(cut).ok()) << n;
    if (n >= 28) {  // also with the length field made consistent
      cut[24] = static_cast<uint8_t>(n >> 24);
      cut[25] = static_cast<uint8_t>(n >> 16);
      cut[26] = static_cast<uint8_t>(n >> 8);
      cut[27] = static_cast<uint8_t>(n);
      EXPECT_FALSE(Decode(cut).ok()) << n;
    }
  }
}

TEST(IkeMalformed, SingleByteFlipsNeverCrash) {
  Bytes good = ValidSaInit();
  size_t failures = 0;
  for (size_t i = 0; i < good.size(); ++i)
    for (uint8_t bit = 1; bit; bit <<= 1) {
      Bytes bad = good;
      bad[i] ^= bit;
      failures += !Decode(bad).ok();
    }
  // Flips inside length fields and type codes must be caught; flips inside
  // opaque data (nonce, KE, hashes) legitimately decode.
  EXPECT_GT(failures, 100u);
}

}  // namespace
}  // namespace ipsec::ike
