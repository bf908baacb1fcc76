// IKE_AUTH with certificates between two engines (RFC 7296 2.15, 3.6-3.8;
// RFC 7427): A signs with "moon" (RSA, under the test root), B with "sun"
// (ECDSA P-384, under an intermediate it sends along). The credentials are
// made at test time by tests/unit/ike/cert/make_fixtures.sh.
#include "engine/tasks/cert_auth.h"
#include "fixture.h"
#include "ike/cert/cert_payloads.h"
#include "ike/cert/certificate.h"
#include "ike/cert/private_key.h"
#include "ike/codec.h"

namespace ipsec::engine::test {
namespace {

const std::string kFix = CERT_FIXTURES;
const char kMoon[] = "C=CH, O=ipsec_tun test, CN=moon.example.org";
const char kSun[] = "C=CH, O=ipsec_tun test, CN=sun.example.org";

cert::Certificate CertFile(const std::string& name) {
  auto v = cert::LoadCertificates(kFix + "/" + name + ".pem");
  EXPECT_TRUE(v) << v.error().message;
  return v ? v->front() : cert::Certificate();
}

LocalCredential Cred(std::vector<std::string> chain, const std::string& key) {
  LocalCredential c;
  for (const auto& n : chain) c.chain.push_back(CertFile(n));
  auto k = cert::LoadPrivateKey(kFix + "/" + key + ".key", {});
  EXPECT_TRUE(k) << k.error().message;
  if (k) c.key = std::make_shared<cert::PrivateKey>(std::move(k).value());
  return c;
}

std::shared_ptr<const cert::CertStore> Anchors(const std::string& name) {
  auto s = std::make_shared<cert::CertStore>();
  s->AddAnchor(CertFile(name));
  return s;
}

class CertAuthTest : public EngineTest {
 protected:
  CertAuthTest() {
    a.secrets.any_psk.clear();
    b.secrets.any_psk.clear();
    a.secrets.credentials["moon.pem"] = Cred({"moon"}, "moon");
    b.secrets.credentials["sun.pem"] = Cred({"sun", "int"}, "sun");
    a.secrets.anchors = Anchors("ca");
    b.secrets.anchors = Anchors("ca");
  }
  static void UseCert(ConnectionConfig& c, const std::string& cert, const std::string& id,
                      const std::string& peer_id) {
    c.local.pubkey = c.remote.pubkey = true;
    c.local.cert = cert;
    c.local.id = id;
    c.remote.id = peer_id;
  }
  ConnectionConfig A() {
    auto c = AtoB();
    UseCert(c, "moon.pem", kMoon, kSun);
    return c;
  }
  ConnectionConfig B() {
    auto c = BtoA();
    UseCert(c, "sun.pem", kSun, kMoon);
    return c;
  }
  void Run() {
    ASSERT_TRUE(a.engine.Initiate("site").ok());
    ASSERT_TRUE(net.Run(Millis(5000)));
  }

 public:
  // A's and B's default conns, A initiating, both with leftsendcert=`send`.
  void Start(SendCert send = SendCert::kAlways) {
    auto ca = A();
    auto cb = B();
    ca.local.send_cert = cb.local.send_cert = send;
    Load(a, ca);
    Load(b, cb);
    Run();
  }
};

TEST_F(CertAuthTest, RsaAndEcdsaCertificatesWithDnIdsEstablish) {
  Load(a, A());
  Load(b, B());
  Run();
  EXPECT_EQ(Established(a), 1u) << a.log.Errors();
  EXPECT_EQ(Established(b), 1u) << b.log.Errors();
  ExpectMatchingChildren(a, b, 1);
  auto sa = a.engine.Status().ike_sas.at(0);
  EXPECT_EQ(sa.local_id, kMoon);
  EXPECT_EQ(sa.remote_id, kSun);
  // Each way's method and the peer's certificate, as ipsecctl status shows them.
  EXPECT_EQ(sa.local_auth, "rsa-pkcs1-sha256");
  EXPECT_EQ(sa.remote_auth, "ecdsa-p384-sha384");
  EXPECT_EQ(sa.remote_cert, kSun);
  auto sb = b.engine.Status().ike_sas.at(0);
  EXPECT_EQ(sb.local_id, kSun);
  EXPECT_EQ(sb.remote_id, kMoon);
  EXPECT_EQ(sb.local_auth, "ecdsa-p384-sha384");
  EXPECT_EQ(sb.remote_auth, "rsa-pkcs1-sha256");
  EXPECT_EQ(sb.remote_cert, kMoon);
}

TEST_F(CertAuthTest, WildcardRightidAndFqdnIdInSubjectAltName) {
  auto ca = A();
  ca.local.id = "@moon.example.org";  // in moon's subjectAltName
  ca.remote.id = "C=CH, O=ipsec_tun test, CN=*";
  auto cb = B();
  cb.remote.id = "@moon.example.org";
  Load(a, ca);
  Load(b, cb);
  Run();
  EXPECT_EQ(Established(a), 1u) << a.log.Errors();
  EXPECT_EQ(Established(b), 1u) << b.log.Errors();
  EXPECT_EQ(b.engine.Status().ike_sas.at(0).remote_id, "moon.example.org");
}

TEST_F(CertAuthTest, PeerFromAnotherCaIsRefusedWithOneLine) {
  b.secrets.anchors = Anchors("other_ca");
  Load(a, A());
  Load(b, B());
  Run();
  EXPECT_EQ(Established(a), 0u);
  EXPECT_EQ(Established(b), 0u);
  EXPECT_TRUE(b.log.Contains(
      std::string("certificate '") + kMoon + "' refused: unable to get local issuer certificate",
      LogLevel::kError))
      << b.log.Errors();
  EXPECT_TRUE(a.log.Contains("AUTHENTICATION_FAILED: peer rejected our certificate or signature",
                             LogLevel::kError))
      << a.log.Errors();
  EXPECT_EQ(b.engine.Status().counters.auth_failures, 1u);
  EXPECT_TRUE(b.kernel.policies().empty());
}

TEST_F(CertAuthTest, InitiatorRefusesResponderFromAnotherCa) {
  a.secrets.anchors = Anchors("other_ca");
  Load(a, A());
  Load(b, B());
  Run();
  EXPECT_EQ(Established(a), 0u);
  EXPECT_TRUE(a.log.Contains(std::string("certificate '") + kSun + "' refused:", LogLevel::kError))
      << a.log.Errors();
  EXPECT_TRUE(a.kernel.policies().empty());
}

TEST_F(CertAuthTest, RightcaMustBeInThePeersChain) {
  auto cb = B();
  cb.remote.ca = "C=CH, O=ipsec_tun test, CN=Test Intermediate CA";  // moon is under the root
  Load(a, A());
  Load(b, cb);
  Run();
  EXPECT_EQ(Established(b), 0u);
  EXPECT_TRUE(b.log.Contains(std::string("certificate '") + kMoon +
                                 "' does not chain to rightca 'C=CH, O=ipsec_tun test, CN=Test "
                                 "Intermediate CA'",
                             LogLevel::kError))
      << b.log.Errors();
}

TEST_F(CertAuthTest, IdNotInTheCertificateIsRefused) {
  auto ca = A();
  ca.local.id = "@other.example.org";
  auto cb = B();
  cb.remote.id = "@other.example.org";
  Load(a, ca);
  Load(b, cb);
  Run();
  EXPECT_EQ(Established(a), 0u);
  EXPECT_EQ(Established(b), 0u);
  EXPECT_TRUE(b.log.Contains(
      std::string("peer ID 'other.example.org' is not in its certificate '") + kMoon + "'",
      LogLevel::kError))
      << b.log.Errors();
}

TEST_F(CertAuthTest, ExpiredCertificateIsRefused) {
  const char kExpired[] = "C=CH, O=ipsec_tun test, CN=expired.example.org";
  a.secrets.credentials["expired.pem"] = Cred({"expired"}, "expired");
  auto ca = A();
  ca.local.cert = "expired.pem";
  ca.local.id = kExpired;
  auto cb = B();
  cb.remote.id = kExpired;
  Load(a, ca);
  Load(b, cb);
  Run();
  EXPECT_EQ(Established(b), 0u);
  EXPECT_TRUE(
      b.log.Contains(std::string("certificate '") + kExpired + "' refused: certificate has expired",
                     LogLevel::kError))
      << b.log.Errors();
}

TEST_F(CertAuthTest, SignatureByAnotherKeyIsRefused) {
  // moon's certificate, but p256's key signs: the chain and ID are fine,
  // the AUTH is not.
  a.secrets.credentials["moon.pem"] = Cred({"moon"}, "p256");
  Load(a, A());
  Load(b, B());
  Run();
  EXPECT_EQ(Established(b), 0u);
  EXPECT_TRUE(b.log.Contains(std::string("AUTH signature of '") + kMoon + "' did not verify",
                             LogLevel::kError))
      << b.log.Errors();
}

TEST_F(CertAuthTest, CertificatePeerAgainstAPskConnectionIsRefused) {
  auto cb = B();
  cb.remote.pubkey = false;  // B wants a PSK from A
  b.secrets.any_psk = "some psk";
  Load(a, A());
  Load(b, cb);
  Run();
  EXPECT_EQ(Established(b), 0u);
  EXPECT_TRUE(
      b.log.Contains("peer uses AUTH method 14 (a signature), but this connection wants "
                     "a PSK from it",
                     LogLevel::kError))
      << b.log.Errors();
}

TEST_F(CertAuthTest, NoCredentialForLeftcertIsOneLine) {
  a.secrets.credentials.clear();
  Load(a, A());
  Load(b, B());
  Run();
  EXPECT_EQ(Established(a), 0u);
  EXPECT_TRUE(a.log.Contains("no certificate and private key loaded for leftcert 'moon.pem'",
                             LogLevel::kError))
      << a.log.Errors();
}

// leftauth=rsa/pss-sha384: A signs with RSASSA-PSS over SHA-384, and both
// status snapshots say so.
TEST_F(CertAuthTest, ConfiguredSchemeIsUsed) {
  auto ca = A();
  ca.local.sig_hashes = {cert::SigHash::kSha384};
  ca.local.sig_pss = true;
  Load(a, ca);
  Load(b, B());
  Run();
  ASSERT_EQ(Established(b), 1u) << b.log.Errors();
  EXPECT_EQ(a.engine.Status().ike_sas.at(0).local_auth, "rsa-pss-sha384");
  EXPECT_EQ(b.engine.Status().ike_sas.at(0).remote_auth, "rsa-pss-sha384");
}

// leftsendcert=ifasked on both ends: `quiet` has no anchors, so it sends
// no CERTREQ, and the other end's CERT stays home; `quiet` says so.
void ExpectNoCertWithoutCertreq(CertAuthTest& t, Peer& quiet) {
  quiet.secrets.anchors.reset();
  t.Start(SendCert::kIfAsked);
  EXPECT_TRUE(quiet.log.Contains("peer sent no certificate (no CERT payload)", LogLevel::kError))
      << quiet.log.Errors();
}

TEST_F(CertAuthTest, IfaskedInitiatorSendsNoCertWithoutCertreq) {
  ExpectNoCertWithoutCertreq(*this, b);  // no CERTREQ in B's IKE_SA_INIT response
  EXPECT_EQ(Established(b), 0u);
}

TEST_F(CertAuthTest, IfaskedResponderSendsNoCertWithoutCertreq) {
  ExpectNoCertWithoutCertreq(*this, a);  // no CERTREQ in A's IKE_AUTH request
  EXPECT_EQ(Established(a), 0u);
}

// leftsendcert=always, the default, sends it unasked: B gets the
// certificate and only lacks the anchors to check it.
TEST_F(CertAuthTest, SendcertAlwaysSendsUnasked) {
  b.secrets.anchors.reset();
  Start();
  EXPECT_TRUE(b.log.Contains(
      std::string("no trust anchors loaded to check the peer's certificate '") + kMoon + "'",
      LogLevel::kError))
      << b.log.Errors();
}

// leftsendcert=never leaves it out even when asked.
TEST_F(CertAuthTest, SendcertNeverLeavesCertOutWhenAsked) {
  auto ca = A();
  ca.local.send_cert = SendCert::kNever;
  Load(a, ca);
  Load(b, B());
  Run();
  EXPECT_EQ(Established(b), 0u);
  EXPECT_TRUE(b.log.Contains("peer sent no certificate (no CERT payload)", LogLevel::kError))
      << b.log.Errors();
}

// B's IKE_SA_INIT response asks for certificates under its rightca= only
// (the SHA-1 of the root's SubjectPublicKeyInfo), not under every anchor.
TEST_F(CertAuthTest, CertreqNamesTheRightcaAnchor) {
  auto both = std::make_shared<cert::CertStore>();
  both->AddAnchor(CertFile("other_ca"));
  both->AddAnchor(CertFile("ca"));
  b.secrets.anchors = both;
  auto cb = B();
  cb.remote.ca = "C=CH, O=ipsec_tun test, CN=Test Root CA";
  std::vector<cert::SpkiHash> asked;
  net.filter = [&](const Datagram& d, size_t) {
    if (Is(d, ike::ExchangeType::kIkeSaInit, true)) {
      auto m = ike::Decode(d.bytes);
      for (const auto& p : m ? m->payloads : std::vector<ike::Payload>{})
        if (const auto* raw = std::get_if<ike::RawPayload>(&p.body);
            raw && p.type == ike::PayloadType::kCertReq)
          if (auto h = cert::ParseCertReqBody(raw->body)) asked = *h;
    }
    return 1;
  };
  Load(a, A());
  Load(b, cb);
  Run();
  EXPECT_EQ(Established(a), 1u) << a.log.Errors() << b.log.Errors();
  ASSERT_EQ(asked.size(), 1u);
  EXPECT_EQ(asked[0], CertFile("ca").SpkiSha1());
}

TEST(CertReqAnchors, EveryAnchorWithoutOrWithUnknownRightca) {
  cert::CertStore s;
  s.AddAnchor(CertFile("ca"));
  s.AddAnchor(CertFile("other_ca"));
  EXPECT_EQ(CertReqAnchors(s, {}).size(), 2u);
  const std::string some[] = {"C=CH, O=ipsec_tun test, CN=Other Root CA", ""};
  EXPECT_EQ(CertReqAnchors(s, some).size(), 2u);  // "" : a conn taking any anchor
  const std::string other[] = {"C=CH, O=ipsec_tun test, CN=Other Root CA"};
  ASSERT_EQ(CertReqAnchors(s, other).size(), 1u);
  EXPECT_EQ(CertReqAnchors(s, other)[0].Subject(), other[0]);
  const std::string intermediate[] = {"C=CH, O=ipsec_tun test, CN=Test Intermediate CA"};
  EXPECT_EQ(CertReqAnchors(s, intermediate).size(), 2u);
}

}  // namespace
}  // namespace ipsec::engine::test
