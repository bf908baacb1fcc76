// ctl/metrics.h: the Prometheus text that `ipsecctl metrics` prints.
#include "ctl/metrics.h"

#include <gtest/gtest.h>

#include <regex>
#include <set>
#include <sstream>

namespace ipsec::ctl {
namespace {

bool Has(const std::string& text, const std::string& line) {
  return text.find("\n" + line + "\n") != std::string::npos || text.rfind(line + "\n", 0) == 0;
}

kernel::DevInfo Dev() {
  kernel::DevInfo d;
  d.name = "ipsec0";
  d.mtu = 1400;
  d.sa_count = 2;
  d.spi_reserved = 3;
  d.stats.rx_packets = 10;
  d.stats.drop_replay = 3;
  d.stats.icmp_pmtu = 1;
  return d;
}

control::StatusResult Status() {
  control::StatusResult st;
  st.daemon.uptime_s = 42;
  st.connections.push_back(
      {"site\"2", "start", "ipsec0", "10.0.0.1", "10.0.0.2", {}, 0, "", 1500, 12, 900, 9});
  st.connections.push_back({"site3", "add", "ipsec0", "10.0.0.1", "10.0.0.3", {}, 2, "no reply"});
  control::IkeSaInfo sa;
  sa.conn = "site\"2";
  sa.spi_i = "0123456789abcdef";
  sa.state = "ESTABLISHED";
  sa.remote = "10.0.0.2[500]";
  control::ChildSaInfo c;
  c.conn = "site\"2";
  c.state = "INSTALLED";
  c.inbound_spi = "c0ffee01";
  c.outbound_spi = "c0ffee02";
  c.in_bytes = 500;
  c.out_packets = 7;
  sa.children.push_back(c);
  st.ike_sas.push_back(sa);
  st.counters.auth_failures = 4;
  st.counters.child_sas_installed = 9;
  return st;
}

TEST(MetricsTest, KernelOnlyWhenNoDaemonAnswers) {
  const std::string t = FormatMetrics(std::nullopt, {Dev()});
  EXPECT_TRUE(Has(t, "ipsec_tun_daemon_up 0")) << t;
  EXPECT_TRUE(Has(t, "ipsec_tun_device_mtu{dev=\"ipsec0\"} 1400")) << t;
  EXPECT_TRUE(Has(t, "ipsec_tun_device_spis_reserved{dev=\"ipsec0\"} 3")) << t;
  EXPECT_TRUE(Has(t, "ipsec_tun_device_rx_packets_total{dev=\"ipsec0\"} 10")) << t;
  EXPECT_TRUE(Has(t, "ipsec_tun_device_drops_total{dev=\"ipsec0\",cause=\"replay\"} 3")) << t;
  EXPECT_TRUE(Has(t, "ipsec_tun_device_icmp_pmtu_total{dev=\"ipsec0\"} 1")) << t;
  EXPECT_EQ(t.find("ipsec_tun_connection_up"), std::string::npos);
}

TEST(MetricsTest, ConnectionsSasAndCountersFromTheDaemon) {
  const std::string t = FormatMetrics(Status(), {Dev()});
  EXPECT_TRUE(Has(t, "ipsec_tun_daemon_up 1")) << t;
  // Label values escaped as the format says (the quote in the name).
  EXPECT_TRUE(Has(t, "ipsec_tun_connection_up{conn=\"site\\\"2\",interface=\"ipsec0\"} 1")) << t;
  EXPECT_TRUE(Has(t, "ipsec_tun_connection_up{conn=\"site3\",interface=\"ipsec0\"} 0")) << t;
  EXPECT_TRUE(
      Has(t, "ipsec_tun_connection_keyingtries_used{conn=\"site3\",interface=\"ipsec0\"} 2"))
      << t;
  EXPECT_TRUE(Has(t,
                  "ipsec_tun_child_sa_bytes_total{conn=\"site\\\"2\",spi=\"c0ffee01\","
                  "direction=\"in\",state=\"INSTALLED\"} 500"))
      << t;
  EXPECT_TRUE(Has(t,
                  "ipsec_tun_child_sa_packets_total{conn=\"site\\\"2\",spi=\"c0ffee02\","
                  "direction=\"out\",state=\"INSTALLED\"} 7"))
      << t;
  // Per connection, across rekeys: more than its one live child holds.
  EXPECT_TRUE(Has(t,
                  "ipsec_tun_connection_bytes_total{conn=\"site\\\"2\",interface=\"ipsec0\","
                  "direction=\"in\"} 1500"))
      << t;
  EXPECT_TRUE(Has(t,
                  "ipsec_tun_connection_packets_total{conn=\"site\\\"2\",interface=\"ipsec0\","
                  "direction=\"out\"} 9"))
      << t;
  EXPECT_TRUE(Has(t, "ipsec_tun_ike_auth_failures_total 4")) << t;
  EXPECT_TRUE(Has(t, "ipsec_tun_ike_child_sas_installed_total 9")) << t;
}

// Every sample belongs to the metric whose HELP and TYPE came just before
// it, each metric is described once, and every line has the format's shape.
TEST(MetricsTest, WellFormedExposition) {
  const std::string t = FormatMetrics(Status(), {Dev(), Dev()});
  std::istringstream in(t);
  std::string line, current;
  std::set<std::string> described;
  const std::regex sample(R"(^([a-z_]+)(\{([a-z_]+="([^"\\]|\\.)*",?)+\})? [0-9]+$)");
  while (std::getline(in, line)) {
    if (line.rfind("# HELP ", 0) == 0) {
      current = line.substr(7, line.find(' ', 7) - 7);
      EXPECT_TRUE(described.insert(current).second) << "described twice: " << current;
      continue;
    }
    if (line.rfind("# TYPE ", 0) == 0) {
      EXPECT_TRUE(line == "# TYPE " + current + " gauge" ||
                  line == "# TYPE " + current + " counter")
          << line;
      continue;
    }
    std::smatch m;
    ASSERT_TRUE(std::regex_match(line, m, sample)) << line;
    EXPECT_EQ(m[1].str(), current) << line;
  }
  EXPECT_GT(described.size(), 10u);
}

TEST(MetricsTest, EscapeLabel) {
  EXPECT_EQ(EscapeLabel("a\\b\"c\nd"), "a\\\\b\\\"c\\nd");
}

}  // namespace
}  // namespace ipsec::ctl
