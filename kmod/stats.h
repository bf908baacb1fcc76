/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Counters: per-CPU, per device and per SA, the uapi's IPSEC_TUN_STAT_*
 * (packets, bytes, drops by cause) and the totals `ip -s link` shows.
 * The one place a drop is counted.
 */
#ifndef IPSEC_TUN_STATS_H
#define IPSEC_TUN_STATS_H

#include <linux/percpu.h>
#include <linux/ipsec_tun.h>

struct ipsec_tun_dev;
struct ipsec_tun_sa;

/*
 * Extra counters after the uapi ones: totals per direction for
 * `ip -s link`. Outbound packets dropped because no policy, no SA or only
 * an expired SA covers them are tx_dropped (a keying state, not a fault);
 * every other drop of a direction is rx_errors / tx_errors.
 */
enum {
	IPSEC_TUN_XSTAT_RX_ERRORS = __IPSEC_TUN_STAT_MAX,
	IPSEC_TUN_XSTAT_TX_ERRORS,
	IPSEC_TUN_XSTAT_TX_DROPPED,
	IPSEC_TUN_NSTATS
};

/* Per-CPU counters, added with this_cpu_add() (64-bit hosts only). */
struct ipsec_tun_stats {
	u64 c[IPSEC_TUN_NSTATS];
};

static inline void ipsec_tun_stat_add(struct ipsec_tun_stats __percpu *stats,
				      unsigned int which, u64 n)
{
	this_cpu_add(stats->c[which], n);
}

void ipsec_tun_stats_sum(struct ipsec_tun_stats __percpu *stats, struct ipsec_tun_stats *out);

/* Count a drop on the SA (may be NULL) and its device. */
void ipsec_tun_drop(struct ipsec_tun_dev *itd, struct ipsec_tun_sa *sa, unsigned int why,
		    bool rx);

#endif /* IPSEC_TUN_STATS_H */
