// Certificate settings (config/auth_settings.h) and private-key lines of
// ipsec.secrets, on the credentials tests/unit/ike/cert/make_fixtures.sh
// makes with the openssl CLI (the cert_fixtures CTest fixture).
#include <gtest/gtest.h>

#include <sstream>

#include "config/check.h"
#include "config/config.h"
#include "config/secrets.h"
#include "config/values.h"
#include "ike/cert/certificate.h"
#include "test_util.h"

namespace ipsec::config {
namespace {

using testing::Addr;
using testing::TempDir;

const std::string kFix = CERT_FIXTURES;
const char kMoonDn[] = "C=CH, O=ipsec_tun test, CN=moon.example.org";

Result<Config> Load(const std::string& conn, std::vector<std::string> cert_dirs = {}) {
  static FixedHostInfo host({Addr("192.0.2.1")}, Addr("192.0.2.1"));
  LoadOptions o;
  o.host = &host;
  if (!cert_dirs.empty()) o.cert_dirs = cert_dirs;
  return ParseConfigText("conn a\n\tleft=192.0.2.1\n\tright=198.51.100.2\n" + conn, "t.conf", o);
}

TEST(CertConfig, AuthbyRsasigWithCertificateAndDnIds) {
  auto cfg = Load("\tauthby=rsasig\n\tleftcert=" + kFix +
                  "/moon.pem\n\trightid=\"C=CH, O=ipsec_tun test, CN=sun.example.org\"\n"
                  "\trightca=\"C=CH, O=ipsec_tun test, CN=Test Root CA\"\n");
  ASSERT_TRUE(cfg) << cfg.error().message;
  const Connection& c = cfg->connections[0];
  EXPECT_EQ(c.authby, AuthBy::kPubkey);
  EXPECT_EQ(c.local.auth, AuthBy::kPubkey);
  EXPECT_EQ(c.remote.auth, AuthBy::kPubkey);
  EXPECT_EQ(c.local.cert, kFix + "/moon.pem");
  // leftid defaults to the certificate's subject.
  EXPECT_EQ(c.local.id.kind, Identity::Kind::kDn);
  EXPECT_EQ(c.local.id.name, kMoonDn);
  EXPECT_EQ(c.remote.id.kind, Identity::Kind::kDn);
  EXPECT_EQ(c.remote.id.name, "C=CH, O=ipsec_tun test, CN=sun.example.org");
  EXPECT_EQ(c.remote.ca, "C=CH, O=ipsec_tun test, CN=Test Root CA");
  EXPECT_TRUE(cfg->warnings.empty());
}

TEST(CertConfig, SendcertWords) {
  const std::string base = "\tauthby=rsasig\n\tleftcert=" + kFix + "/moon.pem\n";
  auto dflt = Load(base);
  ASSERT_TRUE(dflt) << dflt.error().message;
  EXPECT_EQ(dflt->connections[0].local.sendcert, SendCert::kAlways);
  const std::pair<const char*, SendCert> kWords[] = {
      {"always", SendCert::kAlways},   {"yes", SendCert::kAlways},
      {"ifasked", SendCert::kIfAsked}, {"sendifasked", SendCert::kIfAsked},
      {"never", SendCert::kNever},     {"no", SendCert::kNever}};
  for (const auto& [word, want] : kWords) {
    auto cfg = Load(base + "\tleftsendcert=" + word + "\n");
    ASSERT_TRUE(cfg) << word << ": " << cfg.error().message;
    EXPECT_EQ(cfg->connections[0].local.sendcert, want) << word;
    EXPECT_TRUE(cfg->warnings.empty()) << word;
  }
}

// An authby=/leftauth=/rightauth= word and what it sets in End.
struct SchemeCase {
  const char* line;
  std::vector<uint16_t> hashes;
  bool pss;
  std::string key;
  uint32_t bits;
};

void ExpectScheme(const End& e, const SchemeCase& k) {
  EXPECT_EQ(e.auth, AuthBy::kPubkey) << k.line;
  std::vector<uint16_t> hashes;
  for (cert::SigHash h : e.sig_hashes) hashes.push_back(static_cast<uint16_t>(h));
  EXPECT_EQ(hashes, k.hashes) << k.line;
  EXPECT_EQ(e.sig_pss, k.pss) << k.line;
  EXPECT_EQ(e.sig_key, k.key) << k.line;
  EXPECT_EQ(e.sig_key_bits, k.bits) << k.line;
}

// strongSwan's leftauth= suffixes and libreswan's authby=rsa-sha2_NNN
// choose the hashes (and RSASSA-PSS) a local end signs with.
TEST(CertConfig, SignatureSchemeSuffixes) {
  const std::string cert = "\tleftcert=" + kFix + "/moon.pem\n";
  for (const SchemeCase& k :
       {SchemeCase{"\tauthby=rsasig\n", {}, false, "rsa", 0},
        SchemeCase{"\tauthby=rsasig\n\tleftauth=rsa/pss-sha384\n", {3}, true, "rsa", 0},
        SchemeCase{"\tleftauth=pubkey-sha384-sha256\n", {3, 2}, false, "", 0},
        SchemeCase{"\tleftauth=rsa-4096-sha512\n", {4}, false, "rsa", 4096},
        SchemeCase{"\tleftauth=ecdsa-256-sha384\n", {3}, false, "ecdsa", 256},
        SchemeCase{"\tleftauth=rsa-sha1\n", {1}, false, "rsa", 0},
        SchemeCase{"\tauthby=rsa-sha2_256\n", {2}, true, "rsa", 0},
        SchemeCase{"\tauthby=ecdsa-sha2\n", {2, 3, 4}, false, "ecdsa", 0}}) {
    auto cfg = Load(k.line + cert);
    ASSERT_TRUE(cfg) << k.line << cfg.error().message;
    ExpectScheme(cfg->connections[0].local, k);
  }
}

// rightauth= words constrain the peer's signature: the key kind, a size
// suffix, the hashes and RSASSA-PSS reach End (the engine enforces them).
TEST(CertConfig, RightauthConstraints) {
  const std::string cert = "\tleftauth=pubkey\n\tleftcert=" + kFix + "/moon.pem\n";
  for (const SchemeCase& k : {SchemeCase{"\trightauth=pubkey\n", {}, false, "", 0},
                              SchemeCase{"\trightauth=pubkey-sha384\n", {3}, false, "", 0},
                              SchemeCase{"\trightauth=rsa/pss\n", {}, true, "rsa", 0},
                              SchemeCase{"\trightauth=rsa-4096-sha256\n", {2}, false, "rsa", 4096},
                              SchemeCase{"\trightauth=ecdsa-256\n", {}, false, "ecdsa", 256},
                              SchemeCase{"\trightauth=ed25519\n", {}, false, "ed25519", 0}}) {
    auto cfg = Load(k.line + cert);
    ASSERT_TRUE(cfg) << k.line << cfg.error().message;
    ExpectScheme(cfg->connections[0].remote, k);
  }
}

TEST(CertConfig, FragmentationKeywords) {
  auto dflt = Load("");
  ASSERT_TRUE(dflt) << dflt.error().message;
  EXPECT_TRUE(dflt->connections[0].fragmentation);
  EXPECT_EQ(dflt->connections[0].fragment_size, std::nullopt);
  for (const char* w : {"yes", "force"}) {
    auto cfg = Load(std::string("\tfragmentation=") + w + "\n");
    ASSERT_TRUE(cfg) << w << ": " << cfg.error().message;
    EXPECT_TRUE(cfg->connections[0].fragmentation) << w;
  }
  for (const char* line : {"\tfragmentation=no\n", "\tike_frag=no\n"}) {
    auto cfg = Load(line);
    ASSERT_TRUE(cfg) << line << cfg.error().message;
    EXPECT_FALSE(cfg->connections[0].fragmentation) << line;
    EXPECT_TRUE(cfg->warnings.empty()) << line;
  }
  auto size = Load("\tfragmentsize=1280\n");
  ASSERT_TRUE(size) << size.error().message;
  EXPECT_EQ(size->connections[0].fragment_size, std::optional<uint16_t>(1280));
  auto bad = Load("\tfragmentation=maybe\n");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("'maybe' is not yes, no or force"), std::string::npos)
      << bad.error().message;
  auto small = Load("\tfragmentsize=500\n");
  ASSERT_FALSE(small);
  EXPECT_NE(small.error().message.find("500"), std::string::npos) << small.error().message;
}

TEST(CertConfig, PerEndAuthRelativeCertAndExplicitIds) {
  auto cfg = Load(
      "\tleftauth=pubkey\n\trightauth=psk\n\tleftcert=moon.der\n"
      "\tleftid=@moon.example.org\n\trightid=%any\n\trightca=%any\n",
      {"/nonexistent", kFix});
  ASSERT_TRUE(cfg) << cfg.error().message;
  const Connection& c = cfg->connections[0];
  EXPECT_EQ(c.local.auth, AuthBy::kPubkey);
  EXPECT_EQ(c.remote.auth, AuthBy::kPsk);
  EXPECT_EQ(c.local.cert, kFix + "/moon.der");
  EXPECT_EQ(c.local.id.ToString(), "@moon.example.org");
  EXPECT_EQ(c.remote.ca, "");
  auto fromcert = Load("\tauthby=ecdsa\n\tleftcert=" + kFix + "/sun.pem\n\tleftid=%fromcert\n");
  ASSERT_TRUE(fromcert) << fromcert.error().message;
  EXPECT_EQ(fromcert->connections[0].local.id.name, "C=CH, O=ipsec_tun test, CN=sun.example.org");
}

TEST(CertConfig, DnIdentitiesMatchWithWildcards) {
  std::string w;
  auto a = ParseIdentity("/C=CH/O=ipsec_tun test/CN=moon.example.org", &w);
  ASSERT_TRUE(a) << a.error().message;
  EXPECT_EQ(a->ToString(), kMoonDn);
  auto pattern = ParseIdentity("C=CH, O=ipsec_tun test, CN=*", &w);
  ASSERT_TRUE(pattern);
  EXPECT_TRUE(pattern->Matches(*a));
  EXPECT_FALSE(ParseIdentity("C=CH, O=x, CN=y", &w)->Matches(*a));
  EXPECT_FALSE(ParseIdentity("C=CH, XX=y", &w));
}

struct Broken {
  const char* name;
  std::string conn;
  std::string error;
};
void PrintTo(const Broken& c, std::ostream* os) {
  *os << c.name;
}

class CertConfigErrors : public ::testing::TestWithParam<Broken> {};

TEST_P(CertConfigErrors, OneLineNamingFileLineAndKeyword) {
  auto cfg = Load(GetParam().conn, {kFix});
  ASSERT_FALSE(cfg);
  // A trailing '(' means OpenSSL's own reason follows (its wording varies by version).
  const std::string& want = GetParam().error;
  if (want.back() == '(')
    EXPECT_EQ(cfg.error().message.substr(0, want.size()), want);
  else
    EXPECT_EQ(cfg.error().message, want);
  EXPECT_EQ(cfg.error().message.find('\n'), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, CertConfigErrors,
    ::testing::Values(
        Broken{"MissingFile", "\tauthby=rsasig\n\tleftcert=/nonexistent/moon.pem\n",
               "t.conf:5: leftcert: /nonexistent/moon.pem: No such file or directory"},
        Broken{"NotFoundRelative", "\tauthby=rsasig\n\tleftcert=nothere.pem\n",
               "t.conf:5: leftcert: 'nothere.pem' is in none of " + kFix +
                   " (or write an absolute path)"},
        Broken{"NotACertificate", "\tauthby=rsasig\n\tleftcert=" + kFix + "/msg.bin\n",
               "t.conf:5: leftcert: " + kFix + "/msg.bin: not a DER X.509 certificate ("},
        Broken{"NoCert", "\tauthby=pubkey\n",
               "t.conf:1: leftcert: conn a: left authenticates with a certificate (authby=) but "
               "leftcert= is not set"},
        Broken{"UnknownAuthby", "\tauthby=never\n",
               "t.conf:4: authby: 'never' is not supported (secret/psk, or rsasig/ecdsa/pubkey)"},
        Broken{"UnknownLeftauth", "\tleftauth=eap\n",
               "t.conf:4: leftauth: 'eap' is not supported (psk, or pubkey/rsa/ecdsa)"},
        Broken{"BadSendcert", "\tleftsendcert=sometimes\n",
               "t.conf:4: leftsendcert: 'sometimes' is not supported (always/yes, ifasked, "
               "never/no)"},
        Broken{"BadHashSuffix", "\tleftauth=rsa-sha3\n",
               "t.conf:4: leftauth: 'sha3' in 'rsa-sha3' is not a hash (sha1, sha256, sha384, "
               "sha512)"},
        Broken{"BadCa", "\trightca=\"C=CH, bogus\"\n",
               "t.conf:4: rightca: 'C=CH, bogus': 'bogus' is not TYPE=value in a distinguished "
               "name"}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(CertConfig, SetupDirectories) {
  FixedHostInfo host({Addr("192.0.2.1")}, Addr("192.0.2.1"));
  LoadOptions o;
  o.host = &host;
  auto dflt = ParseConfigText("config setup\n", "t.conf", o);
  ASSERT_TRUE(dflt);
  EXPECT_EQ(dflt->setup.ca_dirs,
            (std::vector<std::string>{"/etc/ipsec.d/cacerts", "/etc/swanctl/x509ca"}));
  auto set =
      ParseConfigText("config setup\n\tcadir=" + kFix + "\n\tcrldir=" + kFix + "\n", "t.conf", o);
  ASSERT_TRUE(set) << set.error().message;
  EXPECT_EQ(set->setup.ca_dirs, std::vector<std::string>{kFix});
  EXPECT_EQ(set->setup.crl_dirs, std::vector<std::string>{kFix});
  auto bad =
      ParseConfigText("config setup\n\tcadir=relative/dir\n\tcrldir=/nonexistent\n", "t.conf", o);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message,
            "t.conf:2: cadir: 'relative/dir': an absolute directory path\n"
            "t.conf:3: crldir: '/nonexistent' is not a directory");
}

SecretsLoadOptions KeyDirs() {
  SecretsLoadOptions o;
  o.private_dirs = {"/nonexistent", kFix};
  return o;
}

TEST(SecretsKeys, RsaEcdsaPkcs8LinesLoadKeysFoundByCertificate) {
  auto s = ParseSecretsText(
      ": RSA moon_trad.key\n"
      "@sun.example.org : ECDSA " +
          kFix +
          "/sun_trad.key\n"
          ": PKCS8 ed.key\n"
          ": RSA moon_enc.key \"moon pass\"\n"
          "10.0.0.1 : PSK \"still here\"\n",
      "/tmp/s.secrets", KeyDirs());
  ASSERT_TRUE(s) << s.error().message;
  ASSERT_EQ(s->private_keys().size(), 4u);
  EXPECT_EQ(s->entries().size(), 1u);
  EXPECT_EQ(s->private_keys()[0].path, kFix + "/moon_trad.key");
  EXPECT_EQ(s->private_keys()[1].ids.size(), 1u);
  EXPECT_EQ(s->private_keys()[1].key->Describe(), "ECDSA-P384");
  EXPECT_EQ(s->private_keys()[3].where.line, 4);
  auto moon = cert::LoadCertificates(kFix + "/moon.pem");
  auto sun = cert::LoadCertificates(kFix + "/sun.pem");
  auto p256 = cert::LoadCertificates(kFix + "/p256.pem");
  const PrivateKeyEntry* k = s->FindPrivateKey((*moon)[0].public_key());
  ASSERT_NE(k, nullptr);
  EXPECT_EQ(k->kind, "RSA");
  EXPECT_EQ(s->FindPrivateKey((*sun)[0].public_key())->kind, "ECDSA");
  EXPECT_EQ(s->FindPrivateKey((*p256)[0].public_key()), nullptr);
}

TEST(SecretsKeys, ErrorsNameFileLineKindAndNeverThePassphrase) {
  auto wrong = ParseSecretsText(": PKCS8 moon_enc.key \"not-the-pass\"\n", "s.secrets", KeyDirs());
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().message.rfind("s.secrets:1: PKCS8: " + kFix + "/moon_enc.key: ", 0), 0u)
      << wrong.error().message;
  EXPECT_EQ(wrong.error().message.find("not-the-pass"), std::string::npos);
  auto missing = ParseSecretsText("\n: ECDSA none.key\n", "/etc/x/s.secrets", KeyDirs());
  ASSERT_FALSE(missing);
  EXPECT_EQ(
      missing.error().message,
      "/etc/x/s.secrets:2: ECDSA: 'none.key' is in none of /nonexistent, " + kFix + ", /etc/x");
  auto prompt = ParseSecretsText(": RSA moon.key %prompt\n", "s.secrets", KeyDirs());
  ASSERT_FALSE(prompt);
  EXPECT_EQ(prompt.error().message,
            "s.secrets:1: RSA: %prompt is not supported (the daemon has no terminal): write the "
            "passphrase");
  auto extra = ParseSecretsText(": RSA moon.key pass more\n", "s.secrets", KeyDirs());
  ASSERT_FALSE(extra);
  EXPECT_EQ(extra.error().message.find("more"), std::string::npos);
}

TEST(SecretsKeys, LibreswanRawKeyBlocksStillSkippedWithAWarning) {
  auto s =
      ParseSecretsText(": RSA {\n\tModulus: 0x00\n\t}\n@a : PSK \"x\"\n", "s.secrets", KeyDirs());
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_TRUE(s->private_keys().empty());
  EXPECT_EQ(s->entries().size(), 1u);
  ASSERT_EQ(s->warnings().size(), 1u);
  EXPECT_EQ(s->warnings()[0].ToString(),
            "s.secrets:1: RSA: raw key blocks are not used (name a key file: ': RSA file.pem')");
}

// ipsecd --check: a certificate conn needs the certificate's key, not a PSK.
TEST(CertConfig, CheckWantsTheKeyOfTheCertificateNotAPsk) {
  TempDir d;
  d.Write("ipsec.conf",
          "conn a\n\tleft=192.0.2.1\n\tright=198.51.100.2\n\tauthby=rsasig\n"
          "\tleftcert=" +
              kFix + "/moon.pem\n\tauto=add\n");
  static FixedHostInfo host({Addr("192.0.2.1")}, Addr("192.0.2.1"));
  auto run = [&](const std::string& secrets, std::string* out_text, std::string* err_text) {
    d.Write("ipsec.secrets", secrets);
    CheckOptions o;
    o.config_path = d.path() + "/ipsec.conf";
    o.load.host = &host;
    std::ostringstream out, err;
    int status = RunCheck(o, out, err);
    *out_text = out.str();
    *err_text = err.str();
    return status;
  };
  std::string out, err;
  EXPECT_EQ(run(": RSA " + kFix + "/moon.key\n", &out, &err), 0) << err;
  EXPECT_NE(out.find("auth   local: certificate " + kFix + "/moon.pem"), std::string::npos) << out;
  EXPECT_EQ(out.find("PSK"), std::string::npos) << out;
  EXPECT_EQ(run(": ECDSA " + kFix + "/p256.key\n", &out, &err), 1);
  EXPECT_NE(err.find("conn a: no private key in " + d.path() + "/ipsec.secrets for leftcert " +
                     kFix + "/moon.pem"),
            std::string::npos)
      << err;
}

}  // namespace
}  // namespace ipsec::config
