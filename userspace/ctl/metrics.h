// `ipsecctl metrics`: the Prometheus text exposition format (version
// 0.0.4), for node_exporter's textfile collector or any scraper:
//
//   ipsecctl metrics > /var/lib/node_exporter/ipsec_tun.prom.$$ &&
//     mv /var/lib/node_exporter/ipsec_tun.prom.$$ /var/lib/node_exporter/ipsec_tun.prom
//
// From the kernel (works without ipsecd): per device, packets and bytes,
// drops by cause, ICMP errors handled, SAs, policies, MTU. From ipsecd
// (when it answers): per connection whether it is up, per IKE SA its state
// and age, per child SA its traffic, and the daemon's counters (messages,
// retransmits, authentication failures, proposal mismatches, IKE SAs
// established and child SAs installed: each rekey adds one). Metric names
// and labels are listed in Documentation/operations.md.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "daemon/control_protocol.h"
#include "kernel/kernel.h"

namespace ipsec::ctl {

// status: nullopt when no ipsecd answered (ipsec_tun_daemon_up 0).
std::string FormatMetrics(const std::optional<control::StatusResult>& status,
                          const std::vector<kernel::DevInfo>& devices);

// A label value as the format wants it: \ " and newline escaped.
std::string EscapeLabel(const std::string& v);

}  // namespace ipsec::ctl
