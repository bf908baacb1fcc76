// SPDX-License-Identifier: GPL-2.0
/*
 * Counters (stats.h): summing the per-CPU values and counting a drop on
 * the device, its direction's total and the SA.
 */
#include <linux/netdevice.h>
#include "stats.h"
#include "device.h"
#include "sa.h"

void ipsec_tun_stats_sum(struct ipsec_tun_stats __percpu *stats, struct ipsec_tun_stats *out)
{
	int cpu, i;

	memset(out, 0, sizeof(*out));
	for_each_possible_cpu(cpu) {
		const struct ipsec_tun_stats *s = per_cpu_ptr(stats, cpu);

		for (i = 0; i < IPSEC_TUN_NSTATS; i++)
			out->c[i] += READ_ONCE(s->c[i]);
	}
}

void ipsec_tun_drop(struct ipsec_tun_dev *itd, struct ipsec_tun_sa *sa, unsigned int why,
		    bool rx)
{
	unsigned int total = IPSEC_TUN_XSTAT_TX_ERRORS;

	if (rx)
		total = IPSEC_TUN_XSTAT_RX_ERRORS;
	else if (why == IPSEC_TUN_STAT_DROP_NO_POLICY || why == IPSEC_TUN_STAT_DROP_NO_SA ||
		 why == IPSEC_TUN_STAT_DROP_EXPIRED)
		total = IPSEC_TUN_XSTAT_TX_DROPPED;	/* policy says no: not a fault */
	ipsec_tun_stat_add(itd->stats, why, 1);
	ipsec_tun_stat_add(itd->stats, total, 1);
	if (sa)
		ipsec_tun_stat_add(sa->stats, why, 1);
}
