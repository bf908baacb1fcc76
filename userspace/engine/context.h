// What tasks reach of the outside world and of the engine's shared state:
// the injected services, the counters, the connection table, the reqid and
// policy books. One per Engine; tasks get it by reference.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <unordered_set>
#include <vector>

#include "engine/engine.h"
#include "engine/resend_limit.h"
#include "engine/task_manager.h"
#include "ike/fragments.h"

namespace ipsec::engine {

class IkeSa;

struct EngineContext {
  EngineContext(Clock& c, RandomSource& r, DatagramSender& s, kernel::Kernel& k, SecretProvider& p,
                EventSink& e)
      : clock(c), random(r), sender(s), kernel(k), secrets(p), events(e) {}

  Clock& clock;
  RandomSource& random;
  DatagramSender& sender;
  kernel::Kernel& kernel;
  SecretProvider& secrets;
  EventSink& events;

  EngineCounters counters;
  // Re-sent cached responses, all SAs together (resend_limit.h).
  TokenBucket resend_budget{kEngineResendBurst, kEngineResendPerSecond};
  // Plaintext of IKE fragments held by all IKE SAs (ike/fragments.h).
  ike::FragmentBudget fragment_budget;
  std::vector<std::shared_ptr<const Connection>> connections;
  // Counts the loads of `connections`, so what is derived from it can be
  // kept until the next one (ChildConnections, ike_sa_sharing.h).
  uint64_t connections_generation = 0;
  // Last clear error per connection name, for "ipsecctl status".
  std::map<std::string, std::string> last_error;

  // One reqid per (connection, subnet pair, peer): a rekeyed or duplicate
  // child SA takes over the same policy (uapi: the newest outbound SA wins).
  // peer is "" for a connection with a fixed remote host; for "right=%any"
  // it names the initiator (ReqidPeer), so two initiators on one connection
  // never share a reqid and never get each other's traffic.
  std::map<std::tuple<std::string, size_t, std::string>, uint32_t> reqids;
  uint32_t next_reqid = 1;
  // Policies installed, with the number of child SAs relying on each.
  std::map<std::tuple<int, std::string, std::string, uint32_t>, int> policy_refs;
  // Policies kept with no child SA (dpdaction=hold): each holds one
  // reference in policy_refs until a child takes it over or the connection
  // goes (child_install.h). Value: the connection's name and the policy.
  std::map<std::tuple<int, std::string, std::string, uint32_t>,
           std::pair<std::string, kernel::Policy>>
      held_policies;
  // auto=route: one policy per subnet pair from load until the connection
  // goes, each holding one reference in policy_refs, so traffic without a
  // child SA makes the kernel send ACQUIRE (child_install.h). Value: the
  // connection's name and the policy.
  std::map<std::tuple<int, std::string, std::string, uint32_t>,
           std::pair<std::string, kernel::Policy>>
      trap_policies;
  // Inbound SAs of rekeyed children, kept a little after the child went
  // (RetireChild): (ifindex, SPI) -> when to delete them, and whose.
  struct RetiredInbound {
    int64_t due_ms = 0;
    std::string conn;
  };
  std::map<std::pair<int, uint32_t>, RetiredInbound> retired_inbound;
  // Children the peer refused, per (connection, subnet pair): tries spent
  // and when the next is due (0: in flight). child_retry.h.
  struct ChildRetry {
    uint32_t tries_used = 0;
    int64_t due_ms = 0;
  };
  std::map<std::pair<std::string, size_t>, ChildRetry> child_retries;
  // Per connection name: the counters of its SAs deleted so far
  // (retired_traffic.h), so its traffic totals never go backwards.
  std::map<std::string, TrafficTotals> retired_traffic;

  // IKE SAs born from a rekey inside a task; the engine adopts them into
  // its tables once the task manager call has returned.
  std::vector<std::unique_ptr<IkeSa>> adopted;
  uint64_t next_serial = 1;
  // ike-window= (task_manager.h): the window each new IKE SA advertises.
  uint32_t our_ike_window = kDefaultOurIkeWindow;
  // True when another IKE SA holds the identities `sa` authenticates
  // (SupersedesInitialContact, ike_sa_sharing.h): our IKE_AUTH then carries
  // no INITIAL_CONTACT. Set by the engine.
  std::function<bool(const IkeSa& sa)> other_ike_sa_with_peer;
  // The IKE SA with this serial, adopted or about to be; nullptr if gone.
  // Set by the engine.
  std::function<IkeSa*(uint64_t serial)> find_sa;

  // IKE SAs (by serial) whose timers may have changed since the engine last
  // set their deadlines (its TimerQueue), and those killed since its last
  // Reap(): task manager calls and IkeSa::Kill add to them, and so does the
  // engine where it changes an SA's timer fields itself.
  std::unordered_set<uint64_t> touched_sas;
  std::vector<uint64_t> killed_sas;
  void TouchSa(uint64_t serial) { touched_sas.insert(serial); }

  int64_t NowMs() const { return clock.Now().count(); }
  uint32_t ReqidFor(const std::string& conn, size_t pair, const std::string& peer = "") {
    auto [it, inserted] = reqids.try_emplace({conn, pair, peer}, next_reqid);
    if (inserted) ++next_reqid;
    return it->second;
  }
  void Log(LogLevel level, std::string_view conn, const std::string& text) {
    events.Log(level, conn, text);
  }
  // A clear error line a person can act on: logged and kept for status.
  void Error(std::string_view conn, const std::string& text) {
    events.Log(LogLevel::kError, conn, text);
    last_error[std::string(conn)] = text;
  }
};

}  // namespace ipsec::engine
