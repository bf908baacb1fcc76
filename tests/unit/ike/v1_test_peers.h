// Test peers for the IKEv1 exchange tests: our main-mode initiator and
// responder with matching configurations, run message by message.
#pragma once

#include <gtest/gtest.h>

#include <cstring>

#include "ike/constants.h"
#include "ike/v1/main_mode.h"
#include "ike/v1/phase1_proposal.h"

namespace ipsec::ike::v1 {

inline std::vector<IsakmpTransformAttrs> Transforms(uint16_t encr_id, uint16_t bits,
                                                    uint16_t prf_id, uint16_t group) {
  auto ts = Phase1TransformsFor({ipsec::Proposal{ProtocolId::kIke,
                                                 {{TransformType::kEncr, encr_id, bits},
                                                  {TransformType::kPrf, prf_id, 0},
                                                  {TransformType::kDh, group, 0}}}},
                                28800);
  EXPECT_TRUE(ts) << ts.error().message;
  return ts ? *ts : std::vector<IsakmpTransformAttrs>{};
}

inline Endpoint At(const char* ip, uint16_t port = 500) {
  return {*IpAddress::Parse(ip), port};
}

inline IdPayload AddressId(const char* ip) {
  auto a = *IpAddress::Parse(ip);
  return IdPayload{idtype::kIpv4Addr, 0, 0, Bytes(a.bytes().begin(), a.bytes().end())};
}

inline SecureBytes Psk(const char* s) {
  return SecureBytes(std::span(reinterpret_cast<const uint8_t*>(s), strlen(s)));
}

inline MainModeParams InitiatorParams() {
  MainModeParams p;
  p.transforms = Transforms(encr::kAesCbc, 256, prf::kHmacSha2_256, dh::kModp2048);
  p.psk = Psk("correct horse battery staple");
  p.local_id = AddressId("192.0.2.1");
  p.local = At("192.0.2.1");
  p.remote = At("198.51.100.2");
  return p;
}

inline MainModeParams ResponderParams() {
  MainModeParams p;
  auto aes128 = Transforms(encr::kAesCbc, 128, prf::kHmacSha1, dh::kModp1024);
  p.transforms = Transforms(encr::kAesCbc, 256, prf::kHmacSha2_256, dh::kModp2048);
  p.transforms.insert(p.transforms.begin(), aes128.begin(), aes128.end());
  p.psk = Psk("correct horse battery staple");
  p.local_id = AddressId("198.51.100.2");
  p.expected_peer_id = AddressId("192.0.2.1");
  p.local = At("198.51.100.2");
  p.remote = At("192.0.2.1");
  return p;
}

struct Pair {
  SystemRandom random;
  MainModeInitiator i;
  MainModeResponder r;
  Pair(MainModeParams ip, MainModeParams rp) : i(std::move(ip), random), r(std::move(rp), random) {}
  Pair() : Pair(InitiatorParams(), ResponderParams()) {}
};

// Runs the exchange up to and including message `last` (1..6); returns the
// last datagram sent.
inline Bytes RunTo(Pair& p, int last) {
  auto m = p.i.Start();
  EXPECT_TRUE(m) << m.error().message;
  for (int n = 2; n <= last && m; ++n) {
    m = n % 2 == 0 ? p.r.Receive(*m) : p.i.Receive(*m);
    EXPECT_TRUE(m) << m.error().message;
  }
  return m ? *m : Bytes{};
}

}  // namespace ipsec::ike::v1
