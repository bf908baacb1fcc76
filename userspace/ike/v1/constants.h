// IKEv1 / ISAKMP numbers: RFC 2408 (ISAKMP), RFC 2409 Appendix A (phase-1
// attributes), RFC 2407 (IPsec DOI: quick-mode attributes, ID types),
// RFC 3947 (NAT-T payloads and encapsulation modes), RFC 4868 (SHA-2).
#pragma once

#include <cstdint>

namespace ipsec::ike::v1 {

inline constexpr uint8_t kIsakmpVersion = 0x10;  // major 1, minor 0
inline constexpr size_t kHeaderSize = 28;
inline constexpr size_t kGenericHeaderSize = 4;

// Header flags (RFC 2408 3.1).
inline constexpr uint8_t kFlagEncryption = 0x01;
inline constexpr uint8_t kFlagCommit = 0x02;
inline constexpr uint8_t kFlagAuthOnly = 0x04;

namespace exchange {
inline constexpr uint8_t kBase = 1;
inline constexpr uint8_t kIdentityProtection = 2;  // main mode
inline constexpr uint8_t kAuthOnly = 3;
inline constexpr uint8_t kAggressive = 4;
inline constexpr uint8_t kInformational = 5;
inline constexpr uint8_t kQuickMode = 32;
inline constexpr uint8_t kNewGroupMode = 33;
}  // namespace exchange

namespace payload {
inline constexpr uint8_t kNone = 0;
inline constexpr uint8_t kSa = 1;
inline constexpr uint8_t kProposal = 2;
inline constexpr uint8_t kTransform = 3;
inline constexpr uint8_t kKe = 4;
inline constexpr uint8_t kId = 5;
inline constexpr uint8_t kCert = 6;
inline constexpr uint8_t kCertRequest = 7;
inline constexpr uint8_t kHash = 8;
inline constexpr uint8_t kSignature = 9;
inline constexpr uint8_t kNonce = 10;
inline constexpr uint8_t kNotification = 11;
inline constexpr uint8_t kDelete = 12;
inline constexpr uint8_t kVendorId = 13;
inline constexpr uint8_t kNatD = 20;   // RFC 3947
inline constexpr uint8_t kNatOa = 21;  // RFC 3947
}  // namespace payload

inline constexpr uint32_t kDoiIpsec = 1;
inline constexpr uint32_t kSituationIdentityOnly = 1;

namespace protocol {
inline constexpr uint8_t kIsakmp = 1;
inline constexpr uint8_t kAh = 2;
inline constexpr uint8_t kEsp = 3;
inline constexpr uint8_t kIpcomp = 4;
}  // namespace protocol

inline constexpr uint8_t kTransformKeyIke = 1;  // the only ISAKMP transform ID

// ESP transform IDs (RFC 2407 4.4.4, RFC 3602, RFC 4106).
namespace esp {
inline constexpr uint8_t k3Des = 3;
inline constexpr uint8_t kNull = 11;
inline constexpr uint8_t kAesCbc = 12;
inline constexpr uint8_t kAesGcm8 = 18;
inline constexpr uint8_t kAesGcm12 = 19;
inline constexpr uint8_t kAesGcm16 = 20;
}  // namespace esp

// Phase-1 (ISAKMP SA) attribute types, RFC 2409 Appendix A. B = basic only,
// V = variable (a value that fits 16 bits may still be sent basic).
namespace p1attr {
inline constexpr uint16_t kEncryption = 1;     // B
inline constexpr uint16_t kHash = 2;           // B
inline constexpr uint16_t kAuthMethod = 3;     // B
inline constexpr uint16_t kGroup = 4;          // B
inline constexpr uint16_t kGroupType = 5;      // B
inline constexpr uint16_t kLifeType = 11;      // B
inline constexpr uint16_t kLifeDuration = 12;  // V
inline constexpr uint16_t kPrf = 13;           // B
inline constexpr uint16_t kKeyLength = 14;     // B
}  // namespace p1attr

namespace p1encr {
inline constexpr uint16_t kDesCbc = 1;
inline constexpr uint16_t k3DesCbc = 5;
inline constexpr uint16_t kAesCbc = 7;  // RFC 3602
}  // namespace p1encr

namespace p1hash {
inline constexpr uint16_t kMd5 = 1;
inline constexpr uint16_t kSha1 = 2;
inline constexpr uint16_t kSha2_256 = 4;
inline constexpr uint16_t kSha2_384 = 5;
inline constexpr uint16_t kSha2_512 = 6;
}  // namespace p1hash

namespace p1auth {
inline constexpr uint16_t kPreSharedKey = 1;
inline constexpr uint16_t kDss = 2;
inline constexpr uint16_t kRsaSig = 3;
inline constexpr uint16_t kXauthInitPreShared = 65001;  // draft-ietf-ipsec-isakmp-xauth
}  // namespace p1auth

inline constexpr uint16_t kLifeTypeSeconds = 1;
inline constexpr uint16_t kLifeTypeKilobytes = 2;

// IPsec DOI SA attributes for quick mode, RFC 2407 4.5.
namespace qmattr {
inline constexpr uint16_t kLifeType = 1;       // B
inline constexpr uint16_t kLifeDuration = 2;   // V
inline constexpr uint16_t kGroup = 3;          // B (PFS group)
inline constexpr uint16_t kEncapMode = 4;      // B
inline constexpr uint16_t kAuthAlgorithm = 5;  // B
inline constexpr uint16_t kKeyLength = 6;      // B
inline constexpr uint16_t kKeyRounds = 7;      // B
inline constexpr uint16_t kEsn = 11;           // B, RFC 4304
}  // namespace qmattr

namespace encap {
inline constexpr uint16_t kTunnel = 1;
inline constexpr uint16_t kTransport = 2;
inline constexpr uint16_t kUdpTunnel = 3;           // RFC 3947
inline constexpr uint16_t kUdpTransport = 4;        // RFC 3947
inline constexpr uint16_t kUdpTunnelDraft = 61443;  // draft-ietf-ipsec-nat-t-ike-00..03
inline constexpr uint16_t kUdpTransportDraft = 61444;
}  // namespace encap

namespace qmauth {
inline constexpr uint16_t kHmacMd5 = 1;
inline constexpr uint16_t kHmacSha1 = 2;
inline constexpr uint16_t kHmacSha2_256 = 5;  // RFC 4868
inline constexpr uint16_t kHmacSha2_384 = 6;
inline constexpr uint16_t kHmacSha2_512 = 7;
}  // namespace qmauth

// ID types of the IPsec DOI (RFC 2407 4.6.2.1).
namespace idtype {
inline constexpr uint8_t kIpv4Addr = 1;
inline constexpr uint8_t kFqdn = 2;
inline constexpr uint8_t kUserFqdn = 3;
inline constexpr uint8_t kIpv4Subnet = 4;
inline constexpr uint8_t kIpv6Addr = 5;
inline constexpr uint8_t kIpv6Subnet = 6;
inline constexpr uint8_t kIpv4Range = 7;
inline constexpr uint8_t kIpv6Range = 8;
inline constexpr uint8_t kDerAsn1Dn = 9;
inline constexpr uint8_t kDerAsn1Gn = 10;
inline constexpr uint8_t kKeyId = 11;
}  // namespace idtype

// Notify message types we send or act on (RFC 2408 3.14.1, RFC 3706).
namespace notify {
inline constexpr uint16_t kInvalidPayloadType = 1;
inline constexpr uint16_t kInvalidExchangeType = 7;
inline constexpr uint16_t kInvalidFlags = 8;
inline constexpr uint16_t kInvalidMessageId = 9;
inline constexpr uint16_t kNoProposalChosen = 14;
inline constexpr uint16_t kPayloadMalformed = 16;
inline constexpr uint16_t kInvalidKeyInformation = 17;
inline constexpr uint16_t kInvalidIdInformation = 18;
inline constexpr uint16_t kAuthenticationFailed = 24;
inline constexpr uint16_t kInvalidHashInformation = 23;
inline constexpr uint16_t kResponderLifetime = 24576;  // IPsec DOI 4.6.3.1
inline constexpr uint16_t kInitialContact = 24578;     // IPsec DOI 4.6.3.3
inline constexpr uint16_t kDpdRUThere = 36136;         // RFC 3706
inline constexpr uint16_t kDpdRUThereAck = 36137;
}  // namespace notify

}  // namespace ipsec::ike::v1
