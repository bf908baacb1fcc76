#include "ike/cert/cert_store.h"

#include <dirent.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <cstring>

#include "ike/cert/file_bytes.h"

namespace ipsec::cert {

namespace {

// Regular files of dir, sorted (a deterministic anchor order).
Result<std::vector<std::string>> DirFiles(const std::string& dir) {
  std::unique_ptr<DIR, int (*)(DIR*)> d(opendir(dir.c_str()), closedir);
  if (!d) return MakeError(dir + ": " + strerror(errno), errno);
  std::vector<std::string> out;
  while (dirent* e = readdir(d.get())) {
    if (e->d_name[0] == '.') continue;
    if (e->d_type != DT_REG && e->d_type != DT_LNK && e->d_type != DT_UNKNOWN) continue;
    out.push_back(dir + "/" + e->d_name);
  }
  std::sort(out.begin(), out.end());
  return out;
}

Result<std::vector<OsslPtr<X509_CRL>>> ParseCrls(std::span<const uint8_t> data) {
  std::vector<OsslPtr<X509_CRL>> out;
  ERR_clear_error();
  static constexpr char kArmour[] = "-----BEGIN";
  if (!memmem(data.data(), data.size(), kArmour, sizeof kArmour - 1)) {
    const unsigned char* p = data.data();
    X509_CRL* c = d2i_X509_CRL(nullptr, &p, static_cast<long>(data.size()));
    if (!c) return MakeError("not a CRL in PEM or DER (" + TakeOpensslError() + ")");
    out.emplace_back(c);
    return out;
  }
  OsslPtr<BIO> bio(BIO_new_mem_buf(data.data(), static_cast<int>(data.size())));
  while (X509_CRL* c = PEM_read_bio_X509_CRL(bio.get(), nullptr, nullptr, nullptr))
    out.emplace_back(c);
  if (ERR_GET_REASON(ERR_peek_last_error()) == PEM_R_NO_START_LINE) ERR_clear_error();
  std::string why = TakeOpensslError();
  if (!why.empty()) return MakeError("bad PEM CRL (" + why + ")");
  if (out.empty()) return MakeError("no X509 CRL block in the PEM data");
  return out;
}

}  // namespace

Status CertStore::LoadAnchorFile(const std::string& path) {
  auto certs = LoadCertificates(path);
  if (!certs) return certs.error();
  for (auto& c : *certs) anchors_.push_back(std::move(c));
  return {};
}

Status CertStore::LoadAnchorDir(const std::string& dir, std::vector<std::string>* skipped) {
  auto files = DirFiles(dir);
  if (!files) return files.error().code == ENOENT ? Status() : Status(files.error());
  for (const auto& f : *files)
    if (Status s = LoadAnchorFile(f); !s && skipped) skipped->push_back(s.error().message);
  return {};
}

Status CertStore::LoadCrlFile(const std::string& path) {
  auto data = ReadFileBytes(path);
  if (!data) return data.error();
  auto crls = ParseCrls(data->span());
  if (!crls) return MakeError(path + ": " + crls.error().message);
  for (auto& c : *crls) crls_.push_back(std::move(c));
  return {};
}

Status CertStore::LoadCrlDir(const std::string& dir, std::vector<std::string>* skipped) {
  auto files = DirFiles(dir);
  if (!files) return files.error().code == ENOENT ? Status() : Status(files.error());
  for (const auto& f : *files)
    if (Status s = LoadCrlFile(f); !s && skipped) skipped->push_back(s.error().message);
  return {};
}

Result<std::vector<Certificate>> CertStore::Chain(const Certificate& ee,
                                                  const std::vector<Certificate>& intermediates,
                                                  time_t at) const {
  const std::string subject = "certificate '" + ee.Subject() + "' refused: ";
  if (anchors_.empty()) return MakeError(subject + "no trust anchors (CA certificates) loaded");
  OsslPtr<X509_STORE> store(X509_STORE_new());
  OsslPtr<STACK_OF(X509)> untrusted(sk_X509_new_null());
  OsslPtr<X509_STORE_CTX> ctx(X509_STORE_CTX_new());
  if (!store || !untrusted || !ctx) return MakeError("out of memory");
  for (const auto& a : anchors_) X509_STORE_add_cert(store.get(), a.get());
  for (const auto& c : crls_) X509_STORE_add_crl(store.get(), c.get());
  for (const auto& i : intermediates) {
    X509_up_ref(i.get());
    sk_X509_push(untrusted.get(), i.get());
  }
  if (X509_STORE_CTX_init(ctx.get(), store.get(), ee.get(), untrusted.get()) != 1)
    return MakeError("out of memory");
  X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(ctx.get());
  if (!crls_.empty())
    X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_CRL_CHECK | X509_V_FLAG_CRL_CHECK_ALL);
  X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_X509_STRICT);
  if (at) X509_VERIFY_PARAM_set_time(param, at);
  ERR_clear_error();
  if (X509_verify_cert(ctx.get()) != 1) {
    int err = X509_STORE_CTX_get_error(ctx.get());
    std::string reason = X509_verify_cert_error_string(err);
    X509* bad = X509_STORE_CTX_get_current_cert(ctx.get());
    if (bad && X509_cmp(bad, ee.get()) != 0)
      reason += " (at '" + NameToString(X509_get_subject_name(bad)) + "')";
    ERR_clear_error();
    return MakeError(subject + reason);
  }
  // IKE signs with the end-entity key: when keyUsage is present it must allow it.
  uint32_t flags = X509_get_extension_flags(ee.get());
  if ((flags & EXFLAG_KUSAGE) &&
      !(X509_get_key_usage(ee.get()) & (KU_DIGITAL_SIGNATURE | KU_NON_REPUDIATION)))
    return MakeError(subject + "its keyUsage allows neither digitalSignature nor nonRepudiation");
  std::vector<Certificate> chain;
  STACK_OF(X509)* verified = X509_STORE_CTX_get0_chain(ctx.get());
  for (int i = 0; i < sk_X509_num(verified); ++i) {
    X509* x = sk_X509_value(verified, i);
    X509_up_ref(x);
    chain.emplace_back(OsslPtr<X509>(x));
  }
  return chain;
}

Status CertStore::Verify(const Certificate& end_entity,
                         const std::vector<Certificate>& intermediates, time_t at) const {
  auto chain = Chain(end_entity, intermediates, at);
  if (!chain) return chain.error();
  return {};
}

Result<Certificate> CertStore::ChainAnchor(const Certificate& end_entity,
                                           const std::vector<Certificate>& intermediates,
                                           time_t at) const {
  auto chain = Chain(end_entity, intermediates, at);
  if (!chain) return chain.error();
  return chain->back();
}

}  // namespace ipsec::cert
