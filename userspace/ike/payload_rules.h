// Which payloads each exchange allows, per role, and which must travel
// inside SK (RFC 7296 1.2-1.5 and 3). Checked by Decode before any engine
// logic sees a message, so tasks can rely on what is present.
#pragma once

#include <cstdint>
#include <optional>
#include <span>

#include "ike/decode_error.h"
#include "ike/message.h"

namespace ipsec::ike {

struct PayloadRule {
  PayloadType type;
  uint8_t min;  // required count (when the message carries no error notify)
  uint8_t max;  // 255 = unlimited
};

struct ExchangeRules {
  ExchangeType exchange;
  bool response;
  bool encrypted;  // all payloads must be inside SK
  std::span<const PayloadRule> rules;
};

// The rules for exchange/role; nullptr for exchanges we do not implement.
const ExchangeRules* FindExchangeRules(ExchangeType exchange, bool response);

// kPayloadNotAllowed / kMissingPayload / kUnsupported with a message naming
// the payload and exchange. Required payloads are not demanded when the
// message carries an error notify (or COOKIE in an IKE_SA_INIT response, or
// INVALID_KE_PAYLOAD), as those replace the normal content.
std::optional<DecodeError> CheckPayloadRules(const Message& m);

}  // namespace ipsec::ike
