#include "kernel/genl_kernel.h"

#include <linux/if.h>
#include <linux/if_link.h>
#include <linux/ipsec_tun.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>
#include <openssl/crypto.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "kernel/genl_parse.h"
#include "kernel/netns.h"

namespace ipsec::kernel {
namespace {

// Big enough for an SA with 64 selectors; dumps are read in page-sized parts.
constexpr size_t kMsgSize = 16384;
constexpr int kDumpRetries = 8;

// Wipes a message before freeing it: requests carry keys (NEW_SA).
struct MsgFree {
  void operator()(nl_msg* m) const {
    nlmsghdr* h = nlmsg_hdr(m);
    OPENSSL_cleanse(h, h->nlmsg_len);
    nlmsg_free(m);
  }
};
using MsgPtr = std::unique_ptr<nl_msg, MsgFree>;

struct CbFree {
  void operator()(nl_cb* cb) const { nl_cb_put(cb); }
};

std::string ErrnoText(int err) {
  return std::strerror(err);
}

// State of one request/response exchange, shared with the libnl callbacks.
struct Exchange {
  const std::function<void(nl_msg*)>* on_reply = nullptr;
  bool done = false;
  bool interrupted = false;
  int error = 0;  // positive errno
  std::string extack;
};

int OnValid(nl_msg* msg, void* arg) {
  auto* ex = static_cast<Exchange*>(arg);
  if (*ex->on_reply) (*ex->on_reply)(msg);
  return NL_OK;
}

int OnAck(nl_msg*, void* arg) {
  static_cast<Exchange*>(arg)->done = true;
  return NL_STOP;
}

// NLMSG_DONE: a dump that failed part way carries a negative errno.
int OnFinish(nl_msg* msg, void* arg) {
  auto* ex = static_cast<Exchange*>(arg);
  nlmsghdr* h = nlmsg_hdr(msg);
  if (h->nlmsg_len >= NLMSG_HDRLEN + sizeof(int)) {
    int err;
    std::memcpy(&err, nlmsg_data(h), sizeof(err));
    if (err < 0) ex->error = -err;
  }
  ex->done = true;
  return NL_STOP;
}

int OnDumpInterrupted(nl_msg*, void* arg) {
  static_cast<Exchange*>(arg)->interrupted = true;
  return NL_OK;
}

// NLMSG_ERROR with a non-zero error: keep errno and the extack message. The
// extack TLVs follow the echoed request (or only its header when capped).
int OnError(sockaddr_nl*, nlmsgerr* e, void* arg) {
  auto* ex = static_cast<Exchange*>(arg);
  ex->done = true;
  ex->error = -e->error;
  auto* nlh = reinterpret_cast<nlmsghdr*>(reinterpret_cast<char*>(e) - NLMSG_HDRLEN);
  if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS)) return NL_STOP;
  size_t off = sizeof(*e);
  if (!(nlh->nlmsg_flags & NLM_F_CAPPED)) off += NLMSG_ALIGN(e->msg.nlmsg_len) - NLMSG_HDRLEN;
  size_t total = nlh->nlmsg_len - NLMSG_HDRLEN;
  if (off >= total) return NL_STOP;
  nlattr* tb[NLMSGERR_ATTR_MAX + 1] = {};
  if (nla_parse(tb, NLMSGERR_ATTR_MAX, reinterpret_cast<nlattr*>(reinterpret_cast<char*>(e) + off),
                static_cast<int>(total - off), nullptr) < 0)
    return NL_STOP;
  if (tb[NLMSGERR_ATTR_MSG]) {
    const char* s = static_cast<const char*>(nla_data(tb[NLMSGERR_ATTR_MSG]));
    ex->extack.assign(s, strnlen(s, static_cast<size_t>(nla_len(tb[NLMSGERR_ATTR_MSG]))));
  }
  if (auto miss = GetU32(tb[NLMSGERR_ATTR_MISS_TYPE])) {
    if (!ex->extack.empty()) ex->extack += "; ";
    ex->extack += "missing attribute type " + std::to_string(*miss);
  }
  return NL_STOP;
}

Error KernelError(const char* what, int err, const std::string& extack) {
  std::string m = std::string(what) + ": ";
  m += extack.empty() ? ErrnoText(err) : extack + " (" + ErrnoText(err) + ")";
  return MakeError(std::move(m), err);
}

// libnl error code (negative NLE_*) from a local failure, as a message.
Error LibnlError(const char* what, int nl_err) {
  return MakeError(std::string(what) + ": " + nl_geterror(nl_err), EIO);
}

// Before connecting.
void ConfigureSocket(nl_sock* s) {
  // We ask for acks ourselves (not on dumps, where DONE ends the exchange).
  nl_socket_disable_auto_ack(s);
  nl_socket_enable_msg_peek(s);
}

// After connecting (the fd exists only then).
void EnableExtAck(nl_sock* s) {
  int one = 1;
  // Extended acks: the kernel explains errors. Capped: no echo of requests
  // that carried keys. Failure only loses the text, so ignore it.
  setsockopt(nl_socket_get_fd(s), SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
  setsockopt(nl_socket_get_fd(s), SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
}

}  // namespace

Result<std::unique_ptr<GenlKernel>> GenlKernel::Open() {
  std::unique_ptr<GenlKernel> k(new GenlKernel());
  k->sock_ = nl_socket_alloc();
  if (!k->sock_) return MakeError("netlink: out of memory", ENOMEM);
  ConfigureSocket(k->sock_);
  if (int r = genl_connect(k->sock_); r < 0) return LibnlError("genetlink socket", r);
  EnableExtAck(k->sock_);
  k->family_ = genl_ctrl_resolve(k->sock_, IPSEC_TUN_GENL_NAME);
  if (k->family_ < 0)
    return MakeError("genetlink family " IPSEC_TUN_GENL_NAME " not found: is ipsec_tun.ko loaded?",
                     ENOENT);
  k->events_group_ = genl_ctrl_resolve_grp(k->sock_, IPSEC_TUN_GENL_NAME, IPSEC_TUN_MCGRP_EVENTS);
  return k;
}

GenlKernel::~GenlKernel() {
  if (event_sock_) nl_socket_free(event_sock_);
  if (sock_) nl_socket_free(sock_);
  for (const auto& [name, fd] : netns_fds_) close(fd);
}

Result<int> GenlKernel::NetnsFd(const std::string& netns) {
  if (auto it = netns_fds_.find(netns); it != netns_fds_.end()) return it->second;
  auto fd = OpenNetns(netns);
  if (!fd) return fd.error();
  netns_fds_[netns] = *fd;
  return *fd;
}

bool GenlKernel::PutDevNetns(nl_msg* m, int ifindex) {
  auto it = dev_netns_.find(ifindex);
  if (it == dev_netns_.end() || it->second.empty()) return true;
  auto fd = netns_fds_.find(it->second);
  return fd != netns_fds_.end() && nla_put_s32(m, IPSEC_TUN_A_NETNS_FD, fd->second) >= 0;
}

nl_msg* GenlKernel::NewMsg(uint8_t cmd, int flags) {
  nl_msg* m = nlmsg_alloc_size(kMsgSize);
  if (!m) return nullptr;
  if (!genlmsg_put(m, NL_AUTO_PORT, NL_AUTO_SEQ, family_, 0, flags, cmd, IPSEC_TUN_GENL_VERSION)) {
    nlmsg_free(m);
    return nullptr;
  }
  return m;
}

Status GenlKernel::Transact(nl_sock* sock, nl_msg* raw, const char* what,
                            const std::function<void(nl_msg*)>& on_reply) {
  MsgPtr msg(raw);
  if (!msg) return MakeError(std::string(what) + ": cannot build netlink message", ENOMEM);
  std::unique_ptr<nl_cb, CbFree> cb(nl_cb_alloc(NL_CB_DEFAULT));
  if (!cb) return MakeError(std::string(what) + ": out of memory", ENOMEM);
  Exchange ex;
  ex.on_reply = &on_reply;
  nl_cb_set(cb.get(), NL_CB_VALID, NL_CB_CUSTOM, OnValid, &ex);
  nl_cb_set(cb.get(), NL_CB_ACK, NL_CB_CUSTOM, OnAck, &ex);
  nl_cb_set(cb.get(), NL_CB_FINISH, NL_CB_CUSTOM, OnFinish, &ex);
  nl_cb_set(cb.get(), NL_CB_DUMP_INTR, NL_CB_CUSTOM, OnDumpInterrupted, &ex);
  nl_cb_err(cb.get(), NL_CB_CUSTOM, OnError, &ex);

  if (int r = nl_send_auto(sock, msg.get()); r < 0) return LibnlError(what, r);
  msg.reset();  // wiped now: it may hold keys
  while (!ex.done) {
    int r = nl_recvmsgs(sock, cb.get());
    if (ex.error) break;
    if (r < 0 && !ex.done) return LibnlError(what, r);
  }
  if (ex.error) return KernelError(what, ex.error, ex.extack);
  if (ex.interrupted) return MakeError(std::string(what) + ": dump interrupted", EAGAIN);
  return Status::Ok();
}

Status GenlKernel::Dump(const std::function<nl_msg*()>& build, const char* what,
                        const std::function<void()>& reset,
                        const std::function<void(nl_msg*)>& on_reply) {
  for (int attempt = 0;; attempt++) {
    reset();
    Status s = Transact(sock_, build(), what, on_reply);
    if (s.ok() || s.error().code != EAGAIN || attempt + 1 >= kDumpRetries) return s;
  }
}

// ---- devices ----

Result<DevInfo> GenlKernel::GetDevice(const std::string& name) {
  const DeviceRef ref = ParseDeviceRef(name);
  if (ref.name.empty() || ref.name.size() >= IFNAMSIZ)
    return MakeError("bad device name '" + name + "'", EINVAL);
  int netns_fd = -1;
  if (!ref.netns.empty()) {
    auto fd = NetnsFd(ref.netns);
    if (!fd) return MakeError("device " + name + ": " + fd.error().message, fd.error().code);
    netns_fd = *fd;
  }
  nl_msg* m = NewMsg(IPSEC_TUN_CMD_GET_DEV, NLM_F_ACK);
  if (m && (nla_put_string(m, IPSEC_TUN_A_IFNAME, ref.name.c_str()) < 0 ||
            (netns_fd >= 0 && nla_put_s32(m, IPSEC_TUN_A_NETNS_FD, netns_fd) < 0))) {
    nlmsg_free(m);
    m = nullptr;
  }
  std::optional<DevInfo> dev;
  Status s = Transact(sock_, m, ("device " + name).c_str(),
                      [&](nl_msg* r) { dev = ParseDevInfo(nlmsg_hdr(r)); });
  if (!s) return s.error();
  if (!dev) return MakeError("device " + name + ": kernel reply not understood", EPROTO);
  // Later requests name the device by ifindex (and that netns): two
  // devices of ours with one ifindex in two netns could not be told apart.
  auto [it, fresh] = dev_netns_.emplace(dev->ifindex, ref.netns);
  if (!fresh && it->second != ref.netns)
    return MakeError("device " + name + ": its ifindex " + std::to_string(dev->ifindex) +
                         " is also that of a device in " +
                         (it->second.empty() ? "this netns" : "netns " + it->second) +
                         " in use: one of them needs another ifindex",
                     EEXIST);
  return *dev;
}

Result<std::vector<DevInfo>> GenlKernel::ListDevices() {
  std::vector<DevInfo> out;
  Status s = Dump([&] { return NewMsg(IPSEC_TUN_CMD_GET_DEV, NLM_F_DUMP); }, "list devices",
                  [&] { out.clear(); },
                  [&](nl_msg* r) {
                    if (auto d = ParseDevInfo(nlmsg_hdr(r))) out.push_back(std::move(*d));
                  });
  if (!s) return s.error();
  return out;
}

Status GenlKernel::CreateLink(const std::string& ref_text) {
  // In another netns: created there from here, so this netns is its
  // underlay (where its ESP goes), as `ip link add NAME netns NS type ipsec`.
  const DeviceRef ref = ParseDeviceRef(ref_text);
  const std::string& name = ref.name;
  int netns_fd = -1;
  if (!ref.netns.empty()) {
    auto fd = NetnsFd(ref.netns);
    if (!fd) return fd.error();
    netns_fd = *fd;
  }
  nl_sock* rt = nl_socket_alloc();
  if (!rt) return MakeError("rtnetlink: out of memory", ENOMEM);
  std::unique_ptr<nl_sock, void (*)(nl_sock*)> guard(rt, nl_socket_free);
  ConfigureSocket(rt);
  if (int r = nl_connect(rt, NETLINK_ROUTE); r < 0) return LibnlError("rtnetlink socket", r);
  EnableExtAck(rt);
  nl_msg* m = nlmsg_alloc_simple(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK);
  if (!m) return MakeError("rtnetlink: out of memory", ENOMEM);
  ifinfomsg ifi{};
  ifi.ifi_family = AF_UNSPEC;
  ifi.ifi_flags = IFF_UP;
  ifi.ifi_change = IFF_UP;
  nlattr* info = nullptr;
  if (nlmsg_append(m, &ifi, sizeof(ifi), NLMSG_ALIGNTO) < 0 ||
      nla_put_string(m, IFLA_IFNAME, name.c_str()) < 0 ||
      (netns_fd >= 0 && nla_put_u32(m, IFLA_NET_NS_FD, static_cast<uint32_t>(netns_fd)) < 0) ||
      !(info = nla_nest_start(m, IFLA_LINKINFO)) ||
      nla_put_string(m, IFLA_INFO_KIND, IPSEC_TUN_LINK_KIND) < 0) {
    nlmsg_free(m);
    return MakeError("rtnetlink: message too long", EMSGSIZE);
  }
  nla_nest_end(m, info);
  return Transact(rt, m, ("create " + ref_text).c_str(), {});
}

Result<DevInfo> GenlKernel::EnsureDevice(const std::string& name) {
  auto dev = GetDevice(name);
  if (dev.ok() || dev.error().code != ENODEV) return dev;
  Status s = CreateLink(name);
  if (!s && s.error().code != EEXIST) return s.error();  // EEXIST: lost a race, fine
  return GetDevice(name);
}

// ---- SAs ----

Result<uint32_t> GenlKernel::AllocSpi(const IpAddress& local, int ifindex) {
  // The kernel picks one free in its SAD and XFRM's for `local`, reserved on
  // the device (if given) so that ESP arriving before NEW_SA is held.
  nl_msg* m = NewMsg(IPSEC_TUN_CMD_ALLOC_SPI, NLM_F_ACK);
  if (m && (!PutAllocSpi(m, local, ifindex) || (ifindex > 0 && !PutDevNetns(m, ifindex)))) {
    nlmsg_free(m);
    m = nullptr;
  }
  std::optional<uint32_t> spi;
  Status s =
      Transact(sock_, m, "allocate SPI", [&](nl_msg* r) { spi = ParseAllocSpi(nlmsg_hdr(r)); });
  if (!s) return s.error();
  if (!spi) return MakeError("allocate SPI: kernel reply not understood", EPROTO);
  return *spi;
}

Status GenlKernel::AddSa(int ifindex, const SaParams& sa) {
  nl_msg* m = NewMsg(IPSEC_TUN_CMD_NEW_SA, NLM_F_ACK);
  if (m && (!PutNewSa(m, ifindex, sa) || !PutDevNetns(m, ifindex))) {
    MsgFree()(m);
    return MakeError("add SA: message too long", EMSGSIZE);
  }
  return Transact(sock_, m, "add SA", {});
}

Status GenlKernel::UpdateSa(int ifindex, const SaUpdate& upd) {
  nl_msg* m = NewMsg(IPSEC_TUN_CMD_UPD_SA, NLM_F_ACK);
  if (m && (!PutSaUpdate(m, ifindex, upd) || !PutDevNetns(m, ifindex))) {
    nlmsg_free(m);
    return MakeError("update SA: message too long", EMSGSIZE);
  }
  return Transact(sock_, m, "update SA", {});
}

Status GenlKernel::DelSa(int ifindex, uint32_t spi, Direction dir) {
  nl_msg* m = NewMsg(IPSEC_TUN_CMD_DEL_SA, NLM_F_ACK);
  if (m && (!PutSaId(m, ifindex, spi, dir) || !PutDevNetns(m, ifindex))) {
    nlmsg_free(m);
    return MakeError("delete SA: message too long", EMSGSIZE);
  }
  return Transact(sock_, m, "delete SA", {});
}

Result<std::vector<SaInfo>> GenlKernel::ListSas(std::optional<int> ifindex) {
  std::vector<SaInfo> out;
  auto build = [&]() -> nl_msg* {
    nl_msg* m = NewMsg(IPSEC_TUN_CMD_GET_SA, NLM_F_DUMP);
    if (m && ifindex &&
        (nla_put_u32(m, IPSEC_TUN_A_IFINDEX, static_cast<uint32_t>(*ifindex)) < 0 ||
         !PutDevNetns(m, *ifindex))) {
      nlmsg_free(m);
      return nullptr;
    }
    return m;
  };
  Status s = Dump(
      build, "list SAs", [&] { out.clear(); },
      [&](nl_msg* r) {
        if (auto sa = ParseSaInfo(nlmsg_hdr(r))) out.push_back(std::move(*sa));
      });
  if (!s) return s.error();
  if (ifindex) return out;
  // A dump of this netns leaves out the devices living in another one: add
  // those this object resolved there.
  for (const auto& [idx, netns] : dev_netns_) {
    if (netns.empty()) continue;
    auto more = ListSas(idx);
    if (!more) return more.error();
    out.insert(out.end(), more->begin(), more->end());
  }
  return out;
}

Status GenlKernel::Flush(int ifindex) {
  nl_msg* m = NewMsg(IPSEC_TUN_CMD_FLUSH, NLM_F_ACK);
  if (m && (nla_put_u32(m, IPSEC_TUN_A_IFINDEX, static_cast<uint32_t>(ifindex)) < 0 ||
            !PutDevNetns(m, ifindex))) {
    nlmsg_free(m);
    m = nullptr;
  }
  return Transact(sock_, m, "flush", {});
}

// ---- policies ----

Status GenlKernel::AddPolicy(int ifindex, const Policy& pol) {
  nl_msg* m = NewMsg(IPSEC_TUN_CMD_NEW_POLICY, NLM_F_ACK);
  if (m && (!PutPolicy(m, ifindex, pol) || !PutDevNetns(m, ifindex))) {
    nlmsg_free(m);
    m = nullptr;
  }
  return Transact(sock_, m, "add policy", {});
}

Status GenlKernel::DelPolicy(int ifindex, const Policy& pol) {
  nl_msg* m = NewMsg(IPSEC_TUN_CMD_DEL_POLICY, NLM_F_ACK);
  if (m && (!PutPolicy(m, ifindex, pol) || !PutDevNetns(m, ifindex))) {
    nlmsg_free(m);
    m = nullptr;
  }
  return Transact(sock_, m, "delete policy", {});
}

Result<std::vector<Policy>> GenlKernel::ListPolicies(int ifindex) {
  std::vector<Policy> out;
  auto build = [&]() -> nl_msg* {
    nl_msg* m = NewMsg(IPSEC_TUN_CMD_GET_POLICY, NLM_F_DUMP);
    if (m && (nla_put_u32(m, IPSEC_TUN_A_IFINDEX, static_cast<uint32_t>(ifindex)) < 0 ||
              !PutDevNetns(m, ifindex))) {
      nlmsg_free(m);
      return nullptr;
    }
    return m;
  };
  Status s = Dump(
      build, "list policies", [&] { out.clear(); },
      [&](nl_msg* r) {
        if (auto p = ParsePolicyMsg(nlmsg_hdr(r))) out.push_back(std::move(*p));
      });
  if (!s) return s.error();
  return out;
}

Status GenlKernel::DevCommand(uint8_t cmd, int ifindex, const char* what,
                              const std::function<int(nl_msg*)>& put) {
  nl_msg* m = NewMsg(cmd, NLM_F_ACK);
  if (m && (nla_put_u32(m, IPSEC_TUN_A_IFINDEX, static_cast<uint32_t>(ifindex)) < 0 || put(m) < 0 ||
            !PutDevNetns(m, ifindex))) {
    nlmsg_free(m);
    m = nullptr;
  }
  return Transact(sock_, m, what, {});
}

Status GenlKernel::SetEncapSocket(int ifindex, int fd) {
  return DevCommand(IPSEC_TUN_CMD_SET_ENCAP, ifindex, "attach UDP encapsulation socket",
                    [fd](nl_msg* m) { return nla_put_s32(m, IPSEC_TUN_A_ENCAP_FD, fd); });
}

Status GenlKernel::SetMssClamp(int ifindex, uint16_t clamp) {
  return DevCommand(IPSEC_TUN_CMD_SET_DEV, ifindex, "set MSS clamping",
                    [clamp](nl_msg* m) { return nla_put_u16(m, IPSEC_TUN_A_MSS_CLAMP, clamp); });
}

// ---- events ----

Status GenlKernel::OpenEvents() {
  if (event_sock_) return Status::Ok();
  if (events_group_ < 0)
    return MakeError("multicast group " IPSEC_TUN_MCGRP_EVENTS " not found", ENOENT);
  nl_sock* s = nl_socket_alloc();
  if (!s) return MakeError("events socket: out of memory", ENOMEM);
  nl_socket_disable_seq_check(s);  // multicast messages carry seq 0
  nl_socket_enable_msg_peek(s);
  if (int r = genl_connect(s); r < 0) {
    nl_socket_free(s);
    return LibnlError("events socket", r);
  }
  if (int r = nl_socket_add_membership(s, events_group_); r < 0) {
    nl_socket_free(s);
    return LibnlError("join events group", r);
  }
  nl_socket_set_nonblocking(s);
  event_sock_ = s;
  return Status::Ok();
}

int GenlKernel::EventFd() {
  if (!OpenEvents()) return -1;
  return nl_socket_get_fd(event_sock_);
}

namespace {
struct EventHandlers {
  const std::function<void(const AcquireEvent&)>* acquire;
  const std::function<void(const ExpireEvent&)>* expire;
  const std::function<void(const ErrorEvent&)>* error;
  const std::function<void(const MappingEvent&)>* mapping;
};

int SkipSeqCheck(nl_msg*, void*) {
  return NL_OK;
}

int OnEvent(nl_msg* msg, void* arg) {
  auto* h = static_cast<EventHandlers*>(arg);
  nlmsghdr* nlh = nlmsg_hdr(msg);
  if (nlh->nlmsg_len < NLMSG_HDRLEN + GENL_HDRLEN) return NL_SKIP;
  auto* g = static_cast<genlmsghdr*>(nlmsg_data(nlh));
  switch (g->cmd) {
    case IPSEC_TUN_CMD_ACQUIRE:
      if (auto ev = ParseAcquire(nlh); ev && *h->acquire) (*h->acquire)(*ev);
      break;
    case IPSEC_TUN_CMD_EXPIRE:
      if (auto ev = ParseExpire(nlh); ev && *h->expire) (*h->expire)(*ev);
      break;
    case IPSEC_TUN_CMD_ERROR_EVENT:
      if (auto ev = ParseErrorEvent(nlh); ev && *h->error) (*h->error)(*ev);
      break;
    case IPSEC_TUN_CMD_MAPPING:
      if (auto ev = ParseMapping(nlh); ev && *h->mapping) (*h->mapping)(*ev);
      break;
    default:
      break;  // newer module, unknown event: ignore
  }
  return NL_OK;
}
}  // namespace

void GenlKernel::DispatchEvents(const std::function<void(const AcquireEvent&)>& on_acquire,
                                const std::function<void(const ExpireEvent&)>& on_expire,
                                const std::function<void(const ErrorEvent&)>& on_error,
                                const std::function<void(const MappingEvent&)>& on_mapping) {
  if (!event_sock_) return;
  std::unique_ptr<nl_cb, CbFree> cb(nl_cb_alloc(NL_CB_DEFAULT));
  if (!cb) return;
  EventHandlers h{&on_acquire, &on_expire, &on_error, &on_mapping};
  nl_cb_set(cb.get(), NL_CB_VALID, NL_CB_CUSTOM, OnEvent, &h);
  // Multicast events carry sequence number 0: a fresh nl_cb checks
  // sequence numbers whatever the socket's own setting, so turn it off here.
  nl_cb_set(cb.get(), NL_CB_SEQ_CHECK, NL_CB_CUSTOM, SkipSeqCheck, nullptr);
  // Drain what is queued (the socket is non-blocking), bounded so that a
  // flood of events cannot starve the caller's loop.
  for (int i = 0; i < 64; i++) {
    int r = nl_recvmsgs_report(event_sock_, cb.get());
    // -NLE_NOMEM on ENOBUFS: events were lost; the daemon's periodic checks
    // recover. Keep reading what is there.
    if (r == 0 || (r < 0 && r != -NLE_NOMEM)) break;
  }
}

}  // namespace ipsec::kernel
