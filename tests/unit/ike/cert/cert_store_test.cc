// Keys, certificates, chain validation, DNs and ID matching (ike/cert/) on
// the credentials make_fixtures.sh made with the openssl CLI.
#include "ike/cert/cert_store.h"

#include <gtest/gtest.h>

#include <ctime>

#include "common/hex.h"
#include "fixtures.h"
#include "ike/cert/dn.h"
#include "ike/cert/id_match.h"
#include "ike/constants.h"

namespace ipsec::cert {
namespace {

SecureBytes Pass(const std::string& s) {
  return SecureBytes(
      std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(s.data()), s.size()));
}

TEST(PrivateKeys, EveryFormStrongSwanWrites) {
  Certificate moon = Cert("moon");
  for (const char* f : {"moon.key", "moon_trad.key", "moon_key.der"}) {
    SCOPED_TRACE(f);
    PrivateKey k = Key(f);
    EXPECT_EQ(k.Describe(), "RSA-2048");
    EXPECT_TRUE(k.Matches(moon.public_key()));
  }
  EXPECT_TRUE(Key("moon_enc.key", "moon pass").Matches(moon.public_key()));
  EXPECT_EQ(Key("sun_trad.key").Describe(), "ECDSA-P384");
  EXPECT_EQ(Key("p521.key").Describe(), "ECDSA-P521");
  EXPECT_EQ(Key("ed.key").Describe(), "Ed25519");
  EXPECT_FALSE(Key("sun.key").Matches(moon.public_key()));
}

TEST(PrivateKeys, ErrorsNameTheFileAndNeverTheKey) {
  auto wrong = LoadPrivateKey(Fixture("moon_enc.key"), Pass("not it"));
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().message.rfind(Fixture("moon_enc.key") + ": ", 0), 0u);
  auto none = LoadPrivateKey(Fixture("moon_enc.key"), {});
  ASSERT_FALSE(none);
  auto cert = LoadPrivateKey(Fixture("moon.pem"), {});
  ASSERT_FALSE(cert);
  EXPECT_NE(cert.error().message.find("not a private key"), std::string::npos);
  auto missing = LoadPrivateKey(Fixture("nothere.key"), {});
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("No such file"), std::string::npos);
  // Devices, FIFOs and directories are never read (a FIFO would block the load).
  for (const char* odd : {"/dev/null", "/dev/zero", "/tmp"}) {
    auto r = LoadPrivateKey(odd, {});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message, std::string(odd) + ": not a regular file");
  }
}

TEST(Certificates, PemAndDerAndViews) {
  auto der = LoadCertificates(Fixture("moon.der"));
  ASSERT_TRUE(der) << der.error().message;
  Certificate pem = Cert("moon");
  EXPECT_EQ((*der)[0].Der(), pem.Der());
  EXPECT_EQ(pem.Subject(), "C=CH, O=ipsec_tun test, CN=moon.example.org");
  EXPECT_EQ(pem.Issuer(), "C=CH, O=ipsec_tun test, CN=Test Root CA");
  EXPECT_FALSE(pem.IsCa());
  EXPECT_TRUE(Cert("ca").IsCa());
  auto parsed = ParseDerCertificate(pem.Der());
  ASSERT_TRUE(parsed);
  Bytes trailing = pem.Der();
  trailing.push_back(0);
  EXPECT_FALSE(ParseDerCertificate(trailing));
  Bytes cut = pem.Der();
  cut.resize(cut.size() / 2);
  EXPECT_FALSE(ParseDerCertificate(cut));
  EXPECT_FALSE(ParseDerCertificate({}));
}

TEST(Certificates, SpkiHashIsSha1OfSubjectPublicKeyInfo) {
  // openssl x509 -pubkey | openssl pkey -pubin -outform DER | sha1 is the reference.
  std::string cmd = "openssl x509 -in " + Fixture("ca.pem") +
                    " -noout -pubkey | openssl pkey -pubin -outform DER | openssl dgst -sha1 -r";
  FILE* p = popen(cmd.c_str(), "r");
  ASSERT_NE(p, nullptr);
  char buf[128] = "";
  ASSERT_NE(fgets(buf, sizeof buf, p), nullptr);
  pclose(p);
  auto h = Cert("ca").SpkiSha1();
  EXPECT_EQ(ToHex(h), std::string(buf, 40));
}

class Store : public ::testing::Test {
 protected:
  void SetUp() override { store.AddAnchor(Cert("ca")); }
  std::string Refusal(const Certificate& ee, std::vector<Certificate> chain = {}, time_t at = 0) {
    Status s = store.Verify(ee, chain, at);
    return s ? "" : s.error().message;
  }
  CertStore store;
};

TEST_F(Store, ChainsToTheAnchorThroughIntermediates) {
  EXPECT_EQ(Refusal(Cert("moon")), "");
  EXPECT_EQ(Refusal(Cert("sun"), {Cert("int")}), "");
  EXPECT_EQ(Refusal(Cert("ed")), "");
  auto anchor = store.ChainAnchor(Cert("sun"), {Cert("int")});
  ASSERT_TRUE(anchor);
  EXPECT_EQ(anchor->Subject(), "C=CH, O=ipsec_tun test, CN=Test Root CA");
}

TEST_F(Store, RefusalsAreOneLineNamingSubjectAndReason) {
  EXPECT_EQ(Refusal(Cert("sun")),
            "certificate 'C=CH, O=ipsec_tun test, CN=sun.example.org' refused: unable to get "
            "local issuer certificate");
  CertStore other;
  other.AddAnchor(Cert("other_ca"));
  Status s = other.Verify(Cert("moon"), {});
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message.find("unable to get local issuer certificate"), std::string::npos);
  std::string expired = Refusal(Cert("moon"), {}, time(nullptr) + 20L * 365 * 86400);
  EXPECT_NE(expired.find("CN=moon.example.org' refused: certificate has expired"),
            std::string::npos)
      << expired;
  std::string early = Refusal(Cert("moon"), {}, time(nullptr) - 86400);
  EXPECT_NE(early.find("certificate is not yet valid"), std::string::npos) << early;
  std::string noku = Refusal(Cert("noku"));
  EXPECT_NE(noku.find("CN=noku' refused: its keyUsage allows neither digitalSignature"),
            std::string::npos)
      << noku;
  EXPECT_EQ(Refusal(Cert("moon"), {}, 0).find('\n'), std::string::npos);
  CertStore empty;
  EXPECT_FALSE(empty.Verify(Cert("moon"), {}));
}

TEST_F(Store, CrlsRevokeAndAreRequiredAtEveryLevel) {
  EXPECT_EQ(Refusal(Cert("revoked")), "");  // no CRL loaded: not checked
  ASSERT_TRUE(store.LoadCrlFile(Fixture("ca.crl")));
  EXPECT_EQ(store.crl_count(), 1u);
  EXPECT_EQ(Refusal(Cert("revoked")),
            "certificate 'C=CH, O=ipsec_tun test, CN=revoked' refused: certificate revoked");
  EXPECT_EQ(Refusal(Cert("moon")), "");
  std::string no_int_crl = Refusal(Cert("sun"), {Cert("int")});
  EXPECT_NE(no_int_crl.find("unable to get certificate CRL"), std::string::npos) << no_int_crl;
  ASSERT_TRUE(store.LoadCrlFile(Fixture("int.crl")));
  EXPECT_EQ(Refusal(Cert("sun"), {Cert("int")}), "");
  EXPECT_FALSE(store.LoadCrlFile(Fixture("moon.pem")));
}

TEST(StoreDirs, LoadsEveryCertificateAndListsTheRest) {
  CertStore store;
  std::vector<std::string> skipped;
  ASSERT_TRUE(store.LoadAnchorDir(CERT_FIXTURES, &skipped));
  // Every *.pem is a certificate (11) plus moon.der; keys, CSRs and the rest are listed.
  EXPECT_EQ(store.anchors().size(), 12u);
  EXPECT_FALSE(skipped.empty());
  EXPECT_TRUE(store.LoadAnchorDir(std::string(CERT_FIXTURES) + "/none", &skipped));
}

TEST(Dn, ParsesBothSpellingsAndMatchesWithWildcards) {
  Certificate moon = Cert("moon");
  X509_NAME* subject = X509_get_subject_name(moon.get());
  auto a = ParseDn("C=CH, O=ipsec_tun test, CN=moon.example.org");
  ASSERT_TRUE(a) << a.error().message;
  EXPECT_EQ(X509_NAME_cmp(a->get(), subject), 0);
  auto b = ParseDn("/C=CH/O=ipsec_tun test/CN=moon.example.org");
  ASSERT_TRUE(b);
  EXPECT_TRUE(DnMatches(b->get(), subject));
  EXPECT_TRUE(DnMatches(ParseDn("C=ch, O=IPSEC_TUN test, CN=*")->get(), subject));
  EXPECT_FALSE(DnMatches(ParseDn("C=CH, O=ipsec_tun test, CN=sun.example.org")->get(), subject));
  EXPECT_FALSE(DnMatches(ParseDn("C=CH, CN=moon.example.org")->get(), subject));
  EXPECT_FALSE(DnMatches(ParseDn("O=ipsec_tun test, C=CH, CN=moon.example.org")->get(), subject));
  EXPECT_FALSE(ParseDn("C=CH, bogus"));
  EXPECT_FALSE(ParseDn("XX=1"));
  EXPECT_FALSE(ParseDn("CN="));
  EXPECT_TRUE(LooksLikeDn("CN=x"));
  EXPECT_TRUE(LooksLikeDn("/C=CH/CN=x"));
  EXPECT_FALSE(LooksLikeDn("user@example.org"));
  EXPECT_FALSE(LooksLikeDn("@fqdn"));
}

TEST(IdMatch, DnAndSubjectAltNames) {
  Certificate moon = Cert("moon");
  auto id = [](ike::IdType t) { return static_cast<uint8_t>(t); };
  auto str = [](const char* s) {
    return std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(s), strlen(s));
  };
  Bytes dn = moon.SubjectDer();
  EXPECT_TRUE(CertMatchesId(moon, id(ike::IdType::kDerAsn1Dn), dn));
  EXPECT_FALSE(CertMatchesId(moon, id(ike::IdType::kDerAsn1Dn), Cert("sun").SubjectDer()));
  EXPECT_FALSE(CertMatchesId(moon, id(ike::IdType::kDerAsn1Dn), Bytes{0x30, 0x01}));
  EXPECT_TRUE(CertMatchesId(moon, id(ike::IdType::kFqdn), str("moon.example.org")));
  EXPECT_TRUE(CertMatchesId(moon, id(ike::IdType::kFqdn), str("MOON.example.org")));
  std::string why;
  EXPECT_FALSE(CertMatchesId(moon, id(ike::IdType::kFqdn), str("sun.example.org"), &why));
  EXPECT_EQ(why, "no subjectAltName DNS:sun.example.org");
  EXPECT_TRUE(CertMatchesId(moon, id(ike::IdType::kRfc822Addr), str("moon@example.org")));
  EXPECT_FALSE(CertMatchesId(moon, id(ike::IdType::kRfc822Addr), str("sun@example.org")));
  EXPECT_TRUE(CertMatchesId(moon, id(ike::IdType::kIpv4Addr), Bytes{192, 0, 2, 1}));
  EXPECT_FALSE(CertMatchesId(moon, id(ike::IdType::kIpv4Addr), Bytes{192, 0, 2, 2}));
  Bytes v6(16, 0);
  v6[0] = 0x20, v6[1] = 0x01, v6[2] = 0x0d, v6[3] = 0xb8, v6[15] = 1;
  EXPECT_TRUE(CertMatchesId(moon, id(ike::IdType::kIpv6Addr), v6));
  EXPECT_FALSE(CertMatchesId(moon, id(ike::IdType::kIpv4Addr), Bytes{192, 0, 2}));
  // The subject's CN is not a subjectAltName: p256 has CN=p256 and none for it.
  EXPECT_FALSE(CertMatchesId(Cert("noku"), id(ike::IdType::kFqdn), str("noku")));
  EXPECT_FALSE(CertMatchesId(moon, id(ike::IdType::kKeyId), str("x")));
}

}  // namespace
}  // namespace ipsec::cert
