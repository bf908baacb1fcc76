#include "engine/tasks/cert_auth.h"

#include <algorithm>

#include "ike/cert/cert_payloads.h"
#include "ike/cert/dn.h"
#include "ike/cert/id_match.h"
#include "ike/cert/sig_hash_notify.h"

namespace ipsec::engine {

using ike::PayloadType;

bool UsesCertificates(const Connection& c) {
  return c.local.auth == config::AuthBy::kPubkey || c.remote.auth == config::AuthBy::kPubkey;
}

ike::NotifyPayload SignatureHashNotify() {
  return ike::Notify(ike::NotifyType::kSignatureHashAlgorithms,
                     cert::BuildSignatureHashData(cert::OurSignatureHashes()));
}

std::vector<cert::SigHash> PeerSignatureHashes(const ike::Message& m) {
  const auto* n = m.FindNotify(ike::NotifyType::kSignatureHashAlgorithms);
  if (!n) return {};
  auto hashes = cert::ParseSignatureHashData(n->data);
  return hashes ? std::move(hashes).value() : std::vector<cert::SigHash>{};
}

std::vector<cert::Certificate> CertReqAnchors(const cert::CertStore& store,
                                              std::span<const std::string> cas) {
  std::span<const cert::Certificate> all = store.anchors();
  if (all.size() > cert::kMaxCertReqAuthorities) all = all.first(cert::kMaxCertReqAuthorities);
  std::vector<cert::OsslPtr<X509_NAME>> wanted;
  for (const auto& ca : cas) {
    auto dn = cert::ParseDn(ca);
    if (ca.empty() || !dn) return {all.begin(), all.end()};
    wanted.push_back(std::move(dn).value());
  }
  std::vector<cert::Certificate> named;
  for (const auto& a : all)
    for (const auto& w : wanted)
      if (cert::DnMatches(w.get(), X509_get_subject_name(a.get()))) {
        named.push_back(a);
        break;
      }
  if (named.empty()) return {all.begin(), all.end()};
  return named;
}

void AddCertReq(const EngineContext& ctx, std::span<const std::string> cas, ike::Message& m) {
  const cert::CertStore* store = ctx.secrets.TrustAnchors();
  if (!store || store->anchors().empty()) return;
  m.Add(PayloadType::kCertReq,
        ike::RawPayload{cert::EncodeCertReqBody(CertReqAnchors(*store, cas))});
}

bool HasCertReq(const ike::Message& m) {
  for (const auto& p : m.payloads)
    if (p.type == PayloadType::kCertReq) return true;
  return false;
}

Result<ike::AuthPayload> AddCertsAndSign(const EngineContext& ctx, const config::End& local,
                                         bool peer_asked,
                                         std::span<const cert::SigHash> peer_hashes,
                                         std::span<const uint8_t> octets, ike::Message& m,
                                         std::string* scheme_name) {
  const LocalCredential* cred = ctx.secrets.FindCredential(local.cert);
  if (!cred || cred->chain.empty() || !cred->key)
    return MakeError("no certificate and private key loaded for leftcert '" + local.cert + "'");
  auto scheme = cert::ChooseScheme(cred->key->type(), peer_hashes, local.sig_pss, local.sig_hashes);
  if (!scheme) return MakeError("cannot sign with our key: " + scheme.error().message);
  auto sig = cert::SignAuth(*cred->key, *scheme, octets);
  if (!sig) return MakeError("signing our AUTH failed: " + sig.error().message);
  *scheme_name = cert::SchemeName(cred->key->type(), *scheme);
  const bool send =
      local.sendcert == SendCert::kAlways || (local.sendcert == SendCert::kIfAsked && peer_asked);
  if (send)
    for (const auto& c : cred->chain)
      m.Add(PayloadType::kCert, ike::RawPayload{cert::EncodeCertBody(c)});
  return ike::AuthPayload{static_cast<ike::AuthMethod>(scheme->method), std::move(sig).value()};
}

std::string CheckPeerScheme(const config::End& remote, cert::KeyType key, int key_bits,
                            const cert::SignatureScheme& used) {
  const bool rsa = key == cert::KeyType::kRsa;
  const bool ecdsa = key == cert::KeyType::kEcdsaP256 || key == cert::KeyType::kEcdsaP384 ||
                     key == cert::KeyType::kEcdsaP521;
  if ((remote.sig_key == "rsa" && !rsa) || (remote.sig_key == "ecdsa" && !ecdsa) ||
      (remote.sig_key == "ed25519" && key != cert::KeyType::kEd25519))
    return "an " + remote.sig_key + " key";
  if (remote.sig_key_bits != 0 && key_bits < static_cast<int>(remote.sig_key_bits))
    return "a key of at least " + std::to_string(remote.sig_key_bits) + " bits, not " +
           std::to_string(key_bits);
  if (!remote.sig_hashes.empty() && std::find(remote.sig_hashes.begin(), remote.sig_hashes.end(),
                                              used.hash) == remote.sig_hashes.end()) {
    std::string names;
    for (auto h : remote.sig_hashes)
      names += (names.empty() ? "" : " or ") +
               ("sha" + std::to_string(h == cert::SigHash::kSha1 ? 1 : 128 * static_cast<int>(h)));
    return "hash " + names;
  }
  if (rsa && remote.sig_pss && used.padding != cert::RsaPadding::kPss) return "RSASSA-PSS";
  if (rsa && remote.sig_key == "rsa" && !remote.sig_pss && !remote.sig_hashes.empty() &&
      used.padding != cert::RsaPadding::kPkcs1)
    return "RSA PKCS#1 v1.5";
  return "";
}

namespace {

// Whether the verified chain of ee reaches a CA named ca_dn (rightca=): the
// anchor or one of the intermediates the peer sent.
bool ChainHasCa(const cert::CertStore& store, const cert::Certificate& ee,
                const std::vector<cert::Certificate>& intermediates, const std::string& ca_dn) {
  auto want = cert::ParseDn(ca_dn);
  if (!want) return false;
  auto named = [&](const cert::Certificate& c) {
    return cert::DnMatches(want->get(), X509_get_subject_name(c.get()));
  };
  if (auto anchor = store.ChainAnchor(ee, intermediates); anchor && named(*anchor)) return true;
  for (const auto& c : intermediates)
    if (named(c)) return true;
  return false;
}

}  // namespace

std::string VerifyPeerSignature(const EngineContext& ctx, const config::End& remote,
                                const ike::Message& m, const ike::IdPayload& id,
                                const ike::AuthPayload& auth, std::span<const uint8_t> octets,
                                std::string* scheme_name, std::string* subject) {
  const uint8_t method = static_cast<uint8_t>(auth.method);
  if (auth.method == ike::AuthMethod::kSharedKeyMic)
    return "peer authenticated with a PSK, but this connection wants its certificate";
  std::vector<cert::Certificate> certs;
  for (const auto& p : m.payloads) {
    const auto* raw = std::get_if<ike::RawPayload>(&p.body);
    if (p.type != PayloadType::kCert || !raw) continue;
    if (certs.size() == kMaxPeerCerts)
      return "peer sent more than " + std::to_string(kMaxPeerCerts) + " CERT payloads";
    auto c = cert::ParseCertBody(raw->body);
    if (!c) {
      if (certs.empty()) return "peer's CERT payload: " + c.error().message;
      continue;  // an intermediate we cannot use: the chain check says what is missing
    }
    certs.push_back(std::move(c).value());
  }
  if (certs.empty()) return "peer sent no certificate (no CERT payload)";
  const cert::CertStore* store = ctx.secrets.TrustAnchors();
  if (!store || store->anchors().empty())
    return "no trust anchors loaded to check the peer's certificate '" + certs[0].Subject() + "'";
  const cert::Certificate ee = certs[0];
  std::vector<cert::Certificate> intermediates(certs.begin() + 1, certs.end());
  if (auto st = store->Verify(ee, intermediates); !st) return st.error().message;
  if (!remote.ca.empty() && !ChainHasCa(*store, ee, intermediates, remote.ca))
    return "certificate '" + ee.Subject() + "' does not chain to rightca '" + remote.ca + "'";
  std::string why;
  if (!cert::CertMatchesId(ee, static_cast<uint8_t>(id.id_type), id.data, &why))
    return "peer ID '" + ike::IdToString(id) + "' is not in its certificate '" + ee.Subject() +
           "': " + why;
  cert::SignatureScheme used;
  if (auto st = cert::VerifyAuth(method, auth.data, ee.public_key(), octets,
                                 cert::OurSignatureHashes(), &used);
      !st)
    return "AUTH signature of '" + ee.Subject() + "' did not verify: " + st.error().message;
  *scheme_name = cert::SchemeName(cert::KeyTypeOf(ee.public_key()), used);
  if (auto missing = CheckPeerScheme(remote, cert::KeyTypeOf(ee.public_key()),
                                     EVP_PKEY_get_bits(ee.public_key()), used);
      !missing.empty())
    return "certificate '" + ee.Subject() + "' signed with " + *scheme_name +
           " but rightauth= asks for " + missing;
  *subject = ee.Subject();
  return "";
}

}  // namespace ipsec::engine
