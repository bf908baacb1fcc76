// The status and trafficstatus replies built from an engine snapshot and
// the kernel's SA counters.
#include "daemon/status_report.h"

#include <gtest/gtest.h>

namespace ipsec::daemon {
namespace {

engine::StatusSnapshot Snapshot() {
  engine::StatusSnapshot s;
  engine::ConnectionStatus c;
  c.name = "site";
  c.auto_action = engine::AutoAction::kStart;
  c.local = "10.0.0.1";
  c.remote = "10.0.0.2";
  c.last_error = "NO_PROPOSAL_CHOSEN";
  s.connections.push_back(c);
  engine::IkeSaStatus ike;
  ike.conn = "site";
  ike.spi_i = 0x0123456789abcdefULL;
  ike.spi_r = 0xfedcba9876543210ULL;
  ike.initiator = true;
  ike.state = "ESTABLISHED";
  ike.local = {*IpAddress::Parse("10.0.0.1"), 500};
  ike.remote = {*IpAddress::Parse("10.0.0.2"), 4500};
  ike.established_ms = 1000;
  ike.local_auth = "psk";
  ike.remote_auth = "ecdsa-p256-sha256";
  ike.remote_cert = "C=CH, CN=sun";
  engine::ChildSaStatus up;
  up.state = "INSTALLED";
  up.reqid = 5;
  up.inbound_spi = 0xc0ffee01;
  up.outbound_spi = 0xdecaf002;
  up.local_ts = {*IpPrefix::Parse("192.168.1.0/24")};
  up.remote_ts = {*IpPrefix::Parse("192.168.2.0/24")};
  up.established_ms = 3000;
  engine::ChildSaStatus creating;
  creating.state = "CREATING";
  creating.reqid = 6;
  ike.children = {up, creating};
  s.ike_sas.push_back(ike);
  s.counters.auth_failures = 2;
  s.counters.dropped_init_for_existing_sa = 3;
  s.counters.cookies_sent = 4;
  return s;
}

std::vector<kernel::SaInfo> KernelSas() {
  kernel::SaInfo in;
  in.spi = 0xc0ffee01;
  in.dir = kernel::Direction::kIn;
  in.stats.rx_packets = 10;
  in.stats.rx_bytes = 840;
  kernel::SaInfo out;
  out.spi = 0xdecaf002;
  out.dir = kernel::Direction::kOut;
  out.stats.tx_packets = 11;
  out.stats.tx_bytes = 924;
  // Same SPI value, other direction: must not be taken for the inbound SA.
  kernel::SaInfo decoy;
  decoy.spi = 0xc0ffee01;
  decoy.dir = kernel::Direction::kOut;
  decoy.stats.tx_packets = 999;
  return {decoy, in, out};
}

TEST(StatusReport, StatusCarriesStateSpisAndKernelCounters) {
  auto st = BuildStatus(Snapshot(), KernelSas(),
                        {{"site", "ipsec0", {"192.168.2.0/24 dev ipsec0"}}}, engine::Millis(8500));
  ASSERT_EQ(st.connections.size(), 1u);
  EXPECT_EQ(st.connections[0].auto_action, "start");
  EXPECT_EQ(st.connections[0].interface, "ipsec0");
  EXPECT_EQ(st.connections[0].routes, std::vector<std::string>{"192.168.2.0/24 dev ipsec0"});
  EXPECT_EQ(st.connections[0].last_error, "NO_PROPOSAL_CHOSEN");
  ASSERT_EQ(st.ike_sas.size(), 1u);
  const auto& ike = st.ike_sas[0];
  EXPECT_EQ(ike.spi_i, "0123456789abcdef");
  EXPECT_EQ(ike.spi_r, "fedcba9876543210");
  EXPECT_EQ(ike.remote, "10.0.0.2[4500]");
  EXPECT_EQ(ike.age_s, 7u);
  EXPECT_EQ(ike.local_auth, "psk");
  EXPECT_EQ(ike.remote_auth, "ecdsa-p256-sha256");
  EXPECT_EQ(ike.remote_cert, "C=CH, CN=sun");
  ASSERT_EQ(ike.children.size(), 2u);
  const auto& c = ike.children[0];
  EXPECT_EQ(c.inbound_spi, "c0ffee01");
  EXPECT_EQ(c.outbound_spi, "decaf002");
  EXPECT_EQ(c.in_packets, 10u);
  EXPECT_EQ(c.in_bytes, 840u);
  EXPECT_EQ(c.out_packets, 11u);
  EXPECT_EQ(c.out_bytes, 924u);
  EXPECT_EQ(c.age_s, 5u);
  EXPECT_EQ(c.local_ts, std::vector<std::string>{"192.168.1.0/24"});
  EXPECT_EQ(ike.children[1].in_packets, 0u);  // no kernel SA yet
  EXPECT_EQ(st.counters.auth_failures, 2u);
  EXPECT_EQ(st.counters.dropped_init_for_existing_sa, 3u);
  EXPECT_EQ(st.counters.cookies_sent, 4u);
}

TEST(StatusReport, TrafficListsOnlyInstalledChildren) {
  auto t = BuildTraffic(Snapshot(), KernelSas(), engine::Millis(8500));
  ASSERT_EQ(t.tunnels.size(), 1u);
  EXPECT_EQ(t.tunnels[0].conn, "site");
  EXPECT_EQ(t.tunnels[0].reqid, 5u);
  EXPECT_EQ(t.tunnels[0].out_packets, 11u);
}

// Per connection: the retired total, every live SA of its children
// (whatever their state), and the lingering inbound SAs of rekeyed
// children, each SA once.
TEST(StatusReport, ConnectionTotalsCarryRetiredAndLingeringSas) {
  auto snap = Snapshot();
  snap.connections[0].retired = {100, 3, 200, 4};
  snap.connections[0].lingering_inbound = {{7, 0xaaaa0001}, {7, 0xc0ffee01}};
  auto sas = KernelSas();
  kernel::SaInfo lingering;
  lingering.spi = 0xaaaa0001;
  lingering.dir = kernel::Direction::kIn;
  lingering.stats.rx_packets = 5;
  lingering.stats.rx_bytes = 50;
  sas.push_back(lingering);
  snap.ike_sas[0].children[1].inbound_spi = 0xc0ffee01;  // a second claim: counted once

  auto t = BuildTraffic(snap, sas, engine::Millis(8500));
  ASSERT_EQ(t.connections.size(), 1u);
  EXPECT_EQ(t.connections[0].conn, "site");
  EXPECT_EQ(t.connections[0].in_packets, 3u + 5u + 10u);
  EXPECT_EQ(t.connections[0].in_bytes, 100u + 50u + 840u);
  EXPECT_EQ(t.connections[0].out_packets, 4u + 11u);
  EXPECT_EQ(t.connections[0].out_bytes, 200u + 924u);
  EXPECT_EQ(t.tunnels[0].in_packets, 10u) << "per-SA numbers stay per SA";

  auto st = BuildStatus(snap, sas, {}, engine::Millis(8500));
  ASSERT_EQ(st.connections.size(), 1u);
  EXPECT_EQ(st.connections[0].in_packets, 18u);
  EXPECT_EQ(st.connections[0].out_bytes, 1124u);
}

TEST(StatusReport, JsonRoundTripKeepsEveryField) {
  auto st = BuildStatus(Snapshot(), KernelSas(), {}, engine::Millis(8500));
  nlohmann::json j = st;
  EXPECT_TRUE(j["ike_sas"][0]["children"][0].contains("in_bytes"));
  auto back = j.get<control::StatusResult>();
  EXPECT_EQ(back.ike_sas[0].children[0].outbound_spi, "decaf002");
  EXPECT_EQ(back.ike_sas[0].children[0].out_bytes, 924u);
  EXPECT_EQ(j["ike_sas"][0]["remote_auth"], "ecdsa-p256-sha256");
  EXPECT_EQ(j["ike_sas"][0]["remote_cert"], "C=CH, CN=sun");
  EXPECT_EQ(back.ike_sas[0].local_auth, "psk");
}

TEST(StatusReport, SpiHexIsFixedWidth) {
  EXPECT_EQ(Spi32Hex(0x100), "00000100");
  EXPECT_EQ(Spi64Hex(1), "0000000000000001");
}

}  // namespace
}  // namespace ipsec::daemon
