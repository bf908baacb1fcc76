// An IKE SA as the engine tracks it: SPIs, negotiated transforms and keys,
// endpoints (which move to port 4500 behind NAT), IDs, its child SAs and its
// task manager. No parsing here: tasks fill it from decoded messages.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "engine/child_sa.h"
#include "engine/context.h"
#include "engine/engine.h"
#include "engine/resend_limit.h"
#include "engine/task_manager.h"
#include "ike/cert/signature.h"
#include "ike/crypto/dh.h"
#include "ike/crypto/keymat.h"
#include "ike/fragments.h"
#include "ike/message.h"
#include "ike/sk_cipher.h"

namespace ipsec::engine {

class IkeSa {
 public:
  enum class State { kConnecting, kEstablished, kDeleting, kDead };

  IkeSa(EngineContext& ctx, uint64_t serial, bool initiator)
      : fragments(ctx.fragment_budget), tasks(ctx, *this), serial_(serial), initiator_(initiator) {}

  uint64_t serial() const { return serial_; }
  bool initiator() const { return initiator_; }
  // Our SPI and the peer's, whichever role we have.
  uint64_t our_spi() const { return initiator_ ? spi_i : spi_r; }
  const std::string& conn_name() const {
    static const std::string none;
    return conn ? conn->name : none;
  }
  // Keys for the direction: outbound SK is SK_ei/ar for the initiator.
  const ike::SkCipher* inbound() const { return in_cipher ? &*in_cipher : nullptr; }
  const ike::SkCipher* outbound() const { return out_cipher ? &*out_cipher : nullptr; }
  ChildSa* FindChildByInbound(uint32_t spi);
  ChildSa* FindChildByOutbound(uint32_t spi);
  // Whether conn's (default: this SA's connection's) subnet pair has an
  // installed child here; except_inbound: not counting that child.
  bool HasLiveChildForPair(size_t pair) const { return HasLiveChildFor(conn_name(), pair); }
  bool HasLiveChildFor(const std::string& conn_name, size_t pair,
                       uint32_t except_inbound = 0) const;
  // Whether another installed child of child's connection and subnet pair
  // was established after it (in the same millisecond: listed after it).
  bool HasNewerChildFor(const ChildSa& child) const;
  // Takes the derived SK_* keys and builds both SK ciphers for our role.
  ipsec::Status InstallKeys(ike::IkeSaKeys k);
  void Kill(std::string reason) {
    state = State::kDead;
    if (death_reason.empty()) death_reason = std::move(reason);
    tasks.Touch(/*killed=*/true);
  }

  State state = State::kConnecting;
  std::shared_ptr<const Connection> conn;  // responder: set in IKE_SA_INIT, refined in AUTH
  uint64_t spi_i = 0, spi_r = 0;
  Endpoint local, remote;
  bool nat_local = false, nat_remote = false;  // NAT in front of us / of the peer

  // IKE_SA_INIT state.
  std::unique_ptr<ike::DhKeyPair> dh;
  ike::Bytes nonce_i, nonce_r;
  ike::Bytes init_request, init_response;  // raw messages, AUTH input
  ike::Bytes cookie;
  // The hashes of the peer's SIGNATURE_HASH_ALGORITHMS (RFC 7427 4) that we
  // know; empty when it sent none (we then sign with the classic methods).
  std::vector<cert::SigHash> peer_sig_hashes;
  // The peer sent a CERTREQ (IKE_SA_INIT, or the IKE_AUTH request): a
  // leftsendcert=ifasked end sends its CERT.
  bool peer_certreq = false;
  Proposal ike_proposal;
  ike::IkeSaTransforms transforms;
  ike::IkeSaKeys keys;
  std::optional<ike::SkCipher> in_cipher, out_cipher;

  ike::IdPayload local_id, remote_id;
  // How each end authenticated ("psk", or cert::SchemeName's "rsa-pss-sha256",
  // "ed25519"...) and the peer's certificate's subject ("" with a PSK).
  std::string local_auth, remote_auth, remote_cert;
  std::vector<std::unique_ptr<ChildSa>> children;
  // Connections whose children this SA carries or is about to create
  // (conn's own name included): when it dies, each of them is brought back
  // or retried as its own connection would be. A rekey passes it on.
  std::set<std::string> riders;
  // ChildConnections() of this SA as last computed, and what it depended
  // on: the connection table's load, the SA's connection and addresses
  // (ike_sa_sharing.cc). A responder asked for 1,000 children would
  // otherwise match every connection against the SA for every one.
  struct ChildConnsCache {
    uint64_t generation = 0;
    const Connection* conn = nullptr;
    Endpoint local, remote;
    std::vector<std::shared_ptr<const Connection>> conns;
  } child_conns;

  // An SA-level error notify (AUTHENTICATION_FAILED, NO_PROPOSAL_CHOSEN,
  // INVALID_KE_PAYLOAD...) that replaces the whole response.
  std::optional<ike::NotifyPayload> fatal_response;
  std::string death_reason;
  // The peer sent INITIAL_CONTACT in IKE_AUTH (RFC 7296 2.4): it has no
  // other IKE SA with us, so ours with the same IDs are stale. The engine
  // removes them once the message is processed.
  bool peer_initial_contact = false;
  // Since when a duplicate of an IKE SA we did not initiate (both ends
  // started at once) has waited for the peer to delete it; 0: not one.
  int64_t duplicate_since_ms = 0;
  // A duplicate we delete (EngineImpl::ResolveDuplicates) and what the IKE
  // SA kept instead does once it is gone and the peer has been quiet a
  // moment (EngineImpl::FollowUpDuplicates): the duplicate's connections
  // join it, and its child of each pair both carried is rekeyed.
  struct DuplicateGone {
    uint64_t kept_serial = 0;      // the IKE SA that stays
    int64_t deleting_ms = 0;       // when the duplicate's Delete was queued
    int64_t gone_ms = 0;           // when the duplicate went
    std::set<std::string> riders;  // the duplicate's connections
    std::vector<std::pair<std::string, size_t>> shared_pairs;  // (connection, pair)
  };
  // Set on the duplicate while its Delete is out.
  std::optional<DuplicateGone> deleting_as_duplicate;
  // On the kept SA: the duplicates gone, not yet followed up. A rekey
  // passes them on.
  std::vector<DuplicateGone> duplicates_gone;
  bool counted_failure = false;
  // Ours, queued but not yet sent: its IKE_SA_INIT waits for an initiation
  // slot (init_pacing.h); the task manager starts nothing meanwhile.
  bool waiting_to_initiate = false;

  int64_t created_ms = 0, established_ms = 0;
  int64_t last_inbound_ms = 0;  // any authenticated message from the peer
  int64_t next_dpd_ms = 0, next_keepalive_ms = 0;
  int64_t next_rekey_ms = 0;  // IKE SA rekey due (0: not scheduled)
  // Child rekeys of ours the peer refused, to try again (child_retry.h):
  // (when, the old child's inbound SPI). Part of this SA's timer
  // (EngineImpl::SaDueMs); a rekey passes them on with the children.
  std::set<std::pair<int64_t, uint32_t>> rekey_retries;
  // The IKE SA this one was rekeyed into (its serial; 0: none). Its
  // children live there now, and a Delete of one of them that the peer sent
  // on this SA while the rekey crossed it still finds it (RFC 7296 2.25.2).
  uint64_t successor = 0;

  // Re-sent cached responses of this SA (resend_limit.h).
  TokenBucket resend_budget{kSaResendBurst, kSaResendPerSecond};

  // RFC 7383: both ends announced IKEV2_FRAGMENTATION_SUPPORTED in
  // IKE_SA_INIT (kept across IKE rekeys); only then are SKF sent or taken.
  bool fragmentation = false;
  // SKF fragments received and verified, until their message is whole.
  ike::FragmentReassembler fragments;

  TaskManager tasks;

 private:
  uint64_t serial_;
  bool initiator_;
};

}  // namespace ipsec::engine
