// RFC 7383 fragmentation: split, verify, reassemble, and the bounds on
// what an IKE SA keeps of a message not yet whole.
#include "ike/fragments.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "ike/codec.h"
#include "ike/sk_cipher.h"
#include "test_messages.h"

namespace ipsec::ike {
namespace {

using namespace ipsec::ike::testing;
using Outcome = FragmentReassembler::Outcome;

SkCipher GcmCipher(uint8_t key = 0x33) {
  return *SkCipher::Create(encr::kAesGcm16, 256, integ::kNone, SecureBytes(Fill(36, key)), {});
}
SkCipher CbcCipher() {
  return *SkCipher::Create(encr::kAesCbc, 128, integ::kHmacSha2_256_128,
                           SecureBytes(Fill(16, 0x44)), SecureBytes(Fill(32, 0x55)));
}

// An IKE_AUTH request with a certificate of cert_bytes: several kB, as
// with a 4096-bit RSA chain.
Message BigAuthRequest(size_t cert_bytes = 3000, uint32_t message_id = 1) {
  Message m = AuthRequest();
  m.header.message_id = message_id;
  Bytes cert(cert_bytes);
  for (size_t i = 0; i < cert.size(); ++i) cert[i] = static_cast<uint8_t>(i * 7);
  cert[0] = 4;  // X.509 signature
  m.payloads.insert(m.payloads.begin() + 1, Payload{PayloadType::kCert, false, RawPayload{cert}});
  return m;
}

std::vector<Bytes> Split(const Message& m, const SkCipher& c, size_t max) {
  CountingRandom rnd;
  auto f = EncodeFragments(m, c, rnd, max);
  EXPECT_TRUE(f) << (f ? "" : f.error().message);
  return f ? *f : std::vector<Bytes>{};
}

OpenedFragment Open(const Bytes& d, const SkCipher& c) {
  auto f = OpenFragment(d, c);
  EXPECT_TRUE(f) << (f ? "" : f.error().message);
  return f ? *f : OpenedFragment{};
}

void ExpectSameMessage(const Message& got, const Message& want) {
  EXPECT_EQ(got.payloads, want.payloads);
  EXPECT_EQ(got.header.exchange, want.header.exchange);
  EXPECT_EQ(got.header.message_id, want.header.message_id);
  EXPECT_EQ(got.header.flags, want.header.flags);
  EXPECT_TRUE(got.encrypted);
}

TEST(IkeFragments, DatagramRoom) {
  EXPECT_EQ(IkeBytesPerDatagram(576, false, false), 548u);
  EXPECT_EQ(IkeBytesPerDatagram(1280, true, true), 1228u);
  EXPECT_EQ(IkeBytesPerDatagram(20, false, false), 0u);
}

TEST(IkeFragments, SplitAndReassembleInOrder) {
  for (const SkCipher& c : {GcmCipher(), CbcCipher()}) {
    const Message m = BigAuthRequest();
    const auto frags = Split(m, c, 548);
    ASSERT_GE(frags.size(), 6u);
    for (size_t i = 0; i < frags.size(); ++i) {
      EXPECT_LE(frags[i].size(), 548u);
      EXPECT_EQ(frags[i][16], static_cast<uint8_t>(PayloadType::kEncryptedFragment));
      // Only fragment 1 names the first inner payload (IDi).
      EXPECT_EQ(frags[i][28], i == 0 ? static_cast<uint8_t>(PayloadType::kIdi) : 0);
    }
    FragmentBudget budget;
    FragmentReassembler r(budget);
    for (size_t i = 0; i < frags.size(); ++i) {
      OpenedFragment f = Open(frags[i], c);
      EXPECT_EQ(f.number, i + 1);
      EXPECT_EQ(f.total, frags.size());
      EXPECT_EQ(r.Add(std::move(f)), i + 1 < frags.size() ? Outcome::kKept : Outcome::kComplete);
    }
    auto back = r.Take();
    ASSERT_TRUE(back) << back.error().message;
    ExpectSameMessage(*back, m);
    EXPECT_EQ(budget.held, 0u);
    EXPECT_EQ(r.held_bytes(), 0u);
  }
}

TEST(IkeFragments, ASmallMessageIsOneFragment) {
  const auto frags = Split(DeleteRequest(), GcmCipher(), 548);
  ASSERT_EQ(frags.size(), 1u);
  FragmentBudget budget;
  FragmentReassembler r(budget);
  EXPECT_EQ(r.Add(Open(frags[0], GcmCipher())), Outcome::kComplete);
  auto back = r.Take();
  ASSERT_TRUE(back) << back.error().message;
  ExpectSameMessage(*back, DeleteRequest());
}

TEST(IkeFragments, OutOfOrder) {
  const SkCipher c = GcmCipher();
  const Message m = BigAuthRequest();
  auto frags = Split(m, c, 548);
  ASSERT_GE(frags.size(), 3u);
  std::reverse(frags.begin(), frags.end());
  std::swap(frags[1], frags[2]);
  FragmentBudget budget;
  FragmentReassembler r(budget);
  for (size_t i = 0; i < frags.size(); ++i)
    ASSERT_EQ(r.Add(Open(frags[i], c)), i + 1 < frags.size() ? Outcome::kKept : Outcome::kComplete);
  auto back = r.Take();
  ASSERT_TRUE(back) << back.error().message;
  ExpectSameMessage(*back, m);
}

TEST(IkeFragments, DuplicatesAreDroppedNotCounted) {
  const SkCipher c = GcmCipher();
  auto frags = Split(BigAuthRequest(), c, 548);
  FragmentBudget budget;
  FragmentReassembler r(budget);
  EXPECT_EQ(r.Add(Open(frags[1], c)), Outcome::kKept);
  const size_t held = budget.held;
  EXPECT_GT(held, 0u);
  EXPECT_EQ(r.Add(Open(frags[1], c)), Outcome::kDuplicate);
  EXPECT_EQ(budget.held, held);
  for (size_t i = 0; i < frags.size(); ++i) {
    if (i == 1) continue;
    EXPECT_EQ(r.Add(Open(frags[i], c)), i + 1 < frags.size() ? Outcome::kKept : Outcome::kComplete);
  }
  EXPECT_TRUE(r.Take());
}

TEST(IkeFragments, BadIcvIsRefusedBeforeAnythingIsKept) {
  const SkCipher c = CbcCipher();
  auto frags = Split(BigAuthRequest(), c, 548);
  Bytes body = frags[0];
  body[60] ^= 1;  // ciphertext
  auto e = OpenFragment(body, c);
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().kind, DecodeErrorKind::kIntegrityFailed);
  Bytes number = frags[0];
  number[33] = 2;  // Fragment Number: authenticated
  e = OpenFragment(number, c);
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().kind, DecodeErrorKind::kIntegrityFailed);
  // Another IKE SA's keys.
  auto g = Split(BigAuthRequest(), GcmCipher(1), 548);
  e = OpenFragment(g[0], GcmCipher(2));
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().kind, DecodeErrorKind::kIntegrityFailed);
}

TEST(IkeFragments, MalformedHeaders) {
  const SkCipher c = GcmCipher();
  auto frags = Split(BigAuthRequest(), c, 548);
  Bytes shorter = frags[0];
  shorter.pop_back();
  shorter[27] = static_cast<uint8_t>(shorter.size());  // header length agrees
  shorter[26] = static_cast<uint8_t>(shorter.size() >> 8);
  auto e = OpenFragment(shorter, c);
  ASSERT_FALSE(e);
  EXPECT_NE(e.error().message.find("SKF payload length"), std::string::npos) << e.error().message;
  Bytes tiny(28 + 8, 0);
  tiny[16] = 53;
  tiny[17] = 0x20;
  tiny[27] = 36;
  tiny[31] = 8;
  e = OpenFragment(tiny, c);
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().kind, DecodeErrorKind::kInvalidSyntax);
}

TEST(IkeFragments, BadNumbersAreMalformed) {
  FragmentBudget budget;
  FragmentReassembler r(budget);
  OpenedFragment f;
  f.header.message_id = 1;
  f.plain = Bytes(10, 1);
  f.number = 0;
  f.total = 3;
  EXPECT_EQ(r.Add(f), Outcome::kMalformed);
  f.number = 4;
  EXPECT_EQ(r.Add(f), Outcome::kMalformed);
  f.number = 1;
  f.total = kMaxFragments + 1;
  EXPECT_EQ(r.Add(f), Outcome::kMalformed);
  EXPECT_EQ(budget.held, 0u);
  // Same message, same total, but another exchange type.
  f.total = 3;
  f.header.exchange = ExchangeType::kIkeAuth;
  EXPECT_EQ(r.Add(f), Outcome::kKept);
  f.number = 2;
  f.header.exchange = ExchangeType::kInformational;
  EXPECT_EQ(r.Add(f), Outcome::kMalformed);
}

TEST(IkeFragments, OlderMessagesAreStaleNewerReplace) {
  FragmentBudget budget;
  FragmentReassembler r(budget);
  OpenedFragment f;
  f.header.message_id = 5;
  f.number = 1;
  f.total = 3;
  f.plain = Bytes(100, 1);
  EXPECT_EQ(r.Add(f), Outcome::kKept);
  f.header.message_id = 4;
  EXPECT_EQ(r.Add(f), Outcome::kStale);
  // Refragmented into fewer pieces: stale; into more: replaces.
  f.header.message_id = 5;
  f.total = 2;
  f.number = 2;
  EXPECT_EQ(r.Add(f), Outcome::kStale);
  f.total = 4;
  EXPECT_EQ(r.Add(f), Outcome::kKept);
  EXPECT_EQ(budget.held, 100u);
  f.header.message_id = 6;
  EXPECT_EQ(r.Add(f), Outcome::kKept);
  EXPECT_EQ(budget.held, 100u);
  // A response is collected beside the request.
  f.header.flags = kFlagResponse;
  f.header.message_id = 2;
  EXPECT_EQ(r.Add(f), Outcome::kKept);
  EXPECT_EQ(budget.held, 200u);
  r.Clear();
  EXPECT_EQ(budget.held, 0u);
}

TEST(IkeFragments, MemoryBounds) {
  FragmentBudget budget;
  budget.limit = 1000;
  {
    FragmentReassembler a(budget), b(budget);
    OpenedFragment f;
    f.header.message_id = 1;
    f.total = 10;
    f.plain = Bytes(400, 1);
    f.number = 1;
    EXPECT_EQ(a.Add(f), Outcome::kKept);
    f.number = 2;
    EXPECT_EQ(b.Add(f), Outcome::kKept);
    f.number = 3;
    EXPECT_EQ(a.Add(f), Outcome::kOverflow);  // global: 1200 > 1000
    EXPECT_EQ(budget.held, 800u);
    b.Clear();
    EXPECT_EQ(a.Add(f), Outcome::kKept);
    EXPECT_EQ(budget.held, 800u);
  }
  EXPECT_EQ(budget.held, 0u);  // destruction gives it back
  // Per message: no more than a whole IKE message.
  budget.limit = 1 << 20;
  FragmentReassembler r(budget);
  OpenedFragment f;
  f.total = 20;
  f.plain = Bytes(kMaxMessageSize / 4, 1);
  for (uint16_t n = 1; n <= 4; ++n) {
    f.number = n;
    EXPECT_EQ(r.Add(f), Outcome::kKept);
  }
  f.number = 5;
  EXPECT_EQ(r.Add(f), Outcome::kOverflow);
}

TEST(IkeFragments, TooSmallOrTooManyIsAnError) {
  CountingRandom rnd;
  const SkCipher c = GcmCipher();
  auto e = EncodeFragments(BigAuthRequest(), c, rnd, 60);
  ASSERT_FALSE(e);
  EXPECT_NE(e.error().message.find("leaves no room"), std::string::npos) << e.error().message;
  e = EncodeFragments(BigAuthRequest(30000), c, rnd, 100);
  ASSERT_FALSE(e);
  EXPECT_NE(e.error().message.find("fragments of"), std::string::npos) << e.error().message;
}

// The joined plaintext is parsed and checked like a whole message: a
// payload the exchange does not allow fails after reassembly.
TEST(IkeFragments, ReassembledMessageObeysPayloadRules) {
  Message m = BigAuthRequest();
  m.Add(PayloadType::kKe, KePayload{19, Fill(64, 1)});
  const SkCipher c = GcmCipher();
  auto frags = Split(m, c, 548);
  FragmentBudget budget;
  FragmentReassembler r(budget);
  for (const auto& d : frags) (void)r.Add(Open(d, c));
  auto back = r.Take();
  ASSERT_FALSE(back);
  EXPECT_EQ(back.error().kind, DecodeErrorKind::kPayloadNotAllowed) << back.error().message;
}

}  // namespace
}  // namespace ipsec::ike
