// Broken inputs: each gives exactly the expected "FILE:LINE: keyword: message".
#include <gtest/gtest.h>

#include <limits>

#include "config/config.h"
#include "test_util.h"

namespace ipsec::config {
namespace {

using testing::Addr;
using testing::TempDir;

struct BrokenCase {
  const char* name;
  const char* text;
  const char* error;  // the whole message (all lines)
};

const BrokenCase kBroken[] = {
    {"BadIpv4", "conn a\n\tleft=192.0.2.300\n\tright=198.51.100.2\n",
     "t.conf:2: left: '192.0.2.300' is not an IPv4 or IPv6 address"},
    {"BadIpv6", "conn a\n\tleft=2001:db8::1\n\tright=2001:db8::zz\n",
     "t.conf:3: right: '2001:db8::zz' is not an IPv4 or IPv6 address"},
    {"HostName", "conn a\n\tleft=192.0.2.1\n\tright=vpn.example.org\n",
     "t.conf:3: right: 'vpn.example.org': host names are not resolved (no DNS at load time); "
     "write the IP address"},
    {"BadCidrLength", "conn a\n\tleft=192.0.2.1\n\tright=198.51.100.2\n\tleftsubnet=10.0.0.0/33\n",
     "t.conf:4: leftsubnet: '10.0.0.0/33': bad prefix length '33' (0..32)"},
    {"BadCidrHostBits",
     "conn a\n\tleft=192.0.2.1\n\tright=198.51.100.2\n\trightsubnet=10.9.0.1/16\n",
     "t.conf:4: rightsubnet: '10.9.0.1/16' has host bits set (did you mean 10.9.0.0/16?)"},
    {"BadCidrAddress", "conn a\n\tleft=192.0.2.1\n\tright=198.51.100.2\n\tleftsubnet=10.0.0/24\n",
     "t.conf:4: leftsubnet: '10.0.0/24' is not a subnet (address '10.0.0' is not an IPv4 or IPv6 "
     "address)"},
    {"UnknownKeywordWithSuggestion",
     "conn a\n\tleft=192.0.2.1\n\tright=198.51.100.2\n\tleftsubent=10.0.0.0/24\n",
     "t.conf:4: leftsubent: unknown keyword (did you mean leftsubnet?)"},
    {"UnknownKeywordCase", "conn a\n\tleft=192.0.2.1\n\tright=198.51.100.2\n\tdpdDelay=30\n",
     "t.conf:4: dpdDelay: unknown keyword (did you mean dpddelay?)"},
    {"UnknownKeyword", "conn a\n\tleft=192.0.2.1\n\tright=198.51.100.2\n\tfrobnicate=yes\n",
     "t.conf:4: frobnicate: unknown keyword"},
    {"UnbalancedOpenBrace",
     "conn a\n\tleft=192.0.2.1\n\tright=198.51.100.2\n\tleftsubnets={10.0.1.0/24 10.0.3.0/24\n",
     "t.conf:4: leftsubnets: unbalanced braces: '{' without '}'"},
    {"UnbalancedCloseBrace",
     "conn a\n\tleft=192.0.2.1\n\tright=198.51.100.2\n\tleftsubnets=10.0.1.0/24}\n",
     "t.conf:4: leftsubnets: unbalanced braces in '10.0.1.0/24}'"},
    {"NestedBraces",
     "conn a\n\tleft=192.0.2.1\n\tright=198.51.100.2\n\tleftsubnets={{10.0.1.0/24}\n",
     "t.conf:4: leftsubnets: unbalanced braces: '{' inside '{...}'"},
    {"BadProposalMd5",
     "conn a\n\tleft=192.0.2.1\n\tright=198.51.100.2\n\tike=aes128-md5-modp2048\n",
     "t.conf:4: ike: md5: MD5 is broken (RFC 8247: MUST NOT); use sha256"},
    {"BadProposalUnknown",
     "conn a\n\tleft=192.0.2.1\n\tright=198.51.100.2\n\tesp=aes256-sha1-modp9999\n",
     "t.conf:4: esp: modp9999: unknown algorithm"},
    {"BadProposal3des", "conn a\n\tleft=192.0.2.1\n\tright=198.51.100.2\n\tphase2alg=3des-sha1\n",
     "t.conf:4: phase2alg: 3des: 3DES is a 64-bit block cipher (Sweet32) deprecated by RFC "
     "8221/8247 and not implemented; use aes128 or aes256"},
    {"MissingRight", "conn a\n\tleft=192.0.2.1\n\tauthby=secret\n",
     "t.conf:1: right: missing right= in conn a (an IP address, %defaultroute or %any)"},
    {"MissingLeft", "conn a\n\tright=192.0.2.1\n",
     "t.conf:1: left: missing left= in conn a (an IP address, %defaultroute or %any)"},
    {"SettingOutsideSection", "\tleft=192.0.2.1\n",
     "t.conf:1: left: setting outside any section (it must follow a 'conn NAME' or 'config "
     "setup' line)"},
    {"NotASectionHeader", "conn a\n\tleft=192.0.2.1\n\tright=198.51.100.2\nconnection b\n",
     "t.conf:4: connection: not a section header: a line starting in column 0 must be 'conn "
     "NAME', 'config setup' or 'include FILE' (keyword lines are indented)"},
    {"ConnKeywordInSetup", "config setup\n\tleft=192.0.2.1\n",
     "t.conf:2: left: belongs in a conn section, not in 'config setup'"},
    {"SetupKeywordInConn", "conn a\n\tleft=192.0.2.1\n\tright=198.51.100.2\n\tplutodebug=all\n",
     "t.conf:4: plutodebug: belongs in 'config setup', not in a conn section"},
    {"SetTwice", "conn a\n\tleft=192.0.2.1\n\tright=198.51.100.2\n\tkeylife=1h\n\tlifetime=2h\n",
     "t.conf:5: lifetime: set twice in this section (first at line 4); lifetime= and keylife= "
     "are the same setting"},
    {"UnterminatedQuote", "conn a\n\tleft=192.0.2.1\n\tright=198.51.100.2\n\tleftid=\"@a.example\n",
     "t.conf:4: leftid: unterminated quoted value (missing closing '\"')"},
    {"FromCert", "conn a\n\tleft=192.0.2.1\n\tright=198.51.100.2\n\tleftid=%fromcert\n",
     "t.conf:4: leftid: %fromcert needs leftcert= (the ID is taken from the certificate)"},
    {"AlsoLoop",
     "conn a\n\talso=b\n\tleft=192.0.2.1\n\tright=198.51.100.2\n\tauto=add\nconn b\n\talso=a\n",
     "t.conf:7: also: also= loop: a -> b -> a"},
    {"AlsoUnknown",
     "conn base\n\tauthby=secret\n\tleft=192.0.2.1\n\tright=198.51.100.9\n"
     "conn a\n\talso=bse\n\tleft=192.0.2.1\n\tright=198.51.100.2\n",
     "t.conf:6: also: no conn named 'bse' (did you mean base?)"},
    {"BadDpdAction", "conn a\n\tleft=192.0.2.1\n\tright=198.51.100.2\n\tdpdaction=reboot\n",
     "t.conf:4: dpdaction: 'reboot' is not one of clear, hold, restart, restart_by_peer, none"},
    {"BadLifetimeUnit", "conn a\n\tleft=192.0.2.1\n\tright=198.51.100.2\n\tikelifetime=8x\n",
     "t.conf:4: ikelifetime: '8x': unknown time unit 'x' (use s, m, h or d)"},
    {"MarginTooLong",
     "conn a\n\tleft=192.0.2.1\n\tright=198.51.100.2\n\tlifetime=10m\n\trekeymargin=10m\n",
     "t.conf:5: rekeymargin: rekey margin 10m must be shorter than the lifetime 10m"},
    {"TransportUnsupported", "conn a\n\tleft=192.0.2.1\n\tright=198.51.100.2\n\ttype=transport\n",
     "t.conf:4: type: type=transport is not supported yet (only tunnel)"},
    // IKEv1: one line naming the setting that asked for it (ike_version.cc).
    {"Ikev1", "conn a\n\tleft=192.0.2.1\n\tright=198.51.100.2\n\tikev2=no\n",
     "t.conf:4: ikev2: IKEv1 is not yet negotiated by this daemon (only IKEv2 is): ikev2=no asks "
     "for IKEv1; use keyexchange=ikev2 if the peer speaks IKEv2"},
    {"Ikev1Never", "conn a\n\tleft=192.0.2.1\n\tright=198.51.100.2\n\tikev2=never\n",
     "t.conf:4: ikev2: IKEv1 is not yet negotiated by this daemon (only IKEv2 is): ikev2=never "
     "asks for IKEv1; use keyexchange=ikev2 if the peer speaks IKEv2"},
    {"KeyexchangeIkev1", "conn a\n\tleft=192.0.2.1\n\tright=198.51.100.2\n\tkeyexchange=ikev1\n",
     "t.conf:4: keyexchange: IKEv1 is not yet negotiated by this daemon (only IKEv2 is): "
     "keyexchange=ikev1 asks for IKEv1; use keyexchange=ikev2 if the peer speaks IKEv2"},
    {"OpenswanKeyexchangeIke",
     "version 2.0\nconn a\n\tleft=192.0.2.1\n\tright=198.51.100.2\n\tkeyexchange=ike\n",
     "t.conf:5: keyexchange: IKEv1 is not yet negotiated by this daemon (only IKEv2 is): "
     "keyexchange=ike in a file read as Openswan's dialect ('version 2.0' at line 1), where it "
     "means IKEv1; use keyexchange=ikev2 if the peer speaks IKEv2"},
    {"OpenswanSetupKeyexchangeIke",
     "config setup\n\tprotostack=netkey\nconn "
     "a\n\tleft=192.0.2.1\n\tright=198.51.100.2\n\tkeyexchange=ike\n",
     "t.conf:6: keyexchange: IKEv1 is not yet negotiated by this daemon (only IKEv2 is): "
     "keyexchange=ike in a file read as Openswan's dialect (protostack= at line 2), where it "
     "means IKEv1; use keyexchange=ikev2 if the peer speaks IKEv2"},
    {"VersionsContradict",
     "conn a\n\tleft=192.0.2.1\n\tright=198.51.100.2\n\tikev2=no\n\tkeyexchange=ikev2\n",
     "t.conf:5: keyexchange: contradicts ikev2=no (line 4)"},
    {"Aggressive", "conn a\n\tleft=192.0.2.1\n\tright=198.51.100.2\n\taggressive=yes\n",
     "t.conf:4: aggressive: aggressive mode is refused: it sends a hash keyed with the pre-shared "
     "key before either side is authenticated, so anyone who sees it can guess the key offline "
     "(main mode only)"},
    {"AggressiveBadValue", "conn a\n\tleft=192.0.2.1\n\tright=198.51.100.2\n\taggrmode=maybe\n",
     "t.conf:4: aggrmode: 'maybe' is not yes or no"},
    {"Xauth",
     "conn "
     "a\n\tleft=192.0.2.1\n\tright=198.51.100.2\n\tleftxauthclient=yes\n\txauth_identity=bob\n",
     "t.conf:4: leftxauthclient: XAUTH is not supported (an IKEv1 extension outside RFC 2409; "
     "pre-shared keys only)\n"
     "t.conf:5: xauth_identity: XAUTH is not supported (an IKEv1 extension outside RFC 2409; "
     "pre-shared keys only)"},
    {"ModeCfg", "conn a\n\tleft=192.0.2.1\n\tright=198.51.100.2\n\trightmodecfgserver=yes\n",
     "t.conf:4: rightmodecfgserver: mode-config is not supported (no address or DNS assignment; "
     "configure both ends)"},
    {"ModeCfgDns", "conn a\n\tleft=192.0.2.1\n\tright=198.51.100.2\n\tmodecfgdns=192.0.2.53\n",
     "t.conf:4: modecfgdns: mode-config is not supported (no address or DNS assignment; "
     "configure both ends)"},
    {"ConnTwice", "conn a\n\tleft=192.0.2.1\n\tright=198.51.100.2\nconn a\n\tleft=192.0.2.1\n",
     "t.conf:4: conn: conn a is defined twice (first at t.conf:1)"},
    {"MixedFamilies",
     "conn "
     "a\n\tleft=192.0.2.1\n\tright=198.51.100.2\n\tleftsubnet=10.0.0.0/8\n\trightsubnet=2001:db8::/"
     "32\n",
     "t.conf:4: leftsubnet: 10.0.0.0/8 has no right subnet of the same address family\n"
     "t.conf:5: rightsubnet: 2001:db8::/32 has no left subnet of the same address family"},
    {"RsaSig", "conn a\n\tleft=192.0.2.1\n\tright=198.51.100.2\n\tauthby=rsasig\n",
     "t.conf:1: leftcert: conn a: left authenticates with a certificate (authby=) but leftcert= "
     "is not set"},
    {"MarkUnique", "conn a\n\tleft=192.0.2.1\n\tright=198.51.100.2\n\tmark=%unique\n",
     "t.conf:4: mark: '%unique' is not supported (write a number, e.g. mark=6 or mark=0x6/0xff)"},
    {"BadMtu", "conn a\n\tleft=192.0.2.1\n\tright=198.51.100.2\n\tmtu=9x\n",
     "t.conf:4: mtu: '9x' is not a number"},
    {"BadMssClamp", "conn a\n\tleft=192.0.2.1\n\tright=198.51.100.2\n\tmss-clamp=maybe\n",
     "t.conf:4: mss-clamp: 'maybe' is not yes, no or an MSS of 536 to 65535 bytes"},
    {"MssClampTooSmall", "conn a\n\tleft=192.0.2.1\n\tright=198.51.100.2\n\tmss-clamp=535\n",
     "t.conf:4: mss-clamp: '535' is not yes, no or an MSS of 536 to 65535 bytes"},
    {"ReplayWindowTooBig", "conn a\n\tleft=192.0.2.1\n\tright=198.51.100.2\n\treplay-window=5000\n",
     "t.conf:4: replay-window: '5000' is out of range (0..4096) (packets, 0 to 4096; 0 turns "
     "replay protection off)"},
    {"BadKeyingtries", "conn a\n\tleft=192.0.2.1\n\tright=198.51.100.2\n\tkeyingtries=forever\n",
     "t.conf:4: keyingtries: 'forever' is not a number (a count or %forever)"},
    {"BadShareIke", "conn a\n\tleft=192.0.2.1\n\tright=198.51.100.2\n\tshare-ike=separate\n",
     "t.conf:4: share-ike: 'separate' is not yes or no (no: an IKE SA of its own, not shared with "
     "other connections)"},
    {"NumericIdTypo", "conn a\n\tleft=192.0.2.1\n\tright=198.51.100.2\n\trightid=198.51.100.2.5\n",
     "t.conf:4: rightid: '198.51.100.2.5' is not a valid IPv4 address (check the digits); write "
     "@name for a name ID"},
    {"DifferentFamilies", "conn a\n\tleft=192.0.2.1\n\tright=2001:db8::2\n",
     "t.conf:3: right: left=192.0.2.1 and right=2001:db8::2 are of different address families"},
    {"IncludeDisabled", "include other.conf\n", "t.conf:1: include: includes are disabled here"},
    {"Annotation", "conn a\n\tleft=192.0.2.1 // our side\n\tright=198.51.100.2\n",
     "t.conf:2: left: unexpected text after the value '192.0.2.1': '// our side' (this looks like "
     "an annotation written into the config; comments in ipsec.conf start with '#')"},
    {"UnquotedSpaces", "config setup\n\tplutodebug=all crypt\n",
     "t.conf:2: plutodebug: unexpected text after the value 'all': 'crypt' (quote a value that "
     "contains spaces; comments start with '#')"},
};

class Broken : public ::testing::TestWithParam<BrokenCase> {};

TEST_P(Broken, ExactMessage) {
  FixedHostInfo host({Addr("192.0.2.1"), Addr("2001:db8::1")}, Addr("192.0.2.1"));
  LoadOptions o;
  o.host = &host;
  o.allow_includes = false;
  auto cfg = ParseConfigText(GetParam().text, "t.conf", o);
  ASSERT_FALSE(cfg) << "accepted: " << GetParam().text;
  EXPECT_EQ(cfg.error().message, GetParam().error);
}

INSTANTIATE_TEST_SUITE_P(Table, Broken, ::testing::ValuesIn(kBroken),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(BrokenFiles, IncludeLoop) {
  TempDir d;
  d.Write("ipsec.conf", "config setup\n\tuniqueids=yes\ninclude conf.d/*.conf\n");
  mkdir((d.path() + "/conf.d").c_str(), 0700);
  d.Write("conf.d/a.conf",
          "conn a\n\tleft=192.0.2.1\n\tright=198.51.100.2\n\ninclude ../ipsec.conf\n");
  FixedHostInfo host({Addr("192.0.2.1")}, Addr("192.0.2.1"));
  LoadOptions o;
  o.host = &host;
  auto cfg = LoadConfig(d.path() + "/ipsec.conf", o);
  ASSERT_FALSE(cfg);
  EXPECT_EQ(cfg.error().message, d.path() + "/conf.d/a.conf:5: include: include loop: " + d.path() +
                                     "/ipsec.conf -> " + d.path() + "/conf.d/a.conf -> " +
                                     d.path() + "/ipsec.conf");
}

TEST(BrokenFiles, UnreadableTopFile) {
  LoadOptions o;
  FixedHostInfo host({}, std::nullopt);
  o.host = &host;
  auto cfg = LoadConfig("/nonexistent/ipsec.conf", o);
  ASSERT_FALSE(cfg);
  EXPECT_EQ(
      cfg.error().message,
      "/nonexistent/ipsec.conf: cannot read /nonexistent/ipsec.conf: No such file or directory");
}

TEST(BrokenFiles, UnreadableIncludedFile) {
  TempDir d;
  d.Write("ipsec.conf", "# top\ninclude missing.conf\n");
  d.Write("secret.conf", "conn x\n", 0000);
  d.Write("dir.conf", "include /\n");
  FixedHostInfo host({}, std::nullopt);
  LoadOptions o;
  o.host = &host;
  auto cfg = LoadConfig(d.path() + "/ipsec.conf", o);
  ASSERT_FALSE(cfg);
  EXPECT_EQ(cfg.error().message, d.path() + "/ipsec.conf:2: include: cannot read " + d.path() +
                                     "/missing.conf: No such file or directory");
  auto dir = LoadConfig(d.path() + "/dir.conf", o);
  ASSERT_FALSE(dir);
  EXPECT_EQ(dir.error().message, d.path() + "/dir.conf:1: include: cannot read /: is a directory");
}

TEST(BrokenFiles, IncludeRelativeToIncludingFile) {
  TempDir d;
  mkdir((d.path() + "/etc").c_str(), 0700);
  mkdir((d.path() + "/etc/ipsec.d").c_str(), 0700);
  d.Write("etc/ipsec.conf", "include ipsec.d/*.conf\n");
  d.Write("etc/ipsec.d/b.conf", "conn b\n\tleft=192.0.2.1\n\tright=198.51.100.3\n");
  d.Write("etc/ipsec.d/a.conf", "conn a\n\tleft=192.0.2.1\n\tright=198.51.100.2\n");
  FixedHostInfo host({Addr("192.0.2.1")}, Addr("192.0.2.1"));
  LoadOptions o;
  o.host = &host;
  auto cfg = LoadConfig(d.path() + "/etc/ipsec.conf", o);
  ASSERT_TRUE(cfg) << cfg.error().message;
  ASSERT_EQ(cfg->connections.size(), 2u);
  EXPECT_EQ(cfg->connections[0].name, "a");  // glob order
  EXPECT_EQ(cfg->connections[1].name, "b");
}

TEST(Warnings, UnimplementedAndObsoleteKeywordsAreNamed) {
  FixedHostInfo host({Addr("192.0.2.1")}, Addr("192.0.2.1"));
  LoadOptions o;
  o.host = &host;
  auto cfg = ParseConfigText(
      "config setup\n\tnat_traversal=yes\n\tvirtual_private=%v4:10.0.0.0/8\n"
      "conn "
      "a\n\tleft=192.0.2.1\n\tright=198.51.100.2\n\tcompress=no\n\tleftnexthop=%defaultroute\n",
      "w.conf", o);
  ASSERT_TRUE(cfg) << cfg.error().message;
  std::vector<std::string> got;
  for (const auto& w : cfg->warnings) got.push_back(w.ToString());
  EXPECT_EQ(got, (std::vector<std::string>{
                     "w.conf:2: nat_traversal: obsolete; ignored (NAT traversal is always on)",
                     "w.conf:3: virtual_private: known but not implemented yet; ignored "
                     "(road-warrior subnets are not implemented)",
                     "w.conf:7: compress: known but not implemented yet; ignored (IPComp is not "
                     "implemented)",
                     "w.conf:8: leftnexthop: known but not implemented yet; ignored (the next hop "
                     "comes from the routing table)",
                 }));
}

// Parsed but not acted on: a warning naming the keyword, the value still
// checked; short lifetimes warn, too-short ones fail.
TEST(Warnings, KeywordsWithoutEffectAndShortLifetimesAreNamed) {
  FixedHostInfo host({Addr("192.0.2.1")}, Addr("192.0.2.1"));
  LoadOptions o;
  o.host = &host;
  auto cfg = ParseConfigText(
      "config setup\n\tuniqueids=no\n"
      "conn a\n\tleft=192.0.2.1\n\tright=198.51.100.2\n\tmark=6\n\tmobike=no\n"
      "\tlifetime=20s\n\tauto=add\n",
      "w.conf", o);
  ASSERT_TRUE(cfg) << cfg.error().message;
  std::vector<std::string> got;
  for (const auto& w : cfg->warnings) got.push_back(w.ToString());
  EXPECT_EQ(got, (std::vector<std::string>{
                     "w.conf:2: uniqueids: parsed, but has no effect yet (a peer's "
                     "INITIAL_CONTACT still replaces its old IKE SAs)",
                     "w.conf:6: mark: parsed, but has no effect yet (ipsecN devices do not use "
                     "marks)",
                     "w.conf:7: mobike: parsed, but has no effect yet (MOBIKE is not "
                     "implemented; a NAT rebinding is followed)",
                     "w.conf:8: lifetime: a lifetime under one minute rekeys very often (fine "
                     "for testing)",
                 }));
  EXPECT_EQ(cfg->connections.at(0).child_lifetime.count(), 20);
  auto bad = ParseConfigText(
      "conn a\n\tleft=192.0.2.1\n\tright=198.51.100.2\n\tmark=zz\n\tlifetime=5s\n", "w.conf", o);
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("mark"), std::string::npos) << bad.error().message;
  EXPECT_NE(bad.error().message.find("under 10 seconds"), std::string::npos) << bad.error().message;
}

// mtu= sets the conn's ipsecN MTU: no "no effect" warning; two loaded conns
// that disagree on one device get a warning naming both (the first wins),
// conns on other devices or auto=ignore ones do not.
TEST(Warnings, MtuSetsTheDeviceAndDisagreementsAreNamed) {
  FixedHostInfo host({Addr("192.0.2.1")}, Addr("192.0.2.1"));
  LoadOptions o;
  o.host = &host;
  auto cfg = ParseConfigText(
      "conn %default\n\tleft=192.0.2.1\n\tauto=add\n"
      "conn a\n\tright=198.51.100.2\n\tmtu=1300\n"
      "conn b\n\tright=198.51.100.3\n\tmtu=1400\n"
      "conn c\n\tright=198.51.100.4\n\tmtu=1300\n"
      "conn d\n\tright=198.51.100.5\n\tmtu=1200\n\tipsec-interface=1\n"
      "conn e\n\tright=198.51.100.6\n\tmtu=1100\n\tauto=ignore\n",
      "m.conf", o);
  ASSERT_TRUE(cfg) << cfg.error().message;
  std::vector<std::string> got;
  for (const auto& w : cfg->warnings) got.push_back(w.ToString());
  EXPECT_EQ(got, (std::vector<std::string>{
                     "m.conf:9: mtu: conn b sets ipsec0's MTU to 1400 but conn a sets it to "
                     "1300; 1300 (conn a) is used",
                 }));
  ASSERT_EQ(cfg->connections.size(), 5u);
  EXPECT_EQ(cfg->connections[0].mtu, 1300u);
  auto bad =
      ParseConfigText("conn a\n\tleft=192.0.2.1\n\tright=198.51.100.2\n\tmtu=67\n", "m.conf", o);
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("m.conf:4: mtu"), std::string::npos) << bad.error().message;
}

// ipsec-interface=N@NS: ipsecN in netns NS; bad netns names and @NS without
// a number are errors naming the line.
TEST(Syntax, IpsecInterfaceInANetns) {
  FixedHostInfo host({Addr("192.0.2.1")}, Addr("192.0.2.1"));
  LoadOptions o;
  o.host = &host;
  auto cfg = ParseConfigText(
      "conn a\n\tleft=192.0.2.1\n\tright=198.51.100.2\n\tipsec-interface=2@private\n"
      "conn b\n\tleft=192.0.2.1\n\tright=198.51.100.3\n\tipsec-interface=2\n",
      "n.conf", o);
  ASSERT_TRUE(cfg) << cfg.error().message;
  ASSERT_EQ(cfg->connections.size(), 2u);
  EXPECT_EQ(cfg->connections[0].ipsec_interface, 2u);
  EXPECT_EQ(cfg->connections[0].interface_netns, "private");
  EXPECT_EQ(DeviceName(cfg->connections[0]), "ipsec2@private");
  EXPECT_EQ(DeviceName(cfg->connections[1]), "ipsec2");
  for (const char* bad : {"2@", "2@a/b", "yes@private", "x@private", "2@.."}) {
    auto r = ParseConfigText(std::string("conn a\n\tleft=192.0.2.1\n\tright=198.51.100.2\n"
                                         "\tipsec-interface=") +
                                 bad + "\n",
                             "n.conf", o);
    ASSERT_FALSE(r) << bad;
    EXPECT_NE(r.error().message.find("n.conf:4: ipsec-interface"), std::string::npos)
        << r.error().message;
  }
}

// strongSwan's if_id_in=/if_id_out= select the device as ipsec-interface=
// does: both set, equal (decimal or hex), agreeing with ipsec-interface=
// when that is set too (its @NS kept). Anything else is an error naming the
// file, line and keyword.
TEST(Syntax, IfIdInOutSelectTheDevice) {
  FixedHostInfo host({Addr("192.0.2.1")}, Addr("192.0.2.1"));
  LoadOptions o;
  o.host = &host;
  const std::string head = "conn a\n\tleft=192.0.2.1\n\tright=198.51.100.2\n";
  auto cfg = ParseConfigText(head +
                                 "\tif_id_in=3\n\tif_id_out=0x3\n"
                                 "conn b\n\tleft=192.0.2.1\n\tright=198.51.100.3\n"
                                 "\tipsec-interface=2@private\n\tif_id_in=2\n\tif_id_out=2\n"
                                 "conn c\n\tleft=192.0.2.1\n\tright=198.51.100.4\n"
                                 "\tif_id_in=0\n\tif_id_out=0\n",
                             "f.conf", o);
  ASSERT_TRUE(cfg) << cfg.error().message;
  ASSERT_EQ(cfg->connections.size(), 3u);
  EXPECT_EQ(DeviceName(cfg->connections[0]), "ipsec3");
  EXPECT_EQ(DeviceName(cfg->connections[1]), "ipsec2@private");
  EXPECT_EQ(DeviceName(cfg->connections[2]), "ipsec0");
  EXPECT_TRUE(cfg->warnings.empty());
  struct Bad {
    const char* lines;
    const char* where;  // "f.conf:N: keyword"
    const char* says;
  };
  for (const Bad& b : std::initializer_list<Bad>{
           {"\tif_id_in=1\n", "f.conf:4: if_id_in", "without if_id_out="},
           {"\tif_id_out=1\n", "f.conf:4: if_id_out", "without if_id_in="},
           {"\tif_id_in=1\n\tif_id_out=2\n", "f.conf:5: if_id_out", "differ"},
           {"\tif_id_in=%unique\n\tif_id_out=%unique\n", "f.conf:4: if_id_in", "not supported"},
           {"\tif_id_in=65536\n\tif_id_out=65536\n", "f.conf:4: if_id_in", "out of range"},
           {"\tif_id_in=x\n\tif_id_out=x\n", "f.conf:4: if_id_in", "not a number"},
           {"\tipsec-interface=1\n\tif_id_in=2\n\tif_id_out=2\n", "f.conf:6: if_id_out",
            "ipsec-interface=1 (line 4)"},
           {"\tipsec-interface=no\n\tif_id_in=2\n\tif_id_out=2\n", "f.conf:6: if_id_out",
            "names another device"},
       }) {
    auto r = ParseConfigText(head + b.lines, "f.conf", o);
    ASSERT_FALSE(r) << b.lines;
    EXPECT_NE(r.error().message.find(b.where), std::string::npos) << r.error().message;
    EXPECT_NE(r.error().message.find(b.says), std::string::npos) << r.error().message;
  }
}

// leftinterface-ip= (libreswan): address/prefix for the local end's device,
// host bits kept; follows the end when the ends swap.
TEST(Syntax, InterfaceIpIsTheLocalEndsInsideAddress) {
  FixedHostInfo host({Addr("192.0.2.1")}, Addr("192.0.2.1"));
  LoadOptions o;
  o.host = &host;
  auto cfg = ParseConfigText(
      "conn a\n\tright=192.0.2.1\n\tleft=198.51.100.2\n\tipsec-interface=1\n"
      "\trightinterface-ip=169.254.10.2/30\n\tleftinterface-ip=169.254.10.1/30\n",
      "i.conf", o);
  ASSERT_TRUE(cfg) << cfg.error().message;
  ASSERT_TRUE(cfg->connections[0].local.interface_ip);
  EXPECT_EQ(cfg->connections[0].local.interface_ip->ToString(), "169.254.10.2/30");
  EXPECT_TRUE(cfg->warnings.empty());
  for (const char* bad : {"169.254.10.2", "169.254.10.2/33", "fd00::1/129", "x/30"}) {
    auto r = ParseConfigText(
        std::string("conn a\n\tleft=192.0.2.1\n\tright=198.51.100.2\n\tleftinterface-ip=") + bad +
            "\n",
        "i.conf", o);
    ASSERT_FALSE(r) << bad;
    EXPECT_NE(r.error().message.find("i.conf:4: leftinterface-ip"), std::string::npos)
        << r.error().message;
  }
}

TEST(Syntax, CommentsQuotesSpacingAndIpv6) {
  FixedHostInfo host({Addr("2001:db8::1")}, std::nullopt, Addr("2001:db8::1"));
  LoadOptions o;
  o.host = &host;
  auto cfg = ParseConfigText(
      "# leading comment\n"
      "config setup # trailing comment after a header\n"
      "\tplutodebug=\"all crypt\"  # quoted with spaces\n"
      "\tinterfaces=\"%defaultroute\"\n"
      "\n"
      "conn v6\t# tab before the comment\n"
      "  left = 2001:db8::1\n"
      "\tright=\"2001:db8::2\"\n"
      "\tleftid=@#notakeyid-this-is-a-comment-because-no-space\n"
      "\tleftsubnet = 2001:db8:1::/48, 2001:db8:2::/48\n"
      "\trightsubnets={2001:db8:3::/48}\n"
      "\tauto=route\n",
      "s.conf", o);
  // leftid=@#... is a key-ID: not supported, but the '#' did not start a comment.
  ASSERT_FALSE(cfg);
  EXPECT_EQ(cfg.error().message,
            "s.conf:9: leftid: '@#notakeyid-this-is-a-comment-because-no-space': key-ID and raw "
            "identities are not supported");

  auto ok = ParseConfigText(
      "config setup # trailing comment after a header\n"
      "\tplutodebug=\"all crypt\"  # quoted with spaces\n"
      "conn v6\t# tab before the comment\n"
      "  left = 2001:db8::1\n"
      "\tright=\"2001:db8::2\"\n"
      "\tleftsubnet = 2001:db8:1::/48, 2001:db8:2::/48\n"
      "\trightsubnets={2001:db8:3::/48}\n"
      "\tauto=ondemand\n",
      "s.conf", o);
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_EQ(ok->setup.debug, "all crypt");
  const Connection& c = ok->connections[0];
  EXPECT_EQ(c.remote.host, Addr("2001:db8::2"));
  EXPECT_EQ(c.subnet_pairs.size(), 2u);
  EXPECT_EQ(c.auto_action, AutoAction::kRoute);
}

TEST(Resolve, AnyRemoteAndDefaultRouteV6) {
  FixedHostInfo host({Addr("2001:db8::1")}, std::nullopt, Addr("2001:db8::1"));
  LoadOptions o;
  o.host = &host;
  auto cfg = ParseConfigText(
      "conn rw\n\tleft=%defaultroute\n\tright=%any6\n\tleftsubnet=2001:db8:5::/48\n", "a.conf", o);
  ASSERT_TRUE(cfg) << cfg.error().message;
  const Connection& c = cfg->connections[0];
  EXPECT_EQ(c.local.host, Addr("2001:db8::1"));
  EXPECT_FALSE(c.remote.host.is_set());
  EXPECT_EQ(c.remote.host_kind, HostKind::kAny6);
  EXPECT_EQ(c.remote.id.kind, Identity::Kind::kAny);
  EXPECT_TRUE(c.subnet_pairs.empty());  // the peer's address decides

  FixedHostInfo none({Addr("192.0.2.1")}, std::nullopt);
  auto bad = ParseConfigText("conn x\n\tleft=%defaultroute\n\tright=198.51.100.2\n", "b.conf",
                             LoadOptions{&none, false, "", false});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message,
            "b.conf:2: left: %defaultroute: this host has no IPv4 default route");
}

// libreswan's ddos-mode / ddos-ike-threshold set the COOKIE threshold.
TEST(Setup, DdosModeSetsTheCookieThreshold) {
  FixedHostInfo host({Addr("192.0.2.1")}, Addr("192.0.2.1"));
  LoadOptions o;
  o.host = &host;
  const std::string conn = "conn a\n\tleft=192.0.2.1\n\tright=198.51.100.2\n";
  auto parse = [&](const std::string& setup) {
    return ParseConfigText("config setup\n" + setup + conn, "d.conf", o);
  };
  auto none = parse("");
  ASSERT_TRUE(none) << none.error().message;
  EXPECT_FALSE(none->setup.cookie_threshold);
  auto busy = parse("\tddos-mode=busy\n");
  ASSERT_TRUE(busy) << busy.error().message;
  EXPECT_EQ(busy->setup.cookie_threshold, 0u);
  auto unlimited = parse("\tddos-mode=unlimited\n");
  ASSERT_TRUE(unlimited) << unlimited.error().message;
  EXPECT_EQ(unlimited->setup.cookie_threshold, std::numeric_limits<size_t>::max());
  auto threshold = parse("\tddos-mode=auto\n\tddos-ike-threshold=10\n");
  ASSERT_TRUE(threshold) << threshold.error().message;
  EXPECT_EQ(threshold->setup.cookie_threshold, 10u);
  EXPECT_TRUE(threshold->warnings.empty());
  auto bad = parse("\tddos-mode=sometimes\n");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message,
            "d.conf:2: ddos-mode: 'sometimes' is not one of auto, busy, unlimited");
  auto nan = parse("\tddos-ike-threshold=many\n");
  ASSERT_FALSE(nan);
  EXPECT_EQ(nan.error().message,
            "d.conf:2: ddos-ike-threshold: 'many' is not a number of half-open IKE SAs");
}

// ike-window= and ike-init-limit(-per-peer)= (engine/task_manager.h,
// engine/init_pacing.h): numbers in range, unset without the key.
TEST(Setup, IkeWindowAndInitLimits) {
  FixedHostInfo host({Addr("192.0.2.1")}, Addr("192.0.2.1"));
  LoadOptions o;
  o.host = &host;
  const std::string conn = "conn a\n\tleft=192.0.2.1\n\tright=198.51.100.2\n";
  auto parse = [&](const std::string& setup) {
    return ParseConfigText("config setup\n" + setup + conn, "w.conf", o);
  };
  auto none = parse("");
  ASSERT_TRUE(none) << none.error().message;
  EXPECT_FALSE(none->setup.ike_window);
  EXPECT_FALSE(none->setup.init_limit);
  EXPECT_FALSE(none->setup.init_limit_per_peer);
  auto set = parse("\tike-window=32\n\tike-init-limit=0\n\tike-init-limit-per-peer=2\n");
  ASSERT_TRUE(set) << set.error().message;
  EXPECT_EQ(set->setup.ike_window, 32u);
  EXPECT_EQ(set->setup.init_limit, 0u);
  EXPECT_EQ(set->setup.init_limit_per_peer, 2u);
  EXPECT_TRUE(set->warnings.empty());
  auto zero = parse("\tike-window=0\n");
  ASSERT_FALSE(zero);
  EXPECT_EQ(zero.error().message, "w.conf:2: ike-window: '0' is not an IKE window from 1 to 256");
  auto big = parse("\tike-window=1000\n");
  ASSERT_FALSE(big);
  EXPECT_EQ(big.error().message, "w.conf:2: ike-window: '1000' is not an IKE window from 1 to 256");
  auto nan = parse("\tike-init-limit=few\n");
  ASSERT_FALSE(nan);
  EXPECT_EQ(nan.error().message,
            "w.conf:2: ike-init-limit: 'few' is not a number of half-open IKE SAs from 0 to "
            "100000");
  auto in_conn = ParseConfigText(conn + "\tike-window=4\n", "w.conf", o);
  ASSERT_FALSE(in_conn);
}

TEST(Resolve, TemplatesOnlyUsedThroughAlsoAreNotConnections) {
  FixedHostInfo host({Addr("192.0.2.1")}, Addr("192.0.2.1"));
  LoadOptions o;
  o.host = &host;
  auto cfg = ParseConfigText(
      "conn base\n\tauthby=secret\n\tleft=192.0.2.1\n"
      "conn one\n\talso=base\n\tright=198.51.100.1\n\tauto=start\n"
      "conn two\n\talso=base\n\tright=198.51.100.2\n",
      "t.conf", o);
  ASSERT_TRUE(cfg) << cfg.error().message;
  ASSERT_EQ(cfg->connections.size(), 2u);
  EXPECT_EQ(cfg->connections[0].name, "one");
  EXPECT_EQ(cfg->connections[1].name, "two");
  EXPECT_EQ(cfg->connections[1].auto_action, AutoAction::kIgnore);
}

// Log destinations: syslog=FACILITY[.LEVEL] is checked, plutostderrlog= is
// Openswan's name for logfile=.
TEST(Setup, LogDestinations) {
  FixedHostInfo host({Addr("192.0.2.1")}, Addr("192.0.2.1"));
  LoadOptions o;
  o.host = &host;
  const std::string conn = "conn a\n\tleft=192.0.2.1\n\tright=198.51.100.2\n";
  auto parse = [&](const std::string& setup) {
    return ParseConfigText("config setup\n" + setup + conn, "l.conf", o);
  };
  auto sys = parse("\tsyslog=local3.warning\n");
  ASSERT_TRUE(sys) << sys.error().message;
  EXPECT_EQ(sys->setup.syslog, "local3.warning");
  EXPECT_TRUE(sys->warnings.empty()) << sys->warnings.front().ToString();
  auto facility = parse("\tsyslog=kern\n");
  ASSERT_FALSE(facility);
  EXPECT_EQ(facility.error().message,
            "l.conf:2: syslog: 'kern' is not a syslog facility (daemon, user, auth, authpriv, "
            "local0..local7)");
  auto level = parse("\tsyslog=daemon.loud\n");
  ASSERT_FALSE(level);
  EXPECT_EQ(level.error().message,
            "l.conf:2: syslog: 'loud' is not a syslog level (debug, info, notice, warning, err, "
            "crit, alert, emerg)");
  auto stderrlog = parse("\tplutostderrlog=/var/log/pluto.log\n");
  ASSERT_TRUE(stderrlog) << stderrlog.error().message;
  EXPECT_EQ(stderrlog->setup.logfile, "/var/log/pluto.log");
  EXPECT_TRUE(stderrlog->warnings.empty()) << stderrlog->warnings.front().ToString();
  auto both = parse("\tplutostderrlog=/var/log/a\n\tlogfile=/var/log/b\n");
  ASSERT_TRUE(both) << both.error().message;
  EXPECT_EQ(both->setup.logfile, "/var/log/b");
  ASSERT_EQ(both->warnings.size(), 1u);
  EXPECT_EQ(both->warnings[0].ToString(),
            "l.conf:3: logfile: both logfile= and plutostderrlog= are set; using logfile=");
}

}  // namespace
}  // namespace ipsec::config
