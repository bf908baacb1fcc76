// Child SA creation (RFC 7296 1.3, 2.9, 2.17): the first child inside
// IKE_AUTH, every further subnet pair (leftsubnets x rightsubnets, like
// libreswan) through CREATE_CHILD_SA on the same IKE SA, with a KE payload
// when the ESP proposals name a DH group (PFS). As responder it also
// serves peer-initiated child rekeys (N(REKEY_SA)): the new child takes the
// old one's pair and reqid, the old one goes when the peer deletes it.
#include <algorithm>

#include "common/bytes.h"
#include "engine/child_install.h"
#include "engine/child_retry.h"
#include "engine/ike_sa.h"
#include "engine/ike_sa_sharing.h"
#include "engine/proposals.h"
#include "engine/tasks/spi_bytes.h"
#include "engine/tasks/tasks.h"
#include "engine/traffic_selectors.h"
#include "ike/crypto/dh.h"

namespace ipsec::engine {
namespace {

using ike::ExchangeType;
using ike::NotifyType;
using ike::PayloadType;

using ike::Notify;

std::string PairText(const config::SubnetPair& p) {
  return p.local.ToString() + " === " + p.remote.ToString();
}

class ChildCreateTask : public Task {
 public:
  // replacing: a fresh child (no REKEY_SA) for the pair of that child,
  // which the peer no longer has (CHILD_SA_NOT_FOUND): it does not count as
  // the pair being up.
  ChildCreateTask(EngineContext& ctx, size_t pair, uint32_t rekey_inbound_spi,
                  std::shared_ptr<const Connection> conn, uint32_t replacing = 0)
      : ctx_(ctx),
        conn_(std::move(conn)),
        pair_(pair),
        rekey_spi_(rekey_inbound_spi),
        replacing_(replacing) {}
  TaskType type() const override { return TaskType::kChildCreate; }

  // ---- initiator ----
  TaskResult BuildRequest(IkeSa& sa, ike::Message& req) override {
    exchange_ = req.header.exchange;
    if (rekey_spi_) {
      const ChildSa* old = sa.FindChildByInbound(rekey_spi_);
      // Gone, or the peer rekeyed it first: nothing left to do.
      if (exchange_ != ExchangeType::kCreateChildSa || !old || old->replaced)
        return TaskResult::kDone;
      if (old->conn) conn_ = old->conn;
    }
    if (!conn_) conn_ = sa.conn;
    const Connection& c = *conn_;
    if (pair_ >= c.subnet_pairs.size()) return TaskResult::kFailed;
    if (!rekey_spi_ && sa.HasLiveChildFor(c.name, pair_, replacing_) && !child_)
      return TaskResult::kDone;  // up
    const auto& pair = c.subnet_pairs[pair_];
    proposals_ = EspProposalsOf(c);
    const bool in_auth = exchange_ == ExchangeType::kIkeAuth;
    if (in_auth) proposals_ = WithoutDh(proposals_);

    if (!child_) {
      auto spi = AllocInboundSpi(ctx_, c, sa.local.addr);
      if (!spi) {
        ctx_.Error(c.name, "cannot allocate an inbound SPI: " + spi.error().message);
        return TaskResult::kFailed;
      }
      auto child = std::make_unique<ChildSa>();
      child->conn = conn_;
      child->pair_index = pair_;
      child->reqid = ctx_.ReqidFor(c.name, pair_);
      child->initiator = true;
      child->inbound_spi = *spi;
      child->spi_reserved = true;
      child->local_ts = pair.local;
      child->remote_ts = pair.remote;
      child_ = child.get();
      sa.children.push_back(std::move(child));
    }
    if (rekey_spi_) {
      ike::NotifyPayload rk = Notify(NotifyType::kRekeySa);
      rk.protocol = static_cast<uint8_t>(ProtocolId::kEsp);
      rk.spi = SpiBytes(rekey_spi_);
      req.Add(PayloadType::kNotify, std::move(rk));
    }
    ike::SaPayload sap;
    uint8_t n = 1;
    for (const auto& p : proposals_)
      sap.proposals.push_back(ike::SaProposal{n++, SpiBytes(child_->inbound_spi), p});
    req.Add(PayloadType::kSa, std::move(sap));
    if (!in_auth) {
      nonce_.resize(kNonceSize);
      if (!ctx_.random.Fill(nonce_)) return TaskResult::kFailed;
      req.Add(PayloadType::kNonce, ike::NoncePayload{nonce_});
      // The IKE SA's group when offered, as libreswan does (pfsgroup=<Phase1>):
      // our defaults copy several IKE groups into ESP, and libreswan 4.10
      // picks the IKE SA's and answers a KE of another group with
      // INVALID_SYNTAX instead of INVALID_KE_PAYLOAD (RFC 7296 1.3).
      if (group_ == 0)
        group_ = sa.transforms.dh && OffersDhGroup(proposals_, sa.transforms.dh)
                     ? sa.transforms.dh
                     : FirstDhGroup(proposals_);
      if (group_ != 0) {
        auto kp = ike::GenerateDhKeyPair(group_);
        if (!kp) {
          ctx_.Error(c.name, "PFS group " + std::to_string(group_) + ": " + kp.error().message);
          return TaskResult::kFailed;
        }
        dh_ = std::move(kp).value();
        req.Add(PayloadType::kKe, ike::KePayload{group_, dh_->public_value()});
      }
    }
    req.Add(PayloadType::kTsi, ike::TsPayload{{ike::MakeTrafficSelector(pair.local)}});
    req.Add(PayloadType::kTsr, ike::TsPayload{{ike::MakeTrafficSelector(pair.remote)}});
    return TaskResult::kNeedMore;
  }

  TaskResult ProcessResponse(IkeSa& sa, const ike::Message& resp) override {
    if (sa.state != IkeSa::State::kEstablished) return Fail(sa);  // IKE_AUTH failed
    const Connection& c = *conn_;
    const auto& pair = c.subnet_pairs[pair_];
    if (const auto* ke = resp.FindNotify(NotifyType::kInvalidKePayload)) {
      uint16_t want = 0;
      ByteReader r(ke->data);
      if (r.ReadU16(&want) && want != group_ && OffersDhGroup(proposals_, want) && ++retries_ < 3) {
        ctx_.Log(
            LogLevel::kInfo, c.name,
            "peer wants PFS group " + TransformName({TransformType::kDh, want}) + ", retrying");
        group_ = want;
        return TaskResult::kNeedMore;
      }
    }
    if (const auto* e = rekey_spi_ ? resp.FirstErrorNotify() : nullptr)
      return RekeyRefused(sa, e->type);
    if (resp.FindNotify(NotifyType::kNoProposalChosen)) {
      ++ctx_.counters.proposal_mismatches;
      ctx_.Error(c.name, "NO_PROPOSAL_CHOSEN: peer accepted none of our ESP proposals for " +
                             PairText(pair) + ": " + ProposalsToString(proposals_));
      return Refused(sa, static_cast<uint16_t>(NotifyType::kNoProposalChosen));
    }
    if (resp.FindNotify(NotifyType::kTsUnacceptable)) {
      ctx_.Error(c.name, "TS_UNACCEPTABLE: peer rejected our traffic selectors " + PairText(pair) +
                             " (check its leftsubnet/rightsubnet)");
      return Refused(sa, static_cast<uint16_t>(NotifyType::kTsUnacceptable));
    }
    if (const auto* e = resp.FirstErrorNotify()) {
      ctx_.Error(c.name,
                 "child SA " + PairText(pair) + " failed: peer sent " + ike::NotifyName(e->type));
      return Refused(sa, e->type);
    }
    const auto* sap = resp.Find<ike::SaPayload>(PayloadType::kSa);
    const auto* tsi = resp.Find<ike::TsPayload>(PayloadType::kTsi);
    const auto* tsr = resp.Find<ike::TsPayload>(PayloadType::kTsr);
    if (!sap || !tsi || !tsr) {
      ctx_.Error(c.name, "child SA " + PairText(pair) + ": response has no SA/TSi/TSr");
      return Fail(sa);
    }
    const bool in_auth = exchange_ == ExchangeType::kIkeAuth;
    if (sap->proposals.size() != 1 ||
        !ChoiceMatchesOffer(proposals_, sap->proposals[0].proposal, in_auth)) {
      ctx_.Error(c.name, "peer chose an ESP proposal we did not offer");
      return Fail(sa);
    }
    auto out_spi = SpiFrom(sap->proposals[0].spi);
    if (!out_spi) {
      ctx_.Error(c.name, "peer's ESP SPI is not 4 bytes");
      return Fail(sa);
    }
    // The responder may narrow, never widen.
    auto l = tsi->selectors.empty() ? std::nullopt : RangeToPrefix(tsi->selectors[0]);
    auto r = tsr->selectors.empty() ? std::nullopt : RangeToPrefix(tsr->selectors[0]);
    if (!l || !r || !pair.local.Contains(*l) || !pair.remote.Contains(*r)) {
      ctx_.Error(c.name, "peer answered traffic selectors " + TsListToString(tsi->selectors) +
                             " === " + TsListToString(tsr->selectors) + " outside our " +
                             PairText(pair));
      return Fail(sa);
    }
    child_->local_ts = *l;
    child_->remote_ts = *r;
    child_->outbound_spi = *out_spi;
    child_->proposal = sap->proposals[0].proposal;

    std::optional<SecureBytes> g_ir;
    ike::Bytes peer_nonce;
    if (!in_auth) {
      const auto* nonce = resp.Find<ike::NoncePayload>(PayloadType::kNonce);
      if (!nonce) return Fail(sa);
      peer_nonce = nonce->nonce;
      // The peer may pick one of our proposals without a group (default
      // PFS offers them): then our KE is ignored, as strongSwan does.
      if (dh_ && FirstDhGroup({child_->proposal}) == 0) {
        ctx_.Log(LogLevel::kDebug, c.name, "peer chose a proposal without PFS; KE not used");
        dh_.reset();
      }
      if (dh_) {
        const auto* ke = resp.Find<ike::KePayload>(PayloadType::kKe);
        if (!ke || ke->group != group_) {
          ctx_.Error(c.name, "peer answered PFS without a matching KE payload");
          return Fail(sa);
        }
        auto s = dh_->ComputeSharedSecret(ke->data);
        if (!s) return Fail(sa);
        g_ir = std::move(s).value();
      }
    }
    const auto& ni = in_auth ? sa.nonce_i : nonce_;
    const auto& nr = in_auth ? sa.nonce_r : peer_nonce;
    if (!DeriveAndInstall(sa, ni, nr, g_ir ? &*g_ir : nullptr, false)) return Fail(sa);
    if (rekey_spi_) FinishRekey(sa);
    return TaskResult::kDone;
  }

  void OnTimeout(IkeSa& sa) override { Drop(sa); }

  // ---- responder ----
  TaskResult ProcessRequest(IkeSa& sa, const ike::Message& req) override {
    exchange_ = req.header.exchange;
    const bool in_auth = exchange_ == ExchangeType::kIkeAuth;
    if (!in_auth && (sa.state == IkeSa::State::kDeleting || sa.successor != 0)) {
      // RFC 7296 2.25.2: a child created or rekeyed on an IKE SA we are
      // closing or have rekeyed (its children moved on): the peer tries
      // again later, on the IKE SA that replaces it.
      respond_ = true;
      error_ = Notify(NotifyType::kTemporaryFailure);
      return TaskResult::kFailed;
    }
    if (sa.state != IkeSa::State::kEstablished) return TaskResult::kDone;
    const auto* sap = req.Find<ike::SaPayload>(PayloadType::kSa);
    const auto* tsi = req.Find<ike::TsPayload>(PayloadType::kTsi);
    const auto* tsr = req.Find<ike::TsPayload>(PayloadType::kTsr);
    if (!sap || !tsi || !tsr) return TaskResult::kDone;  // childless IKE_AUTH
    respond_ = true;

    const ChildSa* old = nullptr;
    if (const auto* rk = req.FindNotify(NotifyType::kRekeySa)) {
      auto spi = SpiFrom(rk->spi);
      old = spi ? sa.FindChildByOutbound(*spi) : nullptr;
      if (!old) {
        error_ = Notify(NotifyType::kChildSaNotFound);
        error_->protocol = static_cast<uint8_t>(ProtocolId::kEsp);
        error_->spi = rk->spi;
        return TaskResult::kFailed;
      }
      if (old->replaced) {
        // We rekeyed it already (our exchange completed first) and delete
        // it next: the peer will move to our new pair (strongSwan's answer).
        error_ = Notify(NotifyType::kTemporaryFailure);
        return TaskResult::kFailed;
      }
      rekey_old_ = old->inbound_spi;
    }
    // An authenticated peer still may not make us hold unbounded kernel
    // state (child_sa.h). A rekey briefly needs room for old and new.
    if (sa.children.size() >= (old ? 2 : 1) * kMaxChildSasPerIkeSa) {
      ++ctx_.counters.child_sa_limit_refused;
      ctx_.Log(LogLevel::kWarning, sa.conn_name(),
               "refusing a child SA: the IKE SA already has " + std::to_string(sa.children.size()) +
                   " (NO_ADDITIONAL_SAS)");
      error_ = Notify(NotifyType::kNoAdditionalSas);
      return TaskResult::kFailed;
    }

    // The connection and subnet pair (ours: local === remote) by the
    // peer's TSr/TSi: a rekey keeps the old child's; otherwise the first
    // pair they overlap among the connections that may live under this IKE
    // SA (its own first), preferring pairs that have no child SA yet.
    std::vector<std::shared_ptr<const Connection>> old_conn;
    if (old && old->conn) old_conn.push_back(old->conn);
    const auto& conns = old && old->conn ? old_conn : ChildConnections(ctx_, sa);
    std::optional<IpPrefix> l, r;
    for (int pass = 0; pass < 2 && !conn_; ++pass) {
      for (const auto& cand : conns) {
        for (size_t i = 0; i < cand->subnet_pairs.size() && !conn_; ++i) {
          if (old && i != old->pair_index) continue;
          auto nl = NarrowAny(tsr->selectors, cand->subnet_pairs[i].local);
          auto nr = NarrowAny(tsi->selectors, cand->subnet_pairs[i].remote);
          if (!nl || !nr) continue;
          // (Checked after the selectors: it scans the children.)
          if (pass == 0 && !old && sa.HasLiveChildFor(cand->name, i)) continue;
          {
            conn_ = cand;
            pair_ = i;
            l = nl;
            r = nr;
          }
        }
        if (conn_) break;
      }
    }
    if (!conn_) {
      std::string ours;
      for (const auto& p : sa.conn->subnet_pairs) ours += (ours.empty() ? "" : ", ") + PairText(p);
      if (conns.size() > 1)
        ours += " (and the pairs of " + std::to_string(conns.size() - 1) +
                " other connections to this peer)";
      ctx_.Error(sa.conn_name(), "traffic selectors unacceptable: peer proposed TSi " +
                                     TsListToString(tsi->selectors) + " TSr " +
                                     TsListToString(tsr->selectors) + ", we have " + ours);
      error_ = Notify(NotifyType::kTsUnacceptable);
      return TaskResult::kFailed;
    }
    const Connection& c = *conn_;

    proposals_ = EspProposalsOf(c);
    if (in_auth) proposals_ = WithoutDh(proposals_);
    const auto* ke = in_auth ? nullptr : req.Find<ike::KePayload>(PayloadType::kKe);
    std::optional<uint16_t> prefer;
    if (ke) prefer = ke->group;
    SelectionResult sel = SelectProposal(proposals_, sap->proposals, in_auth, prefer);
    if (!sel.chosen) {
      std::vector<Proposal> theirs;
      for (const auto& p : sap->proposals) theirs.push_back(p.proposal);
      ++ctx_.counters.proposal_mismatches;
      ctx_.Error(c.name, "no matching ESP proposal: " + sel.mismatch +
                             " (we accept: " + ProposalsToString(proposals_) +
                             "; peer offered: " + ProposalsToString(theirs) + ")");
      error_ = Notify(NotifyType::kNoProposalChosen);
      return TaskResult::kFailed;
    }
    auto out_spi = SpiFrom(sel.peer_spi);
    if (!out_spi) {
      error_ = Notify(NotifyType::kInvalidSyntax);
      return TaskResult::kFailed;
    }
    if (!in_auth) {
      const uint16_t group = FirstDhGroup({*sel.chosen});
      if (group != 0 && (!ke || ke->group != group)) {
        ByteWriter w;
        w.U16(group);
        error_ = Notify(NotifyType::kInvalidKePayload, w.Take());
        return TaskResult::kFailed;
      }
      group_ = group;
    }
    proposals_ = {*sel.chosen};
    peer_number_ = sel.peer_number;

    auto spi = AllocInboundSpi(ctx_, c, sa.local.addr);
    if (!spi) {
      ctx_.Error(c.name, "cannot allocate an inbound SPI: " + spi.error().message);
      error_ = Notify(in_auth ? NotifyType::kNoProposalChosen : NotifyType::kTemporaryFailure);
      return TaskResult::kFailed;
    }
    auto child = std::make_unique<ChildSa>();
    child->conn = conn_;
    child->pair_index = pair_;
    // right=%any: the reqid is the initiator's own (context.h).
    const std::string peer = c.remote.host.is_set()
                                 ? std::string()
                                 : sa.remote.addr.ToString() + " " + ike::IdToString(sa.remote_id);
    child->reqid = ctx_.ReqidFor(c.name, pair_, peer);
    child->inbound_spi = *spi;
    child->spi_reserved = true;
    child->outbound_spi = *out_spi;
    child->local_ts = *l;
    child->remote_ts = *r;
    child->proposal = *sel.chosen;
    child->replaces = rekey_old_;
    child_ = child.get();
    sa.children.push_back(std::move(child));

    std::optional<SecureBytes> g_ir;
    ike::Bytes peer_nonce;
    if (!in_auth) {
      const auto* nonce = req.Find<ike::NoncePayload>(PayloadType::kNonce);
      if (!nonce) return Fail(sa);
      peer_nonce = nonce->nonce;
      nonce_.resize(kNonceSize);
      if (!ctx_.random.Fill(nonce_)) return Fail(sa);
      if (group_ != 0) {
        auto kp = ike::GenerateDhKeyPair(group_);
        if (!kp) return Fail(sa);
        dh_ = std::move(kp).value();
        auto s = dh_->ComputeSharedSecret(ke->data);
        if (!s) {
          error_ = Notify(NotifyType::kInvalidSyntax);
          return Fail(sa);
        }
        g_ir = std::move(s).value();
      }
    }
    const auto& ni = in_auth ? sa.nonce_i : peer_nonce;
    const auto& nr = in_auth ? sa.nonce_r : nonce_;
    // A rekey's new outbound SA waits for the peer's Delete of the old
    // child: until then the peer may not have installed its inbound half.
    if (!DeriveAndInstall(sa, ni, nr, g_ir ? &*g_ir : nullptr, old != nullptr)) {
      error_ = Notify(in_auth ? NotifyType::kNoProposalChosen : NotifyType::kTemporaryFailure);
      return Fail(sa);
    }
    if (old) {
      if (ChildSa* replaced = sa.FindChildByInbound(rekey_old_)) replaced->replaced = true;
      ctx_.Log(LogLevel::kInfo, c.name,
               "child SA rekeyed by peer, new inbound SPI " + std::to_string(child_->inbound_spi));
    }
    return TaskResult::kDone;
  }

  TaskResult BuildResponse(IkeSa& /*sa*/, ike::Message& resp) override {
    if (!respond_) return TaskResult::kDone;
    if (error_ || !child_) {
      resp.Add(PayloadType::kNotify, error_ ? *error_ : Notify(NotifyType::kNoProposalChosen));
      return TaskResult::kDone;
    }
    ike::SaPayload sap;
    sap.proposals.push_back(
        ike::SaProposal{peer_number_, SpiBytes(child_->inbound_spi), child_->proposal});
    resp.Add(PayloadType::kSa, std::move(sap));
    if (exchange_ != ExchangeType::kIkeAuth) {
      resp.Add(PayloadType::kNonce, ike::NoncePayload{nonce_});
      if (dh_) resp.Add(PayloadType::kKe, ike::KePayload{group_, dh_->public_value()});
    }
    resp.Add(PayloadType::kTsi, ike::TsPayload{{ike::MakeTrafficSelector(child_->remote_ts)}});
    resp.Add(PayloadType::kTsr, ike::TsPayload{{ike::MakeTrafficSelector(child_->local_ts)}});
    return TaskResult::kDone;
  }

 private:
  // Our rekey of rekey_spi_ succeeded. If the peer rekeyed the same child at
  // the same time (RFC 7296 2.8.1), the pair made by the exchange with the
  // lowest of the four nonces is redundant and its initiator deletes it; the
  // initiator of the surviving pair deletes the old child. Otherwise we
  // delete the old child.
  void FinishRekey(IkeSa& sa) {
    child_->replaces = rekey_spi_;
    if (ChildSa* old = sa.FindChildByInbound(rekey_spi_)) old->replaced = true;
    ChildSa* theirs = nullptr;
    for (auto& c : sa.children)
      if (c.get() != child_ && !c->initiator && c->replaces == rekey_spi_) theirs = c.get();
    if (!theirs) {
      sa.tasks.Queue(MakeChildDeleteTask(ctx_, rekey_spi_));
      return;
    }
    const bool ours_redundant =
        std::lexicographical_compare(child_->min_nonce.begin(), child_->min_nonce.end(),
                                     theirs->min_nonce.begin(), theirs->min_nonce.end());
    ctx_.Log(LogLevel::kInfo, sa.conn_name(),
             std::string("child SA rekey collision: keeping the ") +
                 (ours_redundant ? "peer's" : "our") + " new pair");
    if (!ours_redundant) {
      sa.tasks.Queue(MakeChildDeleteTask(ctx_, rekey_spi_));
      return;
    }
    // The peer has both halves of its pair by now: send on it at once.
    if (auto st = InstallPendingOutbound(ctx_, *theirs); !st)
      ctx_.Error(sa.conn_name(), "installing child SA failed: " + st.error().message);
    child_->replaced = true;
    sa.tasks.Queue(MakeChildDeleteTask(ctx_, child_->inbound_spi));
  }

  bool DeriveAndInstall(IkeSa& sa, const ike::Bytes& ni, const ike::Bytes& nr,
                        const SecureBytes* g_ir, bool defer_outbound) {
    child_->min_nonce = std::min(ni, nr);
    const std::string& name = child_->conn_name();
    auto t = ike::ChildSaTransformsFrom(child_->proposal);
    if (!t) {
      ctx_.Error(name, "negotiated ESP proposal unusable: " + t.error().message);
      return false;
    }
    child_->transforms = *t;
    auto keys = ike::DeriveChildSaKeys(sa.transforms.prf, sa.keys.sk_d, *t, g_ir, ni, nr);
    if (!keys) {
      ctx_.Error(name, "child key derivation failed: " + keys.error().message);
      return false;
    }
    if (auto st = InstallChild(ctx_, sa, *child_, *keys, defer_outbound); !st) {
      ctx_.Error(name, "installing child SA failed: " + st.error().message);
      return false;
    }
    ctx_.Log(LogLevel::kInfo, name,
             "CHILD_SA " + name + "{" + std::to_string(child_->reqid) + "} established, SPIs in " +
                 std::to_string(child_->inbound_spi) + " out " +
                 std::to_string(child_->outbound_spi) + ", " + child_->local_ts.ToString() +
                 " === " + child_->remote_ts.ToString() + ", " +
                 ProposalToString(child_->proposal));
    ctx_.events.OnStateChange(name);
    sa.riders.insert(name);
    ChildRetryDone(ctx_, name, child_->pair_index);
    return true;
  }

  void Drop(IkeSa& sa) {
    if (!child_) return;
    RemoveChild(ctx_, *child_);
    std::erase_if(sa.children, [&](const auto& c) { return c.get() == child_; });
    child_ = nullptr;
  }
  // The peer refused a new child of ours on an IKE SA that stays up: tried
  // again later (child_retry.h).
  TaskResult Refused(IkeSa& sa, uint16_t why) {
    PlanChildRetry(ctx_, *conn_, pair_, ike::NotifyName(why));
    return Fail(sa);
  }
  // The peer answered our rekey with an error notify (child_retry.h). The
  // old child lives on: tried again in 10-20 s, or, when the peer no longer
  // has it (CHILD_SA_NOT_FOUND, RFC 7296 2.25), replaced at once by a fresh
  // child for its pair, and then deleted (with a Delete, which the peer
  // answers empty: it knows no such SA, 1.4.1).
  TaskResult RekeyRefused(IkeSa& sa, uint16_t why) {
    Drop(sa);
    if (why == static_cast<uint16_t>(NotifyType::kNoProposalChosen))
      ++ctx_.counters.proposal_mismatches;
    ChildSa* old = sa.FindChildByInbound(rekey_spi_);
    // Gone meanwhile (deleted, or rekeyed by the peer): nothing to retry.
    if (!old || old->replaced || old->state != ChildSa::State::kInstalled)
      return TaskResult::kFailed;
    if (why != static_cast<uint16_t>(NotifyType::kChildSaNotFound)) {
      PlanRekeyRetry(ctx_, sa, *old, ike::NotifyName(why));
      return TaskResult::kFailed;
    }
    ctx_.Log(LogLevel::kWarning, old->conn_name(),
             "rekey of child SA " + ChildText(*old) +
                 " refused by peer: CHILD_SA_NOT_FOUND, creating a new child SA for the pair now "
                 "and deleting the old one");
    // Neither rekeyed nor revived at its hard lifetime any more: replaced.
    old->replaced = true;
    sa.tasks.Queue(
        std::make_unique<ChildCreateTask>(ctx_, old->pair_index, 0, conn_, old->inbound_spi));
    sa.tasks.Queue(MakeChildDeleteTask(ctx_, old->inbound_spi));
    return TaskResult::kFailed;
  }
  TaskResult Fail(IkeSa& sa) {
    Drop(sa);
    if (ChildSa* old = rekey_spi_ ? sa.FindChildByInbound(rekey_spi_) : nullptr)
      old->rekey_queued = false;
    return TaskResult::kFailed;
  }

  EngineContext& ctx_;
  // Initiator: the connection whose pair this is (null: the IKE SA's own).
  // Responder: the one the peer's selectors picked.
  std::shared_ptr<const Connection> conn_;
  size_t pair_;
  uint32_t rekey_spi_ = 0;  // initiator: inbound SPI of the child we rekey
  uint32_t replacing_ = 0;  // initiator: inbound SPI of the child a fresh one replaces
  uint32_t rekey_old_ = 0;  // responder: inbound SPI of the child the peer rekeys
  ExchangeType exchange_ = ExchangeType::kCreateChildSa;
  std::vector<Proposal> proposals_;
  ChildSa* child_ = nullptr;  // owned by sa.children
  ike::Bytes nonce_;
  uint16_t group_ = 0;
  int retries_ = 0;
  std::unique_ptr<ike::DhKeyPair> dh_;
  bool respond_ = false;
  std::optional<ike::NotifyPayload> error_;
  uint8_t peer_number_ = 1;
};

}  // namespace

std::unique_ptr<Task> MakeChildCreateTask(EngineContext& ctx, size_t pair,
                                          uint32_t rekey_inbound_spi,
                                          std::shared_ptr<const Connection> conn) {
  return std::make_unique<ChildCreateTask>(ctx, pair, rekey_inbound_spi, std::move(conn));
}

}  // namespace ipsec::engine
