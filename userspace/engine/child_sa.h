// A child SA (ESP, tunnel mode) as the engine tracks it: the negotiated
// result and what was installed in the kernel. No bytes on the wire here.
#pragma once

#include <cstdint>
#include <memory>
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
  std::shared_ptr<const ConnectionConfig> conn;
  size_t pair_index = 0;         // into conn's subnet pairs
  uint32_t reqid = 0;            // shared by every child of one (connection, pair)
  uint32_t inbound_spi = 0;      // ours, allocated from the kernel
  uint32_t outbound_spi = 0;     // the peer's
  IpPrefix local_ts, remote_ts;  // after narrowing
  Proposal proposal;             // the single chosen ESP proposal
  ike::ChildSaTransforms transforms;
  int ifindex = 0;
  bool inbound_installed = false, outbound_installed = false, policy_installed = false;
  bool udp_encap = false;
  int64_t established_ms = 0;

  const std::string& conn_name() const {
    static const std::string none;
    return conn ? conn->name : none;
  }
};

}  // namespace ipsec::engine
