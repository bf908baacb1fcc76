#include "daemon/kernel_errors.h"

#include <linux/ipsec_tun.h>
#include <spdlog/spdlog.h>

namespace ipsec::daemon {

void KernelErrors::OnError(const kernel::ErrorEvent& ev) {
  switch (ev.code) {
    case IPSEC_TUN_ERR_ENCAP_CLOSED:
      OnEncapClosed(ev);
      break;
    case IPSEC_TUN_ERR_AUTH_BURST:
      OnAuthBurst(ev);
      break;
    default:
      spdlog::debug("kernel error event {} on ifindex {}: not known to this ipsecd", ev.code,
                    ev.ifindex);
      break;
  }
}

void KernelErrors::OnEncapClosed(const kernel::ErrorEvent& ev) {
  const std::string dev = hooks_.device_name(ev.ifindex);
  const int fd = hooks_.encap_fd(ev.ifindex);
  if (fd < 0) {
    spdlog::debug("{}: its ESP-in-UDP socket was closed (not one of ours)", dev);
    return;
  }
  if (auto st = kernel_.SetEncapSocket(ev.ifindex, fd); !st) {
    spdlog::error("{}: ESP-in-UDP socket closed by another process; re-attaching ours failed: {}",
                  dev, st.error().message);
    return;
  }
  spdlog::warn("{}: ESP-in-UDP socket closed by another process; ours re-attached", dev);
}

void KernelErrors::OnAuthBurst(const kernel::ErrorEvent& ev) {
  const int64_t now = clock_.Now().count();
  if (bursts_.size() >= kMaxBurstEntries) {
    std::erase_if(bursts_, [&](const auto& kv) {
      return now - kv.second.last_ms >= kAuthBurstLogIntervalMs;
    });
    if (bursts_.size() >= kMaxBurstEntries) return;  // every entry is recent: stay quiet
  }
  auto [it, fresh] = bursts_.try_emplace({ev.ifindex, ev.spi});
  BurstLog& b = it->second;
  if (!fresh && now - b.last_ms < kAuthBurstLogIntervalMs) {
    ++b.suppressed;
    return;
  }
  const auto owner = hooks_.find_sa(ev.spi);
  std::string more;
  if (b.suppressed) more = fmt::format(" ({} more burst(s) since the last report)", b.suppressed);
  spdlog::warn("{}: repeated ICV failures on inbound SA 0x{:08x} ({}): forged or corrupted ESP{}",
               hooks_.device_name(ev.ifindex), ev.spi,
               owner ? fmt::format("\"{}\", peer {}", owner->conn, owner->peer)
                     : std::string("no child SA of ours"),
               more);
  b.last_ms = now;
  b.suppressed = 0;
}

}  // namespace ipsec::daemon
