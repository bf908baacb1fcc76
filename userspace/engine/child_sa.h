// A child SA (ESP, tunnel mode) as the engine tracks it: the negotiated
// result and what was installed in the kernel. No bytes on the wire here.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/ip_address.h"
#include "common/proposal.h"
#include "engine/engine.h"
#include "ike/crypto/keymat.h"
#include "kernel/kernel.h"

namespace ipsec::engine {

// Child SAs one IKE SA may hold as responder; a CREATE_CHILD_SA beyond it is
// answered NO_ADDITIONAL_SAS (RFC 7296 1.3). Room for 1,000 connections to one
// peer sharing one IKE SA (issue 25), small enough that one authenticated peer
// cannot fill the kernel's SA table (its per-netns cap is far larger).
inline constexpr size_t kMaxChildSasPerIkeSa = 1024;

struct ChildSa {
  enum class State { kCreating, kInstalled, kDeleting };
  State state = State::kCreating;
  // The connection this child belongs to: the IKE SA's own, or another one
  // sharing the IKE SA (engine/ike_sa_sharing.h).
  std::shared_ptr<const Connection> conn;
  size_t pair_index = 0;      // into conn's subnet pairs
  uint32_t reqid = 0;         // shared by every child of one (connection, pair)
  uint32_t inbound_spi = 0;   // ours, allocated from the kernel
  uint32_t outbound_spi = 0;  // the peer's
  // We sent the request that created this child (IKE_AUTH or
  // CREATE_CHILD_SA). Picks the key direction (RFC 7296 2.17: i->r keys
  // first, "initiator" being that exchange's), which is not the IKE SA's
  // role when the IKE responder starts a child or a rekey.
  bool initiator = false;
  IpPrefix local_ts, remote_ts;  // after narrowing
  Proposal proposal;             // the single chosen ESP proposal
  ike::ChildSaTransforms transforms;
  int ifindex = 0;
  // inbound_spi is reserved in the kernel (ALLOC_SPI) and its SA not added
  // yet: RemoveChild gives the reservation back (a failed negotiation).
  bool spi_reserved = false;
  // Rekeying (make-before-break, RFC 7296 2.8): our rekey of this child is
  // queued or in flight; or a newer child has taken over and this one stays
  // (inbound still accepted) until it is deleted. Either way it is not
  // rekeyed again.
  bool rekey_queued = false, replaced = false;
  uint32_t replaces = 0;  // inbound SPI of the child this one rekeyed, 0 if none
  // Seconds it lives when the peer settled on less than the connection's
  // lifetime (IKEv1 RESPONDER-LIFETIME); 0: the connection's.
  uint64_t lifetime_s = 0;
  // An IKEv1 child the peer's quick mode made: the peer rekeys what it
  // initiated, so our own rekey comes at half our margin before the hard
  // lifetime instead of all of it, after the peer's (libreswan does the
  // same); both ends rekeying at once made two new pairs each time (591).
  bool peer_rekeys_first = false;
  // Kilobytes it may carry when the peer settled on a volume limit (IKEv1
  // life type kilobytes, RESPONDER-LIFETIME); 0: the connection's
  // lifebytes=. Rekeyed at 90 % of it (child_install.cc).
  uint64_t lifetime_kb = 0;
  // The smaller of the two nonces of the exchange that created it: a rekey
  // collision keeps the pair whose exchange did not have the lowest (2.8.1).
  std::vector<uint8_t> min_nonce;
  // Responder of a rekey: the new outbound SA waits here until the peer
  // deletes the old child (it has moved to the new pair by then), so that
  // nothing is sent on an SA the peer may not have installed yet.
  std::optional<kernel::SaParams> pending_outbound;
  bool inbound_installed = false, outbound_installed = false, policy_installed = false;
  bool udp_encap = false;
  int64_t established_ms = 0;

  const std::string& conn_name() const {
    static const std::string none;
    return conn ? conn->name : none;
  }
};

}  // namespace ipsec::engine
