/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Per-device policies ("eroutes"): which inner traffic goes to which reqid.
 *
 * Policies with the same priority and prefix lengths form a class; the
 * classes are kept in lookup order (see ipsec_tun_sel_order()), and a
 * per-device hash table finds a class's candidates from the flow's
 * addresses masked to the class's prefix lengths. A lookup costs one hash
 * probe per class, whatever the number of policies.
 */
#ifndef IPSEC_TUN_POLICY_H
#define IPSEC_TUN_POLICY_H

#include <linux/rhashtable.h>
#include <linux/skbuff.h>
#include "device.h"
#include "selector.h"

/* Hash key: no padding, unused address bytes zero. */
struct ipsec_tun_policy_key {
	u32 priority;
	u16 family;
	u8 dst_plen, src_plen;
	union ipsec_tun_addr dst, src;	/* masked to the prefix lengths */
};

struct ipsec_tun_policy_class {
	struct list_head node;		/* itd->policy_classes: RCU, sorted */
	struct list_head policies;	/* members, oldest first: config mutex */
	struct rcu_head rcu;
	u32 priority;
	u8 dst_plen, src_plen;
};

struct ipsec_tun_policy {
	struct rhlist_head hnode;	/* itd->policy_ht */
	struct list_head node;		/* class->policies */
	struct rcu_head rcu;
	struct ipsec_tun_policy_class *cls;
	struct ipsec_tun_policy_key key;
	u64 seq;			/* install order: the older wins a tie */
	struct ipsec_tun_selector sel;
	u32 reqid;
	u32 priority;
};

extern atomic_t ipsec_tun_live_policies;

int ipsec_tun_policy_table_init(struct ipsec_tun_dev *itd);
/* After the flush, once no reader can be left (device destructor). */
void ipsec_tun_policy_table_destroy(struct ipsec_tun_dev *itd);

/* Config mutex held. */
int ipsec_tun_policy_add(struct ipsec_tun_dev *itd, const struct ipsec_tun_selector *sel,
			 u32 reqid, u32 priority, struct netlink_ext_ack *extack);
int ipsec_tun_policy_del(struct ipsec_tun_dev *itd, const struct ipsec_tun_selector *sel,
			 u32 priority);
void ipsec_tun_policy_flush_dev(struct ipsec_tun_dev *itd);

/* Config mutex held: every policy of the device in lookup order. */
#define ipsec_tun_for_each_policy(itd, cls, pol)					\
	list_for_each_entry(cls, &(itd)->policy_classes, node)			\
		list_for_each_entry(pol, &(cls)->policies, node)

/* RCU read side. Returns the policy that wins for the flow, or NULL. */
const struct ipsec_tun_policy *ipsec_tun_policy_lookup(struct ipsec_tun_dev *itd,
						       const struct ipsec_tun_flow *fl);

/* Describe the inner packet at skb->data. Returns 0 or -EINVAL if malformed. */
int ipsec_tun_skb_flow(struct sk_buff *skb, struct ipsec_tun_flow *fl);

#endif /* IPSEC_TUN_POLICY_H */
