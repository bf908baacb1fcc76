#include "ike/cert/file_bytes.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

namespace ipsec::cert {

Result<SecureBytes> ReadFileBytes(const std::string& path) {
  std::unique_ptr<FILE, int (*)(FILE*)> f(fopen(path.c_str(), "rbe"), fclose);
  if (!f) return MakeError(path + ": " + strerror(errno), errno);
  SecureBytes buf(kMaxCredentialFile + 1);
  size_t n = fread(buf.data(), 1, buf.size(), f.get());
  if (ferror(f.get())) return MakeError(path + ": read error");
  if (n > kMaxCredentialFile) return MakeError(path + ": larger than 1 MiB");
  if (n == 0) return MakeError(path + ": empty file");
  return buf.Slice(0, n);
}

}  // namespace ipsec::cert
