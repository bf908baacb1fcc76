#include "common/bytes.h"

#include <gtest/gtest.h>

#include "common/hex.h"

namespace ipsec {
namespace {

TEST(ByteReader, ReadsBigEndianAndAdvancesOnlyOnSuccess) {
  std::vector<uint8_t> d = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07};
  ByteReader r(d);
  uint16_t v16 = 0;
  uint32_t v32 = 0;
  uint64_t v64 = 0;
  ASSERT_TRUE(r.ReadU16(&v16));
  EXPECT_EQ(v16, 0x0102);
  ASSERT_TRUE(r.ReadU32(&v32));
  EXPECT_EQ(v32, 0x03040506u);
  EXPECT_EQ(r.offset(), 6u);
  EXPECT_FALSE(r.ReadU16(&v16));  // one byte left
  EXPECT_FALSE(r.ReadU64(&v64));
  EXPECT_EQ(r.offset(), 6u);  // failed reads do not move
  EXPECT_EQ(v16, 0x0102);     // nor write
  uint8_t v8 = 0;
  ASSERT_TRUE(r.ReadU8(&v8));
  EXPECT_EQ(v8, 7);
  EXPECT_TRUE(r.empty());
  EXPECT_FALSE(r.ReadU8(&v8));
}

TEST(ByteReader, SubReaderIsBounded) {
  std::vector<uint8_t> d = {1, 2, 3, 4, 5};
  ByteReader r(d);
  auto sub = r.Sub(2);
  ASSERT_TRUE(sub);
  EXPECT_EQ(r.offset(), 2u);
  uint32_t v = 0;
  EXPECT_FALSE(sub->ReadU32(&v));  // cannot see past its 2 bytes
  EXPECT_FALSE(sub->Skip(3));
  EXPECT_TRUE(sub->Skip(2));
  EXPECT_FALSE(r.Sub(4));
  EXPECT_EQ(r.offset(), 2u);
  auto s = r.ReadSpan(3);
  ASSERT_TRUE(s);
  EXPECT_EQ((*s)[0], 3);
  EXPECT_FALSE(r.ReadSpan(1));
  std::vector<uint8_t> out;
  EXPECT_TRUE(r.ReadBytes(0, &out));
  EXPECT_TRUE(out.empty());
}

TEST(ByteWriter, WritesAndPatches) {
  ByteWriter w;
  w.U8(0xaa);
  w.U16(0);
  w.U32(0x01020304);
  w.U64(0x1122334455667788ULL);
  w.Zeros(2);
  ASSERT_TRUE(w.PatchU16(1, 0xbeef));
  EXPECT_FALSE(w.PatchU16(w.size() - 1, 1));
  EXPECT_FALSE(w.PatchU32(w.size(), 1));
  EXPECT_EQ(ToHex(w.bytes()), "aabeef0102030411223344556677880000");
}

TEST(Hex, RoundTripAndSeparators) {
  std::vector<uint8_t> b = {0x00, 0x7f, 0xff, 0x10};
  EXPECT_EQ(ToHex(b), "007fff10");
  EXPECT_EQ(*FromHex("007FFF10"), b);
  EXPECT_EQ(*FromHex("00 7f:ff\n10"), b);
  EXPECT_FALSE(FromHex("0"));
  EXPECT_FALSE(FromHex("0 0"));
  EXPECT_FALSE(FromHex("zz"));
  EXPECT_TRUE(FromHex("")->empty());
}

}  // namespace
}  // namespace ipsec
