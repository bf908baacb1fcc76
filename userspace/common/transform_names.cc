// Readable names for IKEv2 transforms (IANA IDs of common/proposal.h), as
// strongSwan prints them, so a log line reads like the peer's. Used by the
// engine (selection, mismatch messages), config (--check) and the daemon.
#include "common/transform_names.h"

#include "ike/constants.h"

namespace ipsec {
namespace {

namespace encr = ike::encr;
namespace integ = ike::integ;
namespace prf = ike::prf;
namespace dh = ike::dh;
using TT = TransformType;

std::string WithBits(const char* base, uint16_t bits) {
  return bits ? std::string(base) + "_" + std::to_string(bits) : std::string(base);
}

}  // namespace

std::string TransformToString(const Transform& t) {
  switch (t.type) {
    case TT::kEncr:
      switch (t.id) {
        case encr::k3des:
          return "3DES_CBC";
        case encr::kNull:
          return "NULL";
        case encr::kAesCbc:
          return WithBits("AES_CBC", t.key_length);
        case encr::kAesCtr:
          return WithBits("AES_CTR", t.key_length);
        case encr::kAesGcm8:
          return WithBits("AES_GCM_8", t.key_length);
        case encr::kAesGcm12:
          return WithBits("AES_GCM_12", t.key_length);
        case encr::kAesGcm16:
          return WithBits("AES_GCM_16", t.key_length);
        case encr::kNullAuthAesGmac:
          return WithBits("NULL_AES_GMAC", t.key_length);
        case encr::kChaCha20Poly1305:
          return "CHACHA20_POLY1305";
      }
      return WithBits(("ENCR_" + std::to_string(t.id)).c_str(), t.key_length);
    case TT::kPrf:
      switch (t.id) {
        case prf::kHmacMd5:
          return "PRF_HMAC_MD5";
        case prf::kHmacSha1:
          return "PRF_HMAC_SHA1";
        case prf::kAes128Xcbc:
          return "PRF_AES128_XCBC";
        case prf::kHmacSha2_256:
          return "PRF_HMAC_SHA2_256";
        case prf::kHmacSha2_384:
          return "PRF_HMAC_SHA2_384";
        case prf::kHmacSha2_512:
          return "PRF_HMAC_SHA2_512";
      }
      return "PRF_" + std::to_string(t.id);
    case TT::kInteg:
      switch (t.id) {
        case integ::kNone:
          return "INTEG_NONE";
        case integ::kHmacMd5_96:
          return "HMAC_MD5_96";
        case integ::kHmacSha1_96:
          return "HMAC_SHA1_96";
        case integ::kAesXcbc96:
          return "AES_XCBC_96";
        case integ::kHmacSha2_256_128:
          return "HMAC_SHA2_256_128";
        case integ::kHmacSha2_384_192:
          return "HMAC_SHA2_384_192";
        case integ::kHmacSha2_512_256:
          return "HMAC_SHA2_512_256";
      }
      return "INTEG_" + std::to_string(t.id);
    case TT::kDh:
      switch (t.id) {
        case dh::kNone:
          return "DH_NONE";
        case dh::kModp768:
          return "MODP_768";
        case dh::kModp1024:
          return "MODP_1024";
        case dh::kModp1536:
          return "MODP_1536";
        case dh::kModp2048:
          return "MODP_2048";
        case dh::kModp3072:
          return "MODP_3072";
        case dh::kModp4096:
          return "MODP_4096";
        case dh::kEcp256:
          return "ECP_256";
        case dh::kEcp384:
          return "ECP_384";
        case dh::kEcp521:
          return "ECP_521";
        case dh::kCurve25519:
          return "CURVE_25519";
      }
      return "DH_" + std::to_string(t.id);
    case TT::kEsn:
      return t.id == ike::esn::kYes  ? "ESN"
             : t.id == ike::esn::kNo ? "NO_EXT_SEQ"
                                     : "ESN_" + std::to_string(t.id);
  }
  return "TRANSFORM_" + std::to_string(static_cast<int>(t.type)) + "_" + std::to_string(t.id);
}

std::string ProposalToString(const Proposal& p) {
  std::string s;
  for (const auto& t : p.transforms) {
    if (!s.empty()) s += "/";
    s += TransformToString(t);
  }
  return s;
}

std::string ProposalsToString(const std::vector<Proposal>& ps) {
  std::string s;
  for (const auto& p : ps) {
    if (!s.empty()) s += ", ";
    s += ProposalToString(p);
  }
  return s;
}

}  // namespace ipsec
