// GenlKernel: the Kernel interface over the "ipsec_tun" generic netlink
// family (uapi/linux/ipsec_tun.h), with libnl-3 / libnl-genl-3.
//
// Devices are named "ipsec1" (this netns, or one created here and moved
// away) or "ipsec1@NS" (in netns /run/netns/NS, kernel/netns.h): such a
// device is created there from here, and every request about it carries
// NETNS_FD, so a moved device is never confused with one of this netns.
//
// Two sockets: one for requests (commands are synchronous: send, then read
// replies until the ack), one subscribed to the "events" multicast group for
// ACQUIRE / EXPIRE / ERROR_EVENT, opened on the first EventFd() call so that a one-shot CLI
// command does not join the group. Not thread-safe: one caller at a time.
//
// Errors carry the kernel's errno (Error::code, positive) and its extack
// message when it sent one, e.g. "add SA: ENC_KEY must be 36 bytes (32 key
// + 4 salt) (Invalid argument)".
#pragma once

#include <map>
#include <memory>
#include <string>

#include "kernel/kernel.h"

struct nl_sock;
struct nl_msg;

namespace ipsec::kernel {

class GenlKernel : public Kernel {
 public:
  // Resolves the family; fails with ENOENT-like code when the module is not
  // loaded ("genetlink family ipsec_tun not found: is ipsec_tun.ko loaded?").
  static Result<std::unique_ptr<GenlKernel>> Open();
  ~GenlKernel() override;
  GenlKernel(const GenlKernel&) = delete;
  GenlKernel& operator=(const GenlKernel&) = delete;

  Result<DevInfo> GetDevice(const std::string& name) override;
  Result<std::vector<DevInfo>> ListDevices() override;
  Result<DevInfo> EnsureDevice(const std::string& name) override;

  Result<uint32_t> AllocSpi(const IpAddress& local, int ifindex) override;
  Status AddSa(int ifindex, const SaParams& sa) override;
  Status UpdateSa(int ifindex, const SaUpdate& upd) override;
  Status DelSa(int ifindex, uint32_t spi, Direction dir) override;
  Result<std::vector<SaInfo>> ListSas(std::optional<int> ifindex) override;
  Status Flush(int ifindex) override;

  Status AddPolicy(int ifindex, const Policy& pol) override;
  Status DelPolicy(int ifindex, const Policy& pol) override;
  Result<std::vector<Policy>> ListPolicies(int ifindex) override;

  Status SetEncapSocket(int ifindex, int fd) override;
  Status SetMssClamp(int ifindex, uint16_t clamp) override;

  // -1 (and the error logged nowhere) if the events socket cannot be opened;
  // use OpenEvents() to get the reason.
  int EventFd() override;
  Status OpenEvents();
  void DispatchEvents(const std::function<void(const AcquireEvent&)>& on_acquire,
                      const std::function<void(const ExpireEvent&)>& on_expire,
                      const std::function<void(const ErrorEvent&)>& on_error,
                      const std::function<void(const MappingEvent&)>& on_mapping = {}) override;

 private:
  GenlKernel() = default;
  struct Reply;
  // A genetlink message for cmd with the given netlink flags.
  nl_msg* NewMsg(uint8_t cmd, int flags);
  // Sends msg (consumed and wiped: it may hold keys) and reads until the ack or
  // NLMSG_DONE, handing every reply message to on_reply. what: "add SA" etc.
  // for the error message. Dumps interrupted by a change (NLM_F_DUMP_INTR)
  // are reported as EAGAIN; Dump() retries those.
  Status Transact(nl_sock* sock, nl_msg* msg, const char* what,
                  const std::function<void(nl_msg*)>& on_reply);
  Status Dump(const std::function<nl_msg*()>& build, const char* what,
              const std::function<void()>& reset, const std::function<void(nl_msg*)>& on_reply);
  Status CreateLink(const std::string& ref_text);
  // A command about one device (IFINDEX, and NETNS_FD when it lives in
  // another netns) with the attributes put() adds (its libnl status: < 0 on
  // failure).
  Status DevCommand(uint8_t cmd, int ifindex, const char* what,
                    const std::function<int(nl_msg*)>& put);
  // The fd of netns /run/netns/NAME, opened once and kept.
  Result<int> NetnsFd(const std::string& netns);
  // Appends NETNS_FD to a request naming ifindex when GetDevice() found that
  // device in another netns ("ipsec1@private"); false if it does not fit.
  bool PutDevNetns(nl_msg* m, int ifindex);

  nl_sock* sock_ = nullptr;
  nl_sock* event_sock_ = nullptr;
  int family_ = -1;
  int events_group_ = -1;
  std::map<std::string, int> netns_fds_;  // netns name -> fd
  std::map<int, std::string> dev_netns_;  // ifindex -> netns of devices resolved ("" = own)
};

}  // namespace ipsec::kernel
