// An IKEv1 ISAKMP SA as the engine tracks it (Documentation/ikev1.md): the
// engine's IkeSa (endpoints, connection, IDs, child SAs, state: the fields
// the kernel install path and the status report read, shared with IKEv2)
// plus main mode's state machine while it runs, the Phase1Sa it produced,
// the quick-mode exchanges in flight and what to retransmit when.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <span>
#include <string>

#include "engine/ike_sa.h"
#include "ike/v1/main_mode.h"
#include "ike/v1/quick_mode.h"

namespace ipsec::engine::v1 {

// Retransmission of our last message of an exchange (main mode, quick
// mode): after kResendIntervalMs times the sends so far (at most 4: 2, 4,
// 6, 8, 8... s), kMaxSends sends in all (about a minute), then the exchange
// has failed. pluto has taken 13 s over one answer under TCG.
inline constexpr int64_t kResendIntervalMs = 2000;
inline constexpr int kMaxSends = 10;
inline int64_t ResendDelayMs(int sends) {
  return kResendIntervalMs * (sends < 4 ? sends : 4);
}
// Quick-mode exchanges (ours and the peer's) one ISAKMP SA runs at once;
// beyond it a peer's new QM1 is dropped (an authenticated peer still must
// not make us hold unbounded state).
inline constexpr size_t kMaxQuickExchanges = 64;
// A finished exchange stays this long to answer a retransmit (our QM3 when
// the peer resends QM2).
inline constexpr int64_t kFinishedLingerMs = 30000;
// After our QM3 of a rekey, the old child's Delete waits this long
// (v1_quick.cc OnAsInitiator).
inline constexpr int64_t kRetireAfterQm3Ms = 1000;

// Message IDs of exchanges under one ISAKMP SA remembered to refuse
// replays (V1Sa::used_message_ids): the oldest are forgotten beyond this.
inline constexpr size_t kMaxUsedMessageIds = 1024;

struct Resend {
  ike::v1::Bytes datagram;  // empty: nothing to resend
  int64_t next_ms = 0;
  int sends = 0;
};

struct QuickExchange {
  std::unique_ptr<ike::v1::QuickModeInitiator> initiator;
  std::unique_ptr<ike::v1::QuickModeResponder> responder;
  std::shared_ptr<const Connection> conn;  // the child's
  size_t pair_index = 0;
  uint32_t inbound_spi = 0;
  uint32_t replaces = 0;  // inbound SPI of the child this one rekeys, 0 if none
  Resend resend;          // QM1 until QM2 arrives; responder: QM2 until QM3
  ike::v1::Bytes last_sent;
  int64_t finished_ms = 0;   // done (installed or failed); kept to answer retransmits
  int64_t retire_at_ms = 0;  // when the child this one rekeyed gets its Delete (0: not due)
  int64_t qm3_sent_ms = 0;   // initiator: our last QM3 (0: none)
};

// After our QM3 the peer may still resend QM2 (its QM3 lost) for this long
// (strongSwan: 4 s, then 7.2 s more; ours: 2, 4 s): our exchange needs its
// ISAKMP SA to answer it until then.
inline constexpr int64_t kQm2RepeatWindowMs = 10000;

// Until when x may still need its ISAKMP SA (V1Engine::RetireIfQuiet): our
// exchange while unanswered and for kQm2RepeatWindowMs after our last QM3,
// the peer's while it waits for QM3 (its QM2 resent); 0: no longer.
inline int64_t UnsettledUntilMs(const QuickExchange& x) {
  if (x.initiator) {
    if (x.finished_ms == 0) return INT64_MAX;
    return x.qm3_sent_ms ? x.qm3_sent_ms + kQm2RepeatWindowMs : 0;
  }
  return x.responder && !x.responder->done() && !x.resend.datagram.empty() ? INT64_MAX : 0;
}

struct V1Sa {
  V1Sa(EngineContext& ctx, uint64_t serial, bool initiator) : ike(ctx, serial, initiator) {}

  IkeSa ike;  // spi_i/spi_r hold the cookies
  std::unique_ptr<ike::v1::MainModeInitiator> mm_initiator;
  std::unique_ptr<ike::v1::MainModeResponder> mm_responder;
  std::optional<ike::v1::Phase1Sa> p1;  // set once main mode is done
  Resend resend;                        // main mode, initiator
  // Main mode, initiator: why the last message 6 was refused (a forgery or
  // a peer whose key differs; it ends nothing), for the final error line.
  std::string refused;
  std::map<uint32_t, QuickExchange> quick;  // by message ID
  // DPD (RFC 3706): the sequence number of our last R-U-THERE, when it
  // went, and whether its ACK is still missing.
  uint32_t dpd_seq = 0;
  int64_t dpd_sent_ms = 0;
  bool dpd_outstanding = false;
  // dpdaction=restart: initiate the connection again once this SA is gone.
  bool restart = false;
  // Phase-1 rekey (V1Engine::Rekey): when ours is due (0: never, we were
  // the responder or rekey=no), when the SA expires (0: never), and the
  // initiator cookie of the new SA replacing this one (0: none yet); on
  // the new SA, the cookie of the one it replaces (0: a first SA).
  int64_t rekey_due_ms = 0;
  int64_t expire_ms = 0;
  uint64_t replaced_by = 0;
  uint64_t replaces = 0;
  uint32_t rekey_tries = 0;  // failed rekeys of this SA so far (back-off)
  // Replaced by our rekey, but quick modes on it are not over yet: its
  // Delete waits for them until this time (V1Engine::RetireIfQuiet; 0: not
  // replaced by our rekey).
  int64_t retire_ms = 0;
  // Responder to a peer we cannot start a main mode to (right=%any) or with
  // rekey=no: expire_ms deletes it if the peer has not replaced it by then.
  bool unrekeyable = false;
  // Message IDs of the quick modes and informationals this SA has carried
  // (the peer's once authenticated, ours as we start them). RFC 2408 3.1
  // makes a message ID unique per ISAKMP SA, and IKEv1 has no other replay
  // protection: a recorded QM1, QM2 or R-U-THERE replayed once its exchange
  // is gone would verify again (a half-made child, a DPD answer). Bounded by
  // kMaxUsedMessageIds, oldest first out.
  std::set<uint32_t> used_message_ids;
  std::deque<uint32_t> used_message_order;
};

}  // namespace ipsec::engine::v1

namespace ipsec::engine::v1 {

// Sends one message of sa's to the peer (counted in tx_messages).
void Send(EngineContext& ctx, const V1Sa& sa, std::span<const uint8_t> datagram);
// A fresh non-zero message ID not in use by one of sa's exchanges.
uint32_t NewMessageId(EngineContext& ctx, const V1Sa& sa);
// Whether message_id was used under sa before (a replay: dropped, counted
// and logged as such), and recording one as used.
bool ReplayedMessageId(EngineContext& ctx, const V1Sa& sa, uint32_t message_id);
void RememberMessageId(V1Sa& sa, uint32_t message_id);
// 32-bit values in network order (SPIs, DPD sequence numbers).
ike::v1::Bytes Be32(uint32_t v);
uint32_t ReadBe32(std::span<const uint8_t> b);
// Both cookies, as the ISAKMP SA's 16-byte SPI (Delete, DPD notify).
ike::v1::Bytes Cookies(const ike::v1::Phase1Sa& p1);

}  // namespace ipsec::engine::v1
