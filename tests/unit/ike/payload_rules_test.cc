// The allowed-payload table: checked by Decode before any engine logic.
#include "ike/payload_rules.h"

#include <gtest/gtest.h>

#include "ike/codec.h"
#include "test_messages.h"

namespace ipsec::ike {
namespace {

using namespace ipsec::ike::testing;
using K = DecodeErrorKind;

std::optional<DecodeError> Check(const Message& m) {
  return CheckPayloadRules(m);
}

TEST(PayloadRules, TypicalMessagesPass) {
  EXPECT_FALSE(Check(SaInitRequest()));
  EXPECT_FALSE(Check(AuthRequest()));
  EXPECT_FALSE(Check(DeleteRequest()));
}

TEST(PayloadRules, MissingRequiredPayload) {
  Message m = SaInitRequest();
  m.payloads.erase(m.payloads.begin() + 1);  // KE
  auto e = Check(m);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->kind, K::kMissingPayload);
  EXPECT_EQ(e->message, "IKE_SA_INIT request lacks the required KE payload");
}

TEST(PayloadRules, ErrorNotifyReplacesContent) {
  Message m;
  m.header.exchange = ExchangeType::kIkeSaInit;
  m.header.flags = kFlagResponse;
  m.Add(PayloadType::kNotify,
        NotifyPayload{0, {}, static_cast<uint16_t>(NotifyType::kInvalidKePayload), {0, 19}});
  EXPECT_FALSE(Check(m));
  Message cookie;
  cookie.header = m.header;
  cookie.Add(PayloadType::kNotify,
             NotifyPayload{0, {}, static_cast<uint16_t>(NotifyType::kCookie), Bytes(16, 1)});
  EXPECT_FALSE(Check(cookie));
  Message auth_fail;
  auth_fail.header.exchange = ExchangeType::kIkeAuth;
  auth_fail.header.flags = kFlagResponse;
  auth_fail.encrypted = true;
  auth_fail.Add(PayloadType::kNotify,
                NotifyPayload{0, {}, static_cast<uint16_t>(NotifyType::kAuthenticationFailed), {}});
  EXPECT_FALSE(Check(auth_fail));
}

TEST(PayloadRules, NotAllowedAndTooMany) {
  Message m = SaInitRequest();
  m.Add(PayloadType::kDelete, DeletePayload{});
  auto e = Check(m);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->kind, K::kPayloadNotAllowed);
  EXPECT_EQ(e->message, "D payload is not allowed in IKE_SA_INIT request");
  EXPECT_EQ(e->payload_type, 42);

  Message two = SaInitRequest();
  two.Add(PayloadType::kNonce, NoncePayload{Bytes(16, 1)});
  e = Check(two);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->message, "IKE_SA_INIT request carries 2 No payloads, at most 1 allowed");
}

TEST(PayloadRules, EncryptionRequirement) {
  Message m = AuthRequest();
  m.encrypted = false;
  auto e = Check(m);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->message, "IKE_AUTH request must be encrypted (SK payload missing)");
  // Decode applies it: a cleartext IKE_AUTH is refused.
  auto wire = Encode(m);
  ASSERT_TRUE(wire);
  auto d = Decode(*wire);
  ASSERT_FALSE(d);
  EXPECT_EQ(d.error().kind, K::kPayloadNotAllowed);
  EXPECT_TRUE(DecodeUnchecked(*wire));

  Message init = SaInitRequest();
  init.encrypted = true;
  e = Check(init);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->message, "IKE_SA_INIT request must not carry an SK payload");
}

TEST(PayloadRules, UnknownExchangeIsUnsupported) {
  Message m;
  m.header.exchange = ExchangeType::kIkeIntermediate;
  auto e = Check(m);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->kind, K::kUnsupported);
  EXPECT_EQ(FindExchangeRules(static_cast<ExchangeType>(99), false), nullptr);
}

TEST(PayloadRules, CreateChildSaNeedsSaAndNonce) {
  Message m;
  m.header.exchange = ExchangeType::kCreateChildSa;
  m.encrypted = true;
  m.Add(PayloadType::kSa, EspSa());
  auto e = Check(m);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->message, "CREATE_CHILD_SA request lacks the required No payload");
  m.Add(PayloadType::kNonce, NoncePayload{Bytes(32, 1)});
  m.Add(PayloadType::kTsi, Ts("10.0.0.0/8", "10.0.0.1"));
  m.Add(PayloadType::kTsr, Ts("10.0.0.0/8", "10.0.0.1"));
  EXPECT_FALSE(Check(m));
}

}  // namespace
}  // namespace ipsec::ike
