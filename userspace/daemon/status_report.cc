#include "daemon/status_report.h"

#include <cstdio>
#include <map>
#include <set>

namespace ipsec::daemon {
namespace {

std::vector<std::string> Prefixes(const std::vector<IpPrefix>& v) {
  std::vector<std::string> out;
  for (const auto& p : v) out.push_back(p.ToString());
  return out;
}

uint64_t AgeSeconds(int64_t since_ms, engine::Millis now) {
  if (since_ms <= 0 || now.count() < since_ms) return 0;
  return static_cast<uint64_t>((now.count() - since_ms) / 1000);
}

const kernel::SaInfo* FindSa(const std::vector<kernel::SaInfo>& sas, uint32_t spi,
                             kernel::Direction dir) {
  for (const auto& s : sas)
    if (s.spi == spi && s.dir == dir) return &s;
  return nullptr;
}

control::ChildSaInfo ToChild(const engine::ChildSaStatus& c,
                             const std::vector<kernel::SaInfo>& kernel_sas, engine::Millis now) {
  control::ChildSaInfo out;
  out.conn = c.conn;
  out.state = c.state;
  out.reqid = c.reqid;
  out.inbound_spi = Spi32Hex(c.inbound_spi);
  out.outbound_spi = Spi32Hex(c.outbound_spi);
  out.local_ts = Prefixes(c.local_ts);
  out.remote_ts = Prefixes(c.remote_ts);
  out.algorithms = c.algorithms;
  out.udp_encap = c.udp_encap;
  out.age_s = AgeSeconds(c.established_ms, now);
  if (const auto* in = FindSa(kernel_sas, c.inbound_spi, kernel::Direction::kIn)) {
    out.in_bytes = in->stats.rx_bytes;
    out.in_packets = in->stats.rx_packets;
  }
  if (const auto* o = FindSa(kernel_sas, c.outbound_spi, kernel::Direction::kOut)) {
    out.out_bytes = o->stats.tx_bytes;
    out.out_packets = o->stats.tx_packets;
  }
  return out;
}

// Per connection name: its retired total plus the counters of every SA
// it still has in the kernel (children in any state, and the inbound SAs
// of rekeyed children not yet deleted), each SA counted once.
std::map<std::string, engine::TrafficTotals> ConnectionTotals(
    const engine::StatusSnapshot& snap, const std::vector<kernel::SaInfo>& kernel_sas) {
  std::map<std::string, engine::TrafficTotals> out;
  std::set<std::pair<uint32_t, kernel::Direction>> counted;
  auto add = [&](const std::string& conn, uint32_t spi, kernel::Direction dir) {
    const auto* k = FindSa(kernel_sas, spi, dir);
    if (!k || !counted.insert({spi, dir}).second) return;
    auto& t = out[conn];
    if (dir == kernel::Direction::kIn) {
      t.in_bytes += k->stats.rx_bytes;
      t.in_packets += k->stats.rx_packets;
    } else {
      t.out_bytes += k->stats.tx_bytes;
      t.out_packets += k->stats.tx_packets;
    }
  };
  for (const auto& c : snap.connections) {
    auto& t = out[c.name];
    t.in_bytes += c.retired.in_bytes;
    t.in_packets += c.retired.in_packets;
    t.out_bytes += c.retired.out_bytes;
    t.out_packets += c.retired.out_packets;
    for (const auto& [ifindex, spi] : c.lingering_inbound) add(c.name, spi, kernel::Direction::kIn);
  }
  for (const auto& s : snap.ike_sas)
    for (const auto& c : s.children) {
      const std::string& conn = c.conn.empty() ? s.conn : c.conn;
      add(conn, c.inbound_spi, kernel::Direction::kIn);
      add(conn, c.outbound_spi, kernel::Direction::kOut);
    }
  return out;
}

// Into ConnectionInfo or ConnectionTraffic (the same four fields).
template <typename To>
void CopyTotals(const engine::TrafficTotals& t, To& to) {
  to.in_bytes = t.in_bytes;
  to.in_packets = t.in_packets;
  to.out_bytes = t.out_bytes;
  to.out_packets = t.out_packets;
}

}  // namespace

std::string Spi32Hex(uint32_t spi) {
  char buf[9];
  std::snprintf(buf, sizeof buf, "%08x", spi);
  return buf;
}

std::string Spi64Hex(uint64_t spi) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(spi));
  return buf;
}

const char* AutoName(engine::AutoAction a) {
  switch (a) {
    case engine::AutoAction::kIgnore:
      return "ignore";
    case engine::AutoAction::kAdd:
      return "add";
    case engine::AutoAction::kRoute:
      return "route";
    case engine::AutoAction::kStart:
      return "start";
  }
  return "?";
}

control::StatusResult BuildStatus(const engine::StatusSnapshot& snap,
                                  const std::vector<kernel::SaInfo>& kernel_sas,
                                  const std::vector<ConnectionExtras>& extras, engine::Millis now) {
  control::StatusResult out;
  const auto totals = ConnectionTotals(snap, kernel_sas);
  for (const auto& c : snap.connections) {
    control::ConnectionInfo ci;
    ci.name = c.name;
    ci.auto_action = AutoName(c.auto_action);
    ci.local = c.local;
    ci.remote = c.remote;
    ci.keyingtries_used = c.keyingtries_used;
    ci.last_error = c.last_error;
    if (auto it = totals.find(c.name); it != totals.end()) CopyTotals(it->second, ci);
    for (const auto& x : extras) {
      if (x.name != c.name) continue;
      ci.interface = x.interface;
      ci.routes = x.routes;
    }
    out.connections.push_back(std::move(ci));
  }
  for (const auto& s : snap.ike_sas) {
    control::IkeSaInfo si;
    si.conn = s.conn;
    si.version = s.version;
    si.spi_i = Spi64Hex(s.spi_i);
    si.spi_r = Spi64Hex(s.spi_r);
    si.initiator = s.initiator;
    si.state = s.state;
    si.local = s.local.ToString();
    si.remote = s.remote.ToString();
    si.local_id = s.local_id;
    si.remote_id = s.remote_id;
    si.local_auth = s.local_auth;
    si.remote_auth = s.remote_auth;
    si.remote_cert = s.remote_cert;
    si.algorithms = s.algorithms;
    si.nat_local = s.nat_local;
    si.nat_remote = s.nat_remote;
    si.age_s = AgeSeconds(s.established_ms, now);
    for (const auto& c : s.children) si.children.push_back(ToChild(c, kernel_sas, now));
    out.ike_sas.push_back(std::move(si));
  }
  const auto& k = snap.counters;
  auto& o = out.counters;
  o.rx_messages = k.rx_messages;
  o.tx_messages = k.tx_messages;
  o.retransmits = k.retransmits;
  o.dropped_malformed = k.dropped_malformed;
  o.dropped_unauthenticated = k.dropped_unauthenticated;
  o.dropped_unknown_spi = k.dropped_unknown_spi;
  o.dropped_unexpected = k.dropped_unexpected;
  o.duplicate_requests = k.duplicate_requests;
  o.ike_sas_established = k.ike_sas_established;
  o.child_sas_installed = k.child_sas_installed;
  o.auth_failures = k.auth_failures;
  o.proposal_mismatches = k.proposal_mismatches;
  o.dropped_init_for_existing_sa = k.dropped_init_for_existing_sa;
  o.dropped_half_open_limit = k.dropped_half_open_limit;
  o.cookies_sent = k.cookies_sent;
  o.half_open_expired = k.half_open_expired;
  o.resends_limited = k.resends_limited;
  o.peer_moves_refused = k.peer_moves_refused;
  o.child_sa_limit_refused = k.child_sa_limit_refused;
  o.fragments_sent = k.fragments_sent;
  o.fragments_received = k.fragments_received;
  o.dropped_fragments = k.dropped_fragments;
  return out;
}

control::TrafficResult BuildTraffic(const engine::StatusSnapshot& snap,
                                    const std::vector<kernel::SaInfo>& kernel_sas,
                                    engine::Millis now) {
  control::TrafficResult out;
  for (const auto& s : snap.ike_sas) {
    for (const auto& c : s.children) {
      if (c.state != "INSTALLED") continue;
      control::ChildSaInfo ci = ToChild(c, kernel_sas, now);
      control::TrafficInfo t;
      t.conn = c.conn.empty() ? s.conn : c.conn;
      t.reqid = ci.reqid;
      t.inbound_spi = ci.inbound_spi;
      t.outbound_spi = ci.outbound_spi;
      t.remote_id = s.remote_id;
      t.local_ts = ci.local_ts;
      t.remote_ts = ci.remote_ts;
      t.age_s = ci.age_s;
      t.in_bytes = ci.in_bytes;
      t.in_packets = ci.in_packets;
      t.out_bytes = ci.out_bytes;
      t.out_packets = ci.out_packets;
      out.tunnels.push_back(std::move(t));
    }
  }
  const auto totals = ConnectionTotals(snap, kernel_sas);
  for (const auto& c : snap.connections) {
    control::ConnectionTraffic ct;
    ct.conn = c.name;
    if (auto it = totals.find(c.name); it != totals.end()) CopyTotals(it->second, ct);
    out.connections.push_back(std::move(ct));
  }
  return out;
}

}  // namespace ipsec::daemon
