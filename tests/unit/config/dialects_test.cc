// The same settings written in libreswan and in strongSwan dialect (and with
// %default / also= instead of flat) resolve to the same connection.
#include <gtest/gtest.h>

#include "common/proposal_names.h"
#include "config/config.h"
#include "test_util.h"

namespace ipsec::config {
namespace {

using testing::Addr;

FixedHostInfo& Gw1() {
  static FixedHostInfo h({Addr("192.0.2.1")}, Addr("192.0.2.1"));
  return h;
}

Connection Load(const std::string& text) {
  LoadOptions o;
  o.host = &Gw1();
  o.allow_includes = false;
  auto cfg = ParseConfigText(text, "inline.conf", o);
  EXPECT_TRUE(cfg) << (cfg ? "" : cfg.error().message);
  if (!cfg || cfg->connections.size() != 1) {
    ADD_FAILURE() << "expected one connection";
    return {};
  }
  return cfg->connections[0];
}

void ExpectSame(const Connection& a, const Connection& b) {
  auto end = [](const End& e) {
    return e.side + "|" + e.host.ToString() + "|" + std::to_string(int(e.host_kind)) + "|" +
           e.id.ToString() + "|" + std::to_string(e.ike_port);
  };
  EXPECT_EQ(end(a.local), end(b.local));
  EXPECT_EQ(end(a.remote), end(b.remote));
  EXPECT_EQ(a.local.subnets, b.local.subnets);
  EXPECT_EQ(a.remote.subnets, b.remote.subnets);
  EXPECT_EQ(a.subnet_pairs, b.subnet_pairs);
  EXPECT_EQ(a.swapped, b.swapped);
  EXPECT_EQ(a.authby, b.authby);
  EXPECT_EQ(a.ike_version, b.ike_version);
  EXPECT_EQ(ProposalsToString(a.ike_proposals), ProposalsToString(b.ike_proposals));
  EXPECT_EQ(a.ike_proposals, b.ike_proposals);
  EXPECT_EQ(a.esp_proposals, b.esp_proposals);
  EXPECT_EQ(a.ike_strict, b.ike_strict);
  EXPECT_EQ(a.esp_strict, b.esp_strict);
  EXPECT_EQ(a.pfs, b.pfs);
  EXPECT_EQ(a.ike_lifetime, b.ike_lifetime);
  EXPECT_EQ(a.child_lifetime, b.child_lifetime);
  EXPECT_EQ(a.rekey_margin, b.rekey_margin);
  EXPECT_EQ(a.rekey_fuzz_percent, b.rekey_fuzz_percent);
  EXPECT_EQ(a.keyingtries, b.keyingtries);
  EXPECT_EQ(a.dpd_delay, b.dpd_delay);
  EXPECT_EQ(a.dpd_timeout, b.dpd_timeout);
  EXPECT_EQ(a.dpd_action, b.dpd_action);
  EXPECT_EQ(a.auto_action, b.auto_action);
  EXPECT_EQ(a.mtu, b.mtu);
  EXPECT_EQ(a.replay_window, b.replay_window);
  EXPECT_EQ(a.mark, b.mark);
  EXPECT_EQ(a.mobike, b.mobike);
}

TEST(Dialects, ReplayWindowBothSpellings) {
  const std::string base = "conn a\n\tleft=192.0.2.1\n\tright=198.51.100.2\n";
  Connection lsw = Load(base + "\treplay-window=64\n");
  Connection ssw = Load(base + "\treplay_window=64\n");
  EXPECT_EQ(lsw.replay_window, std::optional<uint32_t>(64));
  ExpectSame(lsw, ssw);
  EXPECT_EQ(Load(base + "\treplay_window=0\n").replay_window, std::optional<uint32_t>(0));
  // strongSwan's -1 and no keyword at all: the default.
  EXPECT_FALSE(Load(base + "\treplay_window=-1\n").replay_window.has_value());
  EXPECT_FALSE(Load(base).replay_window.has_value());
}

TEST(Dialects, SiteToSiteSuiteB) {
  Connection lsw = Load(R"(conn gw
	left=192.0.2.1
	leftid=@gw1.example.org
	leftsubnets={10.1.0.0/16 10.3.0.0/16}
	right=198.51.100.2
	rightid=@gw2.example.org
	rightsubnet=10.2.0.0/16
	authby=secret
	ikev2=insist
	ike=aes_gcm256-sha384-dh20
	esp=aes_gcm256-null-dh20
	ikelifetime=3h
	salifetime=1h
	rekeymargin=9m
	keyingtries=%forever
	dpddelay=30
	dpdtimeout=120
	dpdaction=restart
	auto=start
)");
  Connection sw = Load(R"(conn gw
  left        = 192.0.2.1
  leftid      = @gw1.example.org
  leftsubnet  = 10.1.0.0/16,10.3.0.0/16
  right       = 198.51.100.2
  rightid     = @gw2.example.org
  rightsubnet = 10.2.0.0/16
  authby      = psk
  keyexchange = ikev2
  ike         = aes256gcm16-prfsha384-ecp384
  esp         = aes256gcm16-ecp384
  ikelifetime = 180m
  lifetime    = 3600s
  margintime  = 540s
  keyingtries = 0
  dpddelay    = 30s
  dpdtimeout  = 2m
  dpdaction   = restart
  auto        = start
)");
  ExpectSame(lsw, sw);
  EXPECT_EQ(ProposalsToString(sw.ike_proposals), "AES_GCM_16_256/PRF_HMAC_SHA2_384/ECP_384");
  EXPECT_EQ(ProposalsToString(sw.esp_proposals), "AES_GCM_16_256/ECP_384/NO_EXT_SEQ");
  EXPECT_EQ(sw.subnet_pairs.size(), 2u);
  EXPECT_EQ(sw.local.id.kind, Identity::Kind::kFqdn);
  EXPECT_EQ(sw.local.id.name, "gw1.example.org");
}

// Seed 002's VyOS proposal set (aes256-sha1, DH group 2, PFS group 2,
// lifetimes 28800/27000, DPD restart 15/30) as both daemons' users write it.
TEST(Dialects, Seed002VyosProposalSet) {
  Connection lsw = Load(R"(conn azure
	left=%defaultroute
	right=203.0.113.7
	leftsubnet=10.10.0.0/16
	rightsubnet=10.20.0.0/16
	authby=secret
	ike=aes256-sha1;modp1024
	phase2alg=aes256-sha1;modp1024
	pfs=yes
	ikelifetime=28800s
	keylife=27000s
	dpddelay=15
	dpdtimeout=30
	dpdaction=restart
	auto=start
)");
  Connection sw = Load(R"(conn azure
    left=%defaultroute
    right=203.0.113.7
    leftsubnet=10.10.0.0/16
    rightsubnet=10.20.0.0/16
    authby=psk
    ike=aes256-sha1-modp1024
    esp=aes256-sha1-modp1024
    ikelifetime=8h
    lifetime=450m
    dpddelay=15s
    dpdtimeout=30s
    dpdaction=restart
    auto=start
)");
  ExpectSame(lsw, sw);
  ASSERT_EQ(sw.ike_proposals.size(), 1u);
  EXPECT_EQ(ProposalToString(sw.ike_proposals[0]),
            "AES_CBC_256/HMAC_SHA1_96/PRF_HMAC_SHA1/MODP_1024");
  EXPECT_EQ(ProposalToString(sw.esp_proposals[0]), "AES_CBC_256/HMAC_SHA1_96/MODP_1024/NO_EXT_SEQ");
  EXPECT_EQ(sw.ike_lifetime, Seconds(28800));
  EXPECT_EQ(sw.child_lifetime, Seconds(27000));
  EXPECT_EQ(sw.local.host, Addr("192.0.2.1"));
}

TEST(Dialects, DefaultAndAlsoEqualFlat) {
  Connection flat = Load(R"(conn a
	left=192.0.2.1
	right=198.51.100.2
	leftsubnet=10.1.0.0/16
	rightsubnet=10.2.0.0/16
	authby=secret
	ike=aes128-sha256-modp3072
	dpddelay=10
	dpdtimeout=60
	dpdaction=clear
	auto=add
)");
  Connection structured = Load(R"(
# settings shared by every tunnel
conn %default
	authby=secret
	ike=aes128-sha256-modp3072
	dpdaction=hold

conn dpd-base
	dpddelay=10
	dpdtimeout=60
	dpdaction=clear

conn a
	also=dpd-base
	left=192.0.2.1
	right=198.51.100.2
	leftsubnet=10.1.0.0/16
	rightsubnet=10.2.0.0/16
	auto=add
)");
  ExpectSame(flat, structured);
  EXPECT_EQ(structured.dpd_action, DpdAction::kClear);  // also= beats %default
}

TEST(Dialects, PfsNoDropsGroupsWithAWarning) {
  LoadOptions o;
  o.host = &Gw1();
  auto cfg = ParseConfigText(
      "conn a\n left=192.0.2.1\n right=198.51.100.2\n authby=secret\n esp=aes128-sha1-modp2048\n"
      " pfs=no\n",
      "pfs.conf", o);
  ASSERT_TRUE(cfg) << cfg.error().message;
  EXPECT_EQ(ProposalsToString(cfg->connections[0].esp_proposals),
            "AES_CBC_128/HMAC_SHA1_96/NO_EXT_SEQ");
  ASSERT_EQ(cfg->warnings.size(), 1u);
  EXPECT_EQ(cfg->warnings[0].ToString(),
            "pfs.conf:5: esp: pfs=no: the DH groups in esp= are not used");
}

}  // namespace
}  // namespace ipsec::config
