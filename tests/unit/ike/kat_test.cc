// Known-answer tests: one driver for every vector file under data/.
// rfc_vectors.txt holds values published in RFCs (HMAC PRFs, X25519, ECP);
// generated_vectors.txt comes from gen_vectors.py, an independent Python
// implementation of the IKEv2 key schedule, AUTH, NAT-D and SK layout.
#include <gtest/gtest.h>

#include "common/hex.h"
#include "ike/codec.h"
#include "ike/crypto/auth.h"
#include "ike/crypto/dh.h"
#include "ike/crypto/keymat.h"
#include "ike/crypto/prf.h"
#include "ike/sk_cipher.h"
#include "vector_file.h"

namespace ipsec::ike {
namespace {

using namespace ipsec::ike::testing;

Bytes B(const SecureBytes& s) {
  return Bytes(s.span().begin(), s.span().end());
}

class Kat : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    rfc_ = new std::vector<Record>(Load("rfc_vectors.txt"));
    gen_ = new std::vector<Record>(Load("generated_vectors.txt"));
  }
  static void TearDownTestSuite() {
    delete rfc_;
    delete gen_;
  }
  static std::vector<Record>* rfc_;
  static std::vector<Record>* gen_;
};
std::vector<Record>* Kat::rfc_ = nullptr;
std::vector<Record>* Kat::gen_ = nullptr;

TEST_F(Kat, HmacPrfRfc2202And4231) {
  auto v = Of(*rfc_, "prf");
  ASSERT_EQ(v.size(), 8u);
  for (const auto& r : v) {
    SCOPED_TRACE("rfc_vectors.txt line " + std::to_string(r.line));
    auto prf = Prf::Create(static_cast<uint16_t>(r.N("prf")));
    ASSERT_TRUE(prf) << prf.error().message;
    EXPECT_EQ(ToHex(B(prf->Compute(r.H("key"), r.H("data")))), ToHex(r.H("out")));
  }
}

TEST_F(Kat, PrfPlus) {
  auto v = Of(*gen_, "prf_plus");
  ASSERT_EQ(v.size(), 4u);
  for (const auto& r : v) {
    SCOPED_TRACE("generated_vectors.txt line " + std::to_string(r.line));
    auto prf = Prf::Create(static_cast<uint16_t>(r.N("prf")));
    ASSERT_TRUE(prf);
    auto out = prf->Plus(r.H("key"), r.H("seed"), r.N("length"));
    ASSERT_TRUE(out) << out.error().message;
    EXPECT_EQ(ToHex(B(*out)), ToHex(r.H("out")));
  }
}

TEST_F(Kat, SkeyseedAndIkeSaKeys) {
  auto v = Of(*gen_, "ike_keys");
  ASSERT_EQ(v.size(), 5u);
  for (const auto& r : v) {
    SCOPED_TRACE("generated_vectors.txt line " + std::to_string(r.line));
    IkeSaTransforms t;
    t.encr = static_cast<uint16_t>(r.N("encr"));
    t.encr_key_bits = static_cast<uint16_t>(r.N("encr_bits"));
    t.prf = static_cast<uint16_t>(r.N("prf"));
    t.integ = static_cast<uint16_t>(r.N("integ"));
    auto k = DeriveIkeSaKeys(t, r.H("ni"), r.H("nr"), r.K("g_ir"), r.Spi("spi_i"), r.Spi("spi_r"));
    ASSERT_TRUE(k) << k.error().message;
    EXPECT_EQ(ToHex(B(k->sk_d)), ToHex(r.H("sk_d")));
    EXPECT_EQ(ToHex(B(k->sk_ai)), ToHex(r.H("sk_ai")));
    EXPECT_EQ(ToHex(B(k->sk_ar)), ToHex(r.H("sk_ar")));
    EXPECT_EQ(ToHex(B(k->sk_ei)), ToHex(r.H("sk_ei")));
    EXPECT_EQ(ToHex(B(k->sk_er)), ToHex(r.H("sk_er")));
    EXPECT_EQ(ToHex(B(k->sk_pi)), ToHex(r.H("sk_pi")));
    EXPECT_EQ(ToHex(B(k->sk_pr)), ToHex(r.H("sk_pr")));
  }
}

TEST_F(Kat, ChildSaKeymat) {
  auto v = Of(*gen_, "child_keys");
  ASSERT_EQ(v.size(), 5u);
  for (const auto& r : v) {
    SCOPED_TRACE("generated_vectors.txt line " + std::to_string(r.line));
    ChildSaTransforms t;
    t.encr = static_cast<uint16_t>(r.N("encr"));
    t.encr_key_bits = static_cast<uint16_t>(r.N("encr_bits"));
    t.integ = static_cast<uint16_t>(r.N("integ"));
    SecureBytes gir = r.K("g_ir");
    auto k = DeriveChildSaKeys(static_cast<uint16_t>(r.N("prf")), r.K("sk_d"), t,
                               gir.empty() ? nullptr : &gir, r.H("ni"), r.H("nr"));
    ASSERT_TRUE(k) << k.error().message;
    EXPECT_EQ(ToHex(B(k->encr_i)), ToHex(r.H("encr_i")));
    EXPECT_EQ(ToHex(B(k->integ_i)), ToHex(r.H("integ_i")));
    EXPECT_EQ(ToHex(B(k->encr_r)), ToHex(r.H("encr_r")));
    EXPECT_EQ(ToHex(B(k->integ_r)), ToHex(r.H("integ_r")));
  }
}

TEST_F(Kat, PskAuth) {
  auto v = Of(*gen_, "psk_auth");
  ASSERT_EQ(v.size(), 4u);
  for (const auto& r : v) {
    SCOPED_TRACE("generated_vectors.txt line " + std::to_string(r.line));
    uint16_t prf = static_cast<uint16_t>(r.N("prf"));
    auto octets = SignedOctets(prf, r.H("message"), r.H("nonce"), r.K("sk_p"), r.H("id_body"));
    ASSERT_TRUE(octets);
    auto auth = ComputePskAuth(prf, r.K("psk"), octets->span());
    ASSERT_TRUE(auth);
    EXPECT_EQ(ToHex(*auth), ToHex(r.H("auth")));
    EXPECT_TRUE(VerifyPskAuth(prf, r.K("psk"), octets->span(), r.H("auth")));
    Bytes wrong = r.H("auth");
    wrong[0] ^= 1;
    EXPECT_FALSE(VerifyPskAuth(prf, r.K("psk"), octets->span(), wrong));
    EXPECT_FALSE(VerifyPskAuth(prf, SecureBytes(Bytes{'n', 'o'}), octets->span(), r.H("auth")));
  }
}

TEST_F(Kat, NatDetectionHash) {
  auto v = Of(*gen_, "natd");
  ASSERT_EQ(v.size(), 2u);
  for (const auto& r : v) {
    auto ip = IpAddress::Parse(r.S("ip"));
    ASSERT_TRUE(ip);
    auto h =
        NatDetectionHash(r.Spi("spi_i"), r.Spi("spi_r"), *ip, static_cast<uint16_t>(r.N("port")));
    EXPECT_EQ(ToHex(h), ToHex(r.H("hash")));
  }
}

TEST_F(Kat, DhRfc7748And5903) {
  auto v = Of(*rfc_, "dh");
  ASSERT_EQ(v.size(), 2u);
  for (const auto& r : v) {
    SCOPED_TRACE("rfc_vectors.txt line " + std::to_string(r.line));
    uint16_t group = static_cast<uint16_t>(r.N("group"));
    auto i = DhKeyPairFromPrivate(group, r.H("priv_i"));
    auto rr = DhKeyPairFromPrivate(group, r.H("priv_r"));
    ASSERT_TRUE(i) << i.error().message;
    ASSERT_TRUE(rr) << rr.error().message;
    EXPECT_EQ(ToHex((*i)->public_value()), ToHex(r.H("pub_i")));
    EXPECT_EQ(ToHex((*rr)->public_value()), ToHex(r.H("pub_r")));
    auto s1 = (*i)->ComputeSharedSecret(r.H("pub_r"));
    auto s2 = (*rr)->ComputeSharedSecret(r.H("pub_i"));
    ASSERT_TRUE(s1) << s1.error().message;
    ASSERT_TRUE(s2) << s2.error().message;
    EXPECT_EQ(ToHex(B(*s1)), ToHex(r.H("shared")));
    EXPECT_EQ(ToHex(B(*s2)), ToHex(r.H("shared")));
  }
}

// Fixed IV source: replays the IV the reference used.
class FixedRandom : public RandomSource {
 public:
  explicit FixedRandom(Bytes b) : b_(std::move(b)) {}
  bool Fill(std::span<uint8_t> out) override {
    if (out.size() != b_.size()) return false;
    std::copy(b_.begin(), b_.end(), out.begin());
    return true;
  }

 private:
  Bytes b_;
};

TEST_F(Kat, SkPayloadSealAndOpen) {
  auto v = Of(*gen_, "sk");
  ASSERT_EQ(v.size(), 9u);
  for (const auto& r : v) {
    SCOPED_TRACE("generated_vectors.txt line " + std::to_string(r.line));
    auto cipher = SkCipher::Create(
        static_cast<uint16_t>(r.N("encr")), static_cast<uint16_t>(r.N("encr_bits")),
        static_cast<uint16_t>(r.N("integ")), r.K("encr_key"), r.K("integ_key"));
    ASSERT_TRUE(cipher) << cipher.error().message;
    Bytes wire = r.H("message");
    // Decode the reference's datagram.
    auto m = Decode(wire, &*cipher);
    ASSERT_TRUE(m) << m.error().message;
    EXPECT_TRUE(m->encrypted);
    EXPECT_EQ(m->header.exchange, ExchangeType::kInformational);
    ASSERT_EQ(m->payloads.size(), 2u);
    ASSERT_NE(m->FindNotify(NotifyType::kInitialContact), nullptr);
    const auto* n = m->FindNotify(NotifyType::kAdditionalTsPossible);
    ASSERT_NE(n, nullptr);
    EXPECT_EQ(std::string(n->data.begin(), n->data.end()), "hello");
    // And produce the same bytes from the message with the same IV.
    Bytes iv(wire.begin() + 32, wire.begin() + 32 + cipher->iv_size());
    FixedRandom rnd(iv);
    auto again = EncodeEncrypted(*m, *cipher, rnd);
    ASSERT_TRUE(again) << again.error().message;
    EXPECT_EQ(ToHex(*again), ToHex(wire));
  }
}

}  // namespace
}  // namespace ipsec::ike
