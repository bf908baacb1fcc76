// Paths into the credentials make_fixtures.sh made for this build.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "common/secure_bytes.h"
#include "ike/cert/certificate.h"
#include "ike/cert/file_bytes.h"
#include "ike/cert/private_key.h"

namespace ipsec::cert {

inline std::string Fixture(const std::string& name) {
  return std::string(CERT_FIXTURES) + "/" + name;
}

inline Certificate Cert(const std::string& name) {
  auto c = LoadCertificates(Fixture(name + ".pem"));
  EXPECT_TRUE(c) << c.error().message;
  return c ? (*c)[0] : Certificate();
}

inline PrivateKey Key(const std::string& file, const std::string& pass = "") {
  SecureBytes p(
      std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(pass.data()), pass.size()));
  auto k = LoadPrivateKey(Fixture(file), p);
  EXPECT_TRUE(k) << k.error().message;
  return k ? std::move(*k) : PrivateKey();
}

inline Bytes FileBytes(const std::string& name) {
  auto b = ReadFileBytes(Fixture(name));
  EXPECT_TRUE(b) << b.error().message;
  return b ? Bytes(b->span().begin(), b->span().end()) : Bytes();
}

}  // namespace ipsec::cert
