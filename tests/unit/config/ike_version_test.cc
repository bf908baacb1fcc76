// The IKE version a conn asks for (config/ike_version.cc): what each
// spelling means, where keyexchange=ike means IKEv1 (Openswan's dialect)
// and where it keeps IKEv2 (strongSwan / libreswan files), and that the
// IKEv1 extensions set to "no" load. The error lines are in errors_test.cc.
#include <gtest/gtest.h>

#include "config/config.h"
#include "test_util.h"

namespace ipsec::config {
namespace {

using testing::Addr;

class IkeVersion : public ::testing::Test {
 protected:
  FixedHostInfo host_{{Addr("192.0.2.1")}, Addr("192.0.2.1")};
  Result<Config> Load(const std::string& text, bool ikev1 = true) {
    LoadOptions o;
    o.host = &host_;
    o.allow_includes = false;
    o.ikev1_negotiated = ikev1;
    return ParseConfigText(text, "t.conf", o);
  }
  IkeVersionPolicy VersionOf(const std::string& text) {
    auto cfg = Load(text);
    EXPECT_TRUE(cfg) << cfg.error().message;
    if (!cfg || cfg->connections.size() != 1) return IkeVersionPolicy::kIkev2Permit;
    return cfg->connections[0].ike_version;
  }
};

const std::string kConn = "conn a\n\tleft=192.0.2.1\n\tright=198.51.100.2\n";

TEST_F(IkeVersion, EachSpelling) {
  EXPECT_EQ(VersionOf(kConn), IkeVersionPolicy::kIkev2);
  EXPECT_EQ(VersionOf(kConn + "\tikev2=no\n"), IkeVersionPolicy::kIkev1);
  EXPECT_EQ(VersionOf(kConn + "\tikev2=never\n"), IkeVersionPolicy::kIkev1);
  EXPECT_EQ(VersionOf(kConn + "\tkeyexchange=ikev1\n"), IkeVersionPolicy::kIkev1);
  EXPECT_EQ(VersionOf(kConn + "\tkeyexchange=ikev1\n\tikev2=no\n"), IkeVersionPolicy::kIkev1);
  EXPECT_EQ(VersionOf(kConn + "\tkeyexchange=ikev2\n"), IkeVersionPolicy::kIkev2Insist);
  EXPECT_EQ(VersionOf(kConn + "\tikev2=insist\n"), IkeVersionPolicy::kIkev2Insist);
}

// strongSwan's keyexchange=ike (initiate IKEv2, answer both): an indented
// file without Openswan's markers initiates IKEv2 (VM scenario 517 runs
// such a file against strongSwan in IKEv2) and answers a peer starting
// with IKEv1 (VM 586); libreswan 3's ikev2=propose and permit alike.
TEST_F(IkeVersion, KeyexchangeIkeOutsideOpenswanAnswersBoth) {
  EXPECT_EQ(VersionOf(kConn + "\tkeyexchange=ike\n\tphase2alg=aes128-sha1;modp1024\n"),
            IkeVersionPolicy::kIkev2Permit);
  EXPECT_EQ(VersionOf("config setup\n\tuniqueids=yes\n" + kConn + "\tkeyexchange=ike\n"),
            IkeVersionPolicy::kIkev2Permit);
  EXPECT_EQ(VersionOf(kConn + "\tikev2=propose\n"), IkeVersionPolicy::kIkev2Permit);
  EXPECT_EQ(VersionOf(kConn + "\tikev2=permit\n"), IkeVersionPolicy::kIkev2Permit);
  EXPECT_EQ(VersionOf(kConn + "\tikev2=yes\n"), IkeVersionPolicy::kIkev2);
  // ikev2= narrows a keyexchange=ike that allows both, without a contradiction.
  EXPECT_EQ(VersionOf(kConn + "\tkeyexchange=ike\n\tikev2=no\n"), IkeVersionPolicy::kIkev1);
  EXPECT_EQ(VersionOf(kConn + "\tkeyexchange=ike\n\tikev2=insist\n"),
            IkeVersionPolicy::kIkev2Insist);
  EXPECT_EQ(VersionOf(kConn + "\tkeyexchange=ikev2\n\tikev2=permit\n"),
            IkeVersionPolicy::kIkev2Insist);
}

TEST_F(IkeVersion, KeyexchangeIkeInOpenswanFilesIsIkev1) {
  EXPECT_EQ(VersionOf("version 2.0\n" + kConn + "\tkeyexchange=ike\n"), IkeVersionPolicy::kIkev1);
  EXPECT_EQ(VersionOf("config setup\n\tnat_traversal=yes\n" + kConn + "\tkeyexchange=ike\n"),
            IkeVersionPolicy::kIkev1);
  EXPECT_EQ(VersionOf("conn a\nleft=192.0.2.1\nright=198.51.100.2\nkeyexchange=ike\n"),
            IkeVersionPolicy::kIkev1);
  // The Openswan marker does not turn an explicit IKEv2 into IKEv1.
  EXPECT_EQ(VersionOf("version 2.0\n" + kConn + "\tkeyexchange=ikev2\n"),
            IkeVersionPolicy::kIkev2Insist);
}

TEST_F(IkeVersion, RefusedUntilTheEngineNegotiatesIt) {
  auto cfg = Load(kConn + "\tkeyexchange=ikev1\n", false);
  ASSERT_FALSE(cfg);
  EXPECT_EQ(std::count(cfg.error().message.begin(), cfg.error().message.end(), '\n'), 0);
  EXPECT_NE(cfg.error().message.find("t.conf:4: keyexchange: IKEv1 is not yet negotiated"),
            std::string::npos);
  EXPECT_TRUE(Load(kConn + "\tkeyexchange=ikev2\n", false));
}

TEST_F(IkeVersion, ExtensionsSetToNoLoad) {
  auto cfg = Load(kConn +
                  "\taggressive=no\n\tleftxauthclient=no\n\trightxauthserver=no\n"
                  "\tleftmodecfgclient=no\n\tmodecfgpull=no\n");
  ASSERT_TRUE(cfg) << cfg.error().message;
  for (const auto& w : cfg->warnings)
    EXPECT_EQ(w.message.find("not implemented"), std::string::npos) << w.ToString();
}

}  // namespace
}  // namespace ipsec::config
