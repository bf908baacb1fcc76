// IKEv1 messages laid out by hand from RFC 2408/2409, shared by the v1 codec
// tests (not produced by our encoder).
#pragma once

#include <gtest/gtest.h>

#include "common/hex.h"
#include "ike/v1/message.h"

namespace ipsec::ike::v1::testing {

inline Bytes Hex(const std::string& s) {
  auto b = FromHex(s);
  EXPECT_TRUE(b) << s;
  return b.value_or(Bytes{});
}

// Main mode message 1: SA (AES-128, SHA-1, PSK, MODP1024, 28800 s as a
// 4-byte variable Life Duration) and the RFC 3947 Vendor ID.
inline constexpr const char* kMainMode1 =
    "0102030405060708 0000000000000000 01 10 02 00 00000000 0000006c"
    "0d00003c 00000001 00000001"
    "00000030 01 01 00 01"
    "00000028 01 01 0000"
    "800b0001 000c0004 00007080 80010007 800e0080 80020002 80030001 80040002"
    "00000014 4a131c81070358455c5728f20e95452f";

}  // namespace ipsec::ike::v1::testing
