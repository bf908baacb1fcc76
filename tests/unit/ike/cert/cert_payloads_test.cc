// CERT / CERTREQ payload bodies (ike/cert/cert_payloads.h): round trips on
// CLI-made certificates, and every malformed form refused.
#include "ike/cert/cert_payloads.h"

#include <gtest/gtest.h>

#include "common/hex.h"
#include "fixtures.h"

namespace ipsec::cert {
namespace {

TEST(CertPayload, EncodingFourRoundTrip) {
  Certificate moon = Cert("moon");
  Bytes body = EncodeCertBody(moon);
  ASSERT_GT(body.size(), 1u);
  EXPECT_EQ(body[0], 4);
  EXPECT_EQ(Bytes(body.begin() + 1, body.end()), FileBytes("moon.der"));
  auto back = ParseCertBody(body);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->Subject(), moon.Subject());
}

TEST(CertPayload, MalformedBodiesRefused) {
  Bytes body = EncodeCertBody(Cert("moon"));
  EXPECT_FALSE(ParseCertBody({}));
  EXPECT_FALSE(ParseCertBody(Bytes{4}));
  Bytes other = body;
  other[0] = 1;  // PKCS #7 wrapped
  auto e = ParseCertBody(other);
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().message,
            "CERT encoding 1 is not supported (only 4, X.509 Certificate - Signature)");
  Bytes cut(body.begin(), body.end() - 1);
  EXPECT_FALSE(ParseCertBody(cut));
  Bytes extra = body;
  extra.push_back(0);
  EXPECT_FALSE(ParseCertBody(extra));
}

TEST(CertReqPayload, AnchorHashesRoundTripAndMatch) {
  std::vector<Certificate> anchors = {Cert("ca"), Cert("other_ca")};
  Bytes body = EncodeCertReqBody(anchors);
  ASSERT_EQ(body.size(), 41u);
  EXPECT_EQ(body[0], 4);
  EXPECT_EQ(ToHex(std::span(body).subspan(1, 20)), ToHex(Cert("ca").SpkiSha1()));
  auto hashes = ParseCertReqBody(body);
  ASSERT_TRUE(hashes) << hashes.error().message;
  ASSERT_EQ(hashes->size(), 2u);
  EXPECT_TRUE(CertReqNames(*hashes, Cert("other_ca")));
  EXPECT_FALSE(CertReqNames(*hashes, Cert("int")));
  EXPECT_TRUE(CertReqNames({}, Cert("int")));  // an empty CERTREQ asks for any
  EXPECT_TRUE(ParseCertReqBody(Bytes{4})->empty());
}

TEST(CertReqPayload, MalformedBodiesRefused) {
  EXPECT_FALSE(ParseCertReqBody({}));
  EXPECT_FALSE(ParseCertReqBody(Bytes{1, 0}));
  EXPECT_FALSE(ParseCertReqBody(Bytes(22, 4)));
  Bytes many(1 + 20 * 129, 0);
  many[0] = 4;
  EXPECT_FALSE(ParseCertReqBody(many));
  many.resize(1 + 20 * 128);
  EXPECT_TRUE(ParseCertReqBody(many));
}

}  // namespace
}  // namespace ipsec::cert
