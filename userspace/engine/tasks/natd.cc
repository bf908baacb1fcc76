// NAT detection (RFC 7296 2.23): NAT_DETECTION_SOURCE_IP/DESTINATION_IP in
// IKE_SA_INIT. When either hash differs, a NAT sits between us: the
// initiator moves IKE to port 4500 from IKE_AUTH on, ESP goes into UDP
// (RFC 3948), and the side behind the NAT sends keepalives.
#include <algorithm>

#include "engine/ike_sa.h"
#include "engine/tasks/tasks.h"
#include "ike/crypto/auth.h"

namespace ipsec::engine {
namespace {

using ike::NotifyType;

inline constexpr uint16_t kNatTPort = 4500;

ike::NotifyPayload Hash(NotifyType type, uint64_t spi_i, uint64_t spi_r, const Endpoint& ep) {
  auto h = ike::NatDetectionHash(spi_i, spi_r, ep.addr, ep.port);
  ike::NotifyPayload n;
  n.type = static_cast<uint16_t>(type);
  n.data.assign(h.begin(), h.end());
  return n;
}

// True when no notify of `type` carries the hash of ep: that address/port
// was changed on the way.
bool Translated(const ike::Message& m, NotifyType type, const Endpoint& ep) {
  auto h = ike::NatDetectionHash(m.header.spi_i, m.header.spi_r, ep.addr, ep.port);
  for (const auto* n : m.Notifies())
    if (n->type == static_cast<uint16_t>(type) &&
        std::equal(h.begin(), h.end(), n->data.begin(), n->data.end()))
      return false;
  return true;
}

class NatdTask : public Task {
 public:
  explicit NatdTask(EngineContext& ctx) : ctx_(ctx) {}
  TaskType type() const override { return TaskType::kNatd; }

  TaskResult BuildRequest(IkeSa& sa, ike::Message& req) override {
    req.Add(ike::PayloadType::kNotify,
            Hash(NotifyType::kNatDetectionSourceIp, sa.spi_i, 0, sa.local));
    req.Add(ike::PayloadType::kNotify,
            Hash(NotifyType::kNatDetectionDestinationIp, sa.spi_i, 0, sa.remote));
    return TaskResult::kNeedMore;
  }

  TaskResult ProcessResponse(IkeSa& sa, const ike::Message& resp) override {
    // IKE_SA_INIT will be sent again (COOKIE / INVALID_KE): so will we.
    if (resp.FindNotify(NotifyType::kCookie) || resp.FindNotify(NotifyType::kInvalidKePayload))
      return TaskResult::kNeedMore;
    if (!Evaluate(sa, resp)) return TaskResult::kDone;
    if (sa.nat_local || sa.nat_remote) {
      sa.local.port = kNatTPort;
      sa.remote.port = kNatTPort;
      ctx_.Log(LogLevel::kInfo, sa.conn_name(),
               std::string("NAT detected (") + (sa.nat_local ? "we are behind it" : "") +
                   (sa.nat_local && sa.nat_remote ? ", " : "") +
                   (sa.nat_remote ? "peer is behind it" : "") + "), switching to port 4500");
    }
    return TaskResult::kDone;
  }

  TaskResult ProcessRequest(IkeSa& sa, const ike::Message& req) override {
    peer_supports_ = Evaluate(sa, req);
    return TaskResult::kDone;
  }

  TaskResult BuildResponse(IkeSa& sa, ike::Message& resp) override {
    if (!peer_supports_) return TaskResult::kDone;
    resp.Add(ike::PayloadType::kNotify,
             Hash(NotifyType::kNatDetectionSourceIp, sa.spi_i, sa.spi_r, sa.local));
    resp.Add(ike::PayloadType::kNotify,
             Hash(NotifyType::kNatDetectionDestinationIp, sa.spi_i, sa.spi_r, sa.remote));
    return TaskResult::kDone;
  }

 private:
  // Sets nat_local/nat_remote from m's hashes; false if m has none.
  bool Evaluate(IkeSa& sa, const ike::Message& m) {
    if (!m.FindNotify(NotifyType::kNatDetectionSourceIp) ||
        !m.FindNotify(NotifyType::kNatDetectionDestinationIp))
      return false;
    sa.nat_local = Translated(m, NotifyType::kNatDetectionDestinationIp, sa.local);
    sa.nat_remote = Translated(m, NotifyType::kNatDetectionSourceIp, sa.remote);
    return true;
  }

  EngineContext& ctx_;
  bool peer_supports_ = false;
};

}  // namespace

std::unique_ptr<Task> MakeNatdTask(EngineContext& ctx) {
  return std::make_unique<NatdTask>(ctx);
}

}  // namespace ipsec::engine
