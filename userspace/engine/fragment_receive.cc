#include "engine/fragment_receive.h"

namespace ipsec::engine {

std::optional<ike::DecodeResult<ike::Message>> ReceiveFragment(EngineContext& ctx, IkeSa& sa,
                                                               std::span<const uint8_t> datagram,
                                                               const Endpoint& remote) {
  const std::string& name = sa.conn_name();
  const std::string from = "dropping SKF fragment from " + remote.ToString() + ": ";
  // 2.3: fragments only after both ends announced support; before keys
  // there is nothing to verify them with.
  if (!sa.fragmentation || !sa.inbound()) {
    ++ctx.counters.dropped_unexpected;
    ++ctx.counters.dropped_fragments;
    ctx.Log(LogLevel::kDebug, name, from + "fragmentation was not negotiated");
    return std::nullopt;
  }
  auto opened = ike::OpenFragment(datagram, *sa.inbound());
  if (!opened) {
    if (opened.error().kind == ike::DecodeErrorKind::kIntegrityFailed)
      ++ctx.counters.dropped_unauthenticated;
    else
      ++ctx.counters.dropped_malformed;
    ++ctx.counters.dropped_fragments;
    ctx.Log(LogLevel::kDebug, name, from + opened.error().message);
    return std::nullopt;
  }
  ++ctx.counters.fragments_received;
  const uint16_t number = opened->number, total = opened->total;
  const auto outcome = sa.fragments.Add(std::move(opened).value());
  if (outcome == ike::FragmentReassembler::Outcome::kKept) return std::nullopt;
  if (outcome != ike::FragmentReassembler::Outcome::kComplete) {
    ++ctx.counters.dropped_fragments;
    ctx.Log(LogLevel::kDebug, name,
            from + std::string(ike::FragmentOutcomeName(outcome)) + " (fragment " +
                std::to_string(number) + " of " + std::to_string(total) + ")");
    return std::nullopt;
  }
  return sa.fragments.Take();
}

}  // namespace ipsec::engine
