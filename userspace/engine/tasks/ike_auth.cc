// IKE_AUTH (RFC 7296 1.2, 2.15): IDi/IDr of type IPv4, IPv6, FQDN,
// RFC822 or DER_ASN1_DN; each end proves its ID with a pre-shared key, AUTH
// = prf(prf(PSK, "Key Pad for IKEv2"), signed octets), or with a
// certificate and a signature over the same octets (cert_auth.h), as its
// connection's end says. The responder picks the connection by addresses and
// the peer's IDi (and IDr when sent). Every failure is one clear line.
#include "engine/identity.h"
#include "engine/ike_sa.h"
#include "engine/tasks/cert_auth.h"
#include "engine/tasks/tasks.h"
#include "ike/codec.h"
#include "ike/crypto/auth.h"

namespace ipsec::engine {
namespace {

using ike::NotifyType;
using ike::PayloadType;

using ike::Notify;

// RFC 7296 2.3: how many requests the peer may have outstanding towards
// us (task_manager.h), sent by both ends in IKE_AUTH.
ike::NotifyPayload WindowNotify(const IkeSa& sa) {
  ike::NotifyPayload n = Notify(NotifyType::kSetWindowSize);
  const uint32_t w = sa.tasks.our_window();
  n.data = {static_cast<uint8_t>(w >> 24), static_cast<uint8_t>(w >> 16),
            static_cast<uint8_t>(w >> 8), static_cast<uint8_t>(w)};
  return n;
}

// The peer's window from its SET_WINDOW_SIZE; 1 without one (or a
// malformed one).
void TakePeerWindow(IkeSa& sa, const ike::Message& m) {
  const auto* n = m.FindNotify(NotifyType::kSetWindowSize);
  if (!n || n->data.size() != 4) return;
  const uint32_t w = uint32_t{n->data[0]} << 24 | uint32_t{n->data[1]} << 16 |
                     uint32_t{n->data[2]} << 8 | n->data[3];
  sa.tasks.SetPeerWindow(w);
}

class IkeAuthTask : public Task {
 public:
  explicit IkeAuthTask(EngineContext& ctx) : ctx_(ctx) {}
  TaskType type() const override { return TaskType::kIkeAuth; }

  TaskResult BuildRequest(IkeSa& sa, ike::Message& req) override {
    const Connection& c = *sa.conn;
    sa.local_id = IdPayloadOf(c.local.id, c.local.host);
    const ike::IdPayload remote =
        IdPayloadOf(c.remote.id, c.remote.host.is_set() ? c.remote.host : sa.remote.addr);
    auto octets = Octets(sa, sa.init_request, sa.nonce_r, sa.keys.sk_pi, sa.local_id);
    if (!octets) return TaskResult::kDestroySa;
    // First contact since we started (or since the peer's SAs went): the
    // peer may drop whatever it still holds from a previous run of ours.
    if (!ctx_.other_ike_sa_with_peer || !ctx_.other_ike_sa_with_peer(sa))
      req.Add(PayloadType::kNotify, Notify(NotifyType::kInitialContact));
    req.Add(PayloadType::kNotify, WindowNotify(sa));
    req.Add(PayloadType::kIdi, sa.local_id);
    // RFC 7296 2.15 order: IDi, [CERT+], [CERTREQ], [IDr], AUTH.
    auto auth = OurAuth(sa, c.local, remote, octets->span(), req);
    if (!auth) return TaskResult::kDestroySa;
    if (c.remote.auth == config::AuthBy::kPubkey) AddCertReq(ctx_, std::span(&c.remote.ca, 1), req);
    if (IdIsExact(c.remote.id)) req.Add(PayloadType::kIdr, IdPayloadOf(c.remote.id, c.remote.host));
    req.Add(PayloadType::kAuth, std::move(auth).value());
    return TaskResult::kNeedMore;
  }

  TaskResult ProcessResponse(IkeSa& sa, const ike::Message& resp) override {
    const Connection& c = *sa.conn;
    const std::string local = ike::IdToString(sa.local_id);
    if (resp.FindNotify(NotifyType::kAuthenticationFailed)) {
      ++ctx_.counters.auth_failures;
      const std::string ours =
          c.local.auth == config::AuthBy::kPubkey ? "our certificate or signature" : "our PSK";
      ctx_.Error(c.name, "AUTHENTICATION_FAILED: peer rejected " + ours +
                             " (or does not know our ID '" + local + "')");
      return TaskResult::kDestroySa;
    }
    const auto* idr = resp.Find<ike::IdPayload>(PayloadType::kIdr);
    const auto* auth = resp.Find<ike::AuthPayload>(PayloadType::kAuth);
    if (!idr || !auth) {
      const auto* e = resp.FirstErrorNotify();
      ctx_.Error(c.name, "IKE_AUTH failed: peer sent " +
                             (e ? ike::NotifyName(e->type) : std::string("no IDr/AUTH")));
      return TaskResult::kDestroySa;
    }
    const std::string remote = ike::IdToString(*idr);
    if (!IdMatches(c.remote.id, c.remote.host, *idr)) {
      ++ctx_.counters.auth_failures;
      ctx_.Error(c.name,
                 "peer authenticated as '" + remote + "', but rightid is '" +
                     (c.remote.id.kind == config::Identity::Kind::kNone ? c.remote.host.ToString()
                                                                        : c.remote.id.ToString()) +
                     "'");
      return TaskResult::kDestroySa;
    }
    auto octets = Octets(sa, sa.init_response, sa.nonce_i, sa.keys.sk_pr, *idr);
    if (!octets) return TaskResult::kDestroySa;
    if (std::string why = PeerAuthRefusal(sa, c.remote, resp, *idr, *auth, octets->span());
        !why.empty()) {
      ++ctx_.counters.auth_failures;
      ctx_.Error(c.name, why);
      return TaskResult::kDestroySa;
    }
    sa.remote_id = *idr;
    sa.peer_initial_contact = resp.FindNotify(NotifyType::kInitialContact) != nullptr;
    TakePeerWindow(sa, resp);
    Established(sa);
    return TaskResult::kDone;
  }

  TaskResult ProcessRequest(IkeSa& sa, const ike::Message& req) override {
    const auto* idi = req.Find<ike::IdPayload>(PayloadType::kIdi);
    const auto* idr = req.Find<ike::IdPayload>(PayloadType::kIdr);
    const auto* auth = req.Find<ike::AuthPayload>(PayloadType::kAuth);
    if (!idi || !auth) {
      sa.fatal_response = Notify(NotifyType::kInvalidSyntax);
      return TaskResult::kDestroySa;
    }
    const std::string remote = ike::IdToString(*idi);
    std::shared_ptr<const Connection> conn = PickConnection(sa, *idi, idr);
    if (!conn) {
      ctx_.Error(sa.conn_name(), "unknown peer ID '" + remote + "' from " + sa.remote.ToString() +
                                     ": no connection has it as rightid");
      return RefuseAuth(sa);
    }
    sa.conn = conn;
    sa.peer_certreq = sa.peer_certreq || HasCertReq(req);
    sa.local_id =
        IdPayloadOf(conn->local.id, conn->local.host.is_set() ? conn->local.host : sa.local.addr);
    auto peer_octets = Octets(sa, sa.init_request, sa.nonce_r, sa.keys.sk_pi, *idi);
    auto our_octets = Octets(sa, sa.init_response, sa.nonce_i, sa.keys.sk_pr, sa.local_id);
    if (!peer_octets || !our_octets) return RefuseAuth(sa);
    if (std::string why = PeerAuthRefusal(sa, conn->remote, req, *idi, *auth, peer_octets->span());
        !why.empty()) {
      ctx_.Error(conn->name, why);
      return RefuseAuth(sa);
    }
    // Ours is made now, so that a missing key or PSK is answered with
    // AUTHENTICATION_FAILED too; BuildResponse sends it.
    auto ours = OurAuth(sa, conn->local, *idi, our_octets->span(), our_certs_);
    if (!ours) return RefuseAuth(sa);
    our_auth_ = std::move(ours).value();
    sa.remote_id = *idi;
    sa.peer_initial_contact = req.FindNotify(NotifyType::kInitialContact) != nullptr;
    TakePeerWindow(sa, req);
    Established(sa);
    return TaskResult::kDone;
  }

  TaskResult BuildResponse(IkeSa& sa, ike::Message& resp) override {
    resp.Add(PayloadType::kNotify, WindowNotify(sa));
    resp.Add(PayloadType::kIdr, sa.local_id);
    for (auto& p : our_certs_.payloads) resp.payloads.push_back(std::move(p));
    our_certs_.payloads.clear();
    resp.Add(PayloadType::kAuth, std::move(our_auth_));
    return TaskResult::kDone;
  }

 private:
  // The responder's answer to an IKE_AUTH it does not accept (the reason
  // is logged already).
  TaskResult RefuseAuth(IkeSa& sa) {
    ++ctx_.counters.auth_failures;
    sa.fatal_response = Notify(NotifyType::kAuthenticationFailed);
    return TaskResult::kDestroySa;
  }

  // RFC 7296 2.15's octets for the side whose first message, peer nonce,
  // SK_p and ID these are; logged when they cannot be computed.
  std::optional<SecureBytes> Octets(IkeSa& sa, std::span<const uint8_t> first_message,
                                    std::span<const uint8_t> peer_nonce, const SecureBytes& sk_p,
                                    const ike::IdPayload& id) {
    auto octets = ike::SignedOctets(sa.transforms.prf, first_message, peer_nonce, sk_p,
                                    ike::EncodeIdBody(id));
    if (!octets) {
      ctx_.Error(sa.conn_name(), "AUTH computation failed: " + octets.error().message);
      return std::nullopt;
    }
    return std::move(octets).value();
  }

  // Our AUTH payload for `local`: a signature (CERT payloads added to m)
  // or the PSK's MAC. Failures are logged.
  std::optional<ike::AuthPayload> OurAuth(IkeSa& sa, const config::End& local,
                                          const ike::IdPayload& remote,
                                          std::span<const uint8_t> octets, ike::Message& m) {
    if (local.auth == config::AuthBy::kPubkey) {
      auto a = AddCertsAndSign(ctx_, local, sa.peer_certreq, sa.peer_sig_hashes, octets, m,
                               &sa.local_auth);
      if (!a) {
        ctx_.Error(sa.conn_name(), a.error().message);
        return std::nullopt;
      }
      return std::move(a).value();
    }
    auto psk = ctx_.secrets.FindPsk(IdentityOf(sa.local_id), IdentityOf(remote));
    if (!psk) {
      ctx_.Error(sa.conn_name(), "no PSK in the secrets for local ID '" +
                                     ike::IdToString(sa.local_id) + "' and remote ID '" +
                                     ike::IdToString(remote) + "'");
      return std::nullopt;
    }
    auto auth = ike::ComputePskAuth(sa.transforms.prf, *psk, octets);
    if (!auth) {
      ctx_.Error(sa.conn_name(), "AUTH computation failed: " + auth.error().message);
      return std::nullopt;
    }
    sa.local_auth = "psk";
    return ike::AuthPayload{ike::AuthMethod::kSharedKeyMic, std::move(auth).value()};
  }

  // "" when the peer's AUTH (and, for `remote` authenticating with a
  // certificate, its CERT) proves id; else the reason, one line.
  std::string PeerAuthRefusal(IkeSa& sa, const config::End& remote, const ike::Message& m,
                              const ike::IdPayload& id, const ike::AuthPayload& auth,
                              std::span<const uint8_t> octets) {
    const std::string peer = ike::IdToString(id);
    if (remote.auth == config::AuthBy::kPubkey)
      return VerifyPeerSignature(ctx_, remote, m, id, auth, octets, &sa.remote_auth,
                                 &sa.remote_cert);
    if (auth.method != ike::AuthMethod::kSharedKeyMic)
      return "peer uses AUTH method " + std::to_string(static_cast<int>(auth.method)) +
             " (a signature), but this connection wants a PSK from it";
    auto psk = ctx_.secrets.FindPsk(IdentityOf(sa.local_id), IdentityOf(id));
    if (!psk) return "no PSK in the secrets for peer ID '" + peer + "'";
    if (!ike::VerifyPskAuth(sa.transforms.prf, *psk, octets, auth.data))
      return "PSK mismatch: peer's AUTH did not verify (peer ID '" + peer + "')";
    sa.remote_auth = "psk";
    sa.remote_cert.clear();
    return "";
  }

  std::shared_ptr<const Connection> PickConnection(const IkeSa& sa, const ike::IdPayload& idi,
                                                   const ike::IdPayload* idr) {
    auto fits = [&](const Connection& c) {
      if (!AddressMatches(c.local.host, sa.local.addr) ||
          !AddressMatches(c.remote.host, sa.remote.addr))
        return false;
      if (!IdMatches(c.remote.id, c.remote.host, idi)) return false;
      if (idr && !IdMatches(c.local.id, c.local.host.is_set() ? c.local.host : sa.local.addr, *idr))
        return false;
      return true;
    };
    if (sa.conn && fits(*sa.conn)) return sa.conn;
    for (const auto& c : ctx_.connections)
      if (c->auto_action != AutoAction::kIgnore && fits(*c)) return c;
    return nullptr;
  }

  void Established(IkeSa& sa) {
    sa.state = IkeSa::State::kEstablished;
    sa.established_ms = ctx_.NowMs();
    ++ctx_.counters.ike_sas_established;
    ctx_.last_error.erase(sa.conn_name());
    ctx_.Log(LogLevel::kInfo, sa.conn_name(),
             "IKE SA established between " + sa.local.ToString() + " [" +
                 ike::IdToString(sa.local_id) + "] and " + sa.remote.ToString() + " [" +
                 ike::IdToString(sa.remote_id) + "]");
    ctx_.events.OnStateChange(sa.conn_name());
  }

  EngineContext& ctx_;
  // Responder: our AUTH and CERT payloads, made in ProcessRequest.
  ike::AuthPayload our_auth_;
  ike::Message our_certs_;
};

}  // namespace

std::unique_ptr<Task> MakeIkeAuthTask(EngineContext& ctx) {
  return std::make_unique<IkeAuthTask>(ctx);
}

}  // namespace ipsec::engine
