// MockKernel: an in-memory kernel::Kernel for engine tests. Records devices,
// SAs (with their keys, which the real module never returns) and policies,
// refuses what the module would refuse (duplicate SPI, duplicate policy,
// unknown ifindex/SA), and can be told to fail the next AddSa. AllocSpi
// reserves the SPI as ALLOC_SPI with a device does, until the inbound SA is
// added or DelSa (kIn) releases it, so tests can see a reservation leak.
#pragma once

#include <map>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "kernel/kernel.h"

namespace ipsec::kernel {

class MockKernel : public Kernel {
 public:
  // SPIs are handed out from spi_base upwards, so two mocks in one test
  // give distinguishable SPIs.
  explicit MockKernel(uint32_t spi_base = 0x1000) : next_spi_(spi_base) {}

  Result<DevInfo> GetDevice(const std::string& name) override;
  Result<std::vector<DevInfo>> ListDevices() override;
  Result<DevInfo> EnsureDevice(const std::string& name) override;
  Result<uint32_t> AllocSpi(const IpAddress& local, int ifindex) override;
  Status AddSa(int ifindex, const SaParams& sa) override;
  Status UpdateSa(int ifindex, const SaUpdate& upd) override;
  Status DelSa(int ifindex, uint32_t spi, Direction dir) override;
  Result<std::vector<SaInfo>> ListSas(std::optional<int> ifindex) override;
  Status Flush(int ifindex) override;
  Status AddPolicy(int ifindex, const Policy& pol) override;
  Status DelPolicy(int ifindex, const Policy& pol) override;
  Result<std::vector<Policy>> ListPolicies(int ifindex) override;
  Status SetEncapSocket(int ifindex, int fd) override;
  Status SetMssClamp(int ifindex, uint16_t clamp) override;
  int EventFd() override { return -1; }
  // Delivers the error events queued by QueueError (ACQUIRE and EXPIRE are
  // called into the engine directly by its tests).
  void DispatchEvents(const std::function<void(const AcquireEvent&)>&,
                      const std::function<void(const ExpireEvent&)>&,
                      const std::function<void(const ErrorEvent&)>& on_error,
                      const std::function<void(const MappingEvent&)>& on_mapping = {}) override;

  // Inspection for tests.
  struct InstalledSa {
    int ifindex;
    SaParams params;
    Counters stats;  // what ListSas reports: SetSaStats, else zero
  };
  const std::map<std::pair<uint32_t, Direction>, InstalledSa>& sas() const { return sas_; }
  const SaParams* FindSa(uint32_t spi, Direction dir) const;
  std::vector<const SaParams*> SasByDir(Direction dir) const;
  const std::vector<std::pair<int, Policy>>& policies() const { return policies_; }
  size_t add_sa_calls() const { return add_sa_calls_; }
  size_t del_sa_calls() const { return del_sa_calls_; }
  // SPIs handed out by AllocSpi with no inbound SA added nor released yet.
  const std::set<uint32_t>& reserved_spis() const { return reserved_; }
  void FailNextAddSa() { fail_next_add_sa_ = true; }
  // The traffic counters an installed SA reports from now on; false when
  // there is no such SA.
  bool SetSaStats(uint32_t spi, Direction dir, const Counters& stats);
  void QueueError(const ErrorEvent& ev) { errors_.push_back(ev); }
  // ifindex -> attached socket fd (SetEncapSocket), and how many attaches.
  const std::map<int, int>& encap_fds() const { return encap_fds_; }
  size_t set_encap_calls() const { return set_encap_calls_; }
  // ifindex -> SetMssClamp's last value.
  const std::map<int, uint16_t>& mss_clamps() const { return mss_clamps_; }

 private:
  std::map<std::string, DevInfo> devices_;
  std::map<std::pair<uint32_t, Direction>, InstalledSa> sas_;
  std::set<uint32_t> reserved_;
  std::vector<std::pair<int, Policy>> policies_;
  uint32_t next_spi_;
  int next_ifindex_ = 10;
  size_t add_sa_calls_ = 0, del_sa_calls_ = 0;
  bool fail_next_add_sa_ = false;
  std::vector<ErrorEvent> errors_;
  std::map<int, int> encap_fds_;
  size_t set_encap_calls_ = 0;
  std::map<int, uint16_t> mss_clamps_;
};

}  // namespace ipsec::kernel
