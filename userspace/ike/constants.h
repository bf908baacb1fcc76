// IKEv2 protocol numbers (RFC 7296 section 3 and the IANA "IKEv2 Parameters"
// registry). Only numbers here: no behaviour.
#pragma once

#include <cstdint>

#include "common/algorithms.h"

namespace ipsec::ike {

inline constexpr uint8_t kIkeMajorVersion = 2;
inline constexpr size_t kHeaderSize = 28;
inline constexpr size_t kGenericPayloadHeaderSize = 4;

enum class ExchangeType : uint8_t {
  kIkeSaInit = 34,
  kIkeAuth = 35,
  kCreateChildSa = 36,
  kInformational = 37,
  kIkeIntermediate = 43,  // RFC 9242: recognised, not implemented
};

// Header flags (RFC 7296 3.1).
inline constexpr uint8_t kFlagInitiator = 0x08;
inline constexpr uint8_t kFlagVersion = 0x10;
inline constexpr uint8_t kFlagResponse = 0x20;

enum class PayloadType : uint8_t {
  kNone = 0,
  kSa = 33,
  kKe = 34,
  kIdi = 35,
  kIdr = 36,
  kCert = 37,
  kCertReq = 38,
  kAuth = 39,
  kNonce = 40,
  kNotify = 41,
  kDelete = 42,
  kVendorId = 43,
  kTsi = 44,
  kTsr = 45,
  kEncrypted = 46,  // SK
  kConfig = 47,     // CP
  kEap = 48,
  kGspm = 49,
  kEncryptedFragment = 53,  // SKF, RFC 7383
};

enum class IdType : uint8_t {
  kIpv4Addr = 1,
  kFqdn = 2,
  kRfc822Addr = 3,
  kIpv6Addr = 5,
  kDerAsn1Dn = 9,
  kDerAsn1Gn = 10,
  kKeyId = 11,
};

enum class AuthMethod : uint8_t {
  kRsaSig = 1,
  kSharedKeyMic = 2,
  kDssSig = 3,
  kEcdsaP256 = 9,
  kEcdsaP384 = 10,
  kEcdsaP521 = 11,
  kDigitalSignature = 14,  // RFC 7427
};

enum class TsType : uint8_t { kIpv4AddrRange = 7, kIpv6AddrRange = 8 };

enum class ConfigType : uint8_t { kRequest = 1, kReply = 2, kSet = 3, kAck = 4 };

// Notify message types. Below 16384: errors; from 16384: status.
enum class NotifyType : uint16_t {
  kUnsupportedCriticalPayload = 1,
  kInvalidIkeSpi = 4,
  kInvalidMajorVersion = 5,
  kInvalidSyntax = 7,
  kInvalidMessageId = 9,
  kInvalidSpi = 11,
  kNoProposalChosen = 14,
  kInvalidKePayload = 17,
  kAuthenticationFailed = 24,
  kSinglePairRequired = 34,
  kNoAdditionalSas = 35,
  kInternalAddressFailure = 36,
  kFailedCpRequired = 37,
  kTsUnacceptable = 38,
  kInvalidSelectors = 39,
  kTemporaryFailure = 43,
  kChildSaNotFound = 44,

  kInitialContact = 16384,
  kSetWindowSize = 16385,
  kAdditionalTsPossible = 16386,
  kIpcompSupported = 16387,
  kNatDetectionSourceIp = 16388,
  kNatDetectionDestinationIp = 16389,
  kCookie = 16390,
  kUseTransportMode = 16391,
  kHttpCertLookupSupported = 16392,
  kRekeySa = 16393,
  kEspTfcPaddingNotSupported = 16394,
  kNonFirstFragmentsAlso = 16395,
  kMobikeSupported = 16396,
  kAdditionalIp4Address = 16397,
  kAdditionalIp6Address = 16398,
  kNoAdditionalAddresses = 16399,
  kUpdateSaAddresses = 16400,
  kCookie2 = 16401,
  kNoNatsAllowed = 16402,
  kAuthLifetime = 16403,
  kMultipleAuthSupported = 16404,
  kAnotherAuthFollows = 16405,
  kRedirectSupported = 16406,
  kRedirect = 16407,
  kRedirectedFrom = 16408,
  kEapOnlyAuthentication = 16417,
  kChildlessIkev2Supported = 16418,
  kIkev2FragmentationSupported = 16430,
  kSignatureHashAlgorithms = 16431,
  kIntermediateExchangeSupported = 16438,
};

inline bool IsErrorNotify(uint16_t type) {
  return type < 16384;
}

// Transform IDs (IANA "Transform Type N" registries): the registry's.
namespace encr = alg::encr;
namespace prf = alg::prf;
namespace integ = alg::integ;
namespace dh = alg::dh;
namespace esn = alg::esn;

// Transform attribute type "Key Length" in TV format (RFC 7296 3.3.5).
inline constexpr uint16_t kAttrKeyLength = 14;

}  // namespace ipsec::ike
