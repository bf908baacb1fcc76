// From a resolved ipsec.conf to the engine's connections, and PSK lookup
// through the engine's identity strings.
#include "daemon/config_bridge.h"

#include <gtest/gtest.h>

#include "config/config.h"

namespace ipsec::daemon {
namespace {

IpAddress Addr(const char* s) {
  return *IpAddress::Parse(s);
}

config::Config Load(const std::string& text, const char* local) {
  static std::unique_ptr<config::FixedHostInfo> host;
  host = std::make_unique<config::FixedHostInfo>(std::vector<IpAddress>{Addr(local)}, Addr(local));
  config::LoadOptions o;
  o.host = host.get();
  auto cfg = config::ParseConfigText(text, "test.conf", o);
  if (!cfg) {
    ADD_FAILURE() << cfg.error().message;
    return {};
  }
  return std::move(cfg).value();
}

const char* kTwoByTwo = R"(conn site
	left=10.0.0.1
	leftid=@gw1.example
	leftsubnets={192.168.1.0/24 192.168.11.0/24}
	right=10.0.0.2
	rightid=@gw2.example
	rightsubnets={192.168.2.0/24 192.168.22.0/24}
	authby=secret
	ike=aes256-sha1-modp1024
	esp=aes256-sha1
	ipsec-interface=3
	keyingtries=%forever
	share-ike=no
	dpdaction=restart
	dpddelay=10
	auto=start

conn ignored
	left=10.0.0.1
	right=10.0.0.9
	authby=secret
	auto=ignore
)";

TEST(ConfigBridge, ConnectionFieldsReachTheEngine) {
  auto cfg = Load(kTwoByTwo, "10.0.0.2");  // we are "right": ends swap
  auto conns = ToEngine(cfg.connections);
  ASSERT_EQ(conns.size(), 1u) << "auto=ignore must not reach the engine";
  ASSERT_EQ(cfg.connections.size(), 2u);
  const auto& c = conns[0];
  EXPECT_EQ(c.name, "site");
  EXPECT_EQ(c.local.host, Addr("10.0.0.2"));
  EXPECT_EQ(c.local.id, "@gw2.example");
  EXPECT_EQ(c.remote.host, Addr("10.0.0.1"));
  EXPECT_EQ(c.remote.id, "@gw1.example");
  EXPECT_EQ(c.interface, "ipsec3");
  EXPECT_EQ(c.keyingtries, 0u);  // %forever
  EXPECT_FALSE(c.share_ike);
  EXPECT_EQ(c.dpd_action, engine::DpdAction::kRestart);
  EXPECT_EQ(c.dpd_delay_s, 10u);
  EXPECT_EQ(c.auto_action, engine::AutoAction::kStart);
  ASSERT_EQ(c.subnet_pairs.size(), 4u);
  EXPECT_EQ(c.subnet_pairs[0].first, *IpPrefix::Parse("192.168.2.0/24"));
  EXPECT_EQ(c.ike_proposals, cfg.connections[0].ike_proposals);
  EXPECT_FALSE(c.ike_proposals.empty());
  EXPECT_EQ(c.ike_version, 2);
  EXPECT_FALSE(c.answers_ikev1);
}

// keyexchange=ike as strongSwan means it: IKEv2 initiated, IKEv1 answered.
TEST(ConfigBridge, KeyexchangeIkeAnswersIkev1) {
  auto cfg = Load(
      "conn a\n\tleft=10.0.0.1\n\tright=10.0.0.2\n\tauthby=secret\n\tauto=add\n\tkeyexchange=ike\n",
      "10.0.0.1");
  auto conns = ToEngine(cfg.connections);
  ASSERT_EQ(conns.size(), 1u);
  EXPECT_EQ(conns[0].ike_version, 2);
  EXPECT_TRUE(conns[0].answers_ikev1);
}

TEST(ConfigBridge, LifebytesReachesTheEngine) {
  auto cfg = Load(
      "conn "
      "a\n\tleft=10.0.0.1\n\tright=10.0.0.2\n\tauthby=secret\n\tauto=add\n\tlifebytes=10485760\n",
      "10.0.0.1");
  auto conns = ToEngine(cfg.connections);
  ASSERT_EQ(conns.size(), 1u);
  EXPECT_EQ(conns[0].child_lifebytes, 10485760u);
  EXPECT_TRUE(cfg.warnings.empty())
      << (cfg.warnings.empty() ? "" : cfg.warnings.front().ToString());
}

// leftsendcert= and the leftauth= hashes reach the local end.
TEST(ConfigBridge, SendcertAndSignatureSchemeReachTheEngine) {
  auto cfg = Load(kTwoByTwo, "10.0.0.1");
  ASSERT_FALSE(cfg.connections.empty());
  EXPECT_EQ(ToEngine(cfg.connections).at(0).local.send_cert, engine::SendCert::kAlways);
  cfg.connections[0].local.sendcert = config::SendCert::kNever;
  cfg.connections[0].local.sig_hashes = {3, 2};
  cfg.connections[0].local.sig_pss = true;
  const auto local = ToEngine(cfg.connections).at(0).local;
  EXPECT_EQ(local.send_cert, engine::SendCert::kNever);
  EXPECT_EQ(local.sig_hashes,
            (std::vector<cert::SigHash>{cert::SigHash::kSha384, cert::SigHash::kSha256}));
  EXPECT_TRUE(local.sig_pss);
  cfg.connections[0].local.sendcert = config::SendCert::kAlways;
  EXPECT_EQ(ToEngine(cfg.connections).at(0).local.send_cert, engine::SendCert::kAlways);
}

TEST(ConfigBridge, DefaultInterfaceIsIpsec0) {
  config::Connection c;
  EXPECT_EQ(InterfaceName(c), "ipsec0");
  c.ipsec_interface = 7;
  EXPECT_EQ(InterfaceName(c), "ipsec7");
}

// mtu= per device: the first loaded conn with mtu= on a device wins;
// auto=ignore conns and conns without mtu= set nothing.
TEST(ConfigBridge, DeviceMtusFirstConnPerDevice) {
  std::vector<config::Connection> conns(5);
  const char* names[] = {"a", "b", "c", "d", "e"};
  for (size_t i = 0; i < conns.size(); i++) {
    conns[i].name = names[i];
    conns[i].auto_action = config::AutoAction::kAdd;
  }
  conns[0].mtu = 1300;
  conns[1].mtu = 1400;           // same device as a: a wins
  conns[2].ipsec_interface = 2;  // no mtu=
  conns[3].ipsec_interface = 3;
  conns[3].auto_action = config::AutoAction::kIgnore;
  conns[3].mtu = 1000;  // not loaded
  conns[4].ipsec_interface = 4;
  conns[4].mtu = 1280;
  auto m = DeviceMtus(conns);
  ASSERT_EQ(m.size(), 2u);
  EXPECT_EQ(m.at("ipsec0").mtu, 1300u);
  EXPECT_EQ(m.at("ipsec0").conn, "a");
  EXPECT_EQ(m.at("ipsec4").mtu, 1280u);
  EXPECT_EQ(m.at("ipsec4").conn, "e");
}

// mss-clamp= per device, as mtu=: the first loaded conn setting it wins.
TEST(ConfigBridge, DeviceMssClampsFirstConnPerDevice) {
  std::vector<config::Connection> conns(3);
  const char* names[] = {"a", "b", "c"};
  for (size_t i = 0; i < conns.size(); i++) {
    conns[i].name = names[i];
    conns[i].auto_action = config::AutoAction::kAdd;
  }
  conns[0].mss_clamp = 1200;
  conns[1].mss_clamp = 65535;  // same device as a: a wins
  conns[2].ipsec_interface = 2;
  conns[2].auto_action = config::AutoAction::kIgnore;
  conns[2].mss_clamp = 1000;  // not loaded
  auto m = DeviceMssClamps(conns);
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m.at("ipsec0").clamp, 1200u);
  EXPECT_EQ(m.at("ipsec0").conn, "a");
}

TEST(ConfigBridge, IdentityFromEngineStrings) {
  using K = config::Identity::Kind;
  EXPECT_EQ(IdentityFromEngine("10.0.0.1").kind, K::kIpv4);
  EXPECT_EQ(IdentityFromEngine("2001:db8::1").kind, K::kIpv6);
  auto f = IdentityFromEngine("vpn.example.org");
  EXPECT_EQ(f.kind, K::kFqdn);
  EXPECT_EQ(f.name, "vpn.example.org");
  EXPECT_EQ(IdentityFromEngine("@vpn.example.org").name, "vpn.example.org");
  EXPECT_EQ(IdentityFromEngine("user@example.org").kind, K::kUserFqdn);
  EXPECT_EQ(IdentityFromEngine("%any").kind, K::kAny);
  auto dn = IdentityFromEngine("C=CH, O=Example, CN=moon");
  EXPECT_EQ(dn.kind, K::kDn);
  EXPECT_EQ(dn.name, "C=CH, O=Example, CN=moon");
}

TEST(ConfigBridge, PskFoundByIdsAndByAddresses) {
  auto cfg = Load(kTwoByTwo, "10.0.0.1");
  auto secrets = config::ParseSecretsText(
      "@gw1.example @gw2.example : PSK \"by-ids-secret\"\n"
      "10.0.0.1 10.0.0.9 : PSK \"by-address-secret\"\n",
      "test.secrets", {.allow_includes = false, .include_root = "", .check_permissions = false});
  ASSERT_TRUE(secrets) << secrets.error().message;
  SecretsProvider p(*secrets, cfg.connections);
  auto psk = p.FindPsk("gw1.example", "gw2.example");
  ASSERT_TRUE(psk);
  EXPECT_EQ(std::string(psk->data(), psk->data() + psk->size()), "by-ids-secret");
  auto by_addr = p.FindPsk("10.0.0.1", "10.0.0.9");
  ASSERT_TRUE(by_addr);
  EXPECT_EQ(std::string(by_addr->data(), by_addr->data() + by_addr->size()), "by-address-secret");
  EXPECT_FALSE(p.FindPsk("gw1.example", "stranger.example"));
}

}  // namespace
}  // namespace ipsec::daemon
