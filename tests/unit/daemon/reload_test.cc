// daemon/reload.h: ipsec.conf and ipsec.secrets read again from disk and
// applied to a running engine (the engine simulator's peers A = 192.0.2.1
// and B = 192.0.2.2; "site3" points at 192.0.2.3, where nobody answers).
#include "daemon/reload.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "daemon/secrets_provider.h"
#include "engine/fixture.h"

namespace ipsec::daemon {
namespace {

using engine::Millis;
using engine::test::Conn;
using engine::test::Ip;
using engine::test::Net;

const char* kSite2 = R"(conn site2
	left=192.0.2.1
	leftsubnet=10.1.0.0/24
	right=192.0.2.2
	rightsubnet=10.2.0.0/24
	authby=secret
	auto=start
)";
const char* kSite3 = R"(conn site3
	left=192.0.2.1
	leftsubnet=10.1.0.0/24
	right=192.0.2.3
	rightsubnet=10.3.0.0/24
	authby=secret
	auto=add
)";
const char* kSecrets = "192.0.2.1 192.0.2.2 : PSK \"first-key-0123456789\"\n";

class ReloadTest : public engine::test::EngineTest {
 protected:
  ReloadTest() : host({Ip("192.0.2.1")}, Ip("192.0.2.1")) {
    dir = std::filesystem::temp_directory_path() /
          ("reload_test." + std::to_string(getpid()) + "." +
           ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir);
    src.config_path = dir / "ipsec.conf";
    src.load.host = &host;
    src.secrets_load.check_permissions = false;
  }
  ~ReloadTest() override { std::filesystem::remove_all(dir); }

  void Write(const std::string& conf, const std::string& secrets = kSecrets) {
    std::ofstream(dir / "ipsec.conf") << conf;
    std::ofstream(dir / "ipsec.secrets") << secrets;
  }
  // A runs what the files say (as ipsecd's start does), B answers site2.
  void Start(const std::string& conf) {
    Write(conf);
    auto loaded = ReadConfig(src);
    ASSERT_TRUE(loaded.ok()) << loaded.error().message;
    cfg = std::move(loaded->cfg);
    secrets = std::move(loaded->secrets);
    ASSERT_TRUE(a.engine.LoadConnections(EngineConnections(cfg.connections)).ok());
    auto bc = Conn("site2", b.addr, a.addr, {Net("10.2.0.0/24")}, {Net("10.1.0.0/24")});
    std::vector<engine::Connection> bv;
    bv.push_back(std::move(bc));
    ASSERT_TRUE(b.engine.LoadConnections(std::move(bv)).ok());
    ASSERT_TRUE(net.Run(Millis(5000)));
    site2 = Site2Spis();
    ASSERT_EQ(site2.size(), 3u) << a.log.Errors();
  }
  Result<ReloadPlan> Run(const std::string& cmd, const std::string& name = "") {
    auto r = ChangeRunningConfig(cmd, name, src, a.engine, cfg, secrets);
    EXPECT_TRUE(net.Run(Millis(5000)));
    return r;
  }
  // IKE SPI, child SPIs in and out of site2 at A.
  std::vector<uint64_t> Site2Spis() const {
    for (const auto& s : a.engine.Status().ike_sas)
      for (const auto& c : s.children)
        if (c.conn == "site2") return {s.spi_i, c.inbound_spi, c.outbound_spi};
    return {};
  }
  std::vector<std::string> Loaded() const {
    std::vector<std::string> v;
    for (const auto& c : a.engine.Status().connections) v.push_back(c.name);
    return v;
  }

  config::FixedHostInfo host;
  std::filesystem::path dir;
  ConfigSources src;
  config::Config cfg;
  config::Secrets secrets;
  std::vector<uint64_t> site2;
};

using Names = std::vector<std::string>;

TEST_F(ReloadTest, AddedThenRemovedSiteLeavesTheOtherAlone) {
  Start(kSite2);
  Write(std::string(kSite2) + kSite3);
  auto r = Run("reload");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->added, Names{"site3"});
  EXPECT_EQ(r->kept, Names{"site2"});
  EXPECT_TRUE(r->removed.empty() && r->replaced.empty());
  EXPECT_EQ(Loaded(), (Names{"site2", "site3"}));
  EXPECT_EQ(Site2Spis(), site2);

  Write(kSite2);
  r = Run("reload");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->removed, Names{"site3"});
  EXPECT_EQ(r->kept, Names{"site2"});
  EXPECT_EQ(Loaded(), Names{"site2"});
  EXPECT_EQ(Site2Spis(), site2);
  EXPECT_EQ(cfg.connections.size(), 1u);
}

TEST_F(ReloadTest, MovingAConnectionInTheFileIsNoChange) {
  Start(std::string(kSite3) + kSite2);
  Write(std::string("# a comment moves every line\n\n") + kSite2 + kSite3);
  auto r = Run("reload");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->kept, (Names{"site2", "site3"}));
  EXPECT_EQ(Site2Spis(), site2);
}

TEST_F(ReloadTest, ChangedSettingReplacesTheConnection) {
  Start(kSite2);
  // leftsourceip= is the daemon's (routes), not the engine's: replaced too.
  std::string changed = kSite2;
  changed += "\tleftsourceip=10.1.0.1\n";
  Write(changed);
  auto r = Run("reload");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->replaced, Names{"site2"});
  const auto now = Site2Spis();
  ASSERT_EQ(now.size(), 3u) << a.log.Errors();
  EXPECT_NE(now[1], site2[1]);
  EXPECT_EQ(a.kernel.FindSa(static_cast<uint32_t>(site2[1]), kernel::Direction::kIn), nullptr);
}

TEST_F(ReloadTest, PskChangeKeepsTheTunnelAndIsReported) {
  Start(kSite2);
  Write(kSite2, "192.0.2.1 192.0.2.2 : PSK \"second-key-0123456789\"\n");
  auto r = Run("reload");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->kept, Names{"site2"});
  EXPECT_EQ(r->psk_changed, Names{"site2"});
  EXPECT_EQ(Site2Spis(), site2);
  auto psk = secrets.FindPsk(cfg.connections[0].local.id, cfg.connections[0].remote.id,
                             cfg.connections[0].local.host, cfg.connections[0].remote.host);
  ASSERT_TRUE(psk.has_value());
  EXPECT_EQ(std::string(psk->span().begin(), psk->span().end()), "second-key-0123456789");
}

TEST_F(ReloadTest, ConfigErrorChangesNothingAndNamesFileLineKeyword) {
  Start(kSite2);
  // site3 added, site2 changed, and a bad value on line 16.
  std::string broken = std::string(kSite2) + "\tesp=aes256gcm16\n" + kSite3 + "\trekeyfuzz=lots\n";
  Write(broken);
  auto r = Run("reload");
  ASSERT_FALSE(r.ok());
  const std::string where = (dir / "ipsec.conf").string() + ":16: rekeyfuzz";
  EXPECT_NE(r.error().message.find(where), std::string::npos) << r.error().message;
  EXPECT_EQ(Loaded(), Names{"site2"});
  EXPECT_EQ(Site2Spis(), site2);
  ASSERT_EQ(cfg.connections.size(), 1u);
  EXPECT_TRUE(cfg.connections[0].esp_proposals_default);

  // A broken secrets file: the same.
  Write(std::string(kSite2) + kSite3, "192.0.2.1 192.0.2.2 : PSK \"unterminated\n");
  r = Run("reload");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("ipsec.secrets:1"), std::string::npos) << r.error().message;
  EXPECT_EQ(Loaded(), Names{"site2"});
  EXPECT_EQ(Site2Spis(), site2);
}

TEST_F(ReloadTest, AddAndDeleteOneConnection) {
  Start(kSite2);
  // The file gains site3 and changes site2: "add site3" loads site3 only.
  std::string conf = std::string(kSite2) + "\tesp=aes256gcm16\n" + kSite3;
  Write(conf);
  auto r = Run("add", "site3");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->added, Names{"site3"});
  EXPECT_EQ(r->kept, Names{"site2"});
  EXPECT_EQ(Site2Spis(), site2);
  EXPECT_TRUE(cfg.Find("site2")->esp_proposals_default);

  EXPECT_FALSE(Run("add", "nosuch").ok());
  EXPECT_FALSE(Run("delete", "nosuch").ok());

  r = Run("delete", "site3");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->removed, Names{"site3"});
  EXPECT_EQ(Loaded(), Names{"site2"});
  EXPECT_EQ(Site2Spis(), site2);

  // delete of the last one: its tunnel goes, and B hears it.
  r = Run("delete", "site2");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_TRUE(a.engine.Status().ike_sas.empty());
  EXPECT_TRUE(b.engine.Status().ike_sas.empty());
}

TEST_F(ReloadTest, ConfigSetupChangesAreListedAndKeepTheTunnels) {
  Start(kSite2);
  Write(std::string("config setup\n\tplutodebug=all\n\tddos-mode=busy\n") + kSite2);
  auto r = Run("reload");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->setup_changed, (Names{"debug", "ddos-mode/ddos-ike-threshold"}));
  EXPECT_EQ(r->kept, Names{"site2"});
  EXPECT_EQ(Site2Spis(), site2);
  EXPECT_EQ(cfg.setup.debug, "all");

  r = Run("reload");  // the same file again: nothing changed
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_TRUE(r->setup_changed.empty());
}

TEST(ChangedSetupKeys, NamesEachKeyThatDiffers) {
  config::SetupConfig a, b;
  EXPECT_TRUE(ChangedSetupKeys(a, b).empty());
  b.logfile = "/var/log/ipsecd.log";
  b.uniqueids = config::UniqueIds::kNo;
  b.secretsfile = "/etc/other.secrets";
  EXPECT_EQ(ChangedSetupKeys(a, b), (Names{"logfile", "secretsfile", "uniqueids"}));
}

}  // namespace
}  // namespace ipsec::daemon
