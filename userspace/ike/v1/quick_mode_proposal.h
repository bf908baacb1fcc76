// Quick-mode proposals: a conn's esp= (IKEv2 transform IDs, common/proposal.h)
// as IKEv1 ESP transforms (RFC 2407 4.4.4, 4.5), the initiator's SA payload
// with its inbound SPI, the responder's choice and one-transform answer with
// its own SPI, the initiator's check of it. As in phase 1 an IKEv1
// transform is one combination (cipher, integrity); the PFS group, the
// encapsulation mode and the lifetime are attributes of each.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/proposal.h"
#include "common/result.h"
#include "ike/crypto/keymat.h"
#include "ike/v1/attributes.h"
#include "ike/v1/message.h"

namespace ipsec::ike::v1 {

struct EspTransform {
  uint8_t cipher = 0;  // ESP transform ID: the same number as IKEv2's ENCR ID
  IpsecTransformAttrs attrs;
  bool operator==(const EspTransform&) const = default;
};

// esp= -> ESP transforms in preference order (AES-CBC, AES-GCM, 3DES, NULL;
// HMAC MD5/SHA-1/SHA-2 integrity). pfs_group 0: no PFS. udp: NAT was
// detected, so the mode is UDP-encapsulated tunnel (RFC 3947 5).
Result<std::vector<EspTransform>> QuickModeTransformsFor(const std::vector<ipsec::Proposal>& esp,
                                                         uint16_t pfs_group, uint64_t life_seconds,
                                                         bool udp);

// "AES_GCM_16_256", "AES_CBC_128/HMAC_SHA1", "+MODP_2048" for PFS.
std::string DescribeEsp(const EspTransform& t);

// The child's transforms as the kernel install path (IKEv2's) takes them.
ChildSaTransforms ChildTransformsOf(const EspTransform& t);

// Quick mode's SA: one ESP proposal with our inbound SPI and every transform.
SaPayload QuickModeOffer(const std::vector<EspTransform>& transforms, uint32_t spi);

struct EspChoice {
  size_t proposal_index = 0;
  size_t transform_index = 0;
  EspTransform transform;  // attributes as the initiator sent them
  uint32_t peer_spi = 0;   // the other end's inbound SPI: our outbound
};

// The first of the peer's ESP transforms that one of ours matches in
// cipher, key length, integrity, PFS group and tunnel mode. Mismatch: an
// error listing both sides.
Result<EspChoice> ChooseQuickMode(const SaPayload& offer, const std::vector<EspTransform>& ours);
// The answer: the chosen proposal with the one transform and our SPI.
SaPayload QuickModeAnswer(const SaPayload& offer, const EspChoice& choice, uint32_t our_spi);
// The initiator's check: one ESP proposal, one transform that was offered.
Result<EspChoice> CheckQuickModeAnswer(const SaPayload& answer,
                                       const std::vector<EspTransform>& offered);

}  // namespace ipsec::ike::v1
