#include "ctl/kernel_cmds.h"

#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <csignal>
#include <cstring>
#include <ctime>
#include <iostream>
#include <memory>

#include "ctl/args.h"
#include "ctl/format.h"
#include "kernel/algorithms.h"
#include "kernel/genl_kernel.h"

namespace ipsec::ctl {
namespace {

using kernel::GenlKernel;

constexpr int kExitKernel = 1;
constexpr int kExitUsage = 2;

[[noreturn]] void Fail(const Error& e, int exit_code) {
  std::cerr << "ipsecctl: " << e.message << "\n";
  throw CLI::RuntimeError(exit_code);
}

template <class T>
T Need(Result<T> r, int exit_code) {
  if (!r) Fail(r.error(), exit_code);
  return std::move(r).value();
}

void Need(const Status& s) {
  if (!s) Fail(s.error(), kExitKernel);
}

std::unique_ptr<GenlKernel> OpenKernel() {
  return Need(GenlKernel::Open(), kExitKernel);
}

int Ifindex(GenlKernel& k, const std::string& dev) {
  return Need(k.GetDevice(dev), kExitKernel).ifindex;
}

DevNames Names(GenlKernel& k) {
  DevNames names;
  for (const auto& d : Need(k.ListDevices(), kExitKernel)) names[d.ifindex] = d.name;
  return names;
}

void PrintJson(const nlohmann::json& j) {
  std::cout << j.dump(2) << "\n";
}

// A subcommand taking the rest of the line as keyword/value words.
struct WordsCmd {
  CLI::App* app;
  std::shared_ptr<std::vector<std::string>> words;
  std::shared_ptr<bool> json;
};

WordsCmd AddWordsCmd(CLI::App* parent, const std::string& name, const std::string& help,
                     const std::string& usage, bool with_json) {
  WordsCmd c{parent->add_subcommand(name, help), std::make_shared<std::vector<std::string>>(),
             std::make_shared<bool>(false)};
  c.app->add_option("words", *c.words, usage);
  if (with_json) c.app->add_flag("--json,-j", *c.json, "JSON output for scripts");
  return c;
}

void AddSaCommands(CLI::App& app) {
  CLI::App* sa = app.add_subcommand("sa", "Security associations (manual keys)");
  sa->require_subcommand(1);

  auto add = AddWordsCmd(
      sa, "add", "Install an SA",
      "dev D dir in|out spi N [reqid N] src A dst A enc ALG key 0xHEX [auth ALG authkey 0xHEX] "
      "[replay-window N] [esn] [encap SPORT:DPORT] [sel SRC-DST]... [soft-bytes N] "
      "[hard-bytes N] [soft-packets N] [hard-packets N] [soft-seconds N] [hard-seconds N] "
      "[seq N]",
      false);
  add.app->footer("enc: " + kernel::EncrNames() +
                  "\nauth (with aes-cbc only): " + kernel::IntegNames() +
                  "\nkey: hex with 0x; for AEAD and GMAC the key ends in the 4-byte salt");
  add.app->callback([w = add.words] {
    auto args = Need(ParseSaAdd(*w), kExitUsage);
    // The key words on our command line are not needed any more.
    for (auto& s : *w) OPENSSL_cleanse(s.data(), s.size());
    auto k = OpenKernel();
    Need(k->AddSa(Ifindex(*k, args.dev), args.sa));
  });

  auto upd = AddWordsCmd(
      sa, "update", "Move an SA to new outer addresses or UDP ports, or change its lifetimes",
      "dev D dir in|out spi N [src A] [dst A] [encap SPORT:DPORT] [soft-bytes N] [hard-bytes N] "
      "[soft-packets N] [hard-packets N] [soft-seconds N] [hard-seconds N]",
      false);
  upd.app->footer("The SA keeps its keys, counters and sequence numbers.");
  upd.app->callback([w = upd.words] {
    auto args = Need(ParseSaUpdate(*w), kExitUsage);
    auto k = OpenKernel();
    Need(k->UpdateSa(Ifindex(*k, args.dev), args.upd));
  });

  auto del = AddWordsCmd(sa, "del", "Delete an SA", "dev D dir in|out spi N", false);
  del.app->callback([w = del.words] {
    auto args = Need(ParseSaDel(*w), kExitUsage);
    auto k = OpenKernel();
    Need(k->DelSa(Ifindex(*k, args.dev), args.spi, args.dir));
  });

  auto list = AddWordsCmd(sa, "list", "Show SAs and their counters (never keys)", "[dev D]", true);
  list.app->callback([w = list.words, json = list.json] {
    auto args = Need(ParseDev(*w, false), kExitUsage);
    auto k = OpenKernel();
    std::optional<int> ifindex;
    if (args.dev) ifindex = Ifindex(*k, *args.dev);
    auto sas = Need(k->ListSas(ifindex), kExitKernel);
    DevNames names = Names(*k);
    if (*json) {
      nlohmann::json j = nlohmann::json::array();
      for (const auto& s : sas) j.push_back(SaJson(s, names));
      PrintJson(j);
    } else {
      for (const auto& s : sas) std::cout << FormatSa(s, names);
    }
  });

  auto flush = AddWordsCmd(sa, "flush", "Delete every SA and policy of a device", "dev D", false);
  flush.app->callback([w = flush.words] {
    auto args = Need(ParseDev(*w, true), kExitUsage);
    auto k = OpenKernel();
    Need(k->Flush(Ifindex(*k, *args.dev)));
  });
}

void AddPolicyCommands(CLI::App& app) {
  CLI::App* pol = app.add_subcommand("policy", "Selectors: which traffic goes to which SA");
  pol->require_subcommand(1);
  const std::string usage =
      "dev D src P dst P [proto P] [sport N[-M]] [dport N[-M]] reqid N [priority N]";

  auto add = AddWordsCmd(pol, "add", "Add a policy", usage, false);
  add.app->callback([w = add.words] {
    auto args = Need(ParsePolicy(*w, true), kExitUsage);
    auto k = OpenKernel();
    Need(k->AddPolicy(Ifindex(*k, args.dev), args.policy));
  });

  auto del = AddWordsCmd(pol, "del", "Delete a policy (same selector and priority)", usage, false);
  del.app->callback([w = del.words] {
    auto args = Need(ParsePolicy(*w, false), kExitUsage);
    auto k = OpenKernel();
    Need(k->DelPolicy(Ifindex(*k, args.dev), args.policy));
  });

  auto list = AddWordsCmd(pol, "list", "Show policies", "[dev D]", true);
  list.app->callback([w = list.words, json = list.json] {
    auto args = Need(ParseDev(*w, false), kExitUsage);
    auto k = OpenKernel();
    std::vector<kernel::DevInfo> devs;
    if (args.dev)
      devs.push_back(Need(k->GetDevice(*args.dev), kExitKernel));
    else
      devs = Need(k->ListDevices(), kExitKernel);
    nlohmann::json j = nlohmann::json::array();
    for (const auto& d : devs) {
      for (const auto& p : Need(k->ListPolicies(d.ifindex), kExitKernel)) {
        if (*json)
          j.push_back(PolicyJson(d.name, p));
        else
          std::cout << FormatPolicy(d.name, p);
      }
    }
    if (*json) PrintJson(j);
  });
}

void AddDevCommands(CLI::App& app) {
  CLI::App* dev = app.add_subcommand("dev", "ipsecN devices");
  dev->require_subcommand(1);
  auto list =
      AddWordsCmd(dev, "list", "Show devices and their counters by drop cause", "[dev D]", true);
  list.app->callback([w = list.words, json = list.json] {
    auto args = Need(ParseDev(*w, false), kExitUsage);
    auto k = OpenKernel();
    std::vector<kernel::DevInfo> devs;
    if (args.dev)
      devs.push_back(Need(k->GetDevice(*args.dev), kExitKernel));
    else
      devs = Need(k->ListDevices(), kExitKernel);
    if (*json) {
      nlohmann::json j = nlohmann::json::array();
      for (const auto& d : devs) j.push_back(DevJson(d));
      PrintJson(j);
    } else {
      for (const auto& d : devs) std::cout << FormatDev(d);
    }
  });
  auto add = AddWordsCmd(dev, "add", "Create an ipsecN device if absent (and bring it up)", "dev D",
                         false);
  add.app->callback([w = add.words] {
    auto args = Need(ParseDev(*w, true), kExitUsage);
    auto k = OpenKernel();
    auto d = Need(k->EnsureDevice(*args.dev), kExitKernel);
    std::cout << FormatDev(d);
  });
  auto set = AddWordsCmd(dev, "set", "Change a device setting: TCP MSS clamping (off by default)",
                         "dev D mss-clamp on|off|BYTES", false);
  set.app->callback([w = set.words] {
    auto args = Need(ParseDevSet(*w), kExitUsage);
    auto k = OpenKernel();
    Need(k->SetMssClamp(Ifindex(*k, args.dev), args.mss_clamp));
  });
}

volatile sig_atomic_t g_stop = 0;
void OnStopSignal(int) {
  g_stop = 1;
}

void InstallStopHandlers() {
  struct sigaction sa {};
  sa.sa_handler = OnStopSignal;  // no SA_RESTART: poll/pause return EINTR
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
}

std::string Now() {
  timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  char buf[32];
  tm t;
  gmtime_r(&ts.tv_sec, &t);
  strftime(buf, sizeof(buf), "%H:%M:%S", &t);
  return buf;
}

void AddMonitorCommand(CLI::App& app) {
  CLI::App* mon =
      app.add_subcommand("monitor", "Print kernel events (ACQUIRE, EXPIRE, errors, MAPPING)");
  mon->callback([] {
    auto k = OpenKernel();
    Need(k->OpenEvents());
    InstallStopHandlers();
    DevNames names = Names(*k);
    std::cout << "monitoring ipsec_tun events (Ctrl-C to stop)" << std::endl;
    auto print = [&](const std::string& line) { std::cout << Now() << " " << line << std::endl; };
    while (!g_stop) {
      pollfd p{k->EventFd(), POLLIN, 0};
      int r = poll(&p, 1, -1);
      if (r < 0) {
        if (errno == EINTR) continue;
        Fail(MakeError(std::string("poll: ") + std::strerror(errno), errno), kExitKernel);
      }
      names = Names(*k);  // devices come and go
      k->DispatchEvents([&](const kernel::AcquireEvent& e) { print(FormatAcquire(e, names)); },
                        [&](const kernel::ExpireEvent& e) { print(FormatExpire(e, names)); },
                        [&](const kernel::ErrorEvent& e) { print(FormatErrorEvent(e, names)); },
                        [&](const kernel::MappingEvent& e) { print(FormatMapping(e, names)); });
    }
  });
}

// Binds the UDP port and hands the socket to the module (RFC 3948 ESP in
// UDP), then holds it until SIGINT/SIGTERM: the module needs a socket owned
// by a process. This is what ipsecd does with its IKE port; for manual keys
// and tests this command stands in for the daemon.
void AddEncapCommand(CLI::App& app) {
  CLI::App* encap = app.add_subcommand("encap", "UDP encapsulation (NAT-T) socket");
  encap->require_subcommand(1);
  auto attach =
      AddWordsCmd(encap, "attach", "Bind a UDP port, attach it to a device, hold it until killed",
                  "dev D [port N (4500)] [addr A (0.0.0.0)]", false);
  attach.app->callback([w = attach.words] {
    auto args = Need(ParseEncap(*w), kExitUsage);
    auto k = OpenKernel();
    int ifindex = Ifindex(*k, args.dev);
    IpAddress addr = args.addr.value_or(IpAddress::Any(AF_INET));
    int fd = socket(addr.family(), SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) Fail(MakeError(std::string("socket: ") + std::strerror(errno), errno), kExitKernel);
    sockaddr_storage ss;
    socklen_t len = addr.ToSockaddr(args.port, &ss);
    if (bind(fd, reinterpret_cast<sockaddr*>(&ss), len) < 0)
      Fail(MakeError("bind " + addr.ToString() + " port " + std::to_string(args.port) + ": " +
                         std::strerror(errno),
                     errno),
           kExitKernel);
    InstallStopHandlers();
    Need(k->SetEncapSocket(ifindex, fd));
    std::cout << "attached UDP " << addr.ToString() << " port " << args.port << " to " << args.dev
              << std::endl;
    while (!g_stop) pause();
    // Detach only our own socket: another holder may have attached its own
    // to the device since (a new port after a NAT mapping change).
    auto dev = k->GetDevice(args.dev);
    Status s = Status::Ok();
    if (dev && dev->ifindex == ifindex && dev->encap_port == args.port)
      s = k->SetEncapSocket(ifindex, -1);
    close(fd);
    if (!s) Fail(s.error(), kExitKernel);
  });
}

}  // namespace

void AddKernelCommands(CLI::App& app) {
  AddSaCommands(app);
  AddPolicyCommands(app);
  AddDevCommands(app);
  AddMonitorCommand(app);
  AddEncapCommand(app);
}

Result<std::vector<kernel::DevInfo>> ListKernelDevices() {
  auto k = GenlKernel::Open();
  if (!k) return k.error();
  return (*k)->ListDevices();
}

}  // namespace ipsec::ctl
