#include "daemon/daemon.h"

#include <event2/event.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <map>

#include "common/random.h"
#include "common/version.h"
#include "daemon/control_server.h"
#include "daemon/device_settings.h"
#include "daemon/kernel_errors.h"
#include "daemon/logging.h"
#include "daemon/reload.h"
#include "daemon/route_plan.h"
#include "daemon/routes.h"
#include "daemon/secrets_provider.h"
#include "daemon/service_notify.h"
#include "daemon/startup_cleanup.h"
#include "daemon/status_report.h"
#include "engine/engine.h"
#include "kernel/mss_clamp.h"
#include "kernel/netns.h"

namespace ipsec::daemon {

namespace {

class SystemClock : public engine::Clock {
 public:
  engine::Millis Now() const override {
    timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return engine::Millis(static_cast<int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000);
  }
};

// Engine log lines to spdlog, prefixed with the connection name in quotes
// as libreswan does ("\"site\" IKE SA established").
class SpdlogSink : public engine::EventSink {
 public:
  void Log(engine::LogLevel level, std::string_view conn, std::string_view message) override {
    spdlog::level::level_enum l = spdlog::level::info;
    switch (level) {
      case engine::LogLevel::kDebug:
        l = spdlog::level::debug;
        break;
      case engine::LogLevel::kInfo:
        l = spdlog::level::info;
        break;
      case engine::LogLevel::kWarning:
        l = spdlog::level::warn;
        break;
      case engine::LogLevel::kError:
        l = spdlog::level::err;
        break;
    }
    if (conn.empty())
      spdlog::log(l, "{}", message);
    else
      spdlog::log(l, "\"{}\" {}", conn, message);
  }
};

}  // namespace

class DaemonImpl {
 public:
  DaemonImpl(const DaemonOptions& opts, config::Config cfg, config::Secrets secrets,
             std::unique_ptr<kernel::Kernel> kernel)
      : opts_(opts),
        cfg_(std::move(cfg)),
        secrets_(std::move(secrets)),
        kernel_(std::move(kernel)),
        psk_(secrets_, cfg_.connections) {}
  ~DaemonImpl();

  Status Setup();
  int Run();

 private:
  Status SetupDevices();
  Status ApplyMtus();
  void SetupEncap();
  void SyncRoutes();
  // A reload's config setup: logging and the COOKIE threshold.
  void ApplySetup(const std::vector<std::string>& changed);
  // The config setup keys the engine takes: COOKIE threshold, IKE window
  // (new IKE SAs), initiation limits.
  void ApplyEngineSetup() {
    engine_->SetCookieThreshold(cfg_.setup.cookie_threshold);
    engine_->SetIkeWindow(cfg_.setup.ike_window);
    engine_->SetInitLimits(cfg_.setup.init_limit, cfg_.setup.init_limit_per_peer);
  }
  // "3 connection(s), 2 IKE SA(s), 4 child SA(s) up": systemd's STATUS=.
  std::string Summary() const;
  void SyncAddresses();
  // SIGHUP, ipsecctl reload/add/delete (reload.h): the reply's result.
  Result<control::ReloadResult> ChangeConfig(const control::Request& req, const char* origin);
  Status AddEvent(int fd, short what, event_callback_fn cb);
  void RearmTimer();
  void Stop(const char* why);
  void RemoveInstalled();
  nlohmann::json Handle(const control::Request& req);
  std::vector<kernel::SaInfo> KernelSas();
  void DelRoute(const ConnRoute& r);
  void DelAddress(const DevAddress& a);
  // The routing table of the netns a device ("ipsec1@private") lives in,
  // opened on first use; the daemon's own for "".
  Result<RouteTable*> Routes(const std::string& dev);
  KernelErrors::Hooks KernelErrorHooks();

  static void OnSocket(int fd, short, void* arg);
  static void OnKernelEvent(int, short, void* arg);
  static void OnTimer(int, short, void* arg);
  static void OnSignal(int sig, short, void* arg);

  DaemonOptions opts_;
  config::Config cfg_;
  config::Secrets secrets_;
  std::unique_ptr<kernel::Kernel> kernel_;
  SecretsProvider psk_;
  SystemClock clock_;
  SystemRandom random_;
  SpdlogSink sink_;
  std::unique_ptr<IkeSockets> sockets_;
  std::map<std::string, std::unique_ptr<RouteTable>> routes_;  // netns ("" = own) -> table
  std::unique_ptr<engine::Engine> engine_;
  std::unique_ptr<ControlServer> ctl_;
  std::unique_ptr<KernelErrors> kernel_errors_;

  event_base* base_ = nullptr;
  std::vector<event*> events_;
  event* timer_ = nullptr;

  std::map<std::string, int> devices_;           // ipsecN in use -> ifindex
  std::map<int, int> encap_devices_;             // ifindex -> our NAT-T socket attached to it
  std::map<std::string, uint32_t> device_mtus_;  // ipsecN -> the mtu= we set
  std::vector<ConnRoute> installed_routes_;
  std::vector<DevAddress> installed_addrs_;  // leftinterface-ip= put on devices
  engine::Millis started_{0};
  engine::Millis status_sent_{0};  // last STATUS= to systemd
  bool stopped_ = false;
};

DaemonImpl::~DaemonImpl() {
  if (!stopped_) {
    if (engine_) engine_->Shutdown();
    RemoveInstalled();
  }
  ctl_.reset();
  for (auto* ev : events_) event_free(ev);
  if (timer_) event_free(timer_);
  if (base_) event_base_free(base_);
}

Status DaemonImpl::AddEvent(int fd, short what, event_callback_fn cb) {
  event* ev = event_new(base_, fd, what, cb, this);
  if (!ev || event_add(ev, nullptr) != 0) return MakeError("cannot add an event to the loop");
  events_.push_back(ev);
  return Status::Ok();
}

Status DaemonImpl::Setup() {
  started_ = clock_.Now();
  base_ = event_base_new();
  if (!base_) return MakeError("cannot create the event loop");

  auto socks = IkeSockets::Open(opts_.sockets);
  if (!socks) return socks.error();
  sockets_ = std::move(socks).value();

  if (auto rt = Routes(""); !rt) return rt.error();
  std::vector<std::string> cred_warnings;
  auto creds = Credentials::Load(cfg_, secrets_, &cred_warnings);
  if (!creds) return creds.error();
  for (const auto& w : cred_warnings) spdlog::warn("{}", w);
  psk_.SetCredentials(std::move(creds).value());

  if (auto st = SetupDevices(); !st) return st;
  SetupEncap();
  SyncAddresses();
  SyncRoutes();

  engine_ = std::make_unique<engine::Engine>(clock_, random_, *sockets_, *kernel_, psk_, sink_);
  ApplyEngineSetup();
  kernel_errors_ = std::make_unique<KernelErrors>(*kernel_, clock_, KernelErrorHooks());

  auto ctl = ControlServer::Listen(base_, opts_.ctl_path,
                                   [this](const control::Request& r) { return Handle(r); });
  if (!ctl) return ctl.error();
  ctl_ = std::move(ctl).value();

  for (int fd : sockets_->fds())
    if (auto st = AddEvent(fd, EV_READ | EV_PERSIST, &DaemonImpl::OnSocket); !st) return st;
  int kfd = kernel_->EventFd();
  if (kfd >= 0) {
    if (auto st = AddEvent(kfd, EV_READ | EV_PERSIST, &DaemonImpl::OnKernelEvent); !st) return st;
  } else {
    spdlog::warn("kernel events unavailable: auto=route connections will not start on traffic");
  }
  for (int sig : {SIGTERM, SIGINT, SIGHUP})
    if (auto st = AddEvent(sig, EV_SIGNAL | EV_PERSIST, &DaemonImpl::OnSignal); !st) return st;
  timer_ = evtimer_new(base_, &DaemonImpl::OnTimer, this);
  if (!timer_) return MakeError("cannot create the engine timer");

  if (auto st = engine_->LoadConnections(EngineConnections(cfg_.connections)); !st)
    return MakeError("loading connections: " + st.error().message);
  size_t loaded = 0;
  for (const auto& c : cfg_.connections)
    if (c.auto_action != config::AutoAction::kIgnore) loaded++;
  spdlog::info("{} connection(s) loaded from {}, control socket {}", loaded, opts_.config_path,
               opts_.ctl_path);
  RearmTimer();
  NotifyReady(Summary());
  return Status::Ok();
}

std::string DaemonImpl::Summary() const {
  size_t conns = 0, ikes = 0, children = 0;
  for (const auto& c : cfg_.connections)
    if (c.auto_action != config::AutoAction::kIgnore) conns++;
  for (const auto& sa : engine_->Status().ike_sas) {
    if (sa.state == "ESTABLISHED") ikes++;
    for (const auto& c : sa.children)
      if (c.state == "INSTALLED") children++;
  }
  return std::to_string(conns) + " connection(s), " + std::to_string(ikes) + " IKE SA(s), " +
         std::to_string(children) + " child SA(s) up";
}

Status DaemonImpl::SetupDevices() {
  std::vector<std::string> names;
  for (const auto& c : cfg_.connections) {
    if (c.auto_action == config::AutoAction::kIgnore) continue;
    std::string n = config::DeviceName(c);
    if (std::find(names.begin(), names.end(), n) == names.end()) names.push_back(n);
  }
  if (names.empty() && devices_.empty()) names.push_back("ipsec0");
  const auto clamps = DeviceMssClamps(cfg_.connections);
  for (const auto& n : names) {
    if (devices_.count(n)) continue;  // a reload: in use already
    bool existed = static_cast<bool>(kernel_->GetDevice(n));
    auto dev = kernel_->EnsureDevice(n);
    if (!dev) return MakeError("device " + n + ": " + dev.error().message, dev.error().code);
    // Always set: a device left by an earlier run follows this config.
    auto clamp = clamps.find(n);
    uint16_t mss = clamp == clamps.end() ? 0 : clamp->second.clamp;
    if (auto st = kernel_->SetMssClamp(dev->ifindex, mss); !st)
      return MakeError("device " + n + ": mss-clamp: " + st.error().message, st.error().code);
    if (mss)
      spdlog::info("{}: TCP MSS clamping {} (mss-clamp= of conn {})", n, kernel::MssClampName(mss),
                   clamp->second.conn);
    // Link settings go to the netns the device lives in ("ipsec1@private").
    auto rt = Routes(n);
    if (!rt) return MakeError("device " + n + ": " + rt.error().message, rt.error().code);
    if (auto st = (*rt)->SetLinkUp(dev->ifindex); !st) return st;
    devices_[n] = dev->ifindex;
    spdlog::info("using {} (ifindex {}{})", n, dev->ifindex, existed ? "" : ", created");
    if (!existed) continue;
    auto left = RemoveLeftovers(*kernel_, dev->ifindex);
    if (!left)
      return MakeError("device " + n +
                       ": removing what a previous ipsecd left: " + left.error().message);
    if (left->sas || left->policies)
      spdlog::warn("{}: removed {} SA(s) and {} policy(ies) left by a previous ipsecd", n,
                   left->sas, left->policies);
  }
  return ApplyMtus();
}

// mtu= on the devices, at start and when a reload changes it. A device
// whose mtu= went away keeps the MTU it has (nothing says what to restore).
Status DaemonImpl::ApplyMtus() {
  for (const auto& [n, m] : DeviceMtus(cfg_.connections)) {
    auto dev = devices_.find(n);
    if (dev == devices_.end()) continue;
    if (auto set = device_mtus_.find(n); set != device_mtus_.end() && set->second == m.mtu)
      continue;
    auto rt = Routes(n);
    Status st = rt ? (*rt)->SetLinkMtu(dev->second, m.mtu) : Status(rt.error());
    if (!st)
      return MakeError("device " + n + ": mtu=" + std::to_string(m.mtu) + " of conn " + m.conn +
                           ": " + st.error().message,
                       st.error().code);
    device_mtus_[n] = m.mtu;
    spdlog::info("{}: MTU {} (mtu= of conn {})", n, m.mtu, m.conn);
  }
  return Status::Ok();
}

// The module takes ESP-in-UDP off our port-4500 socket (RFC 3948) so that
// IKE and ESP share the port. A socket serves one device, but inbound ESP
// is found by SPI in the whole netns, so one device per family is enough.
void DaemonImpl::SetupEncap() {
  for (int family : {AF_INET, AF_INET6}) {
    int fd = sockets_->natt_fd(family);
    if (fd < 0) continue;
    auto attached = [fd](const auto& e) { return e.second == fd; };
    if (std::any_of(encap_devices_.begin(), encap_devices_.end(), attached)) continue;
    // A reload may have brought the device this family was missing.
    auto dev = std::find_if(devices_.begin(), devices_.end(),
                            [&](const auto& d) { return !encap_devices_.count(d.second); });
    if (dev == devices_.end()) {
      // Only worth a warning when a connection has peers of that family.
      bool used = std::any_of(cfg_.connections.begin(), cfg_.connections.end(), [&](auto& c) {
        return c.auto_action != config::AutoAction::kIgnore &&
               (c.local.host.family() == family || c.remote.host.family() == family);
      });
      spdlog::log(used ? spdlog::level::warn : spdlog::level::debug,
                  "no device left to take ESP-in-UDP for IPv{} on port {}: NAT-T over IPv{} "
                  "needs a second ipsecN",
                  family == AF_INET ? 4 : 6, sockets_->natt_port(), family == AF_INET ? 4 : 6);
      continue;
    }
    if (auto st = kernel_->SetEncapSocket(dev->second, fd); !st) {
      spdlog::warn("{}: cannot attach the NAT-T socket: {}", dev->first, st.error().message);
      continue;
    }
    spdlog::info("{}: ESP-in-UDP on port {} (IPv{})", dev->first, sockets_->natt_port(),
                 family == AF_INET ? 4 : 6);
    encap_devices_[dev->second] = fd;
  }
}

// Routes into ipsecN as route_plan.h plans them for the loaded
// connections: missing ones added, unwanted ones removed, the others left
// alone (a reload must not drop a kept tunnel's traffic for a moment).
Result<RouteTable*> DaemonImpl::Routes(const std::string& dev) {
  const std::string netns = kernel::ParseDeviceRef(dev).netns;
  if (auto it = routes_.find(netns); it != routes_.end()) return it->second.get();
  int fd = -1;
  if (!netns.empty()) {
    auto nsfd = kernel::OpenNetns(netns);
    if (!nsfd) return nsfd.error();
    fd = *nsfd;
  }
  auto rt = RouteTable::Open(fd);
  if (fd >= 0) close(fd);
  if (!rt) return rt.error();
  return (routes_[netns] = std::move(rt).value()).get();
}

// Routes of devices in another netns go to that netns's table, with a
// source among that netns's addresses: PlanRoutes() once per netns.
void DaemonImpl::SyncRoutes() {
  std::map<std::string, std::map<std::string, int>> devices_by_netns;
  for (const auto& [name, idx] : devices_)
    devices_by_netns[kernel::ParseDeviceRef(name).netns][name] = idx;
  std::vector<ConnRoute> wanted;
  for (const auto& [netns, devs] : devices_by_netns) {
    auto rt = Routes(devs.begin()->first);
    if (!rt) {
      spdlog::error("routes in netns {}: {}", netns, rt.error().message);
      continue;
    }
    auto addrs = (*rt)->LocalAddresses();
    if (!addrs) spdlog::warn("cannot list local addresses: {}", addrs.error().message);
    auto plan = PlanRoutes(cfg_.connections, devs, addrs ? &*addrs : nullptr);
    wanted.insert(wanted.end(), plan.begin(), plan.end());
  }
  auto same = [](const ConnRoute& x, const ConnRoute& y) {
    return x.route == y.route && x.dev == y.dev;
  };
  std::erase_if(installed_routes_, [&](ConnRoute& ir) {
    auto w = std::find_if(wanted.begin(), wanted.end(), [&](auto& x) { return same(x, ir); });
    if (w != wanted.end()) {
      ir.conn = w->conn;
      return false;
    }
    DelRoute(ir);
    spdlog::info("\"{}\" route {} removed", ir.conn, ir.route.ToString(ir.dev));
    return true;
  });
  for (const auto& w : wanted) {
    if (std::any_of(installed_routes_.begin(), installed_routes_.end(),
                    [&](auto& ir) { return same(ir, w); }))
      continue;
    auto rt = Routes(w.dev);
    Status st = rt ? (*rt)->Add(w.route, w.dev) : Status(rt.error());
    if (!st) {
      spdlog::error("\"{}\" {}", w.conn, st.error().message);
      continue;
    }
    spdlog::info("\"{}\" route {}", w.conn, w.route.ToString(w.dev));
    installed_routes_.push_back(w);
  }
}

// The local end's leftinterface-ip= on the conn's device (libreswan's
// inside address, for BGP peering over the tunnel): put there once the
// device is set up, taken off when a reload drops the conn (or changes the
// address) and at shutdown. Before the routes: a route's source may be
// that address.
void DaemonImpl::SyncAddresses() {
  const auto wanted = PlanAddresses(cfg_.connections, devices_);
  for (const auto& a : StaleAddresses(installed_addrs_, wanted)) {
    DelAddress(a);
    spdlog::info("\"{}\" address {} removed from {}", a.conn, a.addr.ToString(), a.dev);
    std::erase_if(installed_addrs_, [&](const auto& i) { return i.SameAs(a); });
  }
  for (const auto& a : wanted) {
    if (std::any_of(installed_addrs_.begin(), installed_addrs_.end(),
                    [&](const auto& i) { return i.SameAs(a); }))
      continue;
    auto rt = Routes(a.dev);
    Status st =
        rt ? (*rt)->AddAddress(a.ifindex, a.addr.address, a.addr.prefix_len) : Status(rt.error());
    if (!st) {
      spdlog::error("\"{}\" {} on {}: {}", a.conn, a.addr.ToString(), a.dev, st.error().message);
      continue;
    }
    spdlog::info("\"{}\" address {} on {}", a.conn, a.addr.ToString(), a.dev);
    installed_addrs_.push_back(a);
  }
}

void DaemonImpl::DelAddress(const DevAddress& a) {
  auto rt = Routes(a.dev);
  Status st =
      rt ? (*rt)->DelAddress(a.ifindex, a.addr.address, a.addr.prefix_len) : Status(rt.error());
  if (!st) spdlog::warn("{}", st.error().message);
}

void DaemonImpl::DelRoute(const ConnRoute& r) {
  auto rt = Routes(r.dev);
  Status st = rt ? (*rt)->Del(r.route, r.dev) : Status(rt.error());
  if (!st) spdlog::warn("{}", st.error().message);
}

void DaemonImpl::RearmTimer() {
  if (stopped_ || !timer_) return;
  auto next = engine_->NextTimeout();
  if (!next) {
    evtimer_del(timer_);
    return;
  }
  int64_t ms = std::max<int64_t>(0, next->count());
  timeval tv{static_cast<time_t>(ms / 1000), static_cast<suseconds_t>((ms % 1000) * 1000)};
  evtimer_add(timer_, &tv);
}

void DaemonImpl::OnSocket(int fd, short, void* arg) {
  auto* self = static_cast<DaemonImpl*>(arg);
  // Drain what is queued, a bounded number per wake-up so one busy socket
  // cannot starve the others.
  for (int i = 0; i < 64 && !self->stopped_; i++) {
    auto d = self->sockets_->Receive(fd);
    if (!d) break;
    self->engine_->OnDatagram(d->data, d->local, d->remote);
  }
  self->RearmTimer();
}

void DaemonImpl::OnKernelEvent(int, short, void* arg) {
  auto* self = static_cast<DaemonImpl*>(arg);
  self->kernel_->DispatchEvents(
      [self](const kernel::AcquireEvent& ev) { self->engine_->OnKernelAcquire(ev); },
      [self](const kernel::ExpireEvent& ev) { self->engine_->OnKernelExpire(ev); },
      [self](const kernel::ErrorEvent& ev) { self->kernel_errors_->OnError(ev); },
      [self](const kernel::MappingEvent& ev) { self->engine_->OnKernelMapping(ev); });
  self->RearmTimer();
}

KernelErrors::Hooks DaemonImpl::KernelErrorHooks() {
  KernelErrors::Hooks h;
  h.device_name = [this](int ifindex) {
    for (const auto& [name, idx] : devices_)
      if (idx == ifindex) return name;
    return "ifindex " + std::to_string(ifindex);
  };
  h.encap_fd = [this](int ifindex) {
    auto it = encap_devices_.find(ifindex);
    return it == encap_devices_.end() ? -1 : it->second;
  };
  h.find_sa = [this](uint32_t spi) -> std::optional<KernelErrors::SaOwner> {
    for (const auto& sa : engine_->Status().ike_sas)
      for (const auto& c : sa.children)
        if (c.inbound_spi == spi) return KernelErrors::SaOwner{c.conn, sa.remote.ToString()};
    return std::nullopt;
  };
  return h;
}

void DaemonImpl::OnTimer(int, short, void* arg) {
  auto* self = static_cast<DaemonImpl*>(arg);
  self->engine_->OnTimer();
  // systemctl status shows a summary at most 10 s old.
  if (auto now = self->clock_.Now(); now - self->status_sent_ >= engine::Millis(10000)) {
    self->status_sent_ = now;
    NotifyStatus(self->Summary());
  }
  self->RearmTimer();
}

void DaemonImpl::OnSignal(int sig, short, void* arg) {
  auto* self = static_cast<DaemonImpl*>(arg);
  if (sig == SIGHUP) {
    (void)self->ChangeConfig(control::Request{"reload", ""}, "SIGHUP");
    self->RearmTimer();
    return;
  }
  self->Stop(sig == SIGTERM ? "SIGTERM" : "SIGINT");
}

void DaemonImpl::Stop(const char* why) {
  if (stopped_) return;
  stopped_ = true;
  NotifyStopping();
  spdlog::info("{}: shutting down: deleting IKE SAs, removing SAs, policies and routes", why);
  engine_->Shutdown();
  RemoveInstalled();
  ctl_.reset();
  event_base_loopexit(base_, nullptr);
}

// Routes and the NAT-T attachment, newest first. Also run when start-up
// fails half way, so a failed start leaves nothing behind.
void DaemonImpl::RemoveInstalled() {
  for (auto it = installed_routes_.rbegin(); it != installed_routes_.rend(); ++it) DelRoute(*it);
  installed_routes_.clear();
  for (const auto& a : installed_addrs_) DelAddress(a);
  installed_addrs_.clear();
  for (const auto& [ifindex, fd] : encap_devices_) {
    if (auto st = kernel_->SetEncapSocket(ifindex, -1); !st)
      spdlog::warn("detach NAT-T socket: {}", st.error().message);
  }
  encap_devices_.clear();
}

int DaemonImpl::Run() {
  event_base_dispatch(base_);
  if (!stopped_) {
    spdlog::error("event loop ended unexpectedly");
    Stop("exit");
    return 1;
  }
  spdlog::info("stopped");
  return 0;
}

std::vector<kernel::SaInfo> DaemonImpl::KernelSas() {
  auto sas = kernel_->ListSas(std::nullopt);
  if (!sas) {
    spdlog::warn("status: cannot read SA counters from the kernel: {}", sas.error().message);
    return {};
  }
  return std::move(sas).value();
}

nlohmann::json DaemonImpl::Handle(const control::Request& req) {
  nlohmann::json reply;
  if (req.cmd == "status") {
    std::vector<ConnectionExtras> extras;
    for (const auto& c : cfg_.connections) {
      ConnectionExtras x{c.name, config::DeviceName(c), {}};
      for (const auto& ir : installed_routes_)
        if (ir.conn == c.name) x.routes.push_back(ir.route.ToString(ir.dev));
      extras.push_back(std::move(x));
    }
    auto now = clock_.Now();
    control::StatusResult st = BuildStatus(engine_->Status(), KernelSas(), extras, now);
    st.daemon.pid = static_cast<int>(getpid());
    st.daemon.version = std::string("ipsec_tun ipsecd ") + ipsec::kVersion;
    st.daemon.config_file = opts_.config_path;
    st.daemon.uptime_s = static_cast<uint64_t>((now - started_).count() / 1000);
    for (const auto& [name, idx] : devices_) st.daemon.interfaces.push_back(name);
    st.counters.socket_errors =
        sockets_->counters().send_errors + sockets_->counters().receive_errors;
    reply = control::OkResponse(st);
  } else if (req.cmd == "trafficstatus") {
    reply = control::OkResponse(BuildTraffic(engine_->Status(), KernelSas(), clock_.Now()));
  } else if (req.cmd == "up" || req.cmd == "down") {
    if (req.name.empty()) return control::ErrorResponse(req.cmd + ": a connection name is needed");
    ipsec::Status st = req.cmd == "up" ? engine_->Initiate(req.name) : engine_->Terminate(req.name);
    if (!st) {
      reply = control::ErrorResponse(st.error().message);
    } else {
      spdlog::info("\"{}\" {} requested over the control socket", req.name, req.cmd);
      reply = control::OkResponse(control::MessageResult{
          (req.cmd == "up" ? "initiating '" : "terminating '") + req.name + "'"});
    }
  } else if (req.cmd == "reload" || req.cmd == "add" || req.cmd == "delete") {
    auto r = ChangeConfig(req, "ipsecctl");
    reply = r ? control::OkResponse(*r) : control::ErrorResponse(r.error().message);
  } else {
    reply = control::ErrorResponse(
        "unknown command '" + req.cmd +
        "' (status, trafficstatus, up NAME, down NAME, reload, add NAME, delete NAME)");
  }
  RearmTimer();
  return reply;
}

Result<control::ReloadResult> DaemonImpl::ChangeConfig(const control::Request& req,
                                                       const char* origin) {
  const std::string what = req.name.empty() ? req.cmd : req.cmd + " " + req.name;
  ConfigSources src{opts_.config_path, opts_.secrets_path, {}, {}};
  src.load.ikev1_negotiated = true;  // engine/v1/
  NotifyReloading();
  auto plan = ChangeRunningConfig(req.cmd, req.name, src, *engine_, cfg_, secrets_);
  NotifyReady(Summary());
  if (!plan) {
    spdlog::error("{} ({}) failed, the running configuration is unchanged: {}", what, origin,
                  plan.error().message);
    return plan.error();
  }
  psk_.SetCredentials(plan->credentials);
  ApplySetup(plan->setup_changed);
  for (const auto& w : plan->warnings) spdlog::warn("{}", w);
  if (auto st = SetupDevices(); !st) spdlog::error("{}: {}", what, st.error().message);
  SetupEncap();
  SyncAddresses();
  SyncRoutes();
  auto names = [](const std::vector<std::string>& v) {
    std::string s;
    for (const auto& n : v) s += (s.empty() ? "" : " ") + n;
    return s.empty() ? "-" : s;
  };
  spdlog::info("{} ({}): added {}; removed {}; replaced {}; kept {}{}{}", what, origin,
               names(plan->added), names(plan->removed), names(plan->replaced), names(plan->kept),
               plan->psk_changed.empty() ? "" : "; PSK changed for ",
               plan->psk_changed.empty() ? "" : names(plan->psk_changed));
  return control::ReloadResult{
      what,       opts_.config_path, plan->added,    plan->removed,      plan->replaced,
      plan->kept, plan->psk_changed, plan->warnings, plan->setup_changed};
}

// Every reload reopens logfile= (logrotate's postrotate can run "ipsecctl
// reload"); the other setup keys take effect only when they changed.
void DaemonImpl::ApplySetup(const std::vector<std::string>& changed) {
  auto has = [&](const char* key) {
    return std::find(changed.begin(), changed.end(), key) != changed.end();
  };
  if (!cfg_.setup.logfile.empty() || has("logfile") || has("syslog") || has("debug"))
    SetupLogging(
        {cfg_.setup.logfile, cfg_.setup.syslog, opts_.debug || DebugRequested(cfg_.setup.debug)});
  ApplyEngineSetup();
  for (const auto& key : changed) {
    if (key == "protostack" || key == "interfaces" || key == "uniqueids")
      spdlog::info("config setup: {} changed; it has no effect in ipsecd", key);
    else
      spdlog::info("config setup: {} changed, applied", key);
  }
}

Result<std::unique_ptr<Daemon>> Daemon::Create(const DaemonOptions& opts, config::Config cfg,
                                               config::Secrets secrets,
                                               std::unique_ptr<kernel::Kernel> kernel) {
  auto impl =
      std::make_unique<DaemonImpl>(opts, std::move(cfg), std::move(secrets), std::move(kernel));
  if (auto st = impl->Setup(); !st) return st.error();
  return std::unique_ptr<Daemon>(new Daemon(std::move(impl)));
}

Daemon::Daemon(std::unique_ptr<DaemonImpl> impl) : impl_(std::move(impl)) {}
Daemon::~Daemon() = default;
int Daemon::Run() {
  return impl_->Run();
}

}  // namespace ipsec::daemon
