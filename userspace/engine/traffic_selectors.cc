#include "engine/traffic_selectors.h"

namespace ipsec::engine {

std::optional<IpPrefix> RangeToPrefix(const ike::TrafficSelector& ts) {
  if (ts.start.family() != ts.end.family() || !ts.start.is_set()) return std::nullopt;
  const int max = ts.start.is_v4() ? 32 : 128;
  for (int len = 0; len <= max; ++len) {
    IpPrefix p(ts.start, static_cast<uint8_t>(len));
    if (p.address() == ts.start && p.Last() == ts.end) return p;
  }
  return std::nullopt;
}

std::optional<IpPrefix> Narrow(const ike::TrafficSelector& peer, const IpPrefix& ours) {
  if (peer.ip_protocol != 0 || peer.start_port != 0 || peer.end_port != 65535) return std::nullopt;
  if (peer.start.family() != ours.family()) return std::nullopt;
  // Ours lies within the peer's range: ours.
  if (peer.start <= ours.address() && ours.Last() <= peer.end) return ours;
  // The peer's range is a prefix inside ours: theirs. (The range check
  // first: a responder with 1,000 connections to one peer tries them all
  // for each CREATE_CHILD_SA, and RangeToPrefix costs up to 129 prefixes.)
  if (peer.start < ours.address() || ours.Last() < peer.end) return std::nullopt;
  auto p = RangeToPrefix(peer);
  if (p && ours.Contains(*p)) return p;
  return std::nullopt;
}

std::optional<IpPrefix> NarrowAny(const std::vector<ike::TrafficSelector>& peer,
                                  const IpPrefix& ours) {
  // The widest result: an initiator triggered by a packet lists that
  // packet's host selector first and its subnet after (RFC 7296 2.9); the
  // tunnel is for the subnet.
  std::optional<IpPrefix> best;
  for (const auto& ts : peer)
    if (auto p = Narrow(ts, ours); p && (!best || p->length() < best->length())) best = p;
  return best;
}

std::string TsListToString(const std::vector<ike::TrafficSelector>& v) {
  std::string s;
  for (const auto& ts : v) {
    if (!s.empty()) s += ",";
    s += ike::TsToString(ts);
  }
  return s.empty() ? "(none)" : s;
}

}  // namespace ipsec::engine
