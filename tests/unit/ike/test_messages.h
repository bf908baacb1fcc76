// Typical messages of each exchange, built from the data types, shared by
// the codec tests.
#pragma once

#include "common/random.h"
#include "ike/message.h"

namespace ipsec::ike::testing {

// IVs and other random bytes 0, 1, 2, ...: encodings that repeat.
class CountingRandom : public RandomSource {
 public:
  bool Fill(std::span<uint8_t> out) override {
    for (auto& b : out) b = n_++;
    return true;
  }

 private:
  uint8_t n_ = 0;
};

inline Bytes Fill(size_t n, uint8_t v) {
  return Bytes(n, v);
}

inline SaPayload IkeSa() {
  SaPayload sa;
  SaProposal p1;
  p1.number = 1;
  p1.proposal.protocol = ProtocolId::kIke;
  p1.proposal.transforms = {{TransformType::kEncr, encr::kAesGcm16, 256},
                            {TransformType::kPrf, prf::kHmacSha2_384, 0},
                            {TransformType::kDh, dh::kEcp384, 0}};
  SaProposal p2;
  p2.number = 2;
  p2.proposal.protocol = ProtocolId::kIke;
  p2.proposal.transforms = {{TransformType::kEncr, encr::kAesCbc, 128},
                            {TransformType::kPrf, prf::kHmacSha1, 0},
                            {TransformType::kInteg, integ::kHmacSha1_96, 0},
                            {TransformType::kDh, dh::kModp1024, 0}};
  sa.proposals = {p1, p2};
  return sa;
}

inline SaPayload EspSa() {
  SaPayload sa;
  SaProposal p;
  p.number = 1;
  p.spi = {0xc0, 0x01, 0xd0, 0x0d};
  p.proposal.protocol = ProtocolId::kEsp;
  p.proposal.transforms = {{TransformType::kEncr, encr::kAesGcm16, 128},
                           {TransformType::kEsn, esn::kNo, 0}};
  sa.proposals = {p};
  return sa;
}

inline Message SaInitRequest() {
  Message m;
  m.header.spi_i = 0x0123456789abcdefULL;
  m.header.exchange = ExchangeType::kIkeSaInit;
  m.header.flags = kFlagInitiator;
  m.Add(PayloadType::kSa, IkeSa());
  m.Add(PayloadType::kKe, KePayload{dh::kEcp384, Fill(96, 0x42)});
  m.Add(PayloadType::kNonce, NoncePayload{Fill(32, 0x17)});
  m.Add(
      PayloadType::kNotify,
      NotifyPayload{0, {}, static_cast<uint16_t>(NotifyType::kNatDetectionSourceIp), Fill(20, 1)});
  m.Add(PayloadType::kNotify,
        NotifyPayload{
            0, {}, static_cast<uint16_t>(NotifyType::kNatDetectionDestinationIp), Fill(20, 2)});
  m.Add(PayloadType::kVendorId, VendorIdPayload{Bytes{'i', 'p', 's', 'e', 'c'}});
  return m;
}

inline TsPayload Ts(const char* a, const char* b) {
  TsPayload ts;
  ts.selectors.push_back(MakeTrafficSelector(*IpPrefix::Parse(a)));
  ts.selectors.push_back(MakeTrafficSelector(*IpPrefix::Parse(b), 6, 80, 443));
  return ts;
}

inline Message AuthRequest() {
  Message m;
  m.header.spi_i = 0x0123456789abcdefULL;
  m.header.spi_r = 0xfedcba9876543210ULL;
  m.header.exchange = ExchangeType::kIkeAuth;
  m.header.flags = kFlagInitiator;
  m.header.message_id = 1;
  m.encrypted = true;
  m.Add(PayloadType::kIdi, MakeIdFqdn("left.example.org"));
  m.Add(PayloadType::kIdr, MakeIdFromAddress(*IpAddress::Parse("2001:db8::2")));
  m.Add(PayloadType::kAuth, AuthPayload{AuthMethod::kSharedKeyMic, Fill(48, 0xaa)});
  m.Add(PayloadType::kNotify,
        NotifyPayload{0, {}, static_cast<uint16_t>(NotifyType::kInitialContact), {}});
  m.Add(PayloadType::kConfig, ConfigPayload{ConfigType::kRequest, {{1, {}}, {3, {10, 0, 0, 1}}}});
  m.Add(PayloadType::kSa, EspSa());
  m.Add(PayloadType::kTsi, Ts("10.1.0.0/16", "192.0.2.7"));
  m.Add(PayloadType::kTsr, Ts("2001:db8:1::/48", "::/0"));
  return m;
}

inline Message DeleteRequest() {
  Message m;
  m.header.spi_i = 1;
  m.header.spi_r = 2;
  m.header.exchange = ExchangeType::kInformational;
  m.header.message_id = 7;
  m.encrypted = true;
  m.Add(PayloadType::kDelete, DeletePayload{3, 4, {{1, 2, 3, 4}, {5, 6, 7, 8}}});
  m.Add(PayloadType::kDelete, DeletePayload{1, 0, {}});
  return m;
}

}  // namespace ipsec::ike::testing
