// What the daemon hands the engine: the loaded connections of a resolved
// ipsec.conf (the one config::Connection type), the per-device settings
// it applies itself, and the PSK lookup by typed identities.
#include <gtest/gtest.h>

#include "config/config.h"
#include "config/values.h"
#include "daemon/device_settings.h"
#include "daemon/reload.h"
#include "daemon/secrets_provider.h"
#include "engine/identity.h"

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

TEST(EngineHandoff, LoadedConnectionsReachTheEngineAsResolved) {
  auto cfg = Load(kTwoByTwo, "10.0.0.2");  // we are "right": ends swap
  auto conns = EngineConnections(cfg.connections);
  ASSERT_EQ(conns.size(), 1u) << "auto=ignore must not reach the engine";
  ASSERT_EQ(cfg.connections.size(), 2u);
  const auto& c = conns[0];
  EXPECT_EQ(c, cfg.connections[0]);
  EXPECT_EQ(c.local.host, Addr("10.0.0.2"));
  EXPECT_EQ(c.local.id.kind, config::Identity::Kind::kFqdn);
  EXPECT_EQ(c.local.id.name, "gw2.example");
  EXPECT_EQ(c.remote.id.name, "gw1.example");
  EXPECT_EQ(config::DeviceName(c), "ipsec3");
  EXPECT_EQ(c.keyingtries, 0u);  // %forever
  EXPECT_EQ(c.dpd_action, engine::DpdAction::kRestart);
  EXPECT_EQ(c.auto_action, engine::AutoAction::kStart);
  ASSERT_EQ(c.subnet_pairs.size(), 4u);
  EXPECT_EQ(c.subnet_pairs[0].local, *IpPrefix::Parse("192.168.2.0/24"));
  EXPECT_FALSE(c.ike_proposals.empty());
  EXPECT_FALSE(config::IsIkev1(c));
  EXPECT_FALSE(config::AnswersIkev1(c));
  // The ID we send is the typed identity's, not a re-parsed string.
  EXPECT_EQ(engine::IdPayloadOf(c.local.id, c.local.host), ike::MakeIdFqdn("gw2.example"));
}

// keyexchange=ike as strongSwan means it: IKEv2 initiated, IKEv1 answered.
TEST(EngineHandoff, KeyexchangeIkeAnswersIkev1) {
  auto cfg = Load(
      "conn a\n\tleft=10.0.0.1\n\tright=10.0.0.2\n\tauthby=secret\n\tauto=add\n\tkeyexchange=ike\n",
      "10.0.0.1");
  auto conns = EngineConnections(cfg.connections);
  ASSERT_EQ(conns.size(), 1u);
  EXPECT_FALSE(config::IsIkev1(conns[0]));
  EXPECT_TRUE(config::AnswersIkev1(conns[0]));
}

// Where a conn is written does not make it another conn (a reload with a
// site added above it keeps its SAs); any setting does.
TEST(EngineHandoff, SameSettingsIgnoresOnlyThePlaceInTheFile) {
  auto cfg = Load(kTwoByTwo, "10.0.0.1");
  config::Connection moved = cfg.connections[0];
  moved.where.line += 7;
  EXPECT_TRUE(config::SameSettings(cfg.connections[0], moved));
  moved.mtu = 1400;
  EXPECT_FALSE(config::SameSettings(cfg.connections[0], moved));
}

TEST(EngineHandoff, DefaultInterfaceIsIpsec0) {
  config::Connection c;
  EXPECT_EQ(config::DeviceName(c), "ipsec0");
  c.ipsec_interface = 7;
  EXPECT_EQ(config::DeviceName(c), "ipsec7");
}

// mtu= per device: the first loaded conn with mtu= on a device wins;
// auto=ignore conns and conns without mtu= set nothing.
TEST(EngineHandoff, DeviceMtusFirstConnPerDevice) {
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
TEST(EngineHandoff, DeviceMssClampsFirstConnPerDevice) {
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

config::Identity Id(std::string_view text) {
  return *config::ParseIdentity(text, nullptr);
}

// The engine asks with the identities as sent and received (IdentityOf of
// the ID payloads): an FQDN ID finds the @name entry, an address ID the
// address entry.
TEST(EngineHandoff, PskFoundByIdsAndByAddresses) {
  auto cfg = Load(kTwoByTwo, "10.0.0.1");
  auto secrets = config::ParseSecretsText(
      "@gw1.example @gw2.example : PSK \"by-ids-secret\"\n"
      "10.0.0.1 10.0.0.9 : PSK \"by-address-secret\"\n",
      "test.secrets", {.allow_includes = false, .include_root = "", .check_permissions = false});
  ASSERT_TRUE(secrets) << secrets.error().message;
  SecretsProvider p(*secrets, cfg.connections);
  auto psk = p.FindPsk(engine::IdentityOf(ike::MakeIdFqdn("gw1.example")),
                       engine::IdentityOf(ike::MakeIdFqdn("gw2.example")));
  ASSERT_TRUE(psk);
  EXPECT_EQ(std::string(psk->data(), psk->data() + psk->size()), "by-ids-secret");
  auto by_addr = p.FindPsk(Id("10.0.0.1"), Id("10.0.0.9"));
  ASSERT_TRUE(by_addr);
  EXPECT_EQ(std::string(by_addr->data(), by_addr->data() + by_addr->size()), "by-address-secret");
  EXPECT_FALSE(p.FindPsk(Id("@gw1.example"), Id("@stranger.example")));
}

}  // namespace
}  // namespace ipsec::daemon
