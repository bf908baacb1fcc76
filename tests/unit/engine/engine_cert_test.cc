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
  static void UseCert(Connection& c, const std::string& cert, const std::string& id,
                      const std::string& peer_id) {
    c.local.auth = c.remote.auth = config::AuthBy::kPubkey;
    c.local.cert = cert;
    c.local.id = Id(id);
    c.remote.id = Id(peer_id);
  }
  Connection A() {
    auto c = AtoB();
    UseCert(c, "moon.pem", kMoon, kSun);
    return c;
  }
  Connection B() {
    auto c = BtoA();
    UseCert(c, "sun.pem", kSun, kMoon);
    return c;
  }
  void Run() {
    ASSERT_TRUE(a.engine.Initiate("site").ok());
    ASSERT_TRUE(net.Run(Millis(5000)));
  }
  // A signs with the fixtures' certificate `name` (subject dn, its own
  // key), B expects that subject; A initiates.
  void RunWithCertOfA(const std::string& name, const std::string& dn) {
    a.secrets.credentials[name + ".pem"] = Cred({name}, name);
    auto ca = A();
    ca.local.cert = name + ".pem";
    ca.local.id = Id(dn);
    auto cb = B();
    cb.remote.id = Id(dn);
    Load(a, ca);
    Load(b, cb);
    Run();
  }
  // Loads ca and cb, A initiates; both must hold the IKE SA.
  void Establish(const Connection& ca, const Connection& cb) {
    Load(a, ca);
    Load(b, cb);
    Run();
    EXPECT_EQ(Established(a), 1u) << a.log.Errors();
    EXPECT_EQ(Established(b), 1u) << b.log.Errors();
  }

 public:
  // A's and B's default conns, A initiating, both with leftsendcert=`send`.
  void Start(SendCert send = SendCert::kAlways) {
    auto ca = A();
    auto cb = B();
    ca.local.sendcert = cb.local.sendcert = send;
    Load(a, ca);
    Load(b, cb);
    Run();
  }
};

TEST_F(CertAuthTest, RsaAndEcdsaCertificatesWithDnIdsEstablish) {
  Establish(A(), B());
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
  ca.local.id = Id("@moon.example.org");  // in moon's subjectAltName
  ca.remote.id = Id("C=CH, O=ipsec_tun test, CN=*");
  auto cb = B();
  cb.remote.id = Id("@moon.example.org");
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
  ca.local.id = Id("@other.example.org");
  auto cb = B();
  cb.remote.id = Id("@other.example.org");
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
  RunWithCertOfA("expired", kExpired);
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
  cb.remote.auth = config::AuthBy::kPsk;  // B wants a PSK from A
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
  ca.local.sendcert = SendCert::kNever;
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

namespace ipsec::engine::test {
namespace {

// The IKE datagrams larger than a 576-byte IPv4 path carries in one piece
// (548 bytes of IKE after the IP and UDP headers): dropped, as a path that
// drops IP fragments would.
constexpr size_t kPathIkeBytes = 548;

bool IsSkf(const Datagram& d) {
  return d.bytes.size() > 16 &&
         d.bytes[16] == static_cast<uint8_t>(ike::PayloadType::kEncryptedFragment);
}

class FragmentTest : public CertAuthTest {
 protected:
  void SmallPath() {
    net.filter = [this](const Datagram& d, size_t) {
      if (d.bytes.size() <= kPathIkeBytes) return 1;
      ++too_big;
      return 0;
    };
  }
  size_t too_big = 0;
};

// RFC 7383: both announce IKEV2_FRAGMENTATION_SUPPORTED; A's IKE_AUTH
// request (moon's RSA certificate) and B's response (sun and its
// intermediate) go as SKF fragments that each fit the path.
TEST_F(FragmentTest, CertificatesCrossASmallPathInFragments) {
  SmallPath();
  Establish(A(), B());
  ExpectMatchingChildren(a, b, 1);
  EXPECT_EQ(too_big, 0u);
  const auto ka = a.engine.Status().counters, kb = b.engine.Status().counters;
  EXPECT_GE(ka.fragments_sent, 2u);
  EXPECT_EQ(kb.fragments_received, ka.fragments_sent);
  EXPECT_GE(kb.fragments_sent, 3u);
  EXPECT_EQ(ka.fragments_received, kb.fragments_sent);
  EXPECT_EQ(ka.dropped_fragments + kb.dropped_fragments, 0u);
  EXPECT_TRUE(a.log.Contains("sending IKE_AUTH request 1", LogLevel::kDebug));
}

// fragmentation=no on either end: no SKF, and the path loses IKE_AUTH.
TEST_F(FragmentTest, WithoutFragmentationTheSmallPathLosesIkeAuth) {
  for (bool a_frag : {false, true}) {
    SCOPED_TRACE(a_frag ? "B says no" : "A says no");
    auto ca = A();
    auto cb = B();
    ca.fragmentation = a_frag;
    cb.fragmentation = !a_frag;
    SmallPath();
    Load(a, ca);
    Load(b, cb);
    ASSERT_TRUE(a.engine.Initiate("site").ok());
    (void)net.Run(Millis(5000));
    EXPECT_EQ(Established(a), 0u);
    EXPECT_GE(too_big, 2u);  // the request and its retransmits
    EXPECT_EQ(a.engine.Status().counters.fragments_sent, 0u);
    EXPECT_EQ(b.engine.Status().counters.fragments_received, 0u);
    (void)a.engine.Terminate("site");
    too_big = 0;
  }
}

// Fragments delivered in reverse and each twice: the duplicates are
// dropped and counted, the messages reassembled.
TEST_F(FragmentTest, ReorderedAndDuplicatedFragments) {
  net.reorder = true;
  net.filter = [](const Datagram& d, size_t) { return IsSkf(d) ? 2 : 1; };
  auto ca = A();
  auto cb = B();
  ca.fragment_size = cb.fragment_size = 576;
  Establish(ca, cb);
  const auto ka = a.engine.Status().counters, kb = b.engine.Status().counters;
  EXPECT_GE(kb.dropped_fragments, ka.fragments_sent - 1);
  EXPECT_GE(ka.dropped_fragments, kb.fragments_sent - 1);
}

// A fragment whose ciphertext is damaged fails its ICV and is dropped
// before it is kept; A's retransmission completes the message.
TEST_F(FragmentTest, DamagedFragmentIsDroppedAndTheRetransmitCompletes) {
  bool damaged = false;
  net.rewrite = [&](Datagram& d) {
    if (!damaged && IsSkf(d) && Is(d, ike::ExchangeType::kIkeAuth, false)) {
      d.bytes[d.bytes.size() - 20] ^= 0x01;
      damaged = true;
    }
  };
  Load(a, A());
  Load(b, B());
  Run();
  EXPECT_TRUE(damaged);
  EXPECT_EQ(Established(b), 1u) << b.log.Errors();
  const auto kb = b.engine.Status().counters;
  EXPECT_EQ(kb.dropped_unauthenticated, 1u);
  EXPECT_GE(kb.dropped_fragments, 1u);
  EXPECT_TRUE(b.log.Contains("dropping SKF fragment from", LogLevel::kDebug));
}

// rightauth= constraints (CheckPeerScheme): B refuses A's RSA PKCS#1
// signature when it asks for another key kind, PSS or a larger key, and
// A refuses B's ECDSA P-384/SHA-384 one under another hash.
TEST_F(CertAuthTest, RightauthRefusesAnotherScheme) {
  struct Case {
    std::function<void(Connection& ca, Connection& cb)> set;
    Peer* refuser;
    std::string line;
  };
  const std::string moon = std::string("certificate '") + kMoon + "' signed with ";
  const std::string sun = std::string("certificate '") + kSun + "' signed with ";
  const Case cases[] = {
      {[](auto&, auto& cb) { cb.remote.sig_key = "ecdsa"; }, &b,
       moon + "rsa-pkcs1-sha256 but rightauth= asks for an ecdsa key"},
      {[](auto&, auto& cb) {
         cb.remote.sig_key = "rsa";
         cb.remote.sig_pss = true;
       },
       &b, moon + "rsa-pkcs1-sha256 but rightauth= asks for RSASSA-PSS"},
      {[](auto&, auto& cb) {
         cb.remote.sig_key = "rsa";
         cb.remote.sig_key_bits = 4096;
       },
       &b, moon + "rsa-pkcs1-sha256 but rightauth= asks for a key of at least 4096 bits, not 2048"},
      {[](auto& ca, auto&) { ca.remote.sig_hashes = {cert::SigHash::kSha256}; }, &a,
       sun + "ecdsa-p384-sha384 but rightauth= asks for hash sha256"},
      {[](auto& ca, auto& cb) {
         ca.local.sig_pss = true;
         cb.remote.sig_key = "rsa";
         cb.remote.sig_hashes = {cert::SigHash::kSha256};
       },
       &b, moon + "rsa-pss-sha256 but rightauth= asks for RSA PKCS#1 v1.5"},
  };
  for (const auto& k : cases) {
    SCOPED_TRACE(k.line);
    auto ca = A();
    auto cb = B();
    k.set(ca, cb);
    Load(a, ca);
    Load(b, cb);
    Run();
    // The initiator never has the SA when either refuses; the responder
    // has it until the initiator's refusal reaches it.
    EXPECT_EQ(Established(a), 0u);
    EXPECT_EQ(Established(*k.refuser), 0u);
    EXPECT_TRUE(k.refuser->log.Contains(k.line, LogLevel::kError)) << k.refuser->log.Errors();
    (void)a.engine.Terminate("site");
    (void)b.engine.Terminate("site");
    (void)net.Run(Millis(2000));
  }
}

// crldir= (CertStore CRLs, checked at every level once any is loaded): a
// peer whose certificate its CA revoked is refused with one line; with the
// CRLs but moon, which is not revoked, the IKE SA comes up.
TEST_F(CertAuthTest, RevokedPeerCertificateIsRefused) {
  auto anchors = std::make_shared<cert::CertStore>();
  anchors->AddAnchor(CertFile("ca"));
  ASSERT_TRUE(anchors->LoadCrlFile(kFix + "/ca.crl").ok());
  ASSERT_TRUE(anchors->LoadCrlFile(kFix + "/int.crl").ok());
  b.secrets.anchors = anchors;
  const char kRevoked[] = "C=CH, O=ipsec_tun test, CN=revoked";
  RunWithCertOfA("revoked", kRevoked);
  EXPECT_EQ(Established(a), 0u);
  EXPECT_EQ(Established(b), 0u);
  EXPECT_TRUE(b.log.Contains(
      std::string("certificate '") + kRevoked + "' refused: certificate revoked", LogLevel::kError))
      << b.log.Errors();
  EXPECT_EQ(b.engine.Status().counters.auth_failures, 1u);
  (void)a.engine.Terminate("site");
  (void)net.Run(Millis(2000));
  Establish(A(), B());
}

// The same constraints met: established.
TEST_F(CertAuthTest, RightauthAcceptsTheSchemeItNames) {
  auto ca = A();
  auto cb = B();
  ca.local.sig_pss = true;
  ca.local.sig_hashes = {cert::SigHash::kSha384};
  cb.remote.sig_key = "rsa";
  cb.remote.sig_key_bits = 2048;
  cb.remote.sig_pss = true;
  cb.remote.sig_hashes = {cert::SigHash::kSha384};
  ca.remote.sig_key = "ecdsa";
  ca.remote.sig_key_bits = 384;
  ca.remote.sig_hashes = {cert::SigHash::kSha384};
  Establish(ca, cb);
  EXPECT_EQ(b.engine.Status().ike_sas.at(0).remote_auth, "rsa-pss-sha384");
}

}  // namespace
}  // namespace ipsec::engine::test
