// daemon::Credentials: leftcert= with its key from ipsec.secrets and the
// trust anchors of cadir=, loaded with the configuration; the one-line
// errors when a key or an anchor is missing. On the credentials
// tests/unit/ike/cert/make_fixtures.sh makes (the cert_fixtures fixture).
#include "daemon/credentials.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "config/test_util.h"

namespace ipsec::daemon {
namespace {

const std::string kFix = CERT_FIXTURES;

struct Loaded {
  config::Config cfg;
  config::Secrets secrets;
};

Loaded Load(const std::string& cadir, const std::string& secrets_text) {
  static config::FixedHostInfo host({*IpAddress::Parse("192.0.2.1")},
                                    *IpAddress::Parse("192.0.2.1"));
  config::LoadOptions o;
  o.host = &host;
  auto cfg = config::ParseConfigText("config setup\n\tcadir=" + cadir +
                                         "\nconn a\n\tleft=192.0.2.1\n\tright=192.0.2.2\n"
                                         "\tauthby=pubkey\n\tleftcert=" +
                                         kFix + "/moon.pem\n\tauto=add\n",
                                     "t.conf", o);
  EXPECT_TRUE(cfg) << cfg.error().message;
  auto secrets = config::ParseSecretsText(
      secrets_text, "t.secrets",
      {.allow_includes = false, .include_root = "", .check_permissions = false});
  EXPECT_TRUE(secrets) << secrets.error().message;
  return {std::move(cfg).value(), std::move(secrets).value()};
}

class CredentialsTest : public ::testing::Test {
 protected:
  CredentialsTest() {
    std::filesystem::create_directory(dir.path() + "/ca");
    std::filesystem::create_directory(dir.path() + "/empty");
    std::filesystem::copy_file(kFix + "/ca.pem", dir.path() + "/ca/ca.pem");
  }
  config::testing::TempDir dir;
};

TEST_F(CredentialsTest, CertificateKeyAndAnchorsLoad) {
  auto l = Load(dir.path() + "/ca", ": ECDSA " + kFix + "/p256.key\n: RSA " + kFix + "/moon.key\n");
  std::vector<std::string> warnings;
  auto c = Credentials::Load(l.cfg, l.secrets, &warnings);
  ASSERT_TRUE(c) << c.error().message;
  const engine::LocalCredential* moon = (*c)->Find(kFix + "/moon.pem");
  ASSERT_NE(moon, nullptr);
  ASSERT_EQ(moon->chain.size(), 1u);
  EXPECT_EQ(moon->chain[0].Subject(), "C=CH, O=ipsec_tun test, CN=moon.example.org");
  ASSERT_TRUE(moon->key);
  EXPECT_TRUE(moon->key->Matches(moon->chain[0].public_key()));
  EXPECT_EQ((*c)->Find(kFix + "/sun.pem"), nullptr);
  ASSERT_EQ((*c)->anchors().anchors().size(), 1u);
  EXPECT_EQ((*c)->anchors().anchors()[0].Subject(), "C=CH, O=ipsec_tun test, CN=Test Root CA");
  EXPECT_TRUE(warnings.empty());
}

TEST_F(CredentialsTest, NoKeyForTheCertificateIsOneLine) {
  auto l = Load(dir.path() + "/ca", ": ECDSA " + kFix + "/p256.key\n");
  auto c = Credentials::Load(l.cfg, l.secrets, nullptr);
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().message, "conn a: no private key for leftcert " + kFix +
                                   "/moon.pem ('C=CH, O=ipsec_tun test, CN=moon.example.org') "
                                   "in t.secrets (add ': RSA|ECDSA|PKCS8 KEYFILE')");
}

TEST_F(CredentialsTest, NoTrustAnchorIsOneLine) {
  auto l = Load(dir.path() + "/empty", ": RSA " + kFix + "/moon.key\n");
  auto c = Credentials::Load(l.cfg, l.secrets, nullptr);
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().message,
            "conn a: right authenticates with a certificate but no CA "
            "certificate is in " +
                dir.path() + "/empty (set cadir=)");
}

}  // namespace
}  // namespace ipsec::daemon
