// Whole-file reads for keys, certificates and CRLs, bounded in size. The
// buffer is SecureBytes so that a key file's bytes are wiped when released.
#pragma once

#include <string>

#include "common/result.h"
#include "common/secure_bytes.h"

namespace ipsec::cert {

inline constexpr size_t kMaxCredentialFile = 1 << 20;  // 1 MiB: far above any chain or key

// "PATH: No such file or directory", "PATH: larger than 1 MiB", ...
Result<SecureBytes> ReadFileBytes(const std::string& path);

}  // namespace ipsec::cert
