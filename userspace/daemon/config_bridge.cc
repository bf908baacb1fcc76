#include "daemon/config_bridge.h"

#include "ike/cert/dn.h"

namespace ipsec::daemon {
namespace {

// The engine's ID syntax (strongSwan's): "" = the host address, "%any",
// "@fqdn", an address literal, or user@domain.
std::string EngineId(const config::Identity& id) {
  using K = config::Identity::Kind;
  switch (id.kind) {
    case K::kNone:
      return "";
    case K::kAny:
      return "%any";
    case K::kIpv4:
    case K::kIpv6:
      return id.address.ToString();
    case K::kFqdn:
      return "@" + id.name;
    case K::kUserFqdn:
    case K::kDn:  // "C=CH, O=Example, CN=moon": engine::IdFromConfig makes it a DER_ASN1_DN
      return id.name;
  }
  return "";
}

engine::EngineEnd ToEngineEnd(const config::End& e) {
  engine::EngineEnd out;
  out.host = e.host;
  out.ike_port = e.ike_port;
  out.id = EngineId(e.id);
  out.subnets = e.subnets;
  out.pubkey = e.auth == config::AuthBy::kPubkey;
  out.cert = e.cert;
  out.ca = e.ca;
  out.send_cert = e.sendcert == config::SendCert::kAlways  ? engine::SendCert::kAlways
                  : e.sendcert == config::SendCert::kNever ? engine::SendCert::kNever
                                                           : engine::SendCert::kIfAsked;
  for (uint16_t h : e.sig_hashes) out.sig_hashes.push_back(static_cast<cert::SigHash>(h));
  out.sig_pss = e.sig_pss;
  out.sig_key = e.sig_key;
  out.sig_key_bits = e.sig_key_bits;
  return out;
}

}  // namespace

std::string InterfaceName(const config::Connection& c) {
  return config::DeviceName(c);
}

namespace {

// Device name -> (value, conn) of a per-device conn setting: the first loaded
// conn that sets it on a device wins.
template <class Out, class T>
std::map<std::string, Out> FirstPerDevice(const std::vector<config::Connection>& conns,
                                          std::optional<T> config::Connection::*setting) {
  std::map<std::string, Out> out;
  for (const auto& c : conns)
    if (c.*setting && c.auto_action != config::AutoAction::kIgnore)
      out.emplace(InterfaceName(c), Out{*(c.*setting), c.name});
  return out;
}

}  // namespace

std::map<std::string, DeviceMtu> DeviceMtus(const std::vector<config::Connection>& conns) {
  return FirstPerDevice<DeviceMtu>(conns, &config::Connection::mtu);
}

std::map<std::string, DeviceMssClamp> DeviceMssClamps(
    const std::vector<config::Connection>& conns) {
  return FirstPerDevice<DeviceMssClamp>(conns, &config::Connection::mss_clamp);
}

engine::ConnectionConfig ToEngine(const config::Connection& c) {
  engine::ConnectionConfig out;
  out.name = c.name;
  out.local = ToEngineEnd(c.local);
  out.remote = ToEngineEnd(c.remote);
  out.ike_proposals = c.ike_proposals;
  out.esp_proposals = c.esp_proposals;
  out.ike_lifetime_s = static_cast<uint32_t>(c.ike_lifetime.count());
  out.child_lifetime_s = static_cast<uint32_t>(c.child_lifetime.count());
  out.child_lifebytes = c.child_lifebytes;
  out.rekey_margin_s = static_cast<uint32_t>(c.rekey_margin.count());
  out.rekey_fuzz_percent = c.rekey_fuzz_percent;
  out.rekey = c.rekey;
  out.keyingtries = c.keyingtries;
  out.share_ike = c.share_ike;
  out.fragmentation = c.fragmentation;
  out.fragment_size = c.fragment_size.value_or(0);
  out.replay_window = c.replay_window;
  out.dpd_delay_s = static_cast<uint32_t>(c.dpd_delay.count());
  out.dpd_timeout_s = static_cast<uint32_t>(c.dpd_timeout.count());
  switch (c.dpd_action) {
    case config::DpdAction::kNone:
      out.dpd_action = engine::DpdAction::kNone;
      break;
    case config::DpdAction::kClear:
      out.dpd_action = engine::DpdAction::kClear;
      break;
    case config::DpdAction::kHold:
      out.dpd_action = engine::DpdAction::kHold;
      break;
    case config::DpdAction::kRestart:
    case config::DpdAction::kRestartByPeer:
      out.dpd_action = engine::DpdAction::kRestart;
      break;
  }
  switch (c.auto_action) {
    case config::AutoAction::kIgnore:
      out.auto_action = engine::AutoAction::kIgnore;
      break;
    case config::AutoAction::kAdd:
      out.auto_action = engine::AutoAction::kAdd;
      break;
    case config::AutoAction::kRoute:
      out.auto_action = engine::AutoAction::kRoute;
      break;
    case config::AutoAction::kStart:
      out.auto_action = engine::AutoAction::kStart;
      break;
  }
  out.interface = InterfaceName(c);
  out.mark = c.mark ? c.mark->value : 0;
  for (const auto& p : c.subnet_pairs) out.subnet_pairs.emplace_back(p.local, p.remote);
  out.ike_version = c.ike_version == config::IkeVersionPolicy::kIkev1 ? 1 : 2;
  out.answers_ikev1 = c.ike_version == config::IkeVersionPolicy::kIkev2Permit;
  return out;
}

std::vector<engine::ConnectionConfig> ToEngine(const std::vector<config::Connection>& conns) {
  std::vector<engine::ConnectionConfig> out;
  for (const auto& c : conns)
    if (c.auto_action != config::AutoAction::kIgnore) out.push_back(ToEngine(c));
  return out;
}

config::Identity IdentityFromEngine(std::string_view id) {
  config::Identity out;
  if (id.empty()) return out;
  if (id == "%any") {
    out.kind = config::Identity::Kind::kAny;
    return out;
  }
  if (auto a = IpAddress::Parse(id)) return config::Identity::FromAddress(*a);
  if (cert::LooksLikeDn(id)) {
    out.kind = config::Identity::Kind::kDn;
    out.name = std::string(id);
    return out;
  }
  if (id.front() == '@') id.remove_prefix(1);
  out.kind = id.find('@') != std::string_view::npos ? config::Identity::Kind::kUserFqdn
                                                    : config::Identity::Kind::kFqdn;
  out.name = std::string(id);
  return out;
}

std::optional<SecureBytes> SecretsProvider::FindPsk(std::string_view local_id,
                                                    std::string_view remote_id) const {
  config::Identity local = IdentityFromEngine(local_id);
  config::Identity remote = IdentityFromEngine(remote_id);
  IpAddress local_addr, remote_addr;
  for (const auto& c : conns_) {
    if (c.local.id.Matches(local) &&
        (c.remote.id.kind == config::Identity::Kind::kAny || c.remote.id.Matches(remote))) {
      local_addr = c.local.host;
      remote_addr = c.remote.host;
      break;
    }
  }
  return secrets_.FindPsk(local, remote, local_addr, remote_addr);
}

const engine::LocalCredential* SecretsProvider::FindCredential(std::string_view cert_path) const {
  return credentials_ ? credentials_->Find(cert_path) : nullptr;
}

const cert::CertStore* SecretsProvider::TrustAnchors() const {
  return credentials_ ? &credentials_->anchors() : nullptr;
}

}  // namespace ipsec::daemon
