// IKEv1 main mode (identity protection, RFC 2409 5) with pre-shared keys,
// as two state machines that take the peer's datagram and give ours. No
// sockets, no timers: the engine sends, retransmits and times out.
//
//   initiator                              responder
//   1  HDR, SA, VID(RFC 3947, DPD)    -->
//                                     <--  2  HDR, SA (the chosen transform), VIDs
//   3  HDR, KE, Ni, NAT-D, NAT-D      -->
//                                     <--  4  HDR, KE, Nr, NAT-D, NAT-D
//   5  HDR*, IDii, HASH_I             -->
//                                     <--  6  HDR*, IDir, HASH_R
//
// (* = body encrypted with the phase-1 key, RFC 2409 Appendix B IVs.) NAT-D
// is sent only when the peer's first message carried RFC 3947's vendor ID.
//
// A message that fails any check (cookies, exchange, payloads, proposal,
// DH value, HASH) is refused with an error naming the message and changes
// nothing: not the IV chain, not the keys, not the step. A forged message 5
// therefore cannot stop the genuine one, which may follow. Messages 1-4 are
// not authenticated in IKEv1: forging 2, 3 or 4 takes both cookies, i.e. an
// attacker on the path, who could drop packets anyway; the first that passes
// the checks is taken. Our own message 3 reflected back as 4 is refused.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "common/ip_address.h"
#include "common/random.h"
#include "common/result.h"
#include "common/secure_bytes.h"
#include "ike/crypto/dh.h"
#include "ike/v1/attributes.h"
#include "ike/v1/keymat.h"
#include "ike/v1/message.h"

namespace ipsec::ike::v1 {

struct Endpoint {
  IpAddress address;
  uint16_t port = 500;
};

struct MainModeParams {
  std::vector<IsakmpTransformAttrs> transforms;  // ours, preferred first (phase1_proposal.h)
  SecureBytes psk;  // main mode chooses it by the peer's address: IDs come encrypted, last
  IdPayload local_id;
  std::optional<IdPayload> expected_peer_id;  // rightid=; nullopt accepts any
  Endpoint local;                             // as this host sees both ends (NAT-D)
  Endpoint remote;
  // Initiator: message 5 carries INITIAL-CONTACT (RFC 2407 4.6.3.3), this
  // being our only ISAKMP SA with the peer.
  bool initial_contact = false;
};

// What main mode establishes: the ISAKMP SA quick mode and informational
// exchanges run under.
struct Phase1Sa {
  uint64_t cookie_i = 0;
  uint64_t cookie_r = 0;
  IsakmpTransformAttrs transform;  // the chosen one, lifetime as the initiator offered it
  Phase1Keys keys;
  Bytes last_block;  // last cipher block of phase 1: each phase-2 IV starts here (Phase2Iv)
  IdPayload peer_id;
  bool peer_nat_t = false;  // the peer sent RFC 3947's vendor ID
  bool peer_dpd = false;    // and RFC 3706's
  bool local_behind_nat = false;
  bool remote_behind_nat = false;
  bool peer_initial_contact = false;  // its message 5/6 carried INITIAL-CONTACT
};

// RFC 3947 2.1 (MD5 of "RFC 3947") and RFC 3706 3.
Bytes NatTVendorId();
Bytes DpdVendorId();

// What both roles keep between messages (main_mode_steps.h works on it).
struct MainModeState {
  MainModeParams params;
  Phase1Sa sa;
  int step = 0;  // messages this side has sent
  Bytes sai_b;   // the initiator's SA payload body, hashed into HASH_I/HASH_R
  std::shared_ptr<const DhKeyPair> dh;  // shared: a step works on a copy of the state
  Bytes g_xi, g_xr, ni_b, nr_b;
  Bytes iv;  // for the next encrypted message of phase 1
  Bytes last_sent;
};

class MainModeInitiator {
 public:
  MainModeInitiator(MainModeParams params, RandomSource& random);
  // Message 1.
  Result<Bytes> Start();
  // Message 2 -> 3, 4 -> 5, 6 -> an empty reply and established().
  Result<Bytes> Receive(std::span<const uint8_t> datagram);
  bool established() const { return established_; }
  const Phase1Sa& sa() const { return s_.sa; }
  const Bytes& last_sent() const { return s_.last_sent; }  // what a retransmit resends

 private:
  Result<Bytes> OnMessage2(const Message& m);
  Result<Bytes> OnMessage4(const Message& m);
  Result<Bytes> OnMessage6(const Message& m, std::span<const uint8_t> ciphertext);
  RandomSource& random_;
  MainModeState s_;
  bool established_ = false;
};

class MainModeResponder {
 public:
  MainModeResponder(MainModeParams params, RandomSource& random);
  // Message 1 -> 2, 3 -> 4, 5 -> 6 (then established()). The request we
  // last answered, received again, gets the same answer (a retransmit).
  Result<Bytes> Receive(std::span<const uint8_t> datagram);
  bool established() const { return established_; }
  const Phase1Sa& sa() const { return s_.sa; }

 private:
  Result<Bytes> OnMessage1(const Message& m);
  Result<Bytes> OnMessage3(const Message& m);
  Result<Bytes> OnMessage5(const Message& m, std::span<const uint8_t> ciphertext);
  RandomSource& random_;
  MainModeState s_;
  Bytes last_request_;
  bool established_ = false;
};

}  // namespace ipsec::ike::v1
