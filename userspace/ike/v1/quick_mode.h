// IKEv1 quick mode (RFC 2409 5.5) under an established ISAKMP SA
// (main_mode.h Phase1Sa): one child SA pair, tunnel mode, per subnet pair.
//
//   initiator                                   responder
//   QM1  HDR*, HASH(1), SA, Ni [, KE] , IDci, IDcr  -->
//                                           <--  QM2  HDR*, HASH(2), SA, Nr [, KE], IDci, IDcr
//   QM3  HDR*, HASH(3)                      -->
//
// Every message is encrypted; its IV starts at hash(last phase-1 block |
// M-ID) and chains on the exchange's own messages. As in main mode, a step
// commits only when the whole message passed (HASH first), so a forged
// message moves nothing. KEYMAT per direction is keyed by the SPI its
// receiver chose; the keys come out as IKEv2's ChildSaKeys (encr_i/integ_i:
// initiator -> responder) for the same kernel install path.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "common/ip_address.h"
#include "common/random.h"
#include "common/result.h"
#include "ike/crypto/dh.h"
#include "ike/crypto/keymat.h"
#include "ike/v1/main_mode.h"
#include "ike/v1/quick_mode_proposal.h"

namespace ipsec::ike::v1 {

struct QuickModeParams {
  std::vector<EspTransform> transforms;  // quick_mode_proposal.h; their group is the PFS group
  IpPrefix local_ts, remote_ts;          // this end's subnet and the peer's
};

struct QuickModeResult {
  uint32_t inbound_spi = 0;   // ours
  uint32_t outbound_spi = 0;  // the peer's
  EspTransform transform;
  ChildSaTransforms transforms;
  ChildSaKeys keys;
  IpPrefix local_ts, remote_ts;
  // The child's lifetime in seconds, when shorter than ours (0: ours): the
  // initiator's offer to a responder, the responder's RESPONDER-LIFETIME
  // notify (RFC 2407 4.6.3.1) to an initiator.
  uint64_t life_seconds = 0;
  // The same in kilobytes, also when ours is the shorter (the responder's
  // own, sent in RESPONDER-LIFETIME); 0: no volume limit negotiated.
  uint64_t life_kilobytes = 0;
};

// What both roles keep between messages.
struct QuickModeState {
  Phase1Sa p1;
  uint32_t message_id = 0;
  uint32_t inbound_spi = 0;
  QuickModeParams params;
  std::shared_ptr<const DhKeyPair> dh;  // PFS only
  Bytes ni_b, nr_b, peer_ke;
  Bytes iv;
  QuickModeResult result;
  Bytes last_sent;
};

class QuickModeInitiator {
 public:
  // message_id: non-zero, unused on this ISAKMP SA; inbound_spi: allocated
  // in the kernel for this child.
  QuickModeInitiator(const Phase1Sa& p1, QuickModeParams params, uint32_t message_id,
                     uint32_t inbound_spi, RandomSource& random);
  Result<Bytes> Start();  // QM1
  // QM2 -> QM3; then done() and result().
  Result<Bytes> Receive(std::span<const uint8_t> datagram);
  bool done() const { return done_; }
  const QuickModeResult& result() const { return s_.result; }

 private:
  RandomSource& random_;
  QuickModeState s_;
  bool done_ = false;
};

class QuickModeResponder {
 public:
  // Finds the conn for the initiator's selectors (its IDci, IDcr: the
  // peer's subnet and ours) and returns its parameters, or nullopt.
  using Select = std::function<std::optional<QuickModeParams>(const IpPrefix& remote_ts,
                                                              const IpPrefix& local_ts)>;
  QuickModeResponder(const Phase1Sa& p1, uint32_t message_id, uint32_t inbound_spi,
                     RandomSource& random);
  // QM1 -> QM2 (result() is ready: the engine may install the inbound SA);
  // QM3 -> an empty reply and done(). A retransmitted QM1 gets QM2 again.
  Result<Bytes> Receive(std::span<const uint8_t> datagram, const Select& select);
  bool done() const { return done_; }
  const QuickModeResult& result() const { return s_.result; }

 private:
  Result<Bytes> OnQm1(std::span<const uint8_t> datagram, const Select& select);
  Result<Bytes> OnQm3(std::span<const uint8_t> datagram);
  RandomSource& random_;
  QuickModeState s_;
  Bytes last_request_;
  bool answered_ = false, done_ = false;
};

}  // namespace ipsec::ike::v1
