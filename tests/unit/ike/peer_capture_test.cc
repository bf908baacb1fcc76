// Interop with independent implementations: IKE exchanges captured between a
// Debian strongSwan 5.9 initiator and a strongSwan 5.9 or libreswan 4.10
// responder (data/capture/capture.sh + extract.py, PSK "capture-test-psk"),
// with the keys strongSwan logged. We decode their messages, re-encode the
// cleartext ones byte for byte, derive the same SKEYSEED-based keys and child
// keymat, decrypt their SK payloads and verify both AUTH payloads and NAT-D.
#include <gtest/gtest.h>

#include "common/hex.h"
#include "ike/codec.h"
#include "ike/crypto/auth.h"
#include "ike/crypto/keymat.h"
#include "ike/sk_cipher.h"
#include "vector_file.h"

namespace ipsec::ike {
namespace {

using namespace ipsec::ike::testing;

Bytes B(const SecureBytes& s) {
  return Bytes(s.span().begin(), s.span().end());
}

class PeerCapture : public ::testing::TestWithParam<Record> {};

TEST_P(PeerCapture, DecodeDeriveDecryptAuthenticate) {
  const Record& r = GetParam();
  SCOPED_TRACE(r.S("name"));
  Bytes init_req = r.H("packet0"), init_resp = r.H("packet1");

  // IKE_SA_INIT both ways, in clear; our encoder reproduces strongSwan's bytes.
  auto req = Decode(init_req);
  ASSERT_TRUE(req) << req.error().message;
  auto resp = Decode(init_resp);
  ASSERT_TRUE(resp) << resp.error().message;
  EXPECT_EQ(req->header.exchange, ExchangeType::kIkeSaInit);
  EXPECT_TRUE(req->header.initiator());
  EXPECT_TRUE(resp->header.response());
  for (const Message* m : {&*req, &*resp}) {
    Message copy = *m;
    auto again = Encode(copy);
    ASSERT_TRUE(again);
    EXPECT_EQ(ToHex(*again), ToHex(m == &*req ? init_req : init_resp));
  }
  ASSERT_NE(req->FindNotify(NotifyType::kIkev2FragmentationSupported), nullptr);
  ASSERT_NE(req->FindNotify(NotifyType::kSignatureHashAlgorithms), nullptr);
  const auto* ke = req->Find<KePayload>(PayloadType::kKe);
  ASSERT_NE(ke, nullptr);
  EXPECT_EQ(ke->group, r.N("dh"));

  // NAT-D: the initiator hashed its own address and port (no NAT here).
  const auto* natd_src = req->FindNotify(NotifyType::kNatDetectionSourceIp);
  ASSERT_NE(natd_src, nullptr);
  auto h = NatDetectionHash(req->header.spi_i, 0, *IpAddress::Parse("10.255.77.1"), 500);
  EXPECT_EQ(ToHex(natd_src->data), ToHex(h));

  // The responder's chosen proposal is the one strongSwan logged.
  const auto* sa = resp->Find<SaPayload>(PayloadType::kSa);
  ASSERT_NE(sa, nullptr);
  ASSERT_EQ(sa->proposals.size(), 1u);
  auto t = IkeSaTransformsFrom(sa->proposals[0].proposal);
  ASSERT_TRUE(t) << t.error().message;
  EXPECT_EQ(t->encr, r.N("encr"));
  EXPECT_EQ(t->prf, r.N("prf"));
  EXPECT_EQ(t->integ, r.N("integ"));
  EXPECT_EQ(t->dh, r.N("dh"));

  // SKEYSEED and the seven keys, from strongSwan's g^ir and the nonces.
  const Bytes& ni = req->Find<NoncePayload>(PayloadType::kNonce)->nonce;
  const Bytes& nr = resp->Find<NoncePayload>(PayloadType::kNonce)->nonce;
  uint64_t spi_i = resp->header.spi_i, spi_r = resp->header.spi_r;
  auto keys = DeriveIkeSaKeys(*t, ni, nr, r.K("g_ir"), spi_i, spi_r);
  ASSERT_TRUE(keys) << keys.error().message;
  EXPECT_EQ(ToHex(B(keys->sk_d)), ToHex(r.H("sk_d")));
  EXPECT_EQ(ToHex(B(keys->sk_ai)), ToHex(r.H("sk_ai")));
  EXPECT_EQ(ToHex(B(keys->sk_ar)), ToHex(r.H("sk_ar")));
  EXPECT_EQ(ToHex(B(keys->sk_ei)), ToHex(r.H("sk_ei")));
  EXPECT_EQ(ToHex(B(keys->sk_er)), ToHex(r.H("sk_er")));
  EXPECT_EQ(ToHex(B(keys->sk_pi)), ToHex(r.H("sk_pi")));
  EXPECT_EQ(ToHex(B(keys->sk_pr)), ToHex(r.H("sk_pr")));

  auto from_i = SkCipher::Create(t->encr, t->encr_key_bits, t->integ, keys->sk_ei, keys->sk_ai);
  auto from_r = SkCipher::Create(t->encr, t->encr_key_bits, t->integ, keys->sk_er, keys->sk_ar);
  ASSERT_TRUE(from_i && from_r);

  // IKE_AUTH request and response, and the INFORMATIONAL exchange that
  // deleted the SA: all decrypt and pass the payload rules.
  std::vector<Message> protected_messages;
  for (int i = 2; r.fields.count("packet" + std::to_string(i)); ++i) {
    Bytes wire = r.H("packet" + std::to_string(i));
    auto hdr = DecodeHeader(wire);
    ASSERT_TRUE(hdr);
    const SkCipher& c = hdr->initiator() ? *from_i : *from_r;
    auto m = Decode(wire, &c);
    ASSERT_TRUE(m) << "packet" << i << ": " << m.error().message;
    EXPECT_TRUE(m->encrypted);
    // The wrong direction's keys must not open it.
    const SkCipher& wrong = hdr->initiator() ? *from_r : *from_i;
    auto bad = Decode(wire, &wrong);
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().kind, DecodeErrorKind::kIntegrityFailed);
    protected_messages.push_back(std::move(*m));
  }
  ASSERT_GE(protected_messages.size(), 2u);
  const Message& auth_req = protected_messages[0];
  const Message& auth_resp = protected_messages[1];
  EXPECT_EQ(auth_req.header.exchange, ExchangeType::kIkeAuth);
  const auto* idi = auth_req.Find<IdPayload>(PayloadType::kIdi);
  const auto* idr = auth_resp.Find<IdPayload>(PayloadType::kIdr);
  ASSERT_TRUE(idi && idr);
  EXPECT_EQ(IdToString(*idi), "left.example.org");
  EXPECT_EQ(IdToString(*idr), "10.255.77.2");
  const auto* tsi = auth_req.Find<TsPayload>(PayloadType::kTsi);
  ASSERT_NE(tsi, nullptr);
  EXPECT_EQ(TsToString(tsi->selectors.at(0)), "10.1.0.0/16");

  // Both AUTH payloads verify with the PSK (RFC 7296 2.15).
  SecureBytes psk(r.H("psk"));
  auto octets_i = SignedOctets(t->prf, init_req, nr, keys->sk_pi, EncodeIdBody(*idi));
  auto octets_r = SignedOctets(t->prf, init_resp, ni, keys->sk_pr, EncodeIdBody(*idr));
  ASSERT_TRUE(octets_i && octets_r);
  const auto* auth_i = auth_req.Find<AuthPayload>(PayloadType::kAuth);
  const auto* auth_r = auth_resp.Find<AuthPayload>(PayloadType::kAuth);
  ASSERT_TRUE(auth_i && auth_r);
  EXPECT_EQ(auth_i->method, AuthMethod::kSharedKeyMic);
  EXPECT_TRUE(VerifyPskAuth(t->prf, psk, octets_i->span(), auth_i->data));
  EXPECT_TRUE(VerifyPskAuth(t->prf, psk, octets_r->span(), auth_r->data));
  EXPECT_FALSE(VerifyPskAuth(t->prf, SecureBytes(Bytes{'w', 'r', 'o', 'n', 'g'}), octets_i->span(),
                             auth_i->data));

  // Child SA keymat (no PFS in IKE_AUTH) for the ESP proposal strongSwan chose.
  // The host kernel cannot install ESP SAs, so responders refuse the child
  // (strongSwan with NO_PROPOSAL_CHOSEN after deriving keys, libreswan with
  // TS_UNACCEPTABLE before); only a charon responder logged child keys.
  const NotifyPayload* child_error = auth_resp.FirstErrorNotify();
  ASSERT_NE(child_error, nullptr);
  if (r.H("child_encr_i").empty()) {
    EXPECT_EQ(child_error->type, static_cast<uint16_t>(NotifyType::kTsUnacceptable));
    EXPECT_EQ(r.S("name").rfind("libreswan", 0), 0u) << "only the libreswan capture lacks keys";
    return;
  }
  EXPECT_EQ(child_error->type, static_cast<uint16_t>(NotifyType::kNoProposalChosen));
  const auto* esp = auth_req.Find<SaPayload>(PayloadType::kSa);
  ASSERT_NE(esp, nullptr);
  auto ct = ChildSaTransformsFrom(esp->proposals.at(0).proposal);
  ASSERT_TRUE(ct);
  auto child = DeriveChildSaKeys(t->prf, keys->sk_d, *ct, nullptr, ni, nr);
  ASSERT_TRUE(child) << child.error().message;
  EXPECT_EQ(ToHex(B(child->encr_i)), ToHex(r.H("child_encr_i")));
  EXPECT_EQ(ToHex(B(child->integ_i)), ToHex(r.H("child_integ_i")));
  EXPECT_EQ(ToHex(B(child->encr_r)), ToHex(r.H("child_encr_r")));
  EXPECT_EQ(ToHex(B(child->integ_r)), ToHex(r.H("child_integ_r")));
}

std::vector<Record> Captures() {
  return Of(Load("peer_captures.txt"), "capture");
}

INSTANTIATE_TEST_SUITE_P(Captured, PeerCapture, ::testing::ValuesIn(Captures()),
                         [](const auto& info) { return info.param.S("name"); });

TEST(PeerCaptureData, HasCaptures) {
  EXPECT_EQ(Captures().size(), 3u);
}

}  // namespace
}  // namespace ipsec::ike
