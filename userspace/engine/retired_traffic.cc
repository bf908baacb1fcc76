#include "engine/retired_traffic.h"

#include "engine/ike_sa.h"  // context.h holds IkeSa by unique_ptr

namespace ipsec::engine {

void CountRetiredSas(EngineContext& ctx, const std::string& conn, int ifindex,
                     const std::vector<std::pair<uint32_t, kernel::Direction>>& sas) {
  if (sas.empty() || conn.empty()) return;
  auto listed = ctx.kernel.ListSas(ifindex);
  if (!listed) return;  // counters lost, the deletion still goes ahead
  TrafficTotals& total = ctx.retired_traffic[conn];
  for (const auto& info : *listed) {
    for (const auto& [spi, dir] : sas) {
      if (info.spi != spi || info.dir != dir) continue;
      if (dir == kernel::Direction::kIn) {
        total.in_bytes += info.stats.rx_bytes;
        total.in_packets += info.stats.rx_packets;
      } else {
        total.out_bytes += info.stats.tx_bytes;
        total.out_packets += info.stats.tx_packets;
      }
    }
  }
}

}  // namespace ipsec::engine
