// IKEv1 in the engine (Documentation/ikev1.md): the ISAKMP SA table, the
// datagrams the version dispatcher (EngineImpl::OnDatagram) hands over, main
// mode in both roles, then quick mode (v1_quick.h) and informational
// exchanges (v1_informational.h) under each established SA, their timers
// (retransmits, half-open expiry, DPD), terminate, shutdown and status. The
// engine's facade calls it for connections with ike_version 1; children go
// into the kernel through child_install.h like IKEv2's.
//
// Unauthenticated input is bounded as IKEv2's is: nothing is kept for a
// datagram before it parses as a main-mode message 1 with an SA payload for
// a configured IKEv1 connection, and at most kMaxHalfOpen responder SAs
// (kMaxHalfOpenPerPeer from one address) wait for message 5, each for at
// most kHalfOpenMs. Aggressive mode is refused (it exposes a hash of the
// pre-shared key to anyone who asks).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "engine/v1/v1_sa.h"

namespace ipsec::engine::v1 {

inline constexpr size_t kMaxHalfOpen = 64;
inline constexpr size_t kMaxHalfOpenPerPeer = 8;
inline constexpr int64_t kHalfOpenMs = 30000;
// Death reasons whose children a newer ISAKMP SA with the peer takes over.
inline constexpr const char* kExpired = "ISAKMP SA lifetime expired";
inline constexpr const char* kDeletedByPeer = "deleted by the peer";
inline constexpr const char* kReplaced = "replaced by a new ISAKMP SA";

class V1Engine {
 public:
  explicit V1Engine(EngineContext& ctx) : ctx_(ctx) {}

  // The dispatcher's test: an ISAKMP header with major version 1.
  static bool IsIkev1(std::span<const uint8_t> datagram);

  void OnDatagram(std::span<const uint8_t> datagram, const Endpoint& local, const Endpoint& remote);
  // Main mode to conn's peer, then quick mode for each subnet pair; on an
  // established SA, quick mode for the pairs without a child.
  Status Initiate(const std::shared_ptr<const Connection>& conn);
  // Deletes (with Delete payloads to the peer) conn's SAs; whether any.
  bool Terminate(std::string_view conn);
  // Whether ev named one of our children (soft: rekey, hard: delete).
  bool OnKernelExpire(const kernel::ExpireEvent& ev);
  // The module saw authenticated ESP-in-UDP for one of our children from
  // another address or port: its ISAKMP SA and children follow a NATed
  // peer (peer_address.h OnEspMapping). Whether ev named one of ours.
  bool OnKernelMapping(const kernel::MappingEvent& ev);
  void OnTimer();
  std::optional<int64_t> NextDueMs() const;
  void AppendStatus(std::vector<IkeSaStatus>* out) const;
  void Shutdown();
  // Whether conn has an ISAKMP SA other than `except` up or being set up.
  bool HasLiveSa(std::string_view conn, const IkeSa* except = nullptr) const;

  // Called as a main mode we started (not a rekey) fails: no answer, the
  // peer's error notify, authentication. The engine plans the next keying
  // try as for IKEv2 (revival.h) and calls Initiate again when it is due.
  std::function<void(const IkeSa& failed)> on_attempt_failed;

 private:
  void OnMessage1(std::span<const uint8_t> datagram, const ike::v1::Header& h,
                  const Endpoint& local, const Endpoint& remote);
  // An unencrypted informational during main mode: the peer's error
  // notify (NO-PROPOSAL-CHOSEN...) to our message 1 ends our attempt; after
  // message 2 it is only noted (anyone on the path could send it).
  void OnMainModeNotify(V1Sa& sa, std::span<const uint8_t> datagram);
  void OnMainMode(V1Sa& sa, std::span<const uint8_t> datagram, const Endpoint& local,
                  const Endpoint& remote);
  Result<V1Sa*> StartMainMode(const std::shared_ptr<const Connection>& conn, uint64_t replaces);
  void Established(V1Sa& sa);
  // Phase-1 lifetime (Documentation/ikev1.md, "Lifecycle"): the expiry and,
  // for SAs we initiated, the rekey time of a new SA.
  void ScheduleLifetime(V1Sa& sa);
  // A new main mode to replace old, which keeps working until it is in.
  void Rekey(V1Sa& old);
  void RekeyFailed(uint64_t old_cookie);
  // fresh is up: the children of older SAs with the same peer move to it;
  // the SA our rekey replaced is deleted.
  void TakeOverChildren(V1Sa& fresh);
  // INITIAL-CONTACT from fresh's peer (RFC 2407 4.6.3.3): it has no other
  // SA with us, so ours with the same address and ID that were up before
  // fresh began go, children too, without a Delete (IKEv2's DropStaleSas).
  void DropStaleSas(const V1Sa& fresh);
  // The newest other established SA of sa's connection with the same peer.
  V1Sa* Sibling(const V1Sa& sa);
  // The children of `from` move to `to`, except one whose quick mode on
  // `from` still waits for the peer's QM3 (it completes there first).
  void MoveChildren(V1Sa& from, V1Sa& to);
  // After a quick-mode message on sa: a child it completed on an ISAKMP SA
  // a newer one replaced moves to the newer one, and an SA our rekey
  // replaced goes once its quick modes are over.
  void AfterQuickMode(V1Sa& sa);
  // Our rekey replaced old: its Delete goes once no quick mode on it is
  // unsettled (v1_sa.h UnsettledUntilMs), or at old.retire_ms.
  void RetireIfQuiet(V1Sa& old);
  // When every quick mode on sa is settled (0: now; INT64_MAX: not foreseeable).
  static int64_t SettledMs(const V1Sa& sa);
  void StartChildren(V1Sa& sa);
  void Dpd(V1Sa& sa, int64_t now);
  void Reap();
  V1Sa* Find(const ike::v1::Header& h, const Endpoint& local, const Endpoint& remote);

  EngineContext& ctx_;
  std::map<uint64_t, std::unique_ptr<V1Sa>> sas_;  // by the initiator's cookie
  bool shut_down_ = false;
};

}  // namespace ipsec::engine::v1
