#include "ike/cert/file_bytes.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace ipsec::cert {

Result<SecureBytes> ReadFileBytes(const std::string& path) {
  // O_NONBLOCK: a FIFO or device named by mistake (or by a fuzzer) must not
  // block the load; only regular files are read.
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return MakeError(path + ": " + strerror(errno), errno);
  struct Closer {
    int fd;
    ~Closer() { close(fd); }
  } closer{fd};
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) return MakeError(path + ": not a regular file");
  if (st.st_size > static_cast<off_t>(kMaxCredentialFile))
    return MakeError(path + ": larger than 1 MiB");
  SecureBytes buf(kMaxCredentialFile + 1);
  size_t n = 0;
  while (n < buf.size()) {
    ssize_t r = read(fd, buf.data() + n, buf.size() - n);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return MakeError(path + ": " + strerror(errno), errno);
    if (r == 0) break;
    n += static_cast<size_t>(r);
  }
  if (n > kMaxCredentialFile) return MakeError(path + ": larger than 1 MiB");
  if (n == 0) return MakeError(path + ": empty file");
  return buf.Slice(0, n);
}

}  // namespace ipsec::cert
