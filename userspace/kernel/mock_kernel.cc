#include "kernel/mock_kernel.h"

#include <algorithm>
#include <cerrno>

namespace ipsec::kernel {

Result<DevInfo> MockKernel::GetDevice(const std::string& name) {
  auto it = devices_.find(name);
  if (it == devices_.end()) return MakeError("no device " + name, ENODEV);
  return it->second;
}

Result<std::vector<DevInfo>> MockKernel::ListDevices() {
  std::vector<DevInfo> v;
  for (const auto& [n, d] : devices_) v.push_back(d);
  return v;
}

Result<DevInfo> MockKernel::EnsureDevice(const std::string& name) {
  auto it = devices_.find(name);
  if (it != devices_.end()) return it->second;
  DevInfo d;
  d.ifindex = next_ifindex_++;
  d.name = name;
  d.mtu = 1400;
  devices_[name] = d;
  return d;
}

Result<uint32_t> MockKernel::AllocSpi(const IpAddress&, int) {
  while (sas_.count({next_spi_, Direction::kIn}) || reserved_.count(next_spi_)) ++next_spi_;
  reserved_.insert(next_spi_);
  return next_spi_++;
}

static bool KnownIfindex(const std::map<std::string, DevInfo>& devs, int ifindex) {
  return std::any_of(devs.begin(), devs.end(),
                     [&](const auto& kv) { return kv.second.ifindex == ifindex; });
}

Status MockKernel::AddSa(int ifindex, const SaParams& sa) {
  ++add_sa_calls_;
  if (fail_next_add_sa_) {
    fail_next_add_sa_ = false;
    return MakeError("injected failure", ENOMEM);
  }
  if (!KnownIfindex(devices_, ifindex)) return MakeError("no such device", ENODEV);
  if (sa.spi < 256) return MakeError("SPI below 256", EINVAL);
  if (sa.enc_key.empty()) return MakeError("no encryption key", EINVAL);
  auto key = std::make_pair(sa.spi, sa.dir);
  if (sas_.count(key)) return MakeError("SA exists", EEXIST);
  sas_.emplace(key, InstalledSa{ifindex, sa, {}});
  if (sa.dir == Direction::kIn) reserved_.erase(sa.spi);
  return Status::Ok();
}

Status MockKernel::UpdateSa(int ifindex, const SaUpdate& upd) {
  auto it = sas_.find({upd.spi, upd.dir});
  if (it == sas_.end() || it->second.ifindex != ifindex) return MakeError("no such SA", ENOENT);
  SaParams& p = it->second.params;
  if (upd.src) p.src = *upd.src;
  if (upd.dst) p.dst = *upd.dst;
  if (upd.encap_sport) p.encap_sport = upd.encap_sport;
  if (upd.encap_dport) p.encap_dport = upd.encap_dport;
  if (upd.soft) p.soft = *upd.soft;
  if (upd.hard) p.hard = *upd.hard;
  return Status::Ok();
}

Status MockKernel::DelSa(int ifindex, uint32_t spi, Direction dir) {
  ++del_sa_calls_;
  auto it = sas_.find({spi, dir});
  if (it == sas_.end() && dir == Direction::kIn && reserved_.erase(spi)) return Status::Ok();
  if (it == sas_.end() || it->second.ifindex != ifindex) return MakeError("no such SA", ENOENT);
  sas_.erase(it);
  return Status::Ok();
}

bool MockKernel::SetSaStats(uint32_t spi, Direction dir, const Counters& stats) {
  auto it = sas_.find({spi, dir});
  if (it == sas_.end()) return false;
  it->second.stats = stats;
  return true;
}

Result<std::vector<SaInfo>> MockKernel::ListSas(std::optional<int> ifindex) {
  std::vector<SaInfo> v;
  for (const auto& [k, s] : sas_) {
    if (ifindex && *ifindex != s.ifindex) continue;
    SaInfo i;
    i.ifindex = s.ifindex;
    i.spi = s.params.spi;
    i.dir = s.params.dir;
    i.reqid = s.params.reqid;
    i.src = s.params.src;
    i.dst = s.params.dst;
    i.encr_id = s.params.encr_id;
    i.encr_key_bits = s.params.encr_key_bits;
    i.integ_id = s.params.integ_id;
    i.replay_window = s.params.replay_window;
    i.esn = s.params.esn;
    i.encap_sport = s.params.encap_sport;
    i.encap_dport = s.params.encap_dport;
    i.stats = s.stats;
    v.push_back(i);
  }
  return v;
}

Status MockKernel::Flush(int ifindex) {
  std::erase_if(sas_, [&](const auto& kv) { return kv.second.ifindex == ifindex; });
  std::erase_if(policies_, [&](const auto& p) { return p.first == ifindex; });
  return Status::Ok();
}

Status MockKernel::AddPolicy(int ifindex, const Policy& pol) {
  if (!KnownIfindex(devices_, ifindex)) return MakeError("no such device", ENODEV);
  for (const auto& [i, p] : policies_)
    if (i == ifindex && p.sel == pol.sel) return MakeError("policy exists", EEXIST);
  policies_.emplace_back(ifindex, pol);
  return Status::Ok();
}

Status MockKernel::DelPolicy(int ifindex, const Policy& pol) {
  auto it = std::find_if(policies_.begin(), policies_.end(), [&](const auto& p) {
    return p.first == ifindex && p.second.sel == pol.sel;
  });
  if (it == policies_.end()) return MakeError("no such policy", ENOENT);
  policies_.erase(it);
  return Status::Ok();
}

Result<std::vector<Policy>> MockKernel::ListPolicies(int ifindex) {
  std::vector<Policy> v;
  for (const auto& [i, p] : policies_)
    if (i == ifindex) v.push_back(p);
  return v;
}

Status MockKernel::SetEncapSocket(int ifindex, int fd) {
  ++set_encap_calls_;
  if (fd < 0)
    encap_fds_.erase(ifindex);
  else
    encap_fds_[ifindex] = fd;
  return Status::Ok();
}

Status MockKernel::SetMssClamp(int ifindex, uint16_t clamp) {
  mss_clamps_[ifindex] = clamp;
  return Status::Ok();
}

void MockKernel::DispatchEvents(const std::function<void(const AcquireEvent&)>&,
                                const std::function<void(const ExpireEvent&)>&,
                                const std::function<void(const ErrorEvent&)>& on_error,
                                const std::function<void(const MappingEvent&)>&) {
  auto queued = std::move(errors_);
  errors_.clear();
  for (const auto& ev : queued)
    if (on_error) on_error(ev);
}

const SaParams* MockKernel::FindSa(uint32_t spi, Direction dir) const {
  auto it = sas_.find({spi, dir});
  return it == sas_.end() ? nullptr : &it->second.params;
}

std::vector<const SaParams*> MockKernel::SasByDir(Direction dir) const {
  std::vector<const SaParams*> v;
  for (const auto& [k, s] : sas_)
    if (k.second == dir) v.push_back(&s.params);
  return v;
}

}  // namespace ipsec::kernel
