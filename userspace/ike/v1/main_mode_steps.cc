#include "ike/v1/main_mode_steps.h"

#include <openssl/crypto.h>

#include <algorithm>

#include "ike/v1/algorithms.h"
#include "ike/v1/codec.h"
#include "ike/v1/keymat.h"
#include "ike/v1/message_cipher.h"

namespace ipsec::ike::v1 {

namespace {

bool SameSecret(std::span<const uint8_t> a, std::span<const uint8_t> b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

Result<Bytes> NatDFor(const MainModeState& s, const Endpoint& e) {
  return NatDHash(s.sa.transform.hash, s.sa.cookie_i, s.sa.cookie_r, e.address, e.port);
}

}  // namespace

Error MainModeError(int message, const std::string& what) {
  return MakeError("main mode message " + std::to_string(message) + ": " + what);
}

Result<Message> DecodeMainMode(std::span<const uint8_t> datagram, int message, uint64_t cookie_i,
                               uint64_t cookie_r, bool encrypted) {
  auto m = Decode(datagram);
  if (!m) return MainModeError(message, m.error().message);
  const Header& h = m->header;
  if (h.exchange != exchange::kIdentityProtection)
    return MainModeError(message,
                         "exchange type " + std::to_string(h.exchange) + ", not main mode");
  if (h.message_id != 0) return MainModeError(message, "non-zero message ID");
  if (cookie_i != 0 && h.cookie_i != cookie_i)
    return MainModeError(message, "initiator cookie is not ours");
  if (cookie_r != 0 && h.cookie_r != cookie_r)
    return MainModeError(message, "responder cookie is not this exchange's");
  if (h.encrypted() != encrypted)
    return MainModeError(message, encrypted ? "not encrypted" : "encrypted too early");
  if (h.flags & kFlagCommit) return MainModeError(message, "commit bit set (not supported)");
  return std::move(*m);
}

Result<uint64_t> RandomCookie(RandomSource& random) {
  uint64_t c = 0;
  while (c == 0) {
    uint8_t b[8];
    if (!random.Fill(b)) return MakeError("main mode: no random bytes for a cookie");
    for (uint8_t x : b) c = c << 8 | x;
  }
  return c;
}

Result<Bytes> RandomNonce(RandomSource& random, int message) {
  Bytes n(32);
  if (!random.Fill(n)) return MainModeError(message, "no random bytes for the nonce");
  return n;
}

const Payload* FindPayload(const std::vector<Payload>& payloads, uint8_t type) {
  auto it = std::find_if(payloads.begin(), payloads.end(),
                         [type](const Payload& p) { return p.type == type; });
  return it == payloads.end() ? nullptr : &*it;
}

Result<Bytes> HashedBody(const Payload& p) {
  if (p.wire.size() >= kGenericHeaderSize)
    return Bytes(p.wire.begin() + kGenericHeaderSize, p.wire.end());
  auto enc = EncodePayloads({p});
  if (!enc) return enc.error();
  return Bytes(enc->begin() + kGenericHeaderSize, enc->end());
}

Bytes NatTVendorId() {
  return {0x4a, 0x13, 0x1c, 0x81, 0x07, 0x03, 0x58, 0x45,
          0x5c, 0x57, 0x28, 0xf2, 0x0e, 0x95, 0x45, 0x2f};
}

Bytes DpdVendorId() {
  return {0xaf, 0xca, 0xd7, 0x13, 0x68, 0xa1, 0xf1, 0xc9,
          0x6b, 0x86, 0x96, 0xfc, 0x77, 0x57, 0x01, 0x00};
}

void NoteVendorIds(const std::vector<Payload>& payloads, Phase1Sa* sa) {
  for (const Payload& p : payloads) {
    if (p.type != payload::kVendorId) continue;
    const Bytes& id = std::get<VendorIdPayload>(p.body).id;
    if (id == NatTVendorId()) sa->peer_nat_t = true;
    // RFC 3706 3: the last two bytes are the version (1.0); only the prefix identifies it.
    Bytes dpd = DpdVendorId();
    if (id.size() == dpd.size() && std::equal(dpd.begin(), dpd.end() - 2, id.begin()))
      sa->peer_dpd = true;
  }
}

std::vector<Payload> OurVendorIds() {
  return {{payload::kVendorId, VendorIdPayload{NatTVendorId()}, {}},
          {payload::kVendorId, VendorIdPayload{DpdVendorId()}, {}}};
}

Result<std::vector<Payload>> BuildNatD(const MainModeState& s) {
  auto peer = NatDFor(s, s.params.remote);
  auto ours = NatDFor(s, s.params.local);
  if (!peer) return peer.error();
  if (!ours) return ours.error();
  return std::vector<Payload>{{payload::kNatD, NatDPayload{std::move(*peer)}, {}},
                              {payload::kNatD, NatDPayload{std::move(*ours)}, {}}};
}

Status CheckNatD(const std::vector<Payload>& payloads, int message, MainModeState* s) {
  std::vector<const Bytes*> got;
  for (const Payload& p : payloads)
    if (p.type == payload::kNatD) got.push_back(&std::get<NatDPayload>(p.body).hash);
  if (got.size() < 2) return MainModeError(message, "fewer than two NAT-D payloads");
  auto us = NatDFor(*s, s->params.local);
  auto peer = NatDFor(*s, s->params.remote);
  if (!us) return us.error();
  if (!peer) return peer.error();
  // The first is how the peer sees us; the others are the addresses it has.
  s->sa.local_behind_nat = *got[0] != *us;
  s->sa.remote_behind_nat =
      std::none_of(got.begin() + 1, got.end(), [&](const Bytes* h) { return *h == *peer; });
  return Status::Ok();
}

Result<std::pair<Bytes, Bytes>> PeerKeyExchange(const std::vector<Payload>& payloads, int message) {
  const Payload* ke = FindPayload(payloads, payload::kKe);
  const Payload* nonce = FindPayload(payloads, payload::kNonce);
  if (!ke || !nonce) return MainModeError(message, "KE or Nonce payload missing");
  return std::pair{std::get<KePayload>(ke->body).data, std::get<NoncePayload>(nonce->body).nonce};
}

Status MakeOurKeyExchange(MainModeState* s, bool initiator, RandomSource& random, int message) {
  auto dh = GenerateDhKeyPair(s->sa.transform.group);
  if (!dh) return MainModeError(message, dh.error().message);
  auto nonce = RandomNonce(random, message);
  if (!nonce) return nonce.error();
  s->dh = std::move(*dh);
  (initiator ? s->g_xi : s->g_xr) = s->dh->public_value();
  (initiator ? s->ni_b : s->nr_b) = std::move(*nonce);
  return Status::Ok();
}

Result<std::vector<Payload>> KeyExchangePayloads(const MainModeState& s, bool initiator) {
  std::vector<Payload> out = {{payload::kKe, KePayload{initiator ? s.g_xi : s.g_xr}, {}},
                              {payload::kNonce, NoncePayload{initiator ? s.ni_b : s.nr_b}, {}}};
  if (s.sa.peer_nat_t) {
    auto natd = BuildNatD(s);
    if (!natd) return natd.error();
    out.insert(out.end(), natd->begin(), natd->end());
  }
  return out;
}

Result<Bytes> SendCleartext(MainModeState* s, std::vector<Payload> payloads, int step) {
  Message m;
  m.header.cookie_i = s->sa.cookie_i;
  m.header.cookie_r = s->sa.cookie_r;
  m.payloads = std::move(payloads);
  auto wire = Encode(m);
  if (!wire) return wire.error();
  s->step = step;
  s->last_sent = *wire;
  return wire;
}

Status DerivePhase1(MainModeState* s, bool initiator, int message) {
  const IsakmpTransformAttrs& t = s->sa.transform;
  const Bytes& peer_public = initiator ? s->g_xr : s->g_xi;
  auto g_xy = s->dh->ComputeSharedSecret(peer_public);
  if (!g_xy) return MainModeError(message, "KE: " + g_xy.error().message);
  auto prf = PrfForHash(t.hash);
  auto cipher = LookupPhase1Cipher(t.encryption, t.key_bits);
  if (!prf || !cipher) return MainModeError(message, "chosen transform cannot be used");
  auto keys = DerivePhase1PskKeys(*prf, s->params.psk.span(), s->ni_b, s->nr_b, *g_xy,
                                  s->sa.cookie_i, s->sa.cookie_r, cipher->key_bytes);
  if (!keys) return MainModeError(message, keys.error().message);
  auto iv = Phase1Iv(t.hash, s->g_xi, s->g_xr, cipher->block_bytes);
  if (!iv) return MainModeError(message, iv.error().message);
  s->sa.keys = std::move(*keys);
  s->iv = std::move(*iv);
  return Status::Ok();
}

Result<Bytes> SealMainMode(MainModeState* s, const std::vector<Payload>& payloads) {
  auto cipher = MessageCipher::Create(s->sa.transform.encryption, s->sa.transform.key_bits,
                                      s->sa.keys.encr_key);
  if (!cipher) return cipher.error();
  auto plain = EncodePayloads(payloads);
  if (!plain) return plain.error();
  auto ct = cipher->Encrypt(s->iv, *plain);
  if (!ct) return ct.error();
  auto next = NextIv(*ct, cipher->block_size());
  if (!next) return next.error();
  Message m;
  m.header.cookie_i = s->sa.cookie_i;
  m.header.cookie_r = s->sa.cookie_r;
  m.header.flags = kFlagEncryption;
  m.header.next_payload = payloads.front().type;
  m.encrypted_body = std::move(*ct);
  auto wire = Encode(m);
  if (!wire) return wire.error();
  s->iv = std::move(*next);
  return wire;
}

Result<std::vector<Payload>> OpenMainMode(const MainModeState& s, const Message& m, int message) {
  auto cipher =
      MessageCipher::Create(s.sa.transform.encryption, s.sa.transform.key_bits, s.sa.keys.encr_key);
  if (!cipher) return MainModeError(message, cipher.error().message);
  auto plain = cipher->Decrypt(s.iv, m.encrypted_body);
  if (!plain) return MainModeError(message, plain.error().message);
  auto payloads = DecodePayloads(m.header.next_payload, *plain, kHeaderSize, /*padded=*/true);
  // A wrong key decrypts to garbage: the usual sign of a pre-shared key that differs.
  if (!payloads)
    return MainModeError(message, "does not decrypt to payloads (pre-shared keys differ?): " +
                                      payloads.error().message);
  return std::move(*payloads);
}

namespace {

Result<Bytes> IdentityHash(const MainModeState& s, bool initiator_hash, const Bytes& id_b) {
  auto prf = PrfForHash(s.sa.transform.hash);
  if (!prf) return prf.error();
  const Phase1Sa& sa = s.sa;
  return initiator_hash
             ? HashI(*prf, sa.keys.skeyid, s.g_xi, s.g_xr, sa.cookie_i, sa.cookie_r, s.sai_b, id_b)
             : HashR(*prf, sa.keys.skeyid, s.g_xi, s.g_xr, sa.cookie_i, sa.cookie_r, s.sai_b, id_b);
}

}  // namespace

Status CheckIdentity(const std::vector<Payload>& payloads, int message, bool initiator_hash,
                     MainModeState* s) {
  const Payload* id = FindPayload(payloads, payload::kId);
  const Payload* hash = FindPayload(payloads, payload::kHash);
  if (!id || !hash) return MainModeError(message, "ID or HASH payload missing");
  auto id_b = HashedBody(*id);
  if (!id_b) return MainModeError(message, id_b.error().message);
  auto want = IdentityHash(*s, initiator_hash, *id_b);
  if (!want) return MainModeError(message, want.error().message);
  if (!SameSecret(*want, std::get<HashPayload>(hash->body).data))
    return MainModeError(message, std::string(initiator_hash ? "HASH_I" : "HASH_R") +
                                      " does not verify (pre-shared keys differ?)");
  const IdPayload& peer = std::get<IdPayload>(id->body);
  if (s->params.expected_peer_id && !(*s->params.expected_peer_id == peer))
    return MainModeError(message, "peer ID is not the configured rightid");
  s->sa.peer_id = peer;
  for (const Payload& p : payloads)
    if (const auto* n = std::get_if<NotifyPayload>(&p.body))
      s->sa.peer_initial_contact |=
          n->type == notify::kInitialContact && n->protocol == protocol::kIsakmp;
  return Status::Ok();
}

Result<std::vector<Payload>> BuildIdentity(const MainModeState& s, bool initiator_hash) {
  Payload id{payload::kId, s.params.local_id, {}};
  auto id_b = HashedBody(id);
  if (!id_b) return id_b.error();
  auto hash = IdentityHash(s, initiator_hash, *id_b);
  if (!hash) return hash.error();
  std::vector<Payload> out = {id, {payload::kHash, HashPayload{std::move(*hash)}, {}}};
  if (initiator_hash && s.params.initial_contact) {
    NotifyPayload n;
    n.protocol = protocol::kIsakmp;
    n.type = notify::kInitialContact;
    for (uint64_t c : {s.sa.cookie_i, s.sa.cookie_r})
      for (int i = 7; i >= 0; --i) n.spi.push_back(static_cast<uint8_t>(c >> (8 * i)));
    out.push_back({payload::kNotification, std::move(n), {}});
  }
  return out;
}

}  // namespace ipsec::ike::v1
