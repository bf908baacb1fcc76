#include "kernel/netns.h"

#include <fcntl.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace ipsec::kernel {

DeviceRef ParseDeviceRef(std::string_view ref) {
  auto at = ref.find('@');
  if (at == std::string_view::npos) return {std::string(ref), ""};
  return {std::string(ref.substr(0, at)), std::string(ref.substr(at + 1))};
}

std::string DeviceRefString(const DeviceRef& ref) {
  return ref.netns.empty() ? ref.name : ref.name + "@" + ref.netns;
}

bool ValidNetnsName(std::string_view name) {
  return !name.empty() && name.size() <= 255 && name != "." && name != ".." &&
         name.find('/') == std::string_view::npos && name.find('\0') == std::string_view::npos;
}

Result<int> OpenNetns(const std::string& name) {
  if (!ValidNetnsName(name)) return MakeError("bad netns name '" + name + "'", EINVAL);
  const std::string path = "/run/netns/" + name;
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    int err = errno;
    return MakeError("netns " + name + ": " + path + ": " + std::strerror(err), err);
  }
  return fd;
}

Result<int> SocketInNetns(int netns_fd, int domain, int type, int protocol) {
  int self = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
  if (self < 0) return MakeError(std::string("own netns: ") + std::strerror(errno), errno);
  if (setns(netns_fd, CLONE_NEWNET) != 0) {
    int err = errno;
    close(self);
    return MakeError(std::string("enter netns: ") + std::strerror(err), err);
  }
  int fd = socket(domain, type, protocol);
  int sock_err = errno;
  // Back home before anything else: every other socket of the process is
  // opened in its own netns.
  if (setns(self, CLONE_NEWNET) != 0) {
    int err = errno;
    close(self);
    if (fd >= 0) close(fd);
    return MakeError(std::string("return to own netns: ") + std::strerror(err), err);
  }
  close(self);
  if (fd < 0)
    return MakeError(std::string("socket in netns: ") + std::strerror(sock_err), sock_err);
  return fd;
}

}  // namespace ipsec::kernel
