// AUTH signatures (ike/cert/signature.h) against known answers: RFC 7427's
// AlgorithmIdentifier encodings, signatures made by the openssl CLI over
// msg.bin (make_fixtures.sh), deterministic ones (PKCS#1 v1.5, Ed25519)
// byte for byte; and SIGNATURE_HASH_ALGORITHMS building/parsing.
#include "ike/cert/signature.h"

#include <gtest/gtest.h>

#include "common/hex.h"
#include "fixtures.h"
#include "ike/cert/sig_hash_notify.h"

namespace ipsec::cert {
namespace {

const SigHash kAll[] = {SigHash::kSha1, SigHash::kSha256, SigHash::kSha384, SigHash::kSha512,
                        SigHash::kIdentity};

std::string Hex(const Bytes& b) {
  return ToHex(b);
}

TEST(AlgorithmIdentifier, MatchesRfc7427AppendixA) {
  SignatureScheme s{14, SigHash::kSha256, RsaPadding::kPkcs1};
  EXPECT_EQ(Hex(*AlgorithmIdentifier(KeyType::kRsa, s)), "300d06092a864886f70d01010b0500");
  s.hash = SigHash::kSha512;
  EXPECT_EQ(Hex(*AlgorithmIdentifier(KeyType::kRsa, s)), "300d06092a864886f70d01010d0500");
  s.hash = SigHash::kSha256;
  EXPECT_EQ(Hex(*AlgorithmIdentifier(KeyType::kEcdsaP256, s)), "300a06082a8648ce3d040302");
  s.hash = SigHash::kSha384;
  EXPECT_EQ(Hex(*AlgorithmIdentifier(KeyType::kEcdsaP384, s)), "300a06082a8648ce3d040303");
  s.hash = SigHash::kIdentity;
  EXPECT_EQ(Hex(*AlgorithmIdentifier(KeyType::kEd25519, s)), "300506032b6570");  // RFC 8420
  // RSASSA-PSS, SHA-256, MGF1-SHA-256, salt 32 (RFC 7427 A.4.3's parameters).
  s = {14, SigHash::kSha256, RsaPadding::kPss};
  EXPECT_EQ(Hex(*AlgorithmIdentifier(KeyType::kRsa, s)),
            "304106092a864886f70d01010a3034a00f300d06096086480165030402010500a11c301a06092a8648"
            "86f70d010108300d06096086480165030402010500a203020120");
}

// auth data for method 14 from a CLI signature: len | AlgorithmIdentifier | sig.
Bytes Method14(KeyType key, SignatureScheme s, const Bytes& sig) {
  Bytes alg = *AlgorithmIdentifier(key, s);
  Bytes out(1 + alg.size());
  out[0] = static_cast<uint8_t>(alg.size());
  std::copy(alg.begin(), alg.end(), out.begin() + 1);
  out.insert(out.end(), sig.begin(), sig.end());
  return out;
}

struct CliCase {
  const char* name;
  const char* key;
  const char* cert;
  const char* sig;
  KeyType type;
  SignatureScheme scheme;
};
void PrintTo(const CliCase& c, std::ostream* os) {
  *os << c.name;
}

class CliSignatures : public ::testing::TestWithParam<CliCase> {};

TEST_P(CliSignatures, VerifyAndTamperFails) {
  const CliCase& c = GetParam();
  Bytes msg = FileBytes("msg.bin");
  Bytes data = Method14(c.type, c.scheme, FileBytes(c.sig));
  Certificate cert = Cert(c.cert);
  ASSERT_EQ(KeyTypeOf(cert.public_key()), c.type);
  Status ok = VerifyAuth(14, data, cert.public_key(), msg, kAll);
  EXPECT_TRUE(ok) << ok.error().message;
  Bytes bad = data;
  bad.back() ^= 1;
  EXPECT_FALSE(VerifyAuth(14, bad, cert.public_key(), msg, kAll));
  Bytes other_msg = msg;
  other_msg[0] ^= 0x80;
  EXPECT_FALSE(VerifyAuth(14, data, cert.public_key(), other_msg, kAll));
  // Our own signature with the same key and scheme verifies too.
  PrivateKey key = Key(c.key);
  auto mine = SignAuth(key, c.scheme, msg);
  ASSERT_TRUE(mine) << mine.error().message;
  EXPECT_TRUE(VerifyAuth(14, *mine, cert.public_key(), msg, kAll));
}

INSTANTIATE_TEST_SUITE_P(Methods, CliSignatures,
                         ::testing::Values(CliCase{"RsaSha256",
                                                   "moon.key",
                                                   "moon",
                                                   "sig_rsa_sha256.bin",
                                                   KeyType::kRsa,
                                                   {14, SigHash::kSha256, RsaPadding::kPkcs1}},
                                           CliCase{"RsaSha512",
                                                   "moon.key",
                                                   "moon",
                                                   "sig_rsa_sha512.bin",
                                                   KeyType::kRsa,
                                                   {14, SigHash::kSha512, RsaPadding::kPkcs1}},
                                           CliCase{"RsaPssSha384",
                                                   "moon.key",
                                                   "moon",
                                                   "sig_rsa_pss_sha384.bin",
                                                   KeyType::kRsa,
                                                   {14, SigHash::kSha384, RsaPadding::kPss}},
                                           CliCase{"EcdsaP256",
                                                   "p256.key",
                                                   "p256",
                                                   "sig_p256_sha256.bin",
                                                   KeyType::kEcdsaP256,
                                                   {14, SigHash::kSha256, RsaPadding::kPkcs1}},
                                           CliCase{"EcdsaP384",
                                                   "sun.key",
                                                   "sun",
                                                   "sig_p384_sha384.bin",
                                                   KeyType::kEcdsaP384,
                                                   {14, SigHash::kSha384, RsaPadding::kPkcs1}},
                                           CliCase{"EcdsaP521",
                                                   "p521.key",
                                                   "p521",
                                                   "sig_p521_sha512.bin",
                                                   KeyType::kEcdsaP521,
                                                   {14, SigHash::kSha512, RsaPadding::kPkcs1}},
                                           CliCase{"Ed25519",
                                                   "ed.key",
                                                   "ed",
                                                   "sig_ed25519.bin",
                                                   KeyType::kEd25519,
                                                   {14, SigHash::kIdentity, RsaPadding::kPkcs1}}),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(DeterministicSignatures, EqualTheCliByteForByte) {
  Bytes msg = FileBytes("msg.bin");
  auto rsa = SignAuth(Key("moon.key"), {14, SigHash::kSha256, RsaPadding::kPkcs1}, msg);
  ASSERT_TRUE(rsa);
  Bytes cli = FileBytes("sig_rsa_sha256.bin");
  EXPECT_EQ(Bytes(rsa->end() - cli.size(), rsa->end()), cli);
  auto ed = SignAuth(Key("ed.key"), {14, SigHash::kIdentity, RsaPadding::kPkcs1}, msg);
  ASSERT_TRUE(ed);
  EXPECT_EQ(Bytes(ed->begin() + 8, ed->end()), FileBytes("sig_ed25519.bin"));
  // Method 1 is PKCS#1 v1.5 with SHA-1, no prefix.
  auto m1 = SignAuth(Key("moon.key"), {1, SigHash::kSha1, RsaPadding::kPkcs1}, msg);
  ASSERT_TRUE(m1);
  EXPECT_EQ(*m1, FileBytes("sig_rsa_sha1.bin"));
  EXPECT_TRUE(VerifyAuth(1, FileBytes("sig_rsa_sha1.bin"), Cert("moon").public_key(), msg, kAll));
}

TEST(ClassicEcdsa, RsHalvesOfTheCurveSizeAndVerify) {
  Bytes msg = FileBytes("msg.bin");
  struct {
    const char* key;
    const char* cert;
    uint8_t method;
    size_t len;
  } cases[] = {
      {"p256.key", "p256", 9, 64}, {"sun.key", "sun", 10, 96}, {"p521.key", "p521", 11, 132}};
  for (const auto& c : cases) {
    SCOPED_TRACE(c.cert);
    auto sig = SignAuth(Key(c.key), {c.method, SigHash::kSha256, RsaPadding::kPkcs1}, msg);
    ASSERT_TRUE(sig) << sig.error().message;
    EXPECT_EQ(sig->size(), c.len);
    EXPECT_TRUE(VerifyAuth(c.method, *sig, Cert(c.cert).public_key(), msg, kAll));
    Bytes bad = *sig;
    bad[c.len / 2] ^= 1;  // s
    EXPECT_FALSE(VerifyAuth(c.method, bad, Cert(c.cert).public_key(), msg, kAll));
    bad.pop_back();
    EXPECT_FALSE(VerifyAuth(c.method, bad, Cert(c.cert).public_key(), msg, kAll));
  }
  // The method must fit the curve: a P-256 signature under method 10 fails.
  auto sig = SignAuth(Key("p256.key"), {9, SigHash::kSha256, RsaPadding::kPkcs1}, msg);
  Status wrong = VerifyAuth(10, *sig, Cert("p256").public_key(), msg, kAll);
  ASSERT_FALSE(wrong);
  EXPECT_NE(wrong.error().message.find("method 10 but the key is ECDSA-P256"), std::string::npos);
  EXPECT_FALSE(SignAuth(Key("p256.key"), {11, SigHash::kSha512, RsaPadding::kPkcs1}, msg));
}

TEST(VerifyAuth, RefusesHashesNotAnnouncedAndWrongKeyTypes) {
  Bytes msg = FileBytes("msg.bin");
  Bytes data = Method14(KeyType::kRsa, {14, SigHash::kSha256, RsaPadding::kPkcs1},
                        FileBytes("sig_rsa_sha256.bin"));
  const SigHash only512[] = {SigHash::kSha512};
  Status s = VerifyAuth(14, data, Cert("moon").public_key(), msg, only512);
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message.find("SHA-256, which we did not announce"), std::string::npos);
  Status k = VerifyAuth(14, data, Cert("p256").public_key(), msg, kAll);
  ASSERT_FALSE(k);
  EXPECT_NE(k.error().message.find("does not fit the key"), std::string::npos);
  EXPECT_FALSE(VerifyAuth(14, Bytes{0x20, 0x30}, Cert("moon").public_key(), msg, kAll));
  EXPECT_FALSE(VerifyAuth(14, Bytes{}, Cert("moon").public_key(), msg, kAll));
  EXPECT_FALSE(VerifyAuth(2, data, Cert("moon").public_key(), msg, kAll));
}

TEST(ChooseScheme, ClassicWithoutNotifyAndRfc7427With) {
  const SigHash none[] = {SigHash::kSha1};
  EXPECT_EQ(ChooseScheme(KeyType::kRsa, {})->method, 1);
  EXPECT_EQ(ChooseScheme(KeyType::kEcdsaP384, {})->method, 10);
  EXPECT_EQ(ChooseScheme(KeyType::kEcdsaP521, {})->method, 11);
  EXPECT_FALSE(ChooseScheme(KeyType::kEd25519, {}));
  auto ours = OurSignatureHashes();
  auto p384 = ChooseScheme(KeyType::kEcdsaP384, ours);
  EXPECT_EQ(p384->method, 14);
  EXPECT_EQ(p384->hash, SigHash::kSha384);
  auto pss = ChooseScheme(KeyType::kRsa, ours, true);
  EXPECT_EQ(pss->padding, RsaPadding::kPss);
  EXPECT_EQ(pss->hash, SigHash::kSha256);
  EXPECT_EQ(ChooseScheme(KeyType::kEd25519, ours)->hash, SigHash::kIdentity);
  EXPECT_FALSE(ChooseScheme(KeyType::kRsa, none));
}

// leftauth=...-sha384, rsa/pss-..., rsa-sha1: the configured hashes win
// over ours, as far as the peer lists them.
TEST(ChooseScheme, ConfiguredHashesFirst) {
  auto ours = OurSignatureHashes();
  const SigHash sha384[] = {SigHash::kSha384};
  auto rsa = ChooseScheme(KeyType::kRsa, ours, false, sha384);
  ASSERT_TRUE(rsa);
  EXPECT_EQ(rsa->method, 14);
  EXPECT_EQ(rsa->hash, SigHash::kSha384);
  EXPECT_EQ(rsa->padding, RsaPadding::kPkcs1);
  EXPECT_EQ(SchemeName(KeyType::kRsa, *rsa), "rsa-pkcs1-sha384");
  const SigHash sha512_256[] = {SigHash::kSha512, SigHash::kSha256};
  auto pss = ChooseScheme(KeyType::kRsa, ours, true, sha512_256);
  EXPECT_EQ(SchemeName(KeyType::kRsa, *pss), "rsa-pss-sha512");
  const SigHash peer256[] = {SigHash::kSha256};
  EXPECT_EQ(ChooseScheme(KeyType::kRsa, peer256, true, sha512_256)->hash, SigHash::kSha256);
  auto none = ChooseScheme(KeyType::kRsa, peer256, false, sha384);
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().message,
            "the peer's SIGNATURE_HASH_ALGORITHMS lists none of the configured SHA-384");
  EXPECT_EQ(ChooseScheme(KeyType::kEcdsaP256, ours, false, sha384)->hash, SigHash::kSha384);
  const SigHash sha1[] = {SigHash::kSha1};
  EXPECT_EQ(ChooseScheme(KeyType::kRsa, ours, false, sha1)->method, 1);
  EXPECT_EQ(SchemeName(KeyType::kRsa, *ChooseScheme(KeyType::kRsa, ours, false, sha1)),
            "rsa-pkcs1-sha1");
  EXPECT_EQ(SchemeName(KeyType::kEd25519, *ChooseScheme(KeyType::kEd25519, ours)), "ed25519");
  EXPECT_EQ(SchemeName(KeyType::kEcdsaP256, *ChooseScheme(KeyType::kEcdsaP256, {})),
            "ecdsa-p256-sha256");
}

TEST(SignatureHashNotify, BuildsAndParses) {
  EXPECT_EQ(Hex(BuildSignatureHashData(OurSignatureHashes())), "0002000300040005");
  auto got = ParseSignatureHashData(Bytes{0x00, 0x04, 0x00, 0x09, 0x00, 0x02, 0x00, 0x04});
  ASSERT_TRUE(got);
  EXPECT_EQ(*got,
            (std::vector<SigHash>{SigHash::kSha512, SigHash::kSha256}));  // 9 unknown, dup dropped
  EXPECT_FALSE(ParseSignatureHashData(Bytes{0x00, 0x02, 0x00}));
  EXPECT_FALSE(ParseSignatureHashData(Bytes(130, 0)));
  EXPECT_TRUE(ParseSignatureHashData(Bytes{})->empty());
}

}  // namespace
}  // namespace ipsec::cert
