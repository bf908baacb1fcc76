#include "ike/message.h"

#include <arpa/inet.h>

#include "common/hex.h"
#include "ike/cert/certificate.h"
#include "ike/cert/dn.h"

namespace ipsec::ike {

NotifyPayload Notify(NotifyType type, Bytes data) {
  NotifyPayload n;
  n.type = static_cast<uint16_t>(type);
  n.data = std::move(data);
  return n;
}

size_t Message::Count(PayloadType type) const {
  size_t n = 0;
  for (const auto& p : payloads) n += p.type == type;
  return n;
}

const NotifyPayload* Message::FindNotify(NotifyType type) const {
  for (const auto* n : Notifies())
    if (n->type == static_cast<uint16_t>(type)) return n;
  return nullptr;
}

std::vector<const NotifyPayload*> Message::Notifies() const {
  std::vector<const NotifyPayload*> out;
  for (const auto& p : payloads)
    if (const auto* n = std::get_if<NotifyPayload>(&p.body)) out.push_back(n);
  return out;
}

const NotifyPayload* Message::FirstErrorNotify() const {
  for (const auto* n : Notifies())
    if (IsErrorNotify(n->type)) return n;
  return nullptr;
}

std::string ExchangeName(ExchangeType t) {
  switch (t) {
    case ExchangeType::kIkeSaInit:
      return "IKE_SA_INIT";
    case ExchangeType::kIkeAuth:
      return "IKE_AUTH";
    case ExchangeType::kCreateChildSa:
      return "CREATE_CHILD_SA";
    case ExchangeType::kInformational:
      return "INFORMATIONAL";
    case ExchangeType::kIkeIntermediate:
      return "IKE_INTERMEDIATE";
  }
  return "EXCHANGE_" + std::to_string(static_cast<int>(t));
}

std::string PayloadName(PayloadType t) {
  switch (t) {
    case PayloadType::kNone:
      return "NONE";
    case PayloadType::kSa:
      return "SA";
    case PayloadType::kKe:
      return "KE";
    case PayloadType::kIdi:
      return "IDi";
    case PayloadType::kIdr:
      return "IDr";
    case PayloadType::kCert:
      return "CERT";
    case PayloadType::kCertReq:
      return "CERTREQ";
    case PayloadType::kAuth:
      return "AUTH";
    case PayloadType::kNonce:
      return "No";
    case PayloadType::kNotify:
      return "N";
    case PayloadType::kDelete:
      return "D";
    case PayloadType::kVendorId:
      return "V";
    case PayloadType::kTsi:
      return "TSi";
    case PayloadType::kTsr:
      return "TSr";
    case PayloadType::kEncrypted:
      return "SK";
    case PayloadType::kConfig:
      return "CP";
    case PayloadType::kEap:
      return "EAP";
    case PayloadType::kGspm:
      return "GSPM";
    case PayloadType::kEncryptedFragment:
      return "SKF";
  }
  return "PAYLOAD_" + std::to_string(static_cast<int>(t));
}

std::string NotifyName(uint16_t type) {
  switch (static_cast<NotifyType>(type)) {
    case NotifyType::kUnsupportedCriticalPayload:
      return "UNSUPPORTED_CRITICAL_PAYLOAD";
    case NotifyType::kInvalidIkeSpi:
      return "INVALID_IKE_SPI";
    case NotifyType::kInvalidMajorVersion:
      return "INVALID_MAJOR_VERSION";
    case NotifyType::kInvalidSyntax:
      return "INVALID_SYNTAX";
    case NotifyType::kInvalidMessageId:
      return "INVALID_MESSAGE_ID";
    case NotifyType::kInvalidSpi:
      return "INVALID_SPI";
    case NotifyType::kNoProposalChosen:
      return "NO_PROPOSAL_CHOSEN";
    case NotifyType::kInvalidKePayload:
      return "INVALID_KE_PAYLOAD";
    case NotifyType::kAuthenticationFailed:
      return "AUTHENTICATION_FAILED";
    case NotifyType::kSinglePairRequired:
      return "SINGLE_PAIR_REQUIRED";
    case NotifyType::kNoAdditionalSas:
      return "NO_ADDITIONAL_SAS";
    case NotifyType::kInternalAddressFailure:
      return "INTERNAL_ADDRESS_FAILURE";
    case NotifyType::kFailedCpRequired:
      return "FAILED_CP_REQUIRED";
    case NotifyType::kTsUnacceptable:
      return "TS_UNACCEPTABLE";
    case NotifyType::kInvalidSelectors:
      return "INVALID_SELECTORS";
    case NotifyType::kTemporaryFailure:
      return "TEMPORARY_FAILURE";
    case NotifyType::kChildSaNotFound:
      return "CHILD_SA_NOT_FOUND";
    case NotifyType::kInitialContact:
      return "INITIAL_CONTACT";
    case NotifyType::kSetWindowSize:
      return "SET_WINDOW_SIZE";
    case NotifyType::kAdditionalTsPossible:
      return "ADDITIONAL_TS_POSSIBLE";
    case NotifyType::kIpcompSupported:
      return "IPCOMP_SUPPORTED";
    case NotifyType::kNatDetectionSourceIp:
      return "NAT_DETECTION_SOURCE_IP";
    case NotifyType::kNatDetectionDestinationIp:
      return "NAT_DETECTION_DESTINATION_IP";
    case NotifyType::kCookie:
      return "COOKIE";
    case NotifyType::kUseTransportMode:
      return "USE_TRANSPORT_MODE";
    case NotifyType::kHttpCertLookupSupported:
      return "HTTP_CERT_LOOKUP_SUPPORTED";
    case NotifyType::kRekeySa:
      return "REKEY_SA";
    case NotifyType::kEspTfcPaddingNotSupported:
      return "ESP_TFC_PADDING_NOT_SUPPORTED";
    case NotifyType::kNonFirstFragmentsAlso:
      return "NON_FIRST_FRAGMENTS_ALSO";
    case NotifyType::kMobikeSupported:
      return "MOBIKE_SUPPORTED";
    case NotifyType::kAdditionalIp4Address:
      return "ADDITIONAL_IP4_ADDRESS";
    case NotifyType::kAdditionalIp6Address:
      return "ADDITIONAL_IP6_ADDRESS";
    case NotifyType::kNoAdditionalAddresses:
      return "NO_ADDITIONAL_ADDRESSES";
    case NotifyType::kUpdateSaAddresses:
      return "UPDATE_SA_ADDRESSES";
    case NotifyType::kCookie2:
      return "COOKIE2";
    case NotifyType::kNoNatsAllowed:
      return "NO_NATS_ALLOWED";
    case NotifyType::kAuthLifetime:
      return "AUTH_LIFETIME";
    case NotifyType::kMultipleAuthSupported:
      return "MULTIPLE_AUTH_SUPPORTED";
    case NotifyType::kAnotherAuthFollows:
      return "ANOTHER_AUTH_FOLLOWS";
    case NotifyType::kRedirectSupported:
      return "REDIRECT_SUPPORTED";
    case NotifyType::kRedirect:
      return "REDIRECT";
    case NotifyType::kRedirectedFrom:
      return "REDIRECTED_FROM";
    case NotifyType::kEapOnlyAuthentication:
      return "EAP_ONLY_AUTHENTICATION";
    case NotifyType::kChildlessIkev2Supported:
      return "CHILDLESS_IKEV2_SUPPORTED";
    case NotifyType::kIkev2FragmentationSupported:
      return "IKEV2_FRAGMENTATION_SUPPORTED";
    case NotifyType::kSignatureHashAlgorithms:
      return "SIGNATURE_HASH_ALGORITHMS";
    case NotifyType::kIntermediateExchangeSupported:
      return "INTERMEDIATE_EXCHANGE_SUPPORTED";
  }
  return "NOTIFY_" + std::to_string(type);
}

std::string Summarize(const Message& m) {
  std::string s = ExchangeName(m.header.exchange);
  s += m.header.response() ? " response " : " request ";
  s += std::to_string(m.header.message_id) + " [";
  for (const auto& p : m.payloads) {
    s += " " + PayloadName(p.type);
    if (const auto* n = std::get_if<NotifyPayload>(&p.body)) s += "(" + NotifyName(n->type) + ")";
  }
  s += " ]";
  if (m.encrypted) s += " (encrypted)";
  return s;
}

IdPayload MakeIdFromAddress(const IpAddress& a) {
  IdPayload id;
  id.id_type = a.is_v4() ? IdType::kIpv4Addr : IdType::kIpv6Addr;
  auto b = a.bytes();
  id.data.assign(b.begin(), b.end());
  return id;
}

IdPayload MakeIdFqdn(std::string_view fqdn) {
  IdPayload id;
  id.id_type = IdType::kFqdn;
  id.data.assign(fqdn.begin(), fqdn.end());
  return id;
}

std::string IdToString(const IdPayload& id) {
  switch (id.id_type) {
    case IdType::kIpv4Addr:
      if (id.data.size() == 4)
        return IpAddress::V4(std::span<const uint8_t, 4>(id.data.data(), 4)).ToString();
      break;
    case IdType::kIpv6Addr:
      if (id.data.size() == 16)
        return IpAddress::V6(std::span<const uint8_t, 16>(id.data.data(), 16)).ToString();
      break;
    case IdType::kFqdn:
    case IdType::kRfc822Addr: {
      std::string s;
      for (uint8_t c : id.data) s.push_back(c >= 0x20 && c < 0x7f ? static_cast<char>(c) : '?');
      return s;
    }
    case IdType::kDerAsn1Dn:
      if (auto n = cert::ParseDnDer(id.data)) return cert::NameToString(n->get());
      break;
    default:
      break;
  }
  return "@#" + ToHex(id.data);
}

TrafficSelector MakeTrafficSelector(const IpPrefix& p, uint8_t ip_protocol, uint16_t start_port,
                                    uint16_t end_port) {
  TrafficSelector ts;
  ts.type = p.family() == AF_INET6 ? TsType::kIpv6AddrRange : TsType::kIpv4AddrRange;
  ts.ip_protocol = ip_protocol;
  ts.start_port = start_port;
  ts.end_port = end_port;
  ts.start = p.address();
  ts.end = p.Last();
  return ts;
}

// Prints a range as a prefix when it is exactly one.
std::string TsToString(const TrafficSelector& ts) {
  std::string s;
  bool printed = false;
  int bits = ts.start.is_v4() ? 32 : 128;
  for (int len = 0; len <= bits && !printed; ++len) {
    IpPrefix p(ts.start, static_cast<uint8_t>(len));
    if (p.address() == ts.start && p.Last() == ts.end) {
      s = p.ToString();
      printed = true;
    }
  }
  if (!printed) s = ts.start.ToString() + "-" + ts.end.ToString();
  if (ts.ip_protocol != 0 || ts.start_port != 0 || ts.end_port != 65535) {
    s += "[" + std::to_string(ts.ip_protocol);
    if (ts.start_port == ts.end_port)
      s += "/" + std::to_string(ts.start_port);
    else if (ts.start_port != 0 || ts.end_port != 65535)
      s += "/" + std::to_string(ts.start_port) + "-" + std::to_string(ts.end_port);
    s += "]";
  }
  return s;
}

}  // namespace ipsec::ike
