/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Per-device policies ("eroutes"): which inner traffic goes to which reqid.
 */
#ifndef IPSEC_TUN_POLICY_H
#define IPSEC_TUN_POLICY_H

#include <linux/skbuff.h>
#include "device.h"
#include "selector.h"

struct ipsec_tun_policy {
	struct list_head node;		/* itd->policies, sorted */
	struct rcu_head rcu;
	struct ipsec_tun_selector sel;
	u32 reqid;
	u32 priority;
};

extern atomic_t ipsec_tun_live_policies;

/* Config mutex held. */
int ipsec_tun_policy_add(struct ipsec_tun_dev *itd, const struct ipsec_tun_selector *sel,
			 u32 reqid, u32 priority, struct netlink_ext_ack *extack);
int ipsec_tun_policy_del(struct ipsec_tun_dev *itd, const struct ipsec_tun_selector *sel,
			 u32 priority);
void ipsec_tun_policy_flush_dev(struct ipsec_tun_dev *itd);

/* RCU read side. Returns the first matching policy or NULL. */
const struct ipsec_tun_policy *ipsec_tun_policy_lookup(struct ipsec_tun_dev *itd,
						       const struct ipsec_tun_flow *fl);

/* Describe the inner packet at skb->data. Returns 0 or -EINVAL if malformed. */
int ipsec_tun_skb_flow(struct sk_buff *skb, struct ipsec_tun_flow *fl);

#endif /* IPSEC_TUN_POLICY_H */
