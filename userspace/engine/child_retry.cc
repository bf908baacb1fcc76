#include "engine/child_retry.h"

#include "engine/ike_sa.h"
#include "engine/revival.h"

namespace ipsec::engine {

std::string ChildText(const ChildSa& child) {
  return child.conn_name() + "{" + std::to_string(child.reqid) + "} " + child.local_ts.ToString() +
         " === " + child.remote_ts.ToString() + " (SPI in " + std::to_string(child.inbound_spi) +
         ")";
}

void PlanRekeyRetry(EngineContext& ctx, IkeSa& sa, const ChildSa& old, const std::string& why) {
  uint8_t b[2] = {};
  (void)ctx.random.Fill(b);
  const int64_t span = kRekeyRetryMaxMs - kRekeyRetryMinMs;
  const int64_t delay = kRekeyRetryMinMs + (int64_t{b[0]} << 8 | b[1]) * span / 0xffff;
  std::erase_if(sa.rekey_retries, [&](const auto& r) { return r.second == old.inbound_spi; });
  sa.rekey_retries.emplace(ctx.NowMs() + delay, old.inbound_spi);
  ctx.TouchSa(sa.serial());
  ctx.Log(LogLevel::kWarning, old.conn_name(),
          "rekey of child SA " + ChildText(old) + " refused by peer: " + why + ", retrying in " +
              std::to_string((delay + 500) / 1000) + " s");
}

void PlanChildRetry(EngineContext& ctx, const Connection& conn, size_t pair,
                    const std::string& why) {
  auto& r = ctx.child_retries[{conn.name, pair}];
  ++r.tries_used;
  const std::string what = "child SA " + conn.subnet_pairs[pair].local.ToString() +
                           " === " + conn.subnet_pairs[pair].remote.ToString() + " refused (" +
                           why + ")";
  if (conn.keyingtries != 0 && r.tries_used >= conn.keyingtries) {
    ctx.Error(conn.name,
              what + ": giving up after " + std::to_string(r.tries_used) + " keying tries");
    ctx.child_retries.erase({conn.name, pair});
    return;
  }
  const int64_t delay = KeyingRetryDelayMs(r.tries_used);
  r.due_ms = ctx.NowMs() + delay;
  ctx.Log(LogLevel::kInfo, conn.name,
          what + ", try " + std::to_string(r.tries_used + 1) +
              (conn.keyingtries ? " of " + std::to_string(conn.keyingtries)
                                : std::string(" (%forever)")) +
              " via CREATE_CHILD_SA in " + std::to_string(delay / 1000) + " s");
}

void ChildRetryDone(EngineContext& ctx, const std::string& conn, size_t pair) {
  ctx.child_retries.erase({conn, pair});
}

void ForgetChildRetries(EngineContext& ctx, const std::string& conn) {
  std::erase_if(ctx.child_retries, [&](const auto& kv) { return kv.first.first == conn; });
}

std::vector<std::pair<std::string, size_t>> DueChildRetries(EngineContext& ctx, int64_t now_ms) {
  std::vector<std::pair<std::string, size_t>> due;
  for (auto& [key, r] : ctx.child_retries)
    if (r.due_ms != 0 && r.due_ms <= now_ms) {
      r.due_ms = 0;  // in flight: the next refusal schedules the next try
      due.push_back(key);
    }
  return due;
}

std::optional<int64_t> NextChildRetryMs(const EngineContext& ctx) {
  std::optional<int64_t> next;
  for (const auto& [key, r] : ctx.child_retries)
    if (r.due_ms != 0 && (!next || r.due_ms < *next)) next = r.due_ms;
  return next;
}

}  // namespace ipsec::engine
