#include "ike/v1/quick_mode_steps.h"

#include <openssl/crypto.h>

#include "ike/crypto/algorithms.h"
#include "ike/v1/algorithms.h"
#include "ike/v1/codec.h"
#include "ike/v1/keymat.h"
#include "ike/v1/main_mode_steps.h"
#include "ike/v1/message_cipher.h"

namespace ipsec::ike::v1 {

namespace {

Result<MessageCipher> CipherOf(const Phase1Sa& p1) {
  return MessageCipher::Create(p1.transform.encryption, p1.transform.key_bits, p1.keys.encr_key);
}

}  // namespace

Error QuickModeError(int message, const std::string& what) {
  return MakeError("quick mode message " + std::to_string(message) + ": " + what);
}

Result<QuickModeState> NewQuickMode(const Phase1Sa& p1, uint32_t message_id, uint32_t inbound_spi) {
  if (message_id == 0) return MakeError("quick mode: message ID 0 is phase 1's");
  auto cipher = LookupPhase1Cipher(p1.transform.encryption, p1.transform.key_bits);
  if (!cipher) return MakeError("quick mode: the ISAKMP SA's cipher is unknown");
  auto iv = Phase2Iv(p1.transform.hash, p1.last_block, message_id, cipher->block_bytes);
  if (!iv) return iv.error();
  QuickModeState s;
  s.p1 = p1;
  s.message_id = message_id;
  s.inbound_spi = inbound_spi;
  s.iv = std::move(*iv);
  return s;
}

Result<Bytes> AfterHash(const std::vector<Payload>& payloads) {
  Bytes out;
  for (const Payload& p : payloads) {
    if (p.wire.empty()) return EncodePayloads(payloads);  // ours: encode the chain
    out.insert(out.end(), p.wire.begin(), p.wire.end());
  }
  return out;
}

Result<Bytes> QuickModeHash(const QuickModeState& s, int message, std::span<const uint8_t> rest) {
  auto prf = PrfForHash(s.p1.transform.hash);
  if (!prf) return prf.error();
  const SecureBytes& k = s.p1.keys.skeyid_a;
  if (message == 1) return QuickModeHash1(*prf, k, s.message_id, rest);
  if (message == 2) return QuickModeHash2(*prf, k, s.message_id, s.ni_b, rest);
  return QuickModeHash3(*prf, k, s.message_id, s.ni_b, s.nr_b);
}

Result<Bytes> SealQuickMode(QuickModeState* s, int message, std::vector<Payload> rest,
                            uint8_t exchange_type) {
  Bytes encoded;
  if (!rest.empty()) {
    auto r = EncodePayloads(rest);
    if (!r) return r.error();
    encoded = std::move(*r);
  }
  auto hash = QuickModeHash(*s, message, encoded);
  if (!hash) return hash.error();
  rest.insert(rest.begin(), Payload{payload::kHash, HashPayload{std::move(*hash)}, {}});
  auto plain = EncodePayloads(rest);
  auto cipher = CipherOf(s->p1);
  if (!plain) return plain.error();
  if (!cipher) return cipher.error();
  auto ct = cipher->Encrypt(s->iv, *plain);
  if (!ct) return ct.error();
  auto next = NextIv(*ct, cipher->block_size());
  if (!next) return next.error();
  Message m;
  m.header.cookie_i = s->p1.cookie_i;
  m.header.cookie_r = s->p1.cookie_r;
  m.header.exchange = exchange_type;
  m.header.message_id = s->message_id;
  m.header.flags = kFlagEncryption;
  m.header.next_payload = payload::kHash;
  m.encrypted_body = std::move(*ct);
  auto wire = Encode(m);
  if (!wire) return wire.error();
  s->iv = std::move(*next);
  s->last_sent = *wire;
  return wire;
}

Result<std::vector<Payload>> OpenQuickMode(const QuickModeState& s,
                                           std::span<const uint8_t> datagram, int message,
                                           Bytes* next_iv, uint8_t exchange_type) {
  auto m = Decode(datagram);
  if (!m) return QuickModeError(message, m.error().message);
  const Header& h = m->header;
  if (h.exchange != exchange_type || h.message_id != s.message_id || h.cookie_i != s.p1.cookie_i ||
      h.cookie_r != s.p1.cookie_r)
    return QuickModeError(message, "not this exchange (type, message ID or cookies)");
  if (!h.encrypted()) return QuickModeError(message, "not encrypted");
  if (h.flags & kFlagCommit) return QuickModeError(message, "commit bit set (not supported)");
  auto cipher = CipherOf(s.p1);
  if (!cipher) return QuickModeError(message, cipher.error().message);
  auto plain = cipher->Decrypt(s.iv, m->encrypted_body);
  if (!plain) return QuickModeError(message, plain.error().message);
  auto payloads = DecodePayloads(h.next_payload, *plain, kHeaderSize, /*padded=*/true);
  if (!payloads) return QuickModeError(message, payloads.error().message);
  if (payloads->empty() || payloads->front().type != payload::kHash)
    return QuickModeError(message, "the first payload is not HASH");
  std::vector<Payload> rest(payloads->begin() + 1, payloads->end());
  auto covered = AfterHash(rest);
  if (!covered) return QuickModeError(message, covered.error().message);
  auto want = QuickModeHash(s, message, message == 3 ? Bytes{} : *covered);
  if (!want) return QuickModeError(message, want.error().message);
  const Bytes& got = std::get<HashPayload>(payloads->front().body).data;
  if (got.size() != want->size() || CRYPTO_memcmp(got.data(), want->data(), got.size()) != 0)
    return QuickModeError(message, "HASH(" + std::to_string(message) + ") does not verify");
  auto next = NextIv(m->encrypted_body, cipher->block_size());
  if (!next) return QuickModeError(message, next.error().message);
  *next_iv = std::move(*next);
  return rest;
}

Status MakeQuickModeKeyExchange(QuickModeState* s, bool initiator, uint16_t group,
                                RandomSource& random, int message) {
  auto nonce = RandomNonce(random, message);
  if (!nonce) return nonce.error();
  (initiator ? s->ni_b : s->nr_b) = std::move(*nonce);
  if (group == 0) return Status::Ok();
  auto dh = GenerateDhKeyPair(group);
  if (!dh) return QuickModeError(message, dh.error().message);
  s->dh = std::move(*dh);
  return Status::Ok();
}

Status TakePeerKeyExchange(QuickModeState* s, const std::vector<Payload>& payloads, bool initiator,
                           int message) {
  const Payload* nonce = FindPayload(payloads, payload::kNonce);
  const Payload* ke = FindPayload(payloads, payload::kKe);
  if (!nonce) return QuickModeError(message, "Nonce payload missing");
  (initiator ? s->nr_b : s->ni_b) = std::get<NoncePayload>(nonce->body).nonce;
  const bool pfs = s->result.transform.attrs.group != 0;
  if (pfs != (ke != nullptr))
    return QuickModeError(message, pfs ? "PFS agreed but no KE payload" : "KE payload without PFS");
  if (ke) s->peer_ke = std::get<KePayload>(ke->body).data;
  return Status::Ok();
}

Status DeriveQuickModeKeys(QuickModeState* s, bool initiator, int message) {
  QuickModeResult& r = s->result;
  r.transforms = ChildTransformsOf(r.transform);
  auto encr = LookupEncr(r.transforms.encr, r.transforms.encr_key_bits);
  if (!encr) return QuickModeError(message, "unsupported ESP cipher " + DescribeEsp(r.transform));
  size_t integ_len = 0;
  if (!encr->aead) {
    auto integ = LookupInteg(r.transforms.integ);
    if (!integ)
      return QuickModeError(message, "unsupported ESP integrity " + DescribeEsp(r.transform));
    integ_len = integ->key_bytes;
  }
  const size_t encr_len = encr->key_bytes + encr->salt_bytes;
  std::optional<SecureBytes> g_qm;
  if (s->dh) {
    auto g = s->dh->ComputeSharedSecret(s->peer_ke);
    if (!g) return QuickModeError(message, "KE: " + g.error().message);
    g_qm = std::move(*g);
  }
  auto prf = PrfForHash(s->p1.transform.hash);
  if (!prf) return prf.error();
  // Each direction's KEYMAT is keyed by the SPI its receiver chose.
  const uint32_t spi_i = initiator ? r.inbound_spi : r.outbound_spi;
  const uint32_t spi_r = initiator ? r.outbound_spi : r.inbound_spi;
  auto keymat = [&](uint32_t spi) {
    return QuickModeKeymat(*prf, s->p1.keys.skeyid_d, g_qm ? &*g_qm : nullptr, protocol::kEsp, spi,
                           s->ni_b, s->nr_b, encr_len + integ_len);
  };
  SecureBytes to_r = keymat(spi_r), to_i = keymat(spi_i);
  r.keys.encr_i = to_r.Slice(0, encr_len);
  r.keys.integ_i = to_r.Slice(encr_len, integ_len);
  r.keys.encr_r = to_i.Slice(0, encr_len);
  r.keys.integ_r = to_i.Slice(encr_len, integ_len);
  return Status::Ok();
}

}  // namespace ipsec::ike::v1
