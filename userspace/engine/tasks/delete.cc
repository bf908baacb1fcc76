// Delete payloads (RFC 7296 1.4.1): closing a child SA (ESP SPIs both ways)
// or the whole IKE SA, as initiator and as responder of INFORMATIONAL.
#include "common/bytes.h"
#include "engine/child_install.h"
#include "engine/ike_sa.h"
#include "engine/tasks/spi_bytes.h"
#include "engine/tasks/tasks.h"

namespace ipsec::engine {
namespace {

using ike::PayloadType;

void EraseChild(EngineContext& ctx, IkeSa& sa, ChildSa* child) {
  // A child the peer rekeyed: its successor's outbound SA was waiting for
  // this moment (the peer has its inbound half); it takes over before the
  // old outbound SA goes, so nothing is sent in between without an SA.
  for (auto& next : sa.children)
    if (next->replaces == child->inbound_spi && next->pending_outbound)
      if (auto st = InstallPendingOutbound(ctx, *next); !st)
        ctx.Error(sa.conn_name(), "installing child SA failed: " + st.error().message);
  if (child->replaced)
    RetireChild(ctx, *child);
  else
    RemoveChild(ctx, *child);
  const std::string name = child->conn ? child->conn_name() : sa.conn_name();
  // A rekeyed child's end is part of the rekey, already logged.
  ctx.Log(child->replaced ? LogLevel::kDebug : LogLevel::kInfo, name,
          "CHILD_SA " + name + "{" + std::to_string(child->reqid) + "} " +
              child->local_ts.ToString() + " === " + child->remote_ts.ToString() + " deleted");
  std::erase_if(sa.children, [&](const auto& c) { return c.get() == child; });
  ctx.events.OnStateChange(name);
}

class ChildDeleteTask : public Task {
 public:
  ChildDeleteTask(EngineContext& ctx, uint32_t inbound_spi) : ctx_(ctx), spi_(inbound_spi) {}
  TaskType type() const override { return TaskType::kChildDelete; }

  TaskResult BuildRequest(IkeSa& sa, ike::Message& req) override {
    ChildSa* child = sa.FindChildByInbound(spi_);
    if (!child) return TaskResult::kDone;  // already gone (e.g. the peer deleted it)
    child->state = ChildSa::State::kDeleting;
    ike::DeletePayload d;
    d.protocol = static_cast<uint8_t>(ProtocolId::kEsp);
    d.spi_size = 4;
    d.spis.push_back(SpiBytes(spi_));
    req.Add(PayloadType::kDelete, std::move(d));
    return TaskResult::kNeedMore;
  }
  TaskResult ProcessResponse(IkeSa& sa, const ike::Message&) override {
    if (ChildSa* child = sa.FindChildByInbound(spi_)) EraseChild(ctx_, sa, child);
    return TaskResult::kDone;
  }
  void OnTimeout(IkeSa& sa) override {
    if (ChildSa* child = sa.FindChildByInbound(spi_)) EraseChild(ctx_, sa, child);
  }
  TaskResult ProcessRequest(IkeSa&, const ike::Message&) override { return TaskResult::kDone; }
  TaskResult BuildResponse(IkeSa&, ike::Message&) override { return TaskResult::kDone; }

 private:
  EngineContext& ctx_;
  uint32_t spi_;
};

class IkeDeleteTask : public Task {
 public:
  explicit IkeDeleteTask(EngineContext& ctx) : ctx_(ctx) {}
  TaskType type() const override { return TaskType::kIkeDelete; }

  TaskResult BuildRequest(IkeSa& sa, ike::Message& req) override {
    sa.state = IkeSa::State::kDeleting;
    req.Add(PayloadType::kDelete, ike::DeletePayload{});
    return TaskResult::kNeedMore;
  }
  TaskResult ProcessResponse(IkeSa& sa, const ike::Message&) override {
    ctx_.Log(LogLevel::kInfo, sa.conn_name(), "IKE SA deleted");
    sa.Kill("deleted by us");
    return TaskResult::kDestroySa;
  }
  void OnTimeout(IkeSa& sa) override { sa.Kill("deleted by us (peer silent)"); }
  TaskResult ProcessRequest(IkeSa&, const ike::Message&) override { return TaskResult::kDone; }
  TaskResult BuildResponse(IkeSa&, ike::Message&) override { return TaskResult::kDone; }

 private:
  EngineContext& ctx_;
};

// The responder side of INFORMATIONAL: Delete payloads of either kind.
class InformationalResponderTask : public Task {
 public:
  explicit InformationalResponderTask(EngineContext& ctx) : ctx_(ctx) {}
  TaskType type() const override { return TaskType::kChildDelete; }
  TaskResult BuildRequest(IkeSa&, ike::Message&) override { return TaskResult::kDone; }
  TaskResult ProcessResponse(IkeSa&, const ike::Message&) override { return TaskResult::kDone; }

  TaskResult ProcessRequest(IkeSa& sa, const ike::Message& req) override {
    for (const auto& p : req.payloads) {
      if (p.type != PayloadType::kDelete) continue;
      const auto* d = std::get_if<ike::DeletePayload>(&p.body);
      if (!d) continue;
      if (d->protocol == static_cast<uint8_t>(ProtocolId::kIke)) {
        delete_ike_ = true;
        continue;
      }
      if (d->protocol != static_cast<uint8_t>(ProtocolId::kEsp)) continue;
      for (const auto& raw : d->spis) {
        ByteReader r(raw);
        uint32_t spi = 0;
        if (raw.size() != 4 || !r.ReadU32(&spi)) continue;
        auto [owner, child] = FindChild(sa, spi);
        if (!child) continue;  // unknown or already deleted: say nothing (1.4.1)
        // If we are deleting it ourselves too, RFC 7296 1.4.1 lets both
        // sides answer with an empty Delete; we simply include ours.
        our_spis_.push_back(child->inbound_spi);
        EraseChild(ctx_, *owner, child);
      }
    }
    if (delete_ike_) ctx_.Log(LogLevel::kInfo, sa.conn_name(), "IKE SA deleted by peer");
    return TaskResult::kDone;
  }

  // The child whose outbound SPI is `spi`, on sa or, when sa was rekeyed,
  // on the IKE SA its children moved to: a peer that sent the Delete on
  // the old SA while our rekey of it crossed its request gets the answer
  // RFC 7296 2.25.2 asks for ("reply as usual, with a Delete payload").
  std::pair<IkeSa*, ChildSa*> FindChild(IkeSa& sa, uint32_t spi) {
    IkeSa* owner = &sa;
    for (int hops = 0; owner && hops < 4; ++hops) {
      if (ChildSa* child = owner->FindChildByOutbound(spi)) {
        if (owner != &sa) ctx_.TouchSa(owner->serial());
        return {owner, child};
      }
      if (owner->successor == 0 || !ctx_.find_sa) break;
      owner = ctx_.find_sa(owner->successor);
      if (owner && owner->state == IkeSa::State::kDead) break;
    }
    return {nullptr, nullptr};
  }

  TaskResult BuildResponse(IkeSa& sa, ike::Message& resp) override {
    if (delete_ike_) {
      sa.Kill("deleted by peer");
      return TaskResult::kDestroySa;
    }
    if (!our_spis_.empty()) {
      ike::DeletePayload d;
      d.protocol = static_cast<uint8_t>(ProtocolId::kEsp);
      d.spi_size = 4;
      for (uint32_t spi : our_spis_) d.spis.push_back(SpiBytes(spi));
      resp.Add(PayloadType::kDelete, std::move(d));
    }
    return TaskResult::kDone;
  }

 private:
  EngineContext& ctx_;
  bool delete_ike_ = false;
  std::vector<uint32_t> our_spis_;
};

}  // namespace

std::unique_ptr<Task> MakeChildDeleteTask(EngineContext& ctx, uint32_t inbound_spi) {
  return std::make_unique<ChildDeleteTask>(ctx, inbound_spi);
}
std::unique_ptr<Task> MakeIkeDeleteTask(EngineContext& ctx) {
  return std::make_unique<IkeDeleteTask>(ctx);
}
std::unique_ptr<Task> MakeInformationalResponderTask(EngineContext& ctx) {
  return std::make_unique<InformationalResponderTask>(ctx);
}

}  // namespace ipsec::engine
