/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Netlink attribute builders shared by command replies (netlink_*.c) and
 * events (events.c). Each returns 0 or -EMSGSIZE; on -EMSGSIZE the caller
 * cancels the whole message.
 */
#ifndef IPSEC_TUN_ATTRS_H
#define IPSEC_TUN_ATTRS_H

#include <net/netlink.h>
#include "device.h"
#include "selector.h"

struct ipsec_tun_sa;

/* A nest of IPSEC_TUN_STAT_* summed over the CPUs. */
int ipsec_tun_put_stats(struct sk_buff *skb, int attr, struct ipsec_tun_stats __percpu *stats);
/* A nest of IPSEC_TUN_POL_A_*; reqid and priority only when given. */
int ipsec_tun_put_sel(struct sk_buff *skb, int attr, const struct ipsec_tun_selector *sel,
		      const u32 *reqid, const u32 *priority);
/* IPSEC_TUN_A_SA with everything GET_SA reports. Never the keys. */
int ipsec_tun_put_sa(struct sk_buff *skb, struct ipsec_tun_sa *sa);
/* Room a GET_SA message for an SA with nsel selectors takes, at most. */
size_t ipsec_tun_sa_msg_size(unsigned int nsel);
/* IPSEC_TUN_A_SA with SPI, DIR, REQID (and STATS): which SA an event is about. */
int ipsec_tun_put_sa_id(struct sk_buff *skb, struct ipsec_tun_sa *sa, bool stats);

#endif /* IPSEC_TUN_ATTRS_H */
