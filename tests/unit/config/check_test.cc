// ipsecd --check (RunCheck): text and JSON, exit status, never a secret.
#include "config/check.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "test_util.h"

namespace ipsec::config {
namespace {

using testing::Addr;
using testing::TempDir;

const char* kConf =
    "config setup\n\tuniqueids=yes\n"
    "conn site\n\tleft=192.0.2.1\n\tright=198.51.100.2\n\tleftsubnet=10.1.0.0/16\n"
    "\trightsubnet=10.2.0.0/16\n\tauthby=secret\n\tike=aes256gcm16-prfsha256-x25519\n"
    "\tesp=aes256gcm16\n\tdpddelay=10\n\tdpdtimeout=30\n\tdpdaction=restart\n\tauto=start\n";
const char* kSecret = "S3cr3t-never-shown-0123456789";

struct CheckRun {
  int status;
  std::string out, err;
};

CheckRun Check(const TempDir& d, bool json, const std::string& secrets = "") {
  static FixedHostInfo host({Addr("192.0.2.1")}, Addr("192.0.2.1"));
  CheckOptions o;
  o.config_path = d.path() + "/ipsec.conf";
  o.secrets_path = secrets;
  o.json = json;
  o.load.host = &host;
  std::ostringstream out, err;
  int status = RunCheck(o, out, err);
  return {status, out.str(), err.str()};
}

TEST(Check, TextOutputAndDefaultSecretsBesideConfig) {
  TempDir d;
  d.Write("ipsec.conf", kConf);
  d.Write("ipsec.secrets", std::string("192.0.2.1 198.51.100.2 : PSK \"") + kSecret + "\"\n");
  CheckRun r = Check(d, false);
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("conn site"), std::string::npos);
  EXPECT_NE(r.out.find("child  site/1x1  10.1.0.0/16 === 10.2.0.0/16"), std::string::npos);
  EXPECT_NE(r.out.find("PSK: found (29 bytes) at " + d.path() + "/ipsec.secrets:1"),
            std::string::npos);
  EXPECT_NE(r.out.find("AES_GCM_16_256/PRF_HMAC_SHA2_256/CURVE_25519"), std::string::npos);
  EXPECT_NE(r.out.find("kernel: aes-gcm-256"), std::string::npos);
  EXPECT_NE(r.out.find("delay 10s, timeout 30s, action restart"), std::string::npos);
  EXPECT_EQ(r.out.find(kSecret), std::string::npos);
  EXPECT_EQ(r.err.find(kSecret), std::string::npos);
}

TEST(Check, JsonOutput) {
  TempDir d;
  d.Write("ipsec.conf", kConf);
  d.Write("other.secrets", std::string(": PSK \"") + kSecret + "\"\n");
  CheckRun r = Check(d, true, d.path() + "/other.secrets");
  ASSERT_EQ(r.status, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j["connections"].size(), 1u);
  const auto& c = j["connections"][0];
  EXPECT_EQ(c["name"], "site");
  EXPECT_EQ(c["local"]["host"], "192.0.2.1");
  EXPECT_EQ(c["remote"]["subnets"][0], "10.2.0.0/16");
  EXPECT_EQ(c["children"][0]["name"], "site/1x1");
  EXPECT_EQ(c["psk"]["found"], true);
  EXPECT_EQ(c["psk"]["bytes"], 29);
  EXPECT_EQ(c["ike"]["proposals"][0]["transforms"][0]["id"], 20);  // ENCR_AES_GCM_16
  EXPECT_EQ(c["ike"]["proposals"][0]["transforms"][0]["key_length"], 256);
  EXPECT_EQ(c["esp"]["kernel"], "aes-gcm-256");
  EXPECT_EQ(c["dpd"]["action"], "restart");
  EXPECT_EQ(c["auto"], "start");
  EXPECT_EQ(r.out.find(kSecret), std::string::npos);
}

TEST(Check, MissingPskIsAnError) {
  TempDir d;
  d.Write("ipsec.conf", kConf);
  d.Write("ipsec.secrets", "10.9.9.9 10.8.8.8 : PSK \"x\"\n");
  CheckRun r = Check(d, false);
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.out.find("PSK: NOT FOUND"), std::string::npos);
  EXPECT_NE(r.err.find("ipsec.conf:3: conn site: no PSK in " + d.path() +
                       "/ipsec.secrets for 192.0.2.1 <-> 198.51.100.2"),
            std::string::npos);
}

TEST(Check, ConfigErrorsFailAndWarningsDoNot) {
  TempDir d;
  d.Write("ipsec.conf",
          "conn a\n\tleft=192.0.2.1\n\tright=198.51.100.2\n\tleftsubent=10.0.0.0/8\n");
  d.Write("ipsec.secrets", ": PSK \"x\"\n");
  CheckRun r = Check(d, false);
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("ipsec.conf:4: leftsubent: unknown keyword (did you mean leftsubnet?)"),
            std::string::npos);
  d.Write("ipsec.conf",
          "conn a\n\tleft=192.0.2.1\n\tright=198.51.100.2\n\tcompress=yes\n\tauto=add\n");
  CheckRun w = Check(d, false);
  EXPECT_EQ(w.status, 0) << w.err;
  EXPECT_NE(
      w.err.find("warning: " + d.path() + "/ipsec.conf:4: compress: known but not implemented"),
      std::string::npos);
}

TEST(Check, SecretsfileFromConfigSetup) {
  TempDir d;
  d.Write("ipsec.conf",
          std::string("config setup\n\tsecretsfile=keys/psk.secrets\n") + (kConf + 28));
  mkdir((d.path() + "/keys").c_str(), 0700);
  d.Write("keys/psk.secrets", "198.51.100.2 : PSK \"from-secretsfile\"\n");
  CheckRun r = Check(d, false);
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("PSK: found (16 bytes) at " + d.path() + "/keys/psk.secrets:1"),
            std::string::npos);
}

}  // namespace
}  // namespace ipsec::config
