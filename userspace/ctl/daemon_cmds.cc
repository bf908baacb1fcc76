#include "ctl/daemon_cmds.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cerrno>
#include <cstring>
#include <iostream>
#include <memory>
#include <sstream>

#include "ctl/metrics.h"

namespace ipsec::ctl {
namespace {

constexpr int kExitRefused = 1;
constexpr int kTimeoutMs = 15000;

std::string Join(const std::vector<std::string>& v, const char* sep) {
  std::string s;
  for (size_t i = 0; i < v.size(); i++) s += (i ? sep : "") + v[i];
  return s;
}

// --ctl lives on the top-level app (it names the daemon for every daemon
// subcommand); the subcommands read it when they run.
struct Shared {
  std::string ctl = control::kDefaultSocketPath;
};

[[noreturn]] void Fail(const std::string& msg, int code) {
  std::cerr << "ipsecctl: " << msg << "\n";
  throw CLI::RuntimeError(code);
}

nlohmann::json Call(const Shared& sh, const control::Request& req) {
  auto r = ControlRequest(sh.ctl, req);
  if (!r) {
    int code =
        (r.error().code == ECONNREFUSED || r.error().code == ENOENT) ? kExitNoDaemon : kExitRefused;
    Fail(r.error().message, code);
  }
  const auto& j = *r;
  if (!j.value("ok", false))
    Fail(j.value("error", std::string("the daemon refused")), kExitRefused);
  return j.value("result", nlohmann::json::object());
}

void AddSimple(CLI::App& app, std::shared_ptr<Shared> sh, const std::string& cmd,
               const std::string& help) {
  CLI::App* sub = app.add_subcommand(cmd, help);
  auto json = std::make_shared<bool>(false);
  sub->add_flag("--json,-j", *json, "JSON output for scripts");
  sub->callback([sh, cmd, json] {
    nlohmann::json res = Call(*sh, control::Request{cmd, ""});
    if (*json) {
      std::cout << res.dump(2) << "\n";
    } else if (cmd == "status") {
      std::cout << FormatStatus(res.get<control::StatusResult>());
    } else if (cmd == "reload") {
      std::cout << FormatReload(res.get<control::ReloadResult>());
    } else {
      std::cout << FormatTraffic(res.get<control::TrafficResult>());
    }
  });
}

void AddNamed(CLI::App& app, std::shared_ptr<Shared> sh, const std::string& cmd,
              const std::string& help) {
  CLI::App* sub = app.add_subcommand(cmd, help);
  auto name = std::make_shared<std::string>();
  auto json = std::make_shared<bool>(false);
  sub->add_option("name", *name, "connection name (conn NAME in ipsec.conf)")->required();
  sub->add_flag("--json,-j", *json, "JSON output for scripts");
  sub->callback([sh, cmd, name, json] {
    nlohmann::json res = Call(*sh, control::Request{cmd, *name});
    if (*json)
      std::cout << res.dump(2) << "\n";
    else if (cmd == "add" || cmd == "delete")
      std::cout << FormatReload(res.get<control::ReloadResult>());
    else
      std::cout << res.value("message", std::string()) << "\n";
  });
}

// Kernel part always; the daemon's when it answers. A kernel without the
// module is an error (exit 1): a scrape then fails instead of looking idle.
void AddMetrics(CLI::App& app, std::shared_ptr<Shared> sh, DeviceLister devices) {
  CLI::App* sub = app.add_subcommand(
      "metrics", "Prometheus text format: device, connection and SA counters (node_exporter)");
  sub->callback([sh, devices] {
    auto devs = devices();
    if (!devs) Fail("metrics: " + devs.error().message, kExitRefused);
    std::optional<control::StatusResult> st;
    auto r = ControlRequest(sh->ctl, control::Request{"status", ""});
    if (r && r->value("ok", false))
      st = r->value("result", nlohmann::json::object()).get<control::StatusResult>();
    std::cout << FormatMetrics(st, *devs);
  });
}

}  // namespace

Result<nlohmann::json> ControlRequest(const std::string& path, const control::Request& req) {
  sockaddr_un sa{};
  sa.sun_family = AF_UNIX;
  if (path.empty() || path.size() >= sizeof sa.sun_path)
    return MakeError("control socket path '" + path + "' is empty or too long");
  std::memcpy(sa.sun_path, path.c_str(), path.size() + 1);
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return MakeError(std::string("socket: ") + std::strerror(errno), errno);
  if (connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) {
    int err = errno;
    close(fd);
    return MakeError("no ipsecd listening on " + path + " (" + std::strerror(err) +
                         "); is the daemon running, and is this its --ctl socket?",
                     err);
  }
  std::string line = nlohmann::json(req).dump() + "\n";
  for (size_t off = 0; off < line.size();) {
    ssize_t n = send(fd, line.data() + off, line.size() - off, MSG_NOSIGNAL);
    if (n < 0) {
      int err = errno;
      close(fd);
      return MakeError(std::string("send to ipsecd: ") + std::strerror(err), err);
    }
    off += static_cast<size_t>(n);
  }
  std::string reply;
  char buf[65536];
  for (;;) {
    pollfd p{fd, POLLIN, 0};
    int pr = poll(&p, 1, kTimeoutMs);
    if (pr == 0) {
      close(fd);
      return MakeError("ipsecd did not answer within " + std::to_string(kTimeoutMs / 1000) + "s",
                       ETIMEDOUT);
    }
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    reply.append(buf, static_cast<size_t>(n));
    if (reply.back() == '\n') break;
    if (reply.size() > control::kMaxLineBytes) break;
  }
  close(fd);
  if (reply.empty()) return MakeError("ipsecd closed the control connection without answering");
  try {
    return nlohmann::json::parse(reply);
  } catch (const nlohmann::json::exception& e) {
    return MakeError(std::string("unreadable answer from ipsecd: ") + e.what());
  }
}

std::string FormatStatus(const control::StatusResult& st) {
  std::ostringstream o;
  o << "ipsecd pid " << st.daemon.pid << ", up " << st.daemon.uptime_s << "s, config "
    << st.daemon.config_file << ", interfaces " << Join(st.daemon.interfaces, " ") << "\n";
  o << "Connections:\n";
  if (st.connections.empty()) o << "  (none)\n";
  for (const auto& c : st.connections) {
    o << "  " << c.name << ": " << c.local << " ... " << c.remote << ", auto=" << c.auto_action
      << ", " << c.interface << "\n";
    for (const auto& r : c.routes) o << "    route " << r << "\n";
    if (!c.last_error.empty()) o << "    last error: " << c.last_error << "\n";
  }
  o << "Security Associations (" << st.ike_sas.size() << "):\n";
  for (const auto& s : st.ike_sas) {
    o << "  " << s.conn << "[" << s.spi_i << "_i " << s.spi_r << "_r]: IKEv" << s.version << " "
      << s.state << " " << s.age_s << "s, " << s.local << " [" << s.local_id << "] ... " << s.remote
      << " [" << s.remote_id << "], " << (s.initiator ? "initiator" : "responder");
    if (s.nat_local || s.nat_remote)
      o << ", NAT " << (s.nat_local ? "here" : "") << (s.nat_local && s.nat_remote ? "+" : "")
        << (s.nat_remote ? "peer" : "");
    o << "\n    IKE: " << s.algorithms << "\n";
    if (!s.local_auth.empty() || !s.remote_auth.empty()) {
      o << "    auth: local " << (s.local_auth.empty() ? "?" : s.local_auth) << ", remote "
        << (s.remote_auth.empty() ? "?" : s.remote_auth);
      if (!s.remote_cert.empty()) o << ", peer certificate '" << s.remote_cert << "'";
      o << "\n";
    }
    for (const auto& c : s.children) {
      o << "    child " << (c.conn.empty() ? s.conn : c.conn) << " reqid " << c.reqid << ": "
        << c.state << ", SPIs " << c.inbound_spi << "_i " << c.outbound_spi << "_o"
        << (c.udp_encap ? " (UDP-encap)" : "") << ", " << c.algorithms << ", " << c.age_s << "s\n";
      o << "      " << Join(c.local_ts, ",") << " === " << Join(c.remote_ts, ",") << "\n";
      o << "      in " << c.in_bytes << " bytes " << c.in_packets << " packets, out " << c.out_bytes
        << " bytes " << c.out_packets << " packets\n";
    }
  }
  const auto& k = st.counters;
  o << "Counters: rx " << k.rx_messages << " tx " << k.tx_messages << " retransmits "
    << k.retransmits << " malformed " << k.dropped_malformed << " unauthenticated "
    << k.dropped_unauthenticated << " unknown-spi " << k.dropped_unknown_spi << " unexpected "
    << k.dropped_unexpected << " auth-failures " << k.auth_failures << " proposal-mismatches "
    << k.proposal_mismatches << "\n";
  o << "Refused: init-for-live-sa " << k.dropped_init_for_existing_sa << " half-open-limit "
    << k.dropped_half_open_limit << " cookies-sent " << k.cookies_sent << " half-open-expired "
    << k.half_open_expired << " resends-limited " << k.resends_limited << " peer-moves "
    << k.peer_moves_refused << " child-limit " << k.child_sa_limit_refused << "\n";
  o << "Fragments: sent " << k.fragments_sent << " received " << k.fragments_received << " dropped "
    << k.dropped_fragments << "\n";
  return o.str();
}

std::string FormatTraffic(const control::TrafficResult& t) {
  // libreswan's shape: #reqid: "conn", type=ESP, add_time=..., inBytes=..., outBytes=..., id='...'
  std::ostringstream o;
  for (const auto& x : t.tunnels) {
    o << "#" << x.reqid << ": \"" << x.conn << "\" " << Join(x.local_ts, ",")
      << "===" << Join(x.remote_ts, ",") << ", type=ESP, age=" << x.age_s
      << "s, inBytes=" << x.in_bytes << ", outBytes=" << x.out_bytes
      << ", inPackets=" << x.in_packets << ", outPackets=" << x.out_packets
      << ", SPIs=" << x.inbound_spi << "_i/" << x.outbound_spi << "_o, id='" << x.remote_id
      << "'\n";
  }
  // Per connection, across rekeys: what the rekeyed SAs carried too.
  for (const auto& c : t.connections)
    o << "\"" << c.conn << "\" total: inBytes=" << c.in_bytes << ", outBytes=" << c.out_bytes
      << ", inPackets=" << c.in_packets << ", outPackets=" << c.out_packets << "\n";
  return o.str();
}

std::string FormatReload(const control::ReloadResult& r) {
  std::ostringstream o;
  o << r.command << ": " << r.config_file << ": " << r.added.size() << " added, "
    << r.removed.size() << " removed, " << r.replaced.size() << " replaced, " << r.kept.size()
    << " kept\n";
  auto list = [&o](const char* what, const std::vector<std::string>& names) {
    for (const auto& n : names) o << "  " << what << " " << n << "\n";
  };
  list("added   ", r.added);
  list("removed ", r.removed);
  list("replaced", r.replaced);
  list("kept    ", r.kept);
  for (const auto& n : r.psk_changed)
    o << "  PSK changed for " << n << ": used from its next IKE SA on\n";
  for (const auto& k : r.setup_changed) o << "  config setup: " << k << " changed\n";
  for (const auto& w : r.warnings) o << "  warning: " << w << "\n";
  return o.str();
}

void AddDaemonCommands(CLI::App& app, DeviceLister devices) {
  auto sh = std::make_shared<Shared>();
  app.add_option("--ctl", sh->ctl, "ipsecd control socket (daemon subcommands)")
      ->capture_default_str();
  AddSimple(app, sh, "status", "Connections, IKE SAs and child SAs of the running ipsecd");
  AddSimple(app, sh, "trafficstatus", "One line per installed child SA with its traffic");
  AddNamed(app, sh, "up", "Bring a connection up (ipsecd initiates it)");
  AddNamed(app, sh, "down", "Take a connection down (Delete to the peer)");
  AddSimple(app, sh, "reload",
            "Re-read ipsec.conf and ipsec.secrets: load added connections, tear down removed "
            "ones, replace changed ones, keep unchanged ones (and their SAs) untouched");
  AddNamed(app, sh, "add", "Load (or replace) one connection from the current ipsec.conf");
  AddNamed(app, sh, "delete", "Tear down and unload one connection");
  AddMetrics(app, sh, std::move(devices));
}

}  // namespace ipsec::ctl
