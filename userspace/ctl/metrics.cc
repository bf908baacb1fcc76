#include "ctl/metrics.h"

#include <map>
#include <sstream>

#include "ctl/format.h"

namespace ipsec::ctl {
namespace {

using Labels = std::vector<std::pair<std::string, std::string>>;

// Collects samples per metric so that each metric's HELP and TYPE come
// once, before its samples, as the format requires.
class Exposition {
 public:
  void Add(const std::string& name, const char* type, const char* help, const Labels& labels,
           uint64_t value) {
    auto& m = metrics_[name];
    if (m.type.empty()) {
      m.type = type;
      m.help = help;
      order_.push_back(name);
    }
    std::string line = name;
    if (!labels.empty()) {
      line += "{";
      for (size_t i = 0; i < labels.size(); i++)
        line += (i ? "," : "") + labels[i].first + "=\"" + EscapeLabel(labels[i].second) + "\"";
      line += "}";
    }
    m.samples.push_back(line + " " + std::to_string(value));
  }
  std::string Text() const {
    std::ostringstream o;
    for (const auto& name : order_) {
      const auto& m = metrics_.at(name);
      o << "# HELP " << name << " " << m.help << "\n# TYPE " << name << " " << m.type << "\n";
      for (const auto& s : m.samples) o << s << "\n";
    }
    return o.str();
  }

 private:
  struct Metric {
    std::string type, help;
    std::vector<std::string> samples;
  };
  std::map<std::string, Metric> metrics_;
  std::vector<std::string> order_;
};

void AddDevices(Exposition& e, const std::vector<kernel::DevInfo>& devices) {
  for (const auto& d : devices) {
    Labels dev{{"dev", d.name}};
    e.Add("ipsec_tun_device_mtu", "gauge", "MTU of the ipsecN device.", dev, d.mtu);
    e.Add("ipsec_tun_device_sas", "gauge", "SAs installed on the device.", dev, d.sa_count);
    e.Add("ipsec_tun_device_policies", "gauge", "Policies installed on the device.", dev,
          d.policy_count);
    e.Add("ipsec_tun_device_spis_reserved", "gauge",
          "Inbound SPIs reserved for children being negotiated.", dev, d.spi_reserved);
    // The counter names of `ipsecctl dev list --json`, one table for both.
    const nlohmann::json counters = CountersJson(d.stats);
    for (const auto& [field, value] : counters.items()) {
      const uint64_t v = value.get<uint64_t>();
      if (field.rfind("drop_", 0) == 0)
        e.Add("ipsec_tun_device_drops_total", "counter",
              "Packets the module dropped on the device, by cause.",
              {{"dev", d.name}, {"cause", field.substr(5)}}, v);
      else
        e.Add("ipsec_tun_device_" + field + "_total", "counter",
              "Device counter of the module (see ipsecctl dev list).", dev, v);
    }
  }
}

void AddDaemon(Exposition& e, const control::StatusResult& st) {
  e.Add("ipsec_tun_daemon_uptime_seconds", "gauge", "Seconds since ipsecd started.", {},
        st.daemon.uptime_s);
  std::map<std::string, uint64_t> installed;  // conn -> installed children
  for (const auto& sa : st.ike_sas)
    for (const auto& c : sa.children)
      if (c.state == "INSTALLED") installed[c.conn]++;
  for (const auto& c : st.connections) {
    Labels l{{"conn", c.name}, {"interface", c.interface}};
    e.Add("ipsec_tun_connection_up", "gauge",
          "1 when the connection has an installed child SA, else 0.", l, installed[c.name] ? 1 : 0);
    e.Add("ipsec_tun_connection_keyingtries_used", "gauge",
          "Failed attempts since the connection was last up.", l, c.keyingtries_used);
    for (const char* dir : {"in", "out"}) {
      const bool in = dir[0] == 'i';
      Labels dl{{"conn", c.name}, {"interface", c.interface}, {"direction", dir}};
      e.Add("ipsec_tun_connection_bytes_total", "counter",
            "Inner bytes of the connection, its rekeyed and replaced child SAs included.", dl,
            in ? c.in_bytes : c.out_bytes);
      e.Add("ipsec_tun_connection_packets_total", "counter",
            "Inner packets of the connection, its rekeyed and replaced child SAs included.", dl,
            in ? c.in_packets : c.out_packets);
    }
  }
  for (const auto& sa : st.ike_sas) {
    Labels l{{"conn", sa.conn},
             {"spi_i", sa.spi_i},
             {"remote", sa.remote},
             {"state", sa.state},
             {"remote_id", sa.remote_id}};
    e.Add("ipsec_tun_ike_sa_age_seconds", "gauge", "Age of each IKE SA, labelled by its state.", l,
          sa.age_s);
    for (const auto& c : sa.children) {
      for (const char* dir : {"in", "out"}) {
        bool in = dir[0] == 'i';
        Labels cl{{"conn", c.conn},
                  {"spi", in ? c.inbound_spi : c.outbound_spi},
                  {"direction", dir},
                  {"state", c.state}};
        e.Add("ipsec_tun_child_sa_bytes_total", "counter", "Inner bytes of each child SA.", cl,
              in ? c.in_bytes : c.out_bytes);
        e.Add("ipsec_tun_child_sa_packets_total", "counter", "Inner packets of each child SA.", cl,
              in ? c.in_packets : c.out_packets);
      }
      e.Add("ipsec_tun_child_sa_age_seconds", "gauge", "Age of each child SA.",
            {{"conn", c.conn}, {"spi", c.inbound_spi}, {"state", c.state}}, c.age_s);
    }
  }
  // The daemon's counters under their JSON names (ipsecctl status --json).
  const nlohmann::json counters = st.counters;
  for (const auto& [field, value] : counters.items())
    e.Add("ipsec_tun_ike_" + field + "_total", "counter",
          "ipsecd counter (see ipsecctl status --json, \"counters\").", {}, value.get<uint64_t>());
}

}  // namespace

std::string EscapeLabel(const std::string& v) {
  std::string out;
  for (char ch : v) {
    if (ch == '\\' || ch == '"') out += '\\';
    if (ch == '\n') {
      out += "\\n";
      continue;
    }
    out += ch;
  }
  return out;
}

std::string FormatMetrics(const std::optional<control::StatusResult>& status,
                          const std::vector<kernel::DevInfo>& devices) {
  Exposition e;
  e.Add("ipsec_tun_daemon_up", "gauge", "1 when ipsecd answered on its control socket.", {},
        status ? 1 : 0);
  AddDevices(e, devices);
  if (status) AddDaemon(e, *status);
  return e.Text();
}

}  // namespace ipsec::ctl
