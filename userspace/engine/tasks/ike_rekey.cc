// IKE SA rekeying (RFC 7296 1.3.2, 2.18): a CREATE_CHILD_SA carrying an IKE
// proposal with the new SPI, a nonce and a KE payload. Keys come from the
// old SA's SK_d (DeriveRekeyedIkeSaKeys); the new IKE SA starts at message
// ID 0, inherits the child SAs (nothing changes in the kernel) and the
// rekey initiator deletes the old IKE SA. A request that collides with an
// exchange of ours in flight gets TEMPORARY_FAILURE, and our own attempt
// that meets one retries later (2.25).
#include "common/bytes.h"
#include "engine/ike_sa.h"
#include "engine/proposals.h"
#include "engine/tasks/spi_bytes.h"
#include "engine/tasks/tasks.h"
#include "ike/crypto/dh.h"

namespace ipsec::engine {
namespace {

using ike::NotifyType;
using ike::PayloadType;

// Retry after a refusal; different per role so that two simultaneous
// attempts do not collide again.
int64_t RekeyRetryMs(const IkeSa& sa) {
  return sa.initiator() ? 10000 : 17000;
}

using ike::Notify;

uint64_t RandomSpi(EngineContext& ctx) {
  uint64_t v = 0;
  while (v == 0) {
    uint8_t b[8];
    if (!ctx.random.Fill(b)) return 0;
    for (uint8_t x : b) v = v << 8 | x;
  }
  return v;
}

// The new IKE SA: keys from the old SK_d, children and state taken over.
std::unique_ptr<IkeSa> Successor(EngineContext& ctx, IkeSa& old, bool initiator, uint64_t spi_i,
                                 uint64_t spi_r, const Proposal& chosen, const ike::Bytes& ni,
                                 const ike::Bytes& nr, const SecureBytes& g_ir) {
  auto t = ike::IkeSaTransformsFrom(chosen);
  if (!t) return nullptr;
  auto keys = ike::DeriveRekeyedIkeSaKeys(old.transforms.prf, old.keys.sk_d, *t, ni, nr, g_ir,
                                          spi_i, spi_r);
  if (!keys) return nullptr;
  auto sa = std::make_unique<IkeSa>(ctx, ctx.next_serial++, initiator);
  sa->conn = old.conn;
  sa->spi_i = spi_i;
  sa->spi_r = spi_r;
  sa->local = old.local;
  sa->remote = old.remote;
  sa->nat_local = old.nat_local;
  sa->nat_remote = old.nat_remote;
  sa->fragmentation = old.fragmentation;
  sa->nonce_i = ni;
  sa->nonce_r = nr;
  sa->ike_proposal = chosen;
  sa->transforms = *t;
  if (!sa->InstallKeys(std::move(keys).value())) return nullptr;
  sa->local_id = old.local_id;
  sa->remote_id = old.remote_id;
  sa->local_auth = old.local_auth;
  sa->remote_auth = old.remote_auth;
  sa->remote_cert = old.remote_cert;
  sa->state = IkeSa::State::kEstablished;
  sa->created_ms = sa->established_ms = sa->last_inbound_ms = ctx.NowMs();
  sa->next_keepalive_ms = old.next_keepalive_ms;
  sa->children = std::move(old.children);
  old.children.clear();
  old.successor = sa->serial();
  sa->rekey_retries = std::move(old.rekey_retries);
  old.rekey_retries.clear();
  sa->riders = old.riders;
  sa->duplicates_gone = std::move(old.duplicates_gone);
  for (auto& d : sa->duplicates_gone) d.kept_serial = sa->serial();
  sa->tasks.SetPeerWindow(old.tasks.peer_window());  // SET_WINDOW_SIZE came in IKE_AUTH only
  ctx.Log(LogLevel::kInfo, sa->conn_name(),
          "IKE SA rekeyed: " + ProposalToString(chosen) + ", " +
              std::to_string(sa->children.size()) + " child SAs moved to it");
  return sa;
}

class IkeRekeyTask : public Task {
 public:
  explicit IkeRekeyTask(EngineContext& ctx) : ctx_(ctx) {}
  TaskType type() const override { return TaskType::kIkeRekey; }

  TaskResult BuildRequest(IkeSa& sa, ike::Message& req) override {
    if (sa.state != IkeSa::State::kEstablished) return TaskResult::kDone;
    proposals_ = IkeProposalsOf(*sa.conn);
    if (group_ == 0) group_ = sa.transforms.dh ? sa.transforms.dh : FirstDhGroup(proposals_);
    auto kp = ike::GenerateDhKeyPair(group_);
    if (!kp) return TaskResult::kFailed;
    dh_ = std::move(kp).value();
    if (spi_ == 0) spi_ = RandomSpi(ctx_);
    nonce_.resize(kNonceSize);
    if (!ctx_.random.Fill(nonce_)) return TaskResult::kFailed;
    ike::SaPayload sap;
    uint8_t n = 1;
    for (const auto& p : proposals_) sap.proposals.push_back(ike::SaProposal{n++, Spi64(spi_), p});
    req.Add(PayloadType::kSa, std::move(sap));
    req.Add(PayloadType::kNonce, ike::NoncePayload{nonce_});
    req.Add(PayloadType::kKe, ike::KePayload{group_, dh_->public_value()});
    return TaskResult::kNeedMore;
  }

  TaskResult ProcessResponse(IkeSa& sa, const ike::Message& resp) override {
    const std::string& name = sa.conn_name();
    if (const auto* ke = resp.FindNotify(NotifyType::kInvalidKePayload)) {
      uint16_t want = 0;
      ByteReader r(ke->data);
      if (r.ReadU16(&want) && want != group_ && OffersDhGroup(proposals_, want) && ++retries_ < 3) {
        group_ = want;
        return TaskResult::kNeedMore;
      }
    }
    if (const auto* e = resp.FirstErrorNotify()) {
      ctx_.Log(LogLevel::kWarning, name,
               "IKE SA rekey refused by peer (" + ike::NotifyName(e->type) + "), retrying later");
      sa.next_rekey_ms = ctx_.NowMs() + RekeyRetryMs(sa);
      return TaskResult::kFailed;
    }
    const auto* sap = resp.Find<ike::SaPayload>(PayloadType::kSa);
    const auto* ke = resp.Find<ike::KePayload>(PayloadType::kKe);
    const auto* nonce = resp.Find<ike::NoncePayload>(PayloadType::kNonce);
    std::optional<uint64_t> peer_spi;
    if (sap && sap->proposals.size() == 1) peer_spi = Spi64From(sap->proposals[0].spi);
    if (!sap || !ke || !nonce || !peer_spi || ke->group != group_ ||
        !ChoiceMatchesOffer(proposals_, sap->proposals[0].proposal, false)) {
      ctx_.Error(name, "IKE SA rekey: unusable response, keeping the old IKE SA");
      sa.next_rekey_ms = ctx_.NowMs() + RekeyRetryMs(sa);
      return TaskResult::kFailed;
    }
    auto g_ir = dh_->ComputeSharedSecret(ke->data);
    if (!g_ir) return TaskResult::kFailed;
    auto next = Successor(ctx_, sa, true, spi_, *peer_spi, sap->proposals[0].proposal, nonce_,
                          nonce->nonce, *g_ir);
    if (!next) {
      ctx_.Error(name, "IKE SA rekey: key derivation failed");
      return TaskResult::kFailed;
    }
    ctx_.adopted.push_back(std::move(next));
    sa.tasks.ClearQueue();
    sa.tasks.Queue(MakeIkeDeleteTask(ctx_));  // the old one, now without children
    return TaskResult::kDone;
  }

  TaskResult ProcessRequest(IkeSa&, const ike::Message&) override { return TaskResult::kDone; }
  TaskResult BuildResponse(IkeSa&, ike::Message&) override { return TaskResult::kDone; }

 private:
  EngineContext& ctx_;
  std::vector<Proposal> proposals_;
  uint16_t group_ = 0;
  int retries_ = 0;
  uint64_t spi_ = 0;
  ike::Bytes nonce_;
  std::unique_ptr<ike::DhKeyPair> dh_;
};

class IkeRekeyResponderTask : public Task {
 public:
  explicit IkeRekeyResponderTask(EngineContext& ctx) : ctx_(ctx) {}
  TaskType type() const override { return TaskType::kIkeRekey; }
  TaskResult BuildRequest(IkeSa&, ike::Message&) override { return TaskResult::kDone; }
  TaskResult ProcessResponse(IkeSa&, const ike::Message&) override { return TaskResult::kDone; }

  TaskResult ProcessRequest(IkeSa& sa, const ike::Message& req) override {
    const std::string& name = sa.conn_name();
    // Collision with an exchange of ours (our own rekey, a child being
    // created): let the peer retry later.
    if (sa.state != IkeSa::State::kEstablished || sa.tasks.Outstanding()) {
      error_ = Notify(NotifyType::kTemporaryFailure);
      return TaskResult::kFailed;
    }
    const auto* sap = req.Find<ike::SaPayload>(PayloadType::kSa);
    const auto* ke = req.Find<ike::KePayload>(PayloadType::kKe);
    const auto* nonce = req.Find<ike::NoncePayload>(PayloadType::kNonce);
    if (!sap || !ke || !nonce) {
      error_ = Notify(NotifyType::kInvalidSyntax);
      return TaskResult::kFailed;
    }
    const auto proposals = IkeProposalsOf(*sa.conn);
    SelectionResult sel = SelectProposal(proposals, sap->proposals, false, ke->group);
    if (!sel.chosen) {
      ++ctx_.counters.proposal_mismatches;
      ctx_.Error(name, "IKE SA rekey: no matching IKE proposal: " + sel.mismatch);
      error_ = Notify(NotifyType::kNoProposalChosen);
      return TaskResult::kFailed;
    }
    auto peer_spi = Spi64From(sel.peer_spi);
    if (!peer_spi) {
      error_ = Notify(NotifyType::kInvalidSyntax);
      return TaskResult::kFailed;
    }
    const uint16_t group = FirstDhGroup({*sel.chosen});
    if (group != ke->group) {
      ByteWriter w;
      w.U16(group);
      error_ = Notify(NotifyType::kInvalidKePayload, w.Take());
      return TaskResult::kFailed;
    }
    auto kp = ike::GenerateDhKeyPair(group);
    if (!kp) {
      error_ = Notify(NotifyType::kNoProposalChosen);
      return TaskResult::kFailed;
    }
    auto g_ir = (*kp)->ComputeSharedSecret(ke->data);
    if (!g_ir) {
      error_ = Notify(NotifyType::kInvalidSyntax);
      return TaskResult::kFailed;
    }
    nonce_.resize(kNonceSize);
    if (!ctx_.random.Fill(nonce_)) return TaskResult::kFailed;
    spi_ = RandomSpi(ctx_);
    auto next =
        Successor(ctx_, sa, false, *peer_spi, spi_, *sel.chosen, nonce->nonce, nonce_, *g_ir);
    if (!next) {
      error_ = Notify(NotifyType::kNoProposalChosen);
      return TaskResult::kFailed;
    }
    chosen_ = *sel.chosen;
    number_ = sel.peer_number;
    group_ = group;
    public_value_ = (*kp)->public_value();
    ctx_.adopted.push_back(std::move(next));
    return TaskResult::kDone;
  }

  TaskResult BuildResponse(IkeSa&, ike::Message& resp) override {
    if (error_) {
      resp.Add(PayloadType::kNotify, *error_);
      return TaskResult::kDone;
    }
    ike::SaPayload sap;
    sap.proposals.push_back(ike::SaProposal{number_, Spi64(spi_), chosen_});
    resp.Add(PayloadType::kSa, std::move(sap));
    resp.Add(PayloadType::kNonce, ike::NoncePayload{nonce_});
    resp.Add(PayloadType::kKe, ike::KePayload{group_, public_value_});
    return TaskResult::kDone;
  }

 private:
  EngineContext& ctx_;
  std::optional<ike::NotifyPayload> error_;
  Proposal chosen_;
  uint8_t number_ = 1;
  uint16_t group_ = 0;
  uint64_t spi_ = 0;
  ike::Bytes nonce_, public_value_;
};

}  // namespace

std::unique_ptr<Task> MakeIkeRekeyTask(EngineContext& ctx) {
  return std::make_unique<IkeRekeyTask>(ctx);
}
std::unique_ptr<Task> MakeIkeRekeyResponderTask(EngineContext& ctx) {
  return std::make_unique<IkeRekeyResponderTask>(ctx);
}

}  // namespace ipsec::engine
