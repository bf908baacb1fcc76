// Messages of the size and shape a real IKEv2 handshake carries, for the
// codec benchmarks: IKE_SA_INIT with one proposal and a KE of the group
// under test, and IKE_AUTH (PSK) with one ESP proposal and one selector
// each way, as strongSwan and libreswan send them by default.
#pragma once

#include <cstdint>

#include "ike/message.h"

namespace ipsec::bench {

inline size_t KeSize(uint16_t group) {
  switch (group) {
    case ike::dh::kModp2048:
      return 256;
    case ike::dh::kEcp256:
      return 64;
    case ike::dh::kCurve25519:
      return 32;
    default:
      return 32;
  }
}

inline ike::Message SaInitRequest(uint16_t group) {
  using namespace ike;
  Message m;
  m.header.spi_i = 0x0123456789abcdefULL;
  m.header.exchange = ExchangeType::kIkeSaInit;
  m.header.flags = kFlagInitiator;
  SaProposal p;
  p.number = 1;
  p.proposal.protocol = ProtocolId::kIke;
  p.proposal.transforms = {{TransformType::kEncr, encr::kAesGcm16, 128},
                           {TransformType::kPrf, prf::kHmacSha2_256, 0},
                           {TransformType::kDh, group, 0}};
  m.Add(PayloadType::kSa, SaPayload{{p}});
  m.Add(PayloadType::kKe, KePayload{group, Bytes(KeSize(group), 0x42)});
  m.Add(PayloadType::kNonce, NoncePayload{Bytes(32, 0x17)});
  m.Add(
      PayloadType::kNotify,
      NotifyPayload{0, {}, static_cast<uint16_t>(NotifyType::kNatDetectionSourceIp), Bytes(20, 1)});
  m.Add(PayloadType::kNotify,
        NotifyPayload{
            0, {}, static_cast<uint16_t>(NotifyType::kNatDetectionDestinationIp), Bytes(20, 2)});
  return m;
}

inline ike::Message AuthRequest() {
  using namespace ike;
  Message m;
  m.header.spi_i = 0x0123456789abcdefULL;
  m.header.spi_r = 0xfedcba9876543210ULL;
  m.header.exchange = ExchangeType::kIkeAuth;
  m.header.flags = kFlagInitiator;
  m.header.message_id = 1;
  m.encrypted = true;
  m.Add(PayloadType::kIdi, MakeIdFromAddress(*IpAddress::Parse("10.0.0.1")));
  m.Add(PayloadType::kIdr, MakeIdFromAddress(*IpAddress::Parse("10.0.0.2")));
  m.Add(PayloadType::kAuth, AuthPayload{AuthMethod::kSharedKeyMic, Bytes(32, 0xaa)});
  m.Add(PayloadType::kNotify,
        NotifyPayload{0, {}, static_cast<uint16_t>(NotifyType::kInitialContact), {}});
  SaProposal esp;
  esp.number = 1;
  esp.spi = {0xc0, 0x01, 0xd0, 0x0d};
  esp.proposal.protocol = ProtocolId::kEsp;
  esp.proposal.transforms = {{TransformType::kEncr, encr::kAesGcm16, 128},
                             {TransformType::kEsn, esn::kNo, 0}};
  m.Add(PayloadType::kSa, SaPayload{{esp}});
  m.Add(PayloadType::kTsi, TsPayload{{MakeTrafficSelector(*IpPrefix::Parse("10.1.0.0/16"))}});
  m.Add(PayloadType::kTsr, TsPayload{{MakeTrafficSelector(*IpPrefix::Parse("10.2.0.0/16"))}});
  return m;
}

}  // namespace ipsec::bench
