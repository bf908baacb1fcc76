// ipsec.secrets: syntax, encodings, includes, best match, permissions.
#include "config/secrets.h"

#include <gtest/gtest.h>

#include "config/values.h"
#include "test_util.h"

namespace ipsec::config {
namespace {

using testing::Addr;
using testing::TempDir;

std::string Text(const SecureBytes& b) {
  return std::string(b.data(), b.data() + b.size());
}

Identity Id(const char* s) {
  std::string w;
  auto r = ParseIdentity(s, &w);
  EXPECT_TRUE(r) << s;
  return r ? *r : Identity{};
}

TEST(Secrets, FormsAndEncodings) {
  auto s = ParseSecretsText(
      "# comment\n"
      "10.0.0.1 10.0.0.2 : PSK \"pair secret\"   # trailing comment\n"
      "@a.example.org @b.example.org : PSK 0x616263\n"
      "2001:db8::1 2001:db8::2 : PSK 0sYmFzZTY0IQ==\n"
      "user@example.org %any : PSK 'single quoted'\n"
      ": PSK \"default\"\n"
      "   10.0.0.9 : PSK bare#notcomment\n",
      "s.secrets");
  ASSERT_TRUE(s) << s.error().message;
  const auto& e = s->entries();
  ASSERT_EQ(e.size(), 6u);
  EXPECT_EQ(Text(e[0].psk), "pair secret");
  EXPECT_EQ(e[0].ids.size(), 2u);
  EXPECT_EQ(Text(e[1].psk), "abc");
  EXPECT_EQ(e[1].ids[0].kind, Identity::Kind::kFqdn);
  EXPECT_EQ(Text(e[2].psk), "base64!");
  EXPECT_EQ(e[2].ids[1], Identity::FromAddress(Addr("2001:db8::2")));
  EXPECT_EQ(Text(e[3].psk), "single quoted");
  EXPECT_EQ(e[3].ids[0].kind, Identity::Kind::kUserFqdn);
  EXPECT_EQ(e[3].ids[1].kind, Identity::Kind::kAny);
  EXPECT_TRUE(e[4].ids.empty());
  EXPECT_EQ(Text(e[5].psk), "bare#notcomment");
  EXPECT_EQ(e[5].where.line, 7);
}

TEST(Secrets, BestMatch) {
  auto s = ParseSecretsText(
      ": PSK \"default\"\n"
      "%any 10.0.0.2 : PSK \"any-to-2\"\n"
      "10.0.0.1 10.0.0.2 : PSK \"exact-pair\"\n"
      "10.0.0.1 %any : PSK \"1-to-any\"\n"
      "10.0.0.3 : PSK \"just-3\"\n"
      "@gw.example.org @peer.example.org : PSK \"by-name\"\n"
      "10.0.0.7 10.0.0.8 : PSK \"other-pair\"\n",
      "b.secrets");
  ASSERT_TRUE(s) << s.error().message;
  auto find = [&](const char* l, const char* r, const char* la, const char* ra) {
    auto p = s->FindPsk(Id(l), Id(r), Addr(la), Addr(ra));
    return p ? Text(*p) : std::string("none");
  };
  // Both IDs listed beats everything, whatever the order in the file.
  EXPECT_EQ(find("10.0.0.1", "10.0.0.2", "10.0.0.1", "10.0.0.2"), "exact-pair");
  EXPECT_EQ(find("10.0.0.2", "10.0.0.1", "10.0.0.2", "10.0.0.1"), "exact-pair");
  // Remote listed (local via %any) beats local listed.
  EXPECT_EQ(find("10.0.0.5", "10.0.0.2", "10.0.0.5", "10.0.0.2"), "any-to-2");
  EXPECT_EQ(find("10.0.0.1", "10.0.0.6", "10.0.0.1", "10.0.0.6"), "1-to-any");
  // A single-ID entry matches that peer.
  EXPECT_EQ(find("10.0.0.5", "10.0.0.3", "10.0.0.5", "10.0.0.3"), "just-3");
  // FQDN IDs, case-insensitively.
  EXPECT_EQ(find("@GW.example.org", "@peer.example.org", "10.0.0.1", "10.9.9.9"), "by-name");
  // An entry naming two other IDs is not used for one of them.
  EXPECT_EQ(find("10.0.0.5", "10.0.0.8", "10.0.0.5", "10.0.0.8"), "default");
  // Address fallback: the ID is a name, the secrets line lists the addresses.
  EXPECT_EQ(find("@x.example.org", "@y.example.org", "10.0.0.7", "10.0.0.8"), "other-pair");
  auto m = s->FindPskMatch(Id("10.0.0.1"), Id("10.0.0.2"), Addr("10.0.0.1"), Addr("10.0.0.2"));
  ASSERT_TRUE(m);
  EXPECT_EQ(m->where.ToString(), "b.secrets:3");
}

TEST(Secrets, NoDefaultMeansNoMatch) {
  auto s = ParseSecretsText("10.0.0.1 10.0.0.2 : PSK \"x\"\n", "n.secrets");
  ASSERT_TRUE(s);
  EXPECT_FALSE(s->FindPsk(Id("10.0.0.3"), Id("10.0.0.4"), Addr("10.0.0.3"), Addr("10.0.0.4")));
}

TEST(Secrets, OtherKindsWarnAndRsaBlocksAreSkipped) {
  auto s = ParseSecretsText(
      ": RSA {\n"
      "\tModulus: 0x1234\n"
      "\t}\n"
      "@me : XAUTH \"pw\"\n"
      "10.0.0.1 10.0.0.2 : PSK \"ok\"\n",
      "k.secrets");
  ASSERT_TRUE(s) << s.error().message;
  ASSERT_EQ(s->entries().size(), 1u);
  ASSERT_EQ(s->warnings().size(), 2u);
  EXPECT_EQ(s->warnings()[0].ToString(),
            "k.secrets:1: RSA: raw key blocks are not used (name a key file: ': RSA file.pem')");
  EXPECT_EQ(s->warnings()[1].ToString(),
            "k.secrets:4: XAUTH: only PSK secrets and key files are used; this entry is ignored");
}

struct BadSecret {
  const char* text;
  const char* error;
};

TEST(Secrets, ErrorsNeverQuoteTheSecret) {
  const BadSecret cases[] = {
      {"10.0.0.1 10.0.0.2 PSK \"hunter2\"\n",
       "x.secrets:1: expected 'ID ... : PSK \"secret\"' (no ':' separating IDs from the key type)"},
      {"10.0.0.1 : PSK\n", "x.secrets:1: PSK: missing secret after PSK"},
      {"10.0.0.1 : PSK \"hunter2\n", "x.secrets:1: PSK: unterminated quoted secret"},
      {"10.0.0.1 : PSK hunter2 extra\n",
       "x.secrets:1: PSK: unexpected text after the secret (quote a secret that contains spaces)"},
      {"10.0.0.1 : PSK 0xhunter2\n",
       "x.secrets:1: PSK: bad hex secret after 0x (an even number of hex digits)"},
      {"10.0.0.1 : PSK 0s!!!!\n", "x.secrets:1: PSK: bad base64 secret after 0s"},
      {"10.0.0.1 : PSK \"\"\n", "x.secrets:1: PSK: empty secret"},
      {"10.0.0.1 : FOO \"hunter2\"\n",
       "x.secrets:1: FOO: unknown key type (PSK, RSA, ECDSA, EAP, XAUTH, ...)"},
      {"10.0.0.300 : PSK \"hunter2\"\n",
       "x.secrets:1: 10.0.0.300: '10.0.0.300' is not a valid IPv4 address (check the digits); "
       "write @name for a name ID"},
      {": RSA {\n", "x.secrets:1: unbalanced braces: '{' without '}'"},
      {"include other.secrets\n", "x.secrets:1: include: includes are disabled here"},
  };
  SecretsLoadOptions o;
  o.allow_includes = false;
  for (const auto& c : cases) {
    auto s = ParseSecretsText(c.text, "x.secrets", o);
    ASSERT_FALSE(s) << c.text;
    EXPECT_EQ(s.error().message, c.error);
    EXPECT_EQ(s.error().message.find("hunter2"), std::string::npos);
  }
}

TEST(Secrets, IncludeGlobRelativeAndPermissions) {
  TempDir d;
  mkdir((d.path() + "/ipsec.d").c_str(), 0700);
  std::string top = d.Write("ipsec.secrets", "include ipsec.d/*.secrets\n", 0600);
  d.Write("ipsec.d/a.secrets", "10.0.0.1 10.0.0.2 : PSK \"a\"\n", 0600);
  d.Write("ipsec.d/b.secrets", "10.0.0.1 10.0.0.3 : PSK \"b\"\n", 0644);
  auto s = LoadSecrets(top);
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(s->entries().size(), 2u);
  EXPECT_EQ(s->files().size(), 3u);
  ASSERT_EQ(s->warnings().size(), 1u);
  EXPECT_EQ(s->warnings()[0].ToString(),
            d.path() +
                "/ipsec.d/b.secrets: readable or writable by group or others (mode 0644): "
                "anyone on this machine may read the keys; run chmod 600 " +
                d.path() + "/ipsec.d/b.secrets");
  d.Write("loop.secrets", "include loop.secrets\n");
  auto l = LoadSecrets(d.path() + "/loop.secrets");
  ASSERT_FALSE(l);
  EXPECT_NE(l.error().message.find("loop.secrets:1: include: include loop"), std::string::npos);
  auto missing = LoadSecrets(d.path() + "/nope.secrets");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().message, d.path() + "/nope.secrets: cannot read " + d.path() +
                                         "/nope.secrets: No such file or directory");
}

}  // namespace
}  // namespace ipsec::config
