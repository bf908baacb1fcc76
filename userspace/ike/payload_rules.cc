#include "ike/payload_rules.h"

#include <array>

namespace ipsec::ike {

namespace {

constexpr uint8_t kAny = 255;
using P = PayloadType;

// RFC 7296 1.2 (IKE_SA_INIT/IKE_AUTH), 1.3 (CREATE_CHILD_SA), 1.4
// (INFORMATIONAL). SA/TS in IKE_AUTH are optional to allow childless
// IKE SAs (RFC 6023); the engine decides whether it needs them.
constexpr PayloadRule kSaInitRequest[] = {
    {P::kSa, 1, 1},        {P::kKe, 1, 1},          {P::kNonce, 1, 1},
    {P::kNotify, 0, kAny}, {P::kVendorId, 0, kAny}, {P::kCertReq, 0, kAny},
};
constexpr PayloadRule kSaInitResponse[] = {
    {P::kSa, 1, 1},        {P::kKe, 1, 1},          {P::kNonce, 1, 1},
    {P::kNotify, 0, kAny}, {P::kVendorId, 0, kAny}, {P::kCertReq, 0, kAny},
};
constexpr PayloadRule kAuthRequest[] = {
    {P::kIdi, 1, 1},        {P::kAuth, 1, 1},      {P::kIdr, 0, 1},         {P::kCert, 0, kAny},
    {P::kCertReq, 0, kAny}, {P::kConfig, 0, 1},    {P::kSa, 0, 1},          {P::kTsi, 0, 1},
    {P::kTsr, 0, 1},        {P::kNotify, 0, kAny}, {P::kVendorId, 0, kAny}, {P::kEap, 0, 1},
};
constexpr PayloadRule kAuthResponse[] = {
    {P::kIdr, 1, 1},         {P::kAuth, 1, 1}, {P::kCert, 0, kAny}, {P::kConfig, 0, 1},
    {P::kSa, 0, 1},          {P::kTsi, 0, 1},  {P::kTsr, 0, 1},     {P::kNotify, 0, kAny},
    {P::kVendorId, 0, kAny}, {P::kEap, 0, 1},
};
constexpr PayloadRule kChildRequest[] = {
    {P::kSa, 1, 1},  {P::kNonce, 1, 1},     {P::kKe, 0, 1},          {P::kTsi, 0, 1},
    {P::kTsr, 0, 1}, {P::kNotify, 0, kAny}, {P::kVendorId, 0, kAny},
};
constexpr PayloadRule kChildResponse[] = {
    {P::kSa, 1, 1},  {P::kNonce, 1, 1},     {P::kKe, 0, 1},          {P::kTsi, 0, 1},
    {P::kTsr, 0, 1}, {P::kNotify, 0, kAny}, {P::kVendorId, 0, kAny},
};
constexpr PayloadRule kInformational[] = {
    {P::kNotify, 0, kAny},
    {P::kDelete, 0, kAny},
    {P::kConfig, 0, 1},
    {P::kVendorId, 0, kAny},
};

constexpr ExchangeRules kTable[] = {
    {ExchangeType::kIkeSaInit, false, false, kSaInitRequest},
    {ExchangeType::kIkeSaInit, true, false, kSaInitResponse},
    {ExchangeType::kIkeAuth, false, true, kAuthRequest},
    {ExchangeType::kIkeAuth, true, true, kAuthResponse},
    {ExchangeType::kCreateChildSa, false, true, kChildRequest},
    {ExchangeType::kCreateChildSa, true, true, kChildResponse},
    {ExchangeType::kInformational, false, true, kInformational},
    {ExchangeType::kInformational, true, true, kInformational},
};

// Payload types whose presence is judged by the table; others (unknown,
// non-critical ones that were skipped) are ignored.
bool IsKnown(PayloadType t) {
  uint8_t v = static_cast<uint8_t>(t);
  return (v >= 33 && v <= 49) || v == 53;
}

std::string Where(const Message& m) {
  return ExchangeName(m.header.exchange) + (m.header.response() ? " response" : " request");
}

}  // namespace

const ExchangeRules* FindExchangeRules(ExchangeType exchange, bool response) {
  for (const auto& r : kTable)
    if (r.exchange == exchange && r.response == response) return &r;
  return nullptr;
}

std::optional<DecodeError> CheckPayloadRules(const Message& m) {
  const ExchangeRules* rules = FindExchangeRules(m.header.exchange, m.header.response());
  if (!rules)
    return DecodeError{DecodeErrorKind::kUnsupported,
                       "exchange type " + std::to_string(static_cast<int>(m.header.exchange)) +
                           " (" + ExchangeName(m.header.exchange) + ") is not supported",
                       0};
  if (rules->encrypted != m.encrypted)
    return DecodeError{DecodeErrorKind::kPayloadNotAllowed,
                       Where(m) + (rules->encrypted ? " must be encrypted (SK payload missing)"
                                                    : " must not carry an SK payload"),
                       static_cast<uint8_t>(PayloadType::kEncrypted)};
  for (const auto& p : m.payloads) {
    if (!IsKnown(p.type)) continue;
    const PayloadRule* rule = nullptr;
    for (const auto& r : rules->rules)
      if (r.type == p.type) rule = &r;
    if (!rule)
      return DecodeError{DecodeErrorKind::kPayloadNotAllowed,
                         PayloadName(p.type) + " payload is not allowed in " + Where(m),
                         static_cast<uint8_t>(p.type)};
  }
  // 3.3.1: the first proposal of an initiator's SA is number 1; a response
  // echoes the number of the one accepted, any of 1..255.
  if (!m.header.response()) {
    if (const auto* sa = m.Find<SaPayload>(PayloadType::kSa);
        sa && !sa->proposals.empty() && sa->proposals[0].number != 1)
      return DecodeError{DecodeErrorKind::kInvalidSyntax,
                         Where(m) + ": SA payload: first proposal number is " +
                             std::to_string(sa->proposals[0].number) + ", not 1",
                         static_cast<uint8_t>(PayloadType::kSa)};
  }
  // Error notifies (and COOKIE / INVALID_KE in an IKE_SA_INIT response)
  // replace the normal content of a response, and of an INFORMATIONAL.
  bool replaced = m.FirstErrorNotify() != nullptr || m.FindNotify(NotifyType::kCookie) != nullptr;
  for (const auto& r : rules->rules) {
    size_t n = m.Count(r.type);
    if (r.max != kAny && n > r.max)
      return DecodeError{DecodeErrorKind::kPayloadNotAllowed,
                         Where(m) + " carries " + std::to_string(n) + " " + PayloadName(r.type) +
                             " payloads, at most " + std::to_string(r.max) + " allowed",
                         static_cast<uint8_t>(r.type)};
    if (!replaced && n < r.min)
      return DecodeError{DecodeErrorKind::kMissingPayload,
                         Where(m) + " lacks the required " + PayloadName(r.type) + " payload",
                         static_cast<uint8_t>(r.type)};
  }
  return std::nullopt;
}

}  // namespace ipsec::ike
