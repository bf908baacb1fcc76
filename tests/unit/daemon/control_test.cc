// The control socket end to end: ControlServer in a libevent loop on one
// thread, ipsecctl's ControlRequest on another, over a real unix socket.
#include <event2/event.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <filesystem>
#include <thread>

#include "ctl/daemon_cmds.h"
#include "daemon/control_server.h"

namespace ipsec::daemon {
namespace {

std::string TempSocketPath() {
  return (std::filesystem::temp_directory_path() /
          ("ipsecd-ctl-test-" + std::to_string(getpid()) + "/sub/ipsecd.ctl"))
      .string();
}

nlohmann::json Echo(const control::Request& r) {
  if (r.cmd == "fail") return control::ErrorResponse("refused: " + r.name);
  return control::OkResponse(control::MessageResult{r.cmd + ":" + r.name});
}

class ControlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = TempSocketPath();
    base_ = event_base_new();
    auto s = ControlServer::Listen(base_, path_, Echo);
    ASSERT_TRUE(s) << s.error().message;
    server_ = std::move(s).value();
  }
  void TearDown() override {
    server_.reset();
    event_base_free(base_);
    std::filesystem::remove_all(std::filesystem::path(path_).parent_path().parent_path());
  }
  // Runs the loop until the client thread is done.
  Result<nlohmann::json> Request(const control::Request& req) {
    std::atomic<bool> done{false};
    Result<nlohmann::json> out = MakeError("not run");
    std::thread client([&] {
      out = ctl::ControlRequest(path_, req);
      done = true;
    });
    while (!done) {
      timeval tv{0, 20000};
      event_base_loopexit(base_, &tv);
      event_base_dispatch(base_);
    }
    client.join();
    return out;
  }

  std::string path_;
  event_base* base_ = nullptr;
  std::unique_ptr<ControlServer> server_;
};

TEST_F(ControlTest, RoundTripOk) {
  auto r = Request({"up", "site"});
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ((*r)["ok"], true);
  EXPECT_EQ((*r)["result"]["message"], "up:site");
}

TEST_F(ControlTest, RoundTripError) {
  auto r = Request({"fail", "x"});
  ASSERT_TRUE(r);
  EXPECT_EQ((*r)["ok"], false);
  EXPECT_EQ((*r)["error"], "refused: x");
}

TEST_F(ControlTest, SocketIsPrivateAndDirectoryCreated) {
  struct stat st;
  ASSERT_EQ(stat(path_.c_str(), &st), 0);
  EXPECT_TRUE(S_ISSOCK(st.st_mode));
  EXPECT_EQ(st.st_mode & 0077, 0u);
  ASSERT_EQ(stat(std::filesystem::path(path_).parent_path().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
}

TEST_F(ControlTest, SecondDaemonOnSameSocketIsRefused) {
  auto again = ControlServer::Listen(base_, path_, Echo);
  ASSERT_FALSE(again);
  EXPECT_NE(again.error().message.find("another ipsecd"), std::string::npos);
}

TEST_F(ControlTest, BadLinesGetErrors) {
  auto bad = nlohmann::json::parse(server_->HandleLine("{not json"));
  EXPECT_EQ(bad["ok"], false);
  EXPECT_NE(bad["error"].get<std::string>().find("bad request"), std::string::npos);
  auto nocmd = nlohmann::json::parse(server_->HandleLine("{\"name\":\"x\"}"));
  EXPECT_EQ(nocmd["ok"], false);
  auto arr = nlohmann::json::parse(server_->HandleLine("[1,2]"));
  EXPECT_EQ(arr["ok"], false);
}

TEST(ControlClient, NoDaemonIsSaidClearly) {
  auto r = ctl::ControlRequest("/nonexistent-dir-for-test/ipsecd.ctl", {"status", ""});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ENOENT);
  EXPECT_NE(r.error().message.find("no ipsecd listening on /nonexistent-dir-for-test/ipsecd.ctl"),
            std::string::npos);
}

TEST(ControlClient, StaleSocketFileIsReplaced) {
  // A daemon that crashed leaves its socket file; nobody answers on it.
  std::string path = TempSocketPath() + ".stale";
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  FILE* f = fopen(path.c_str(), "w");
  ASSERT_NE(f, nullptr);
  fclose(f);
  event_base* b = event_base_new();
  auto s = ControlServer::Listen(b, path, Echo);
  EXPECT_TRUE(s) << (s ? "" : s.error().message);
  s = MakeError("done");  // closes the server before the loop goes
  event_base_free(b);
  EXPECT_FALSE(std::filesystem::exists(path));  // unlinked at close
  std::filesystem::remove_all(std::filesystem::path(path).parent_path().parent_path());
}

TEST(ControlFormat, StatusAndTrafficText) {
  control::StatusResult st;
  st.daemon.pid = 42;
  st.daemon.interfaces = {"ipsec0"};
  control::ConnectionInfo c;
  c.name = "site";
  c.last_error = "no proposal chosen";
  c.routes = {"192.168.2.0/24 dev ipsec0 src 192.168.1.1"};
  st.connections.push_back(c);
  control::IkeSaInfo ike;
  ike.conn = "site";
  ike.state = "ESTABLISHED";
  control::ChildSaInfo ch;
  ch.inbound_spi = "c0ffee01";
  ch.outbound_spi = "decaf002";
  ch.in_packets = 10;
  ike.children.push_back(ch);
  st.ike_sas.push_back(ike);
  std::string text = ctl::FormatStatus(st);
  EXPECT_EQ(text.find("auth:"), std::string::npos);  // no IKE_AUTH yet: no line
  st.ike_sas[0].local_auth = "rsa-pss-sha256";
  st.ike_sas[0].remote_auth = "ed25519";
  st.ike_sas[0].remote_cert = "C=CH, O=Example, CN=sun";
  text = ctl::FormatStatus(st);
  EXPECT_NE(text.find("\n    auth: local rsa-pss-sha256, remote ed25519, peer certificate "
                      "'C=CH, O=Example, CN=sun'\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("ipsecd pid 42"), std::string::npos);
  EXPECT_NE(text.find("last error: no proposal chosen"), std::string::npos);
  EXPECT_NE(text.find("route 192.168.2.0/24 dev ipsec0 src 192.168.1.1"), std::string::npos);
  EXPECT_NE(text.find("c0ffee01_i decaf002_o"), std::string::npos);
  EXPECT_NE(text.find("10 packets"), std::string::npos);

  control::TrafficResult t;
  control::TrafficInfo ti;
  ti.conn = "site";
  ti.reqid = 3;
  ti.in_bytes = 100;
  ti.remote_id = "10.0.0.2";
  t.tunnels.push_back(ti);
  EXPECT_EQ(ctl::FormatTraffic(t).rfind("#3: \"site\"", 0), 0u);
  EXPECT_NE(ctl::FormatTraffic(t).find("inBytes=100"), std::string::npos);
  EXPECT_NE(ctl::FormatTraffic(t).find("id='10.0.0.2'"), std::string::npos);
}

TEST(ControlFormatTest, ReloadListsEveryConnectionByFate) {
  control::ReloadResult r{
      "reload",    "/etc/ipsec.conf", {"site3"}, {"old"},
      {"changed"}, {"site2"},         {"site2"}, {"/etc/ipsec.conf:9: mtu: ignored"},
      {"logfile"}};
  // The JSON reply round-trips (ipsecctl reads it back).
  auto back = nlohmann::json(r).get<control::ReloadResult>();
  EXPECT_EQ(back.added, r.added);
  EXPECT_EQ(back.psk_changed, r.psk_changed);
  EXPECT_EQ(back.setup_changed, r.setup_changed);
  const std::string text = ctl::FormatReload(back);
  EXPECT_EQ(text.rfind("reload: /etc/ipsec.conf: 1 added, 1 removed, 1 replaced, 1 kept\n", 0), 0u)
      << text;
  for (const char* line :
       {"  added    site3\n", "  removed  old\n", "  replaced changed\n", "  kept     site2\n",
        "  PSK changed for site2", "  warning: /etc/ipsec.conf:9: mtu: ignored\n",
        "  config setup: logfile changed\n"})
    EXPECT_NE(text.find(line), std::string::npos) << line << " in\n" << text;
}

}  // namespace
}  // namespace ipsec::daemon
