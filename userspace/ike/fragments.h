// IKEv2 message fragmentation (RFC 7383): a protected message too large for
// the path is sent as several datagrams, each an IKE header and one
// Encrypted Fragment (SKF) payload sealed on its own; the receiver verifies
// every fragment's ICV before keeping its plaintext and parses the message
// once all fragments are in.
//
// Stateless parts (EncodeFragments, OpenFragment) are codec, like codec.h;
// FragmentReassembler is the per-IKE-SA state, bounded per message, per SA
// (one message per direction at a time) and globally (FragmentBudget, shared
// by every SA of the engine), because fragments are buffered before the
// message they belong to can be checked as a whole.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <vector>

#include "common/random.h"
#include "common/result.h"
#include "ike/decode_error.h"
#include "ike/message.h"
#include "ike/sk_cipher.h"

namespace ipsec::ike {

// RFC 7383 2.5.1: without better knowledge, IP datagrams of 576 bytes
// (IPv4) and 1280 (IPv6) are assumed to pass. fragmentsize= overrides it.
inline constexpr size_t kDefaultFragmentSizeV4 = 576;
inline constexpr size_t kDefaultFragmentSizeV6 = 1280;
// IKE bytes left in an IP datagram of ip_size: IP and UDP headers and, on
// port 4500, the non-ESP marker are taken off.
size_t IkeBytesPerDatagram(size_t ip_size, bool ipv6, bool non_esp_marker);

// Fragments accepted per message: 2.5.3 gives no limit; ours bounds the
// work per message and is far above what a 64 KiB message needs at 576.
inline constexpr uint16_t kMaxFragments = 128;

// Splits message's payload chain into SKF fragments no larger than
// max_datagram bytes each (IKE header included). Fails when max_datagram
// leaves no room for content or more than kMaxFragments would be needed.
Result<std::vector<Bytes>> EncodeFragments(const Message& message, const SkCipher& cipher,
                                           RandomSource& random, size_t max_datagram);

// One verified fragment: the IKE header, its number and total, the first
// inner payload type (fragment 1 only, 0 otherwise) and its plaintext with
// the padding removed.
struct OpenedFragment {
  IkeHeader header;
  uint16_t number = 0;
  uint16_t total = 0;
  uint8_t first_inner = 0;
  Bytes plain;
};

// A datagram whose only payload is SKF: header and SKF bounds checked, the
// ICV verified (kIntegrityFailed otherwise), then decrypted.
DecodeResult<OpenedFragment> OpenFragment(std::span<const uint8_t> datagram,
                                          const SkCipher& cipher);

// Bytes of fragment plaintext held by all reassemblers of an engine.
struct FragmentBudget {
  size_t limit = 4 << 20;
  size_t held = 0;
};

class FragmentReassembler {
 public:
  enum class Outcome {
    kKept,       // stored, message incomplete
    kComplete,   // the message is whole: see Take()
    kDuplicate,  // a fragment number already held: dropped
    kMalformed,  // number 0 or above total, total above kMaxFragments, total changed
    kStale,      // for an older message than the one being collected: dropped
    kOverflow,   // the message or the global budget would grow too large: dropped
  };

  explicit FragmentReassembler(FragmentBudget& budget) : budget_(budget) {}
  ~FragmentReassembler() { Clear(); }
  FragmentReassembler(const FragmentReassembler&) = delete;
  FragmentReassembler& operator=(const FragmentReassembler&) = delete;

  // Only call with a fragment OpenFragment verified.
  Outcome Add(OpenedFragment fragment);
  // After kComplete: the message parsed from the joined plaintext (payload
  // rules checked as for Decode).
  DecodeResult<Message> Take();
  void Clear();
  size_t held_bytes() const;

 private:
  // One message being collected: requests and responses separately.
  struct Partial {
    uint32_t message_id = 0;
    uint16_t total = 0;
    uint8_t first_inner = 0;
    IkeHeader header;
    std::map<uint16_t, Bytes> fragments;
    size_t bytes = 0;
  };
  void Drop(Partial& p);

  FragmentBudget& budget_;
  std::optional<Partial> partial_[2];  // [response]
  std::optional<Partial> complete_;
};

const char* FragmentOutcomeName(FragmentReassembler::Outcome o);

}  // namespace ipsec::ike
