#include "ctl/format.h"

#include <linux/ipsec_tun.h>
#include <netinet/in.h>

#include <cstdio>

#include "kernel/algorithms.h"
#include "kernel/mss_clamp.h"

namespace ipsec::ctl {
namespace {

using kernel::Counters;

// Counter names, shared by text and JSON output (and by the VM tests,
// which read them from --json).
struct CounterField {
  const char* name;
  uint64_t Counters::*field;
};
constexpr CounterField kDropFields[] = {
    {"drop_auth", &Counters::drop_auth},         {"drop_replay", &Counters::drop_replay},
    {"drop_pad", &Counters::drop_pad},           {"drop_header", &Counters::drop_header},
    {"drop_no_sa", &Counters::drop_no_sa},       {"drop_no_policy", &Counters::drop_no_policy},
    {"drop_selector", &Counters::drop_selector}, {"drop_mtu", &Counters::drop_mtu},
    {"drop_expired", &Counters::drop_expired},   {"drop_nomem", &Counters::drop_nomem},
    {"drop_ecn", &Counters::drop_ecn},
    {"drop_hold_expired", &Counters::drop_hold_expired},
    {"drop_hold_full", &Counters::drop_hold_full},
};

std::string DevName(int ifindex, const DevNames& names) {
  auto it = names.find(ifindex);
  return it != names.end() ? it->second : "if" + std::to_string(ifindex);
}

const char* DirName(kernel::Direction d) {
  return d == kernel::Direction::kIn ? "in" : "out";
}

std::string ProtoName(uint8_t p) {
  switch (p) {
    case IPPROTO_TCP:
      return "tcp";
    case IPPROTO_UDP:
      return "udp";
    case IPPROTO_ICMP:
      return "icmp";
    case IPPROTO_ICMPV6:
      return "icmpv6";
    case IPPROTO_SCTP:
      return "sctp";
    case IPPROTO_GRE:
      return "gre";
    default:
      return std::to_string(p);
  }
}

std::string PortRange(uint16_t lo, uint16_t hi) {
  return lo == hi ? std::to_string(lo) : std::to_string(lo) + "-" + std::to_string(hi);
}

std::string ExpireReason(uint8_t r) {
  switch (r) {
    case IPSEC_TUN_EXPIRE_BYTES:
      return "bytes";
    case IPSEC_TUN_EXPIRE_PACKETS:
      return "packets";
    case IPSEC_TUN_EXPIRE_SECONDS:
      return "seconds";
    case IPSEC_TUN_EXPIRE_SEQ:
      return "sequence-number";
    default:
      return "reason-" + std::to_string(r);
  }
}

nlohmann::json LifetimeJson(const kernel::Lifetime& l) {
  return {{"bytes", l.bytes}, {"packets", l.packets}, {"seconds", l.seconds}};
}

}  // namespace

std::string SpiHex(uint32_t spi) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), "0x%08x", spi);
  return buf;
}

std::string FormatSelector(const kernel::TrafficSelector& sel) {
  std::string s = sel.src.ToString() + " -> " + sel.dst.ToString();
  if (sel.proto) s += " proto " + ProtoName(sel.proto);
  if (sel.sport_min != 0 || sel.sport_max != 65535)
    s += " sport " + PortRange(sel.sport_min, sel.sport_max);
  if (sel.dport_min != 0 || sel.dport_max != 65535)
    s += " dport " + PortRange(sel.dport_min, sel.dport_max);
  return s;
}

std::string FormatCounters(const Counters& c, const std::string& indent) {
  std::string s = indent + "rx " + std::to_string(c.rx_packets) + " packets " +
                  std::to_string(c.rx_bytes) + " bytes, tx " + std::to_string(c.tx_packets) +
                  " packets " + std::to_string(c.tx_bytes) + " bytes\n" + indent + "drops:";
  for (const auto& f : kDropFields)
    s += std::string(" ") + (f.name + 5) + " " + std::to_string(c.*(f.field));
  return s + "\n" + indent + "icmp: pmtu " + std::to_string(c.icmp_pmtu) + " ignored " +
         std::to_string(c.icmp_ignored) + ", held for a reserved SPI " +
         std::to_string(c.rx_held) + "\n";
}

std::string FormatDev(const kernel::DevInfo& dev) {
  std::string s = dev.name + ": ifindex " + std::to_string(dev.ifindex) + " mtu " +
                  std::to_string(dev.mtu) + " sas " + std::to_string(dev.sa_count) + " policies " +
                  std::to_string(dev.policy_count) + " spis-reserved " +
                  std::to_string(dev.spi_reserved);
  if (dev.encap_port) s += " encap-port " + std::to_string(*dev.encap_port);
  if (dev.mss_clamp) s += " mss-clamp " + kernel::MssClampName(dev.mss_clamp);
  if (dev.link_netnsid) s += " link-netnsid " + std::to_string(*dev.link_netnsid);
  if (dev.netnsid) s += " netnsid " + std::to_string(*dev.netnsid);
  return s + "\n" + FormatCounters(dev.stats, "    ");
}

std::string FormatSa(const kernel::SaInfo& sa, const DevNames& names) {
  std::string s = DevName(sa.ifindex, names) + " " + DirName(sa.dir) + " spi " + SpiHex(sa.spi) +
                  " reqid " + std::to_string(sa.reqid) + " " + sa.src.ToString() + " -> " +
                  sa.dst.ToString() + "\n";
  s += "    enc " + kernel::EncrName(sa.encr_id, sa.encr_key_bits);
  if (sa.integ_id) s += " auth " + kernel::IntegName(sa.integ_id);
  s += " replay-window " + std::to_string(sa.replay_window);
  if (sa.esn) s += " esn";
  if (sa.encap_sport && sa.encap_dport)
    s += " encap " + std::to_string(*sa.encap_sport) + ":" + std::to_string(*sa.encap_dport);
  s += "\n";
  for (const auto& sel : sa.selectors) s += "    sel " + FormatSelector(sel) + "\n";
  auto life = [&](const char* what, const kernel::Lifetime& l) {
    if (!l.bytes && !l.packets && !l.seconds) return;
    s += std::string("    ") + what + " lifetime:";
    if (l.bytes) s += " bytes " + std::to_string(l.bytes);
    if (l.packets) s += " packets " + std::to_string(l.packets);
    if (l.seconds) s += " seconds " + std::to_string(l.seconds);
    s += "\n";
  };
  life("soft", sa.soft);
  life("hard", sa.hard);
  s += "    seq " + std::to_string(sa.seq) + " added-at " + std::to_string(sa.add_time) + "s\n";
  return s + FormatCounters(sa.stats, "    ");
}

std::string FormatPolicy(const std::string& dev, const kernel::Policy& pol) {
  return dev + " " + FormatSelector(pol.sel) + " reqid " + std::to_string(pol.reqid) +
         " priority " + std::to_string(pol.priority) + "\n";
}

nlohmann::json CountersJson(const Counters& c) {
  nlohmann::json j = {{"rx_packets", c.rx_packets},
                      {"rx_bytes", c.rx_bytes},
                      {"tx_packets", c.tx_packets},
                      {"tx_bytes", c.tx_bytes}};
  for (const auto& f : kDropFields) j[f.name] = c.*(f.field);
  j["icmp_pmtu"] = c.icmp_pmtu;
  j["icmp_ignored"] = c.icmp_ignored;
  j["rx_held"] = c.rx_held;
  return j;
}

nlohmann::json DevJson(const kernel::DevInfo& dev) {
  nlohmann::json j = {{"name", dev.name},
                      {"ifindex", dev.ifindex},
                      {"mtu", dev.mtu},
                      {"sa_count", dev.sa_count},
                      {"policy_count", dev.policy_count},
                      {"spi_reserved", dev.spi_reserved},
                      {"stats", CountersJson(dev.stats)}};
  j["encap_port"] = dev.encap_port ? nlohmann::json(*dev.encap_port) : nlohmann::json();
  j["mss_clamp"] = kernel::MssClampName(dev.mss_clamp);
  j["link_netnsid"] = dev.link_netnsid ? nlohmann::json(*dev.link_netnsid) : nlohmann::json();
  j["netnsid"] = dev.netnsid ? nlohmann::json(*dev.netnsid) : nlohmann::json();
  return j;
}

nlohmann::json SelectorJson(const kernel::TrafficSelector& sel) {
  return {{"src", sel.src.ToString()},  {"dst", sel.dst.ToString()},  {"proto", sel.proto},
          {"sport_min", sel.sport_min}, {"sport_max", sel.sport_max}, {"dport_min", sel.dport_min},
          {"dport_max", sel.dport_max}};
}

nlohmann::json SaJson(const kernel::SaInfo& sa, const DevNames& names) {
  nlohmann::json sels = nlohmann::json::array();
  for (const auto& sel : sa.selectors) sels.push_back(SelectorJson(sel));
  nlohmann::json j = {{"dev", DevName(sa.ifindex, names)},
                      {"ifindex", sa.ifindex},
                      {"dir", DirName(sa.dir)},
                      {"spi", SpiHex(sa.spi)},
                      {"reqid", sa.reqid},
                      {"src", sa.src.ToString()},
                      {"dst", sa.dst.ToString()},
                      {"enc", kernel::EncrName(sa.encr_id, sa.encr_key_bits)},
                      {"auth", kernel::IntegName(sa.integ_id)},
                      {"replay_window", sa.replay_window},
                      {"esn", sa.esn},
                      {"flags", sa.flags},
                      {"seq", sa.seq},
                      {"add_time", sa.add_time},
                      {"soft", LifetimeJson(sa.soft)},
                      {"hard", LifetimeJson(sa.hard)},
                      {"selectors", sels},
                      {"stats", CountersJson(sa.stats)}};
  if (sa.encap_sport && sa.encap_dport)
    j["encap"] = {{"sport", *sa.encap_sport}, {"dport", *sa.encap_dport}};
  else
    j["encap"] = nullptr;
  return j;
}

nlohmann::json PolicyJson(const std::string& dev, const kernel::Policy& pol) {
  nlohmann::json j = SelectorJson(pol.sel);
  j["dev"] = dev;
  j["reqid"] = pol.reqid;
  j["priority"] = pol.priority;
  return j;
}

std::string FormatAcquire(const kernel::AcquireEvent& ev, const DevNames& names) {
  std::string s = "acquire " + DevName(ev.ifindex, names);
  s += ev.reqid ? " reqid " + std::to_string(*ev.reqid) : std::string(" no-policy");
  return s + " packet " + FormatSelector(ev.packet);
}

std::string FormatExpire(const kernel::ExpireEvent& ev, const DevNames& names) {
  return std::string("expire ") + (ev.hard ? "hard " : "soft ") + DevName(ev.ifindex, names) + " " +
         DirName(ev.dir) + " spi " + SpiHex(ev.spi) + " reqid " + std::to_string(ev.reqid) +
         " reason " + ExpireReason(ev.reason);
}

std::string FormatMapping(const kernel::MappingEvent& ev, const DevNames& names) {
  return "mapping " + DevName(ev.ifindex, names) + " in spi " + SpiHex(ev.spi) + " reqid " +
         std::to_string(ev.reqid) + " from " + ev.old_addr.ToString() + ":" +
         std::to_string(ev.old_port) + " to " + ev.new_addr.ToString() + ":" +
         std::to_string(ev.new_port);
}

std::string FormatErrorEvent(const kernel::ErrorEvent& ev, const DevNames& names) {
  std::string what = ev.code == IPSEC_TUN_ERR_AUTH_BURST     ? "auth-failure-burst"
                     : ev.code == IPSEC_TUN_ERR_ENCAP_CLOSED ? "encap-socket-closed"
                                                             : "error-" + std::to_string(ev.code);
  std::string s = "error " + DevName(ev.ifindex, names) + " " + what;
  if (ev.spi) s += std::string(" ") + DirName(ev.dir) + " spi " + SpiHex(ev.spi);
  return s;
}

}  // namespace ipsec::ctl
