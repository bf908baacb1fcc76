// A child SA the peer refused (TS_UNACCEPTABLE, NO_PROPOSAL_CHOSEN, any
// error notify, in IKE_AUTH or CREATE_CHILD_SA) while the IKE SA lives on:
// without a retry the IKE SA would stay up carrying nothing, even with
// keyingtries=%forever. Each refused (connection, subnet pair) is tried
// again with CREATE_CHILD_SA on the connection's IKE SA, on the back-off
// of failed IKE attempts (KeyingRetryDelayMs, revival.h), until keyingtries
// tries (the refused one counts as the first). The engine's timer starts
// the due ones (EngineImpl::RetryRefusedChildren); a child installed for
// the pair, or the connection going down, ends the series.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "engine/context.h"

namespace ipsec::engine {

// The peer refused conn's child for subnet pair `pair`; why: the peer's
// notify (or what else failed). Schedules the next try and logs one line
// naming the connection, the pair and why; or, with keyingtries spent,
// gives up with an error line.
void PlanChildRetry(EngineContext& ctx, const Connection& conn, size_t pair,
                    const std::string& why);
// A child of (conn, pair) is installed: its series of tries is over.
void ChildRetryDone(EngineContext& ctx, const std::string& conn, size_t pair);
// The connection is down or gone: no more tries for it.
void ForgetChildRetries(EngineContext& ctx, const std::string& conn);
// The (connection, pair)s whose next try is due by now_ms; each stays
// listed (with its tries) until ChildRetryDone or the next refusal.
std::vector<std::pair<std::string, size_t>> DueChildRetries(EngineContext& ctx, int64_t now_ms);
std::optional<int64_t> NextChildRetryMs(const EngineContext& ctx);

}  // namespace ipsec::engine
