// IKEv1 codec on hostile input: each malformed case is a typed DecodeError
// naming the fault; truncations and single-byte changes of a valid message
// never crash and are either rejected or decode to something that encodes.
#include <gtest/gtest.h>

#include "common/hex.h"
#include "ike/v1/codec.h"
#include "ike/v1/payload_codec.h"
#include "v1_test_messages.h"

namespace ipsec::ike::v1 {
namespace {

using namespace ipsec::ike::v1::testing;

const std::string kHdr = "0102030405060708 0000000000000000";

// header with `next`, `version`, `exchange`, `flags`, then `body`; length
// computed unless given.
Bytes Msg(const std::string& next, const std::string& body, const std::string& version = "10",
          const std::string& flags = "00", int length = -1) {
  Bytes b = Hex(body);
  uint32_t len = length < 0 ? static_cast<uint32_t>(28 + b.size()) : static_cast<uint32_t>(length);
  char l[9];
  snprintf(l, sizeof l, "%08x", len);
  Bytes out = Hex(kHdr + next + version + "02" + flags + "00000000" + l);
  out.insert(out.end(), b.begin(), b.end());
  return out;
}

struct Case {
  const char* name;
  Bytes wire;
  DecodeErrorKind kind;
  const char* expect;
};

TEST(V1CodecMalformed, EachFaultIsATypedError) {
  const std::string sa_head = "00000001 00000001";
  const std::string prop = "00000014 01 01 00 01 0000000c 01 01 0000 80010007";
  Case cases[] = {
      {"short header", Hex("0102030405"), DecodeErrorKind::kTruncated, "ISAKMP header"},
      {"major version 2", Msg("00", "", "20"), DecodeErrorKind::kInvalidMajorVersion, "major"},
      {"length beyond datagram", Msg("00", "", "10", "00", 40), DecodeErrorKind::kTruncated,
       "length 40"},
      {"length below header", Msg("00", "", "10", "00", 20), DecodeErrorKind::kTruncated,
       "length 20"},
      {"trailing bytes", Msg("00", "0000", "10", "00", 28), DecodeErrorKind::kInvalidSyntax,
       "2 bytes after the message"},
      {"unknown flags", Msg("00", "", "10", "08"), DecodeErrorKind::kInvalidSyntax, "flags"},
      {"encrypted body not blocks", Msg("05", "0102030405", "10", "01"),
       DecodeErrorKind::kInvalidSyntax, "encrypted body"},
      {"generic header cut", Msg("0a", "0000"), DecodeErrorKind::kInvalidSyntax, "truncated"},
      {"payload length 3", Msg("0a", "00000003"), DecodeErrorKind::kInvalidSyntax, "< 4"},
      {"payload overruns", Msg("0a", "00000020 0102"), DecodeErrorKind::kInvalidSyntax,
       "overruns the message"},
      {"bytes after last", Msg("0d", "00000005 01 00"), DecodeErrorKind::kInvalidSyntax,
       "after the last payload"},
      {"nonce too short", Msg("0a", "0000000b 01020304050607"), DecodeErrorKind::kInvalidSyntax,
       "outside 8..256"},
      {"empty KE", Msg("04", "00000004"), DecodeErrorKind::kInvalidSyntax, "KE payload"},
      {"proposal at top level", Msg("02", "00000008 01010000"), DecodeErrorKind::kInvalidSyntax,
       "outside an SA"},
      {"SA DOI 2", Msg("01", "00000010 00000002 00000001" + prop.substr(0, 0) + "00000000"),
       DecodeErrorKind::kInvalidSyntax, "DOI 2"},
      {"SA situation secrecy", Msg("01", "0000000c 00000001 00000002"),
       DecodeErrorKind::kInvalidSyntax, "situation 2"},
      {"SA without proposals", Msg("01", "0000000c " + sa_head), DecodeErrorKind::kInvalidSyntax,
       "no proposals"},
      {"proposal next 5", Msg("01", "00000020 " + sa_head + "05" + prop.substr(2)),
       DecodeErrorKind::kInvalidSyntax, "next payload 5"},
      {"proposal says more", Msg("01", "00000020 " + sa_head + "02" + prop.substr(2)),
       DecodeErrorKind::kInvalidSyntax, "more follow"},
      {"proposal protocol 9",
       Msg("01", "00000020 " + sa_head + "00000014 01 09 00 01 0000000c 01 01 0000 80010007"),
       DecodeErrorKind::kInvalidSyntax, "protocol 9"},
      {"SPI overruns",
       Msg("01", "00000020 " + sa_head + "00000014 01 01 20 01 0000000c 01 01 0000 80010007"),
       DecodeErrorKind::kInvalidSyntax, "SPI size 32"},
      {"no transforms", Msg("01", "00000014 " + sa_head + "00000008 01 01 00 00"),
       DecodeErrorKind::kInvalidSyntax, "no transforms"},
      {"transform count 2, one present",
       Msg("01", "00000020 " + sa_head + "00000014 01 01 00 02 0000000c 01 01 0000 80010007"),
       DecodeErrorKind::kInvalidSyntax, "says it is the last"},
      {"transform length overruns",
       Msg("01", "00000020 " + sa_head + "00000014 01 01 00 01 00000040 01 01 0000 80010007"),
       DecodeErrorKind::kInvalidSyntax, "transform length 64 overruns"},
      {"attribute cut",
       Msg("01", "0000001e " + sa_head + "00000012 01 01 00 01 0000000a 01 01 0000 8001"),
       DecodeErrorKind::kInvalidSyntax, "attribute truncated"},
      {"variable attribute overruns",
       Msg("01", "00000020 " + sa_head + "00000014 01 01 00 01 0000000c 01 01 0000 000c0009"),
       DecodeErrorKind::kInvalidSyntax, "length 9 overruns"},
      {"proposal numbers decrease",
       Msg("01", "00000034 " + sa_head + "02000014 02 01 00 01 0000000c 01 01 0000 80010007" +
                     "00000014 01 01 00 01 0000000c 01 01 0000 80010007"),
       DecodeErrorKind::kInvalidSyntax, "proposal number 1 after 2"},
      {"ID IPv4 of 3 bytes", Msg("05", "0000000b 01000000 c00002"), DecodeErrorKind::kInvalidSyntax,
       "expected 4"},
      {"ID IPv6 subnet short", Msg("05", "00000018 06000000" + std::string(32, 'f')),
       DecodeErrorKind::kInvalidSyntax, "expected 32"},
      {"ID FQDN empty", Msg("05", "00000008 02000000"), DecodeErrorKind::kInvalidSyntax, "no data"},
      {"ID type 99", Msg("05", "0000000c 63000000 01020304"), DecodeErrorKind::kInvalidSyntax,
       "unknown"},
      {"ID header cut", Msg("05", "00000006 0100"), DecodeErrorKind::kInvalidSyntax,
       "header truncated"},
      {"HASH empty", Msg("08", "00000004"), DecodeErrorKind::kInvalidSyntax, "HASH payload"},
      {"HASH 65 bytes", Msg("08", "00000045" + std::string(130, 'a')),
       DecodeErrorKind::kInvalidSyntax, "outside 1..64"},
      {"notify SPI overruns", Msg("0b", "0000000e 00000001 01 10 8c28 0102"),
       DecodeErrorKind::kInvalidSyntax, "SPI size 16"},
      {"notify cut", Msg("0b", "00000008 00000001"), DecodeErrorKind::kInvalidSyntax,
       "header truncated"},
      {"delete count mismatch", Msg("0c", "00000012 00000001 03 04 0002 01020304 0506"),
       DecodeErrorKind::kInvalidSyntax, "2 SPIs of 4 bytes in 6"},
      {"delete no SPIs", Msg("0c", "0000000c 00000001 03 04 0000"), DecodeErrorKind::kInvalidSyntax,
       "0 SPIs"},
      {"empty VID", Msg("0d", "00000004"), DecodeErrorKind::kInvalidSyntax, "Vendor ID"},
      {"NAT-D empty", Msg("14", "00000004"), DecodeErrorKind::kInvalidSyntax, "NAT-D"},
      {"NAT-OA FQDN", Msg("15", "0000000c 02000000 01020304"), DecodeErrorKind::kInvalidSyntax,
       "not an address"},
      {"NAT-OA IPv6 short", Msg("15", "0000000c 05000000 01020304"),
       DecodeErrorKind::kInvalidSyntax, "expected 16"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    auto m = Decode(c.wire);
    ASSERT_FALSE(m);
    EXPECT_EQ(DecodeErrorKindName(m.error().kind), std::string(DecodeErrorKindName(c.kind)));
    EXPECT_NE(m.error().message.find(c.expect), std::string::npos) << m.error().message;
  }
}

// Cuts at every length with the header length patched to match: the chain
// parser meets every truncation point of every nested structure.
TEST(V1CodecMalformed, EveryTruncationIsRejected) {
  Bytes full = Hex(kMainMode1);
  ASSERT_TRUE(Decode(full));
  for (size_t n = 28; n < full.size(); ++n) {
    Bytes cut(full.begin(), full.begin() + n);
    cut[24] = 0, cut[25] = 0, cut[26] = static_cast<uint8_t>(n >> 8),
    cut[27] = static_cast<uint8_t>(n);
    auto m = Decode(cut);
    // 28: no payload bytes but next payload says SA.
    EXPECT_FALSE(m) << "cut at " << n;
  }
}

TEST(V1CodecMalformed, EveryByteValueAtEveryPositionIsSafe) {
  Bytes full = Hex(kMainMode1);
  size_t accepted = 0;
  for (size_t i = 0; i < full.size(); ++i) {
    for (int v = 0; v < 256; ++v) {
      Bytes b = full;
      b[i] = static_cast<uint8_t>(v);
      auto m = Decode(b);
      if (!m) {
        EXPECT_FALSE(m.error().message.empty());
        continue;
      }
      ++accepted;
      auto again = Encode(*m);
      ASSERT_TRUE(again) << "byte " << i << " = " << v << ": " << again.error().message;
      auto twice = Decode(*again);
      ASSERT_TRUE(twice) << "byte " << i << " = " << v;
      EXPECT_TRUE(twice->payloads == m->payloads);
    }
  }
  EXPECT_GT(accepted, 0u);
}

}  // namespace
}  // namespace ipsec::ike::v1
