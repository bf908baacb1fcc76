/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The "ipsec_tun" generic netlink family and its multicast events.
 */
#ifndef IPSEC_TUN_NETLINK_H
#define IPSEC_TUN_NETLINK_H

#include <net/genetlink.h>
#include "device.h"
#include "selector.h"

struct ipsec_tun_sa;

extern struct genl_family ipsec_tun_genl_family;

int ipsec_tun_genl_init(void);
void ipsec_tun_genl_uninit(void);

/* netlink.c helpers shared with events.c */
int ipsec_tun_put_stats(struct sk_buff *skb, int attr, struct ipsec_tun_stats __percpu *stats);
int ipsec_tun_put_sel(struct sk_buff *skb, int attr, const struct ipsec_tun_selector *sel,
		      const u32 *reqid, const u32 *priority);

/* events.c: any context (GFP_ATOMIC). */
void ipsec_tun_event_acquire(struct ipsec_tun_dev *itd, const u32 *reqid,
			     const struct ipsec_tun_flow *fl);
void ipsec_tun_event_expire(struct ipsec_tun_sa *sa, bool hard, u8 reason);
void ipsec_tun_event_error(struct ipsec_tun_dev *itd, struct ipsec_tun_sa *sa, u32 code);

#endif /* IPSEC_TUN_NETLINK_H */
