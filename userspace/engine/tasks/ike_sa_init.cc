// IKE_SA_INIT (RFC 7296 1.2): SA, KE and Nonce both ways; the responder's
// INVALID_KE_PAYLOAD retry with the group it wants; COOKIE echo; key
// derivation (SKEYSEED and the SK_* keys) once both halves are known.
#include "common/bytes.h"
#include "engine/ike_sa.h"
#include "engine/proposals.h"
#include "engine/tasks/cert_auth.h"
#include "engine/tasks/tasks.h"
#include "ike/crypto/dh.h"

namespace ipsec::engine {
namespace {

using ike::NotifyType;
using ike::PayloadType;

using ike::Notify;

// From the negotiated proposal and g^ir: SK_* and the two SK ciphers.
bool DeriveKeys(EngineContext& ctx, IkeSa& sa, const SecureBytes& g_ir) {
  auto t = ike::IkeSaTransformsFrom(sa.ike_proposal);
  if (!t) {
    ctx.Error(sa.conn_name(), "negotiated IKE proposal unusable: " + t.error().message);
    return false;
  }
  sa.transforms = *t;
  auto keys = ike::DeriveIkeSaKeys(*t, sa.nonce_i, sa.nonce_r, g_ir, sa.spi_i, sa.spi_r);
  if (!keys) {
    ctx.Error(sa.conn_name(), "IKE key derivation failed: " + keys.error().message);
    return false;
  }
  if (auto st = sa.InstallKeys(std::move(keys).value()); !st) {
    ctx.Error(sa.conn_name(), "SK cipher setup failed: " + st.error().message);
    return false;
  }
  return true;
}

class IkeSaInitTask : public Task {
 public:
  explicit IkeSaInitTask(EngineContext& ctx) : ctx_(ctx) {}
  TaskType type() const override { return TaskType::kIkeSaInit; }

  TaskResult BuildRequest(IkeSa& sa, ike::Message& req) override {
    const auto proposals = IkeProposalsOf(*sa.conn);
    if (group_ == 0) group_ = FirstDhGroup(proposals);
    if (!sa.dh || sa.dh->group() != group_) {
      auto kp = ike::GenerateDhKeyPair(group_);
      if (!kp) {
        ctx_.Error(sa.conn_name(),
                   "DH group " + std::to_string(group_) + ": " + kp.error().message);
        return TaskResult::kDestroySa;
      }
      sa.dh = std::move(kp).value();
    }
    if (sa.nonce_i.empty()) {
      sa.nonce_i.resize(kNonceSize);
      if (!ctx_.random.Fill(sa.nonce_i)) return TaskResult::kDestroySa;
    }
    if (!sa.cookie.empty()) req.Add(PayloadType::kNotify, Notify(NotifyType::kCookie, sa.cookie));
    ike::SaPayload sap;
    uint8_t n = 1;
    for (const auto& p : proposals) sap.proposals.push_back(ike::SaProposal{n++, {}, p});
    req.Add(PayloadType::kSa, std::move(sap));
    req.Add(PayloadType::kKe, ike::KePayload{group_, sa.dh->public_value()});
    req.Add(PayloadType::kNonce, ike::NoncePayload{sa.nonce_i});
    if (UsesCertificates(*sa.conn)) req.Add(PayloadType::kNotify, SignatureHashNotify());
    if (sa.conn->fragmentation)
      req.Add(PayloadType::kNotify, Notify(NotifyType::kIkev2FragmentationSupported));
    return TaskResult::kNeedMore;
  }

  TaskResult ProcessResponse(IkeSa& sa, const ike::Message& resp) override {
    const auto proposals = IkeProposalsOf(*sa.conn);
    const std::string& name = sa.conn_name();
    if (const auto* c = resp.FindNotify(NotifyType::kCookie)) {
      sa.cookie = c->data;
      ctx_.Log(LogLevel::kInfo, name, "peer asked for a COOKIE, retrying IKE_SA_INIT with it");
      return TaskResult::kNeedMore;
    }
    if (const auto* ike = resp.FindNotify(NotifyType::kInvalidKePayload)) {
      uint16_t want = 0;
      ByteReader r(ike->data);
      if (r.ReadU16(&want) && want != group_ && OffersDhGroup(proposals, want) && ++retries_ < 3) {
        ctx_.Log(LogLevel::kInfo, name,
                 "peer wants DH group " + TransformName({TransformType::kDh, want}) +
                     " instead of " + TransformName({TransformType::kDh, group_}) +
                     " (INVALID_KE_PAYLOAD), retrying");
        group_ = want;
        sa.dh.reset();
        return TaskResult::kNeedMore;
      }
      ctx_.Error(name, "peer demands DH group " + TransformName({TransformType::kDh, want}) +
                           " which we do not offer (we offered " + ProposalsToString(proposals) +
                           ")");
      ++ctx_.counters.proposal_mismatches;
      return TaskResult::kDestroySa;
    }
    if (resp.FindNotify(NotifyType::kNoProposalChosen)) {
      ++ctx_.counters.proposal_mismatches;
      ctx_.Error(name, "NO_PROPOSAL_CHOSEN: peer accepted none of our IKE proposals: " +
                           ProposalsToString(proposals));
      return TaskResult::kDestroySa;
    }
    if (const auto* e = resp.FirstErrorNotify()) {
      ctx_.Error(name, "IKE_SA_INIT failed: peer sent " + ike::NotifyName(e->type));
      return TaskResult::kDestroySa;
    }
    const auto* sap = resp.Find<ike::SaPayload>(PayloadType::kSa);
    const auto* ke = resp.Find<ike::KePayload>(PayloadType::kKe);
    const auto* nonce = resp.Find<ike::NoncePayload>(PayloadType::kNonce);
    if (!sap || !ke || !nonce || resp.header.spi_r == 0) {
      ctx_.Error(name, "IKE_SA_INIT response lacks SA, KE, Nonce or SPIr");
      return TaskResult::kDestroySa;
    }
    if (sap->proposals.size() != 1 ||
        !ChoiceMatchesOffer(proposals, sap->proposals[0].proposal, false)) {
      ctx_.Error(name, "peer chose an IKE proposal we did not offer: " +
                           (sap->proposals.empty() ? std::string("(none)")
                                                   : ProposalToString(sap->proposals[0].proposal)));
      return TaskResult::kDestroySa;
    }
    sa.ike_proposal = sap->proposals[0].proposal;
    if (ke->group != group_ || FirstDhGroup({sa.ike_proposal}) != group_) {
      ctx_.Error(name, "peer's KE group " + std::to_string(ke->group) + " differs from ours " +
                           std::to_string(group_));
      return TaskResult::kDestroySa;
    }
    auto g_ir = sa.dh->ComputeSharedSecret(ke->data);
    if (!g_ir) {
      ctx_.Error(name, "peer's KE value rejected: " + g_ir.error().message);
      return TaskResult::kDestroySa;
    }
    sa.spi_r = resp.header.spi_r;
    sa.nonce_r = nonce->nonce;
    sa.peer_sig_hashes = PeerSignatureHashes(resp);
    sa.peer_certreq = HasCertReq(resp);
    sa.fragmentation = sa.conn->fragmentation &&
                       resp.FindNotify(NotifyType::kIkev2FragmentationSupported) != nullptr;
    sa.dh.reset();
    if (!DeriveKeys(ctx_, sa, *g_ir)) return TaskResult::kDestroySa;
    ctx_.Log(
        LogLevel::kInfo, name,
        "IKE_SA_INIT done with " + sa.remote.ToString() + ": " + ProposalToString(sa.ike_proposal));
    return TaskResult::kDone;
  }

  TaskResult ProcessRequest(IkeSa& sa, const ike::Message& req) override {
    const auto proposals = IkeProposalsOf(*sa.conn);
    const std::string& name = sa.conn_name();
    const auto* sap = req.Find<ike::SaPayload>(PayloadType::kSa);
    const auto* ke = req.Find<ike::KePayload>(PayloadType::kKe);
    const auto* nonce = req.Find<ike::NoncePayload>(PayloadType::kNonce);
    if (!sap || !ke || !nonce) {
      sa.fatal_response = Notify(NotifyType::kInvalidSyntax);
      return TaskResult::kDestroySa;
    }
    std::vector<Proposal> theirs;
    for (const auto& p : sap->proposals) theirs.push_back(p.proposal);
    SelectionResult sel = SelectProposal(proposals, sap->proposals, false, ke->group);
    if (!sel.chosen) {
      ++ctx_.counters.proposal_mismatches;
      ctx_.Error(name, "no matching IKE proposal from " + sa.remote.ToString() + ": " +
                           sel.mismatch + " (we accept: " + ProposalsToString(proposals) +
                           "; peer offered: " + ProposalsToString(theirs) + ")");
      sa.fatal_response = Notify(NotifyType::kNoProposalChosen);
      return TaskResult::kDestroySa;
    }
    const uint16_t group = FirstDhGroup({*sel.chosen});
    if (group != ke->group) {
      ctx_.Log(LogLevel::kInfo, name,
               "peer sent KE for " + TransformName({TransformType::kDh, ke->group}) +
                   ", asking for " + TransformName({TransformType::kDh, group}) +
                   " (INVALID_KE_PAYLOAD)");
      ByteWriter w;
      w.U16(group);
      sa.fatal_response = Notify(NotifyType::kInvalidKePayload, w.Take());
      return TaskResult::kDestroySa;
    }
    auto kp = ike::GenerateDhKeyPair(group);
    if (!kp) {
      sa.fatal_response = Notify(NotifyType::kNoProposalChosen);
      return TaskResult::kDestroySa;
    }
    auto g_ir = (*kp)->ComputeSharedSecret(ke->data);
    if (!g_ir) {
      ctx_.Log(LogLevel::kWarning, name, "peer's KE value rejected: " + g_ir.error().message);
      sa.fatal_response = Notify(NotifyType::kInvalidSyntax);
      return TaskResult::kDestroySa;
    }
    sa.ike_proposal = *sel.chosen;
    peer_number_ = sel.peer_number;
    sa.nonce_i = nonce->nonce;
    sa.peer_sig_hashes = PeerSignatureHashes(req);
    sa.peer_certreq = HasCertReq(req);
    // RFC 7383 2.3: announced back only to a peer that announced it.
    sa.fragmentation = sa.conn->fragmentation &&
                       req.FindNotify(NotifyType::kIkev2FragmentationSupported) != nullptr;
    sa.nonce_r.resize(kNonceSize);
    if (!ctx_.random.Fill(sa.nonce_r)) return TaskResult::kDestroySa;
    public_value_ = (*kp)->public_value();
    group_ = group;
    if (!DeriveKeys(ctx_, sa, *g_ir)) {
      sa.fatal_response = Notify(NotifyType::kNoProposalChosen);
      return TaskResult::kDestroySa;
    }
    return TaskResult::kDone;
  }

  TaskResult BuildResponse(IkeSa& sa, ike::Message& resp) override {
    ike::SaPayload sap;
    sap.proposals.push_back(ike::SaProposal{peer_number_, {}, sa.ike_proposal});
    resp.Add(PayloadType::kSa, std::move(sap));
    resp.Add(PayloadType::kKe, ike::KePayload{group_, public_value_});
    resp.Add(PayloadType::kNonce, ike::NoncePayload{sa.nonce_r});
    // Which connection IKE_AUTH picks is not known yet: when any of them
    // uses certificates, say which hashes we accept and, when any wants
    // the peer's certificate, ask for one from our anchors (RFC 7296 3.7).
    bool certs = false, peer_certs = false;
    std::vector<std::string> cas;  // the rightca= of each, "" for any anchor
    for (const auto& c : ctx_.connections) {
      certs = certs || UsesCertificates(*c);
      peer_certs = peer_certs || c->remote.auth == config::AuthBy::kPubkey;
      if (c->remote.auth == config::AuthBy::kPubkey) cas.push_back(c->remote.ca);
    }
    if (certs) resp.Add(PayloadType::kNotify, SignatureHashNotify());
    if (peer_certs) AddCertReq(ctx_, cas, resp);
    if (sa.fragmentation)
      resp.Add(PayloadType::kNotify, Notify(NotifyType::kIkev2FragmentationSupported));
    return TaskResult::kDone;
  }

 private:
  EngineContext& ctx_;
  uint16_t group_ = 0;
  int retries_ = 0;
  uint8_t peer_number_ = 1;
  ike::Bytes public_value_;
};

}  // namespace

std::unique_ptr<Task> MakeIkeSaInitTask(EngineContext& ctx) {
  return std::make_unique<IkeSaInitTask>(ctx);
}

}  // namespace ipsec::engine
