// AUTH payload data for pre-shared keys (RFC 7296 2.15) and NAT detection
// hashes (2.23).
#pragma once

#include <array>
#include <cstdint>
#include <span>

#include "common/ip_address.h"
#include "common/result.h"
#include "common/secure_bytes.h"
#include "ike/message.h"

namespace ipsec::ike {

// The octets signed by one side:
//   <SignedOctets> = RealMessage | NonceOfPeer | prf(SK_p, RestOfIDPayload)
// own_first_message: this side's IKE_SA_INIT message as sent/received
// (initiator: its request; responder: its response). peer_nonce: the other
// side's Nonce data. sk_p: SK_pi for the initiator, SK_pr for the responder.
// id_body: EncodeIdBody(own ID payload).
Result<SecureBytes> SignedOctets(uint16_t prf_id, std::span<const uint8_t> own_first_message,
                                 std::span<const uint8_t> peer_nonce, const SecureBytes& sk_p,
                                 std::span<const uint8_t> id_body);

// AUTH = prf(prf(Shared Secret, "Key Pad for IKEv2"), <SignedOctets>).
Result<Bytes> ComputePskAuth(uint16_t prf_id, const SecureBytes& psk,
                             std::span<const uint8_t> signed_octets);
// Constant-time check of a received AUTH value.
bool VerifyPskAuth(uint16_t prf_id, const SecureBytes& psk, std::span<const uint8_t> signed_octets,
                   std::span<const uint8_t> received_auth);

// SPIi | SPIr | IP | port: what NAT detection hashes (RFC 7296 2.23; IKEv1's
// NAT-D, RFC 3947 3.2, hashes the same with cookies and its negotiated hash).
Bytes NatDetectionInput(uint64_t spi_i, uint64_t spi_r, const IpAddress& ip, uint16_t port);
// SHA1(SPIi | SPIr | IP | port), for NAT_DETECTION_*_IP notify data.
std::array<uint8_t, 20> NatDetectionHash(uint64_t spi_i, uint64_t spi_r, const IpAddress& ip,
                                         uint16_t port);

}  // namespace ipsec::ike
