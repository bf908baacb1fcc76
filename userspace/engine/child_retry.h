// A child SA the peer refused (TS_UNACCEPTABLE, NO_PROPOSAL_CHOSEN, any
// error notify, in IKE_AUTH or CREATE_CHILD_SA) while the IKE SA lives on:
// without a retry the IKE SA would stay up carrying nothing, even with
// keyingtries=%forever. Each refused (connection, subnet pair) is tried
// again with CREATE_CHILD_SA on the connection's IKE SA, on the back-off
// of failed IKE attempts (KeyingRetryDelayMs, revival.h), until keyingtries
// tries (the refused one counts as the first). The engine's timer starts
// the due ones (EngineImpl::RetryRefusedChildren); a child installed for
// the pair, or the connection going down, ends the series.
//
// A rekey of ours the peer refused is another matter: the old child still
// carries the pair, but the peer may route the pair elsewhere (pluto does),
// so waiting for the old child's hard lifetime can stop the traffic. As
// strongSwan does, the rekey is tried again after a random 10-20 s
// (TEMPORARY_FAILURE: RFC 7296 2.25), again and again for as long as the
// old child lives; its hard lifetime then deletes it and, for a wanted
// connection, creates a new one. CHILD_SA_NOT_FOUND (the peer no longer has
// the child) is not retried: a new child for the pair is created at once
// and the old one deleted (tasks/child_create.cc).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "engine/context.h"

namespace ipsec::engine {

class IkeSa;
struct ChildSa;

// Bounds of the pause before a refused rekey is tried again.
inline constexpr int64_t kRekeyRetryMinMs = 10000, kRekeyRetryMaxMs = 20000;

// "site{3} 10.1.0.0/24 === 10.2.0.0/24 (SPI in 3221225473)": a child in a log line.
std::string ChildText(const ChildSa& child);
// The peer answered our rekey of `old` (a child of sa) with the error
// notify `why`: its next try is due in a random kRekeyRetryMinMs to
// kRekeyRetryMaxMs (sa.rekey_retries, the IKE SA's timer), with one line
// in the log. old stays rekey_queued meanwhile (no second rekey starts).
void PlanRekeyRetry(EngineContext& ctx, IkeSa& sa, const ChildSa& old, const std::string& why);

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
