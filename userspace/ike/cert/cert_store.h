// Trust anchors, CRLs and chain validation with OpenSSL's X509_verify_cert:
// a peer's end-entity certificate, with the intermediates it sent, must chain
// to one of our anchors, be within its dates at every level, not be revoked
// when CRLs are loaded (every level then needs a CRL from its issuer), and
// allow digitalSignature when it has a keyUsage extension.
#pragma once

#include <ctime>
#include <string>
#include <vector>

#include "common/result.h"
#include "ike/cert/certificate.h"

namespace ipsec::cert {

class CertStore {
 public:
  void AddAnchor(Certificate c) { anchors_.push_back(std::move(c)); }
  // Every certificate in dir's files (PEM or DER). Files that do not parse
  // are listed in *skipped ("FILE: reason"); a missing dir adds nothing.
  Status LoadAnchorDir(const std::string& dir, std::vector<std::string>* skipped);
  Status LoadAnchorFile(const std::string& path);
  // A PEM or DER CRL file.
  Status LoadCrlFile(const std::string& path);
  // Every CRL in dir's files; unparsable files are listed in *skipped.
  Status LoadCrlDir(const std::string& dir, std::vector<std::string>* skipped);

  const std::vector<Certificate>& anchors() const { return anchors_; }
  size_t crl_count() const { return crls_.size(); }

  // OK, or one line: "certificate 'SUBJECT' refused: REASON" (naming the
  // failing issuer too when it is not the end-entity). at: 0 is now.
  Status Verify(const Certificate& end_entity, const std::vector<Certificate>& intermediates,
                time_t at = 0) const;
  // The anchor an end-entity certificate chains to (after Verify succeeded),
  // for rightca= checks. Empty when none.
  Result<Certificate> ChainAnchor(const Certificate& end_entity,
                                  const std::vector<Certificate>& intermediates,
                                  time_t at = 0) const;

 private:
  // The verified chain, end-entity first and anchor last.
  Result<std::vector<Certificate>> Chain(const Certificate& ee,
                                         const std::vector<Certificate>& intermediates,
                                         time_t at) const;
  std::vector<Certificate> anchors_;
  std::vector<OsslPtr<X509_CRL>> crls_;
};

}  // namespace ipsec::cert
