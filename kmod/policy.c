// SPDX-License-Identifier: GPL-2.0
/*
 * Per-device policies: classes in lookup order plus a hash table on masked
 * addresses (policy.h says how they fit), read under RCU by the transmit
 * path; the winning policy names the reqid. Also turns a packet into the
 * flow the selectors are matched against.
 *
 * Locking: ipsec_tun_config_mutex for every change; the class list and the
 * hash table are RCU for readers, policies and classes are freed after a
 * grace period.
 */
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/rculist.h>
#include <linux/slab.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include "policy.h"

atomic_t ipsec_tun_live_policies = ATOMIC_INIT(0);

static bool proto_has_ports(u8 proto)
{
	return proto == IPPROTO_TCP || proto == IPPROTO_UDP || proto == IPPROTO_SCTP ||
	       proto == IPPROTO_UDPLITE || proto == IPPROTO_DCCP;
}

static void flow_ports(struct sk_buff *skb, unsigned int off, struct ipsec_tun_flow *fl)
{
	__be16 ports[2], *p;

	if (!proto_has_ports(fl->proto))
		return;
	p = skb_header_pointer(skb, off, sizeof(ports), ports);
	if (!p)
		return;
	fl->sport = ntohs(p[0]);
	fl->dport = ntohs(p[1]);
}

int ipsec_tun_skb_flow(struct sk_buff *skb, struct ipsec_tun_flow *fl)
{
	memset(fl, 0, sizeof(*fl));
	if (skb->protocol == htons(ETH_P_IP)) {
		struct iphdr _iph;
		const struct iphdr *iph = skb_header_pointer(skb, 0, sizeof(_iph), &_iph);

		if (!iph || iph->version != 4 || iph->ihl < 5)
			return -EINVAL;
		fl->family = AF_INET;
		fl->proto = iph->protocol;
		memcpy(fl->src.b, &iph->saddr, 4);
		memcpy(fl->dst.b, &iph->daddr, 4);
		if (!(iph->frag_off & htons(IP_OFFSET)))
			flow_ports(skb, iph->ihl * 4, fl);
		return 0;
	}
	if (skb->protocol == htons(ETH_P_IPV6)) {
		struct ipv6hdr _ip6;
		const struct ipv6hdr *ip6 = skb_header_pointer(skb, 0, sizeof(_ip6), &_ip6);
		__be16 frag_off = 0;
		u8 nexthdr;
		int off;

		if (!ip6 || ip6->version != 6)
			return -EINVAL;
		fl->family = AF_INET6;
		memcpy(fl->src.b, &ip6->saddr, 16);
		memcpy(fl->dst.b, &ip6->daddr, 16);
		nexthdr = ip6->nexthdr;
		off = ipv6_skip_exthdr(skb, sizeof(*ip6), &nexthdr, &frag_off);
		if (off < 0)
			return 0;	/* odd extension headers: match on addresses only */
		fl->proto = nexthdr;
		if (!(frag_off & htons(IP6_OFFSET)))
			flow_ports(skb, off, fl);
		return 0;
	}
	return -EINVAL;
}

static const struct rhashtable_params policy_ht_params = {
	.key_len = sizeof(struct ipsec_tun_policy_key),
	.key_offset = offsetof(struct ipsec_tun_policy, key),
	.head_offset = offsetof(struct ipsec_tun_policy, hnode),
	.automatic_shrinking = true,
};

/* The class list is set up with the device (ipsec_tun_setup()). */
int ipsec_tun_policy_table_init(struct ipsec_tun_dev *itd)
{
	return rhltable_init(&itd->policy_ht, &policy_ht_params);
}

void ipsec_tun_policy_table_destroy(struct ipsec_tun_dev *itd)
{
	rhltable_destroy(&itd->policy_ht);
}

static void key_of_sel(struct ipsec_tun_policy_key *k, const struct ipsec_tun_selector *sel,
		       u32 priority)
{
	memset(k, 0, sizeof(*k));
	k->priority = priority;
	k->family = sel->family;
	k->dst_plen = sel->dst_plen;
	k->src_plen = sel->src_plen;
	k->dst = sel->dst;	/* well formed: no bits past the prefix */
	k->src = sel->src;
}

/* The policy of this exact selector and priority, or NULL. Config mutex. */
static struct ipsec_tun_policy *policy_find(struct ipsec_tun_dev *itd,
					    const struct ipsec_tun_selector *sel, u32 priority)
{
	struct ipsec_tun_policy_key k;
	struct ipsec_tun_policy *pol, *found = NULL;
	struct rhlist_head *list, *pos;

	key_of_sel(&k, sel, priority);
	rcu_read_lock();	/* rhltable_lookup() wants it even for writers */
	list = rhltable_lookup(&itd->policy_ht, &k, policy_ht_params);
	rhl_for_each_entry_rcu(pol, pos, list, hnode) {
		if (ipsec_tun_sel_equal(&pol->sel, sel)) {
			found = pol;
			break;
		}
	}
	rcu_read_unlock();
	return found;
}

/* The class for (priority, prefix lengths), created in order if missing. */
static struct ipsec_tun_policy_class *class_get(struct ipsec_tun_dev *itd,
						const struct ipsec_tun_selector *sel,
						u32 priority)
{
	struct ipsec_tun_policy_class *cls, *pos;
	struct ipsec_tun_selector probe = {};
	int order;

	list_for_each_entry(pos, &itd->policy_classes, node) {
		probe.dst_plen = pos->dst_plen;
		probe.src_plen = pos->src_plen;
		order = ipsec_tun_sel_order(priority, sel, pos->priority, &probe);
		if (!order)
			return pos;
		if (order < 0)
			break;
	}
	cls = kzalloc(sizeof(*cls), GFP_KERNEL_ACCOUNT);
	if (!cls)
		return NULL;
	INIT_LIST_HEAD(&cls->policies);
	cls->priority = priority;
	cls->dst_plen = sel->dst_plen;
	cls->src_plen = sel->src_plen;
	list_add_tail_rcu(&cls->node, &pos->node);	/* before pos: sorted */
	return cls;
}

static void class_put(struct ipsec_tun_policy_class *cls)
{
	if (!list_empty(&cls->policies))
		return;
	list_del_rcu(&cls->node);
	kfree_rcu(cls, rcu);
}

int ipsec_tun_policy_add(struct ipsec_tun_dev *itd, const struct ipsec_tun_selector *sel,
			 u32 reqid, u32 priority, struct netlink_ext_ack *extack)
{
	struct ipsec_tun_policy *pol;
	int err;

	lockdep_assert_held(&ipsec_tun_config_mutex);
	if (policy_find(itd, sel, priority)) {
		NL_SET_ERR_MSG(extack, "a policy with this selector and priority exists");
		return -EEXIST;
	}
	pol = kzalloc(sizeof(*pol), GFP_KERNEL_ACCOUNT);
	if (!pol)
		return -ENOMEM;
	pol->sel = *sel;
	pol->reqid = reqid;
	pol->priority = priority;
	pol->seq = ++itd->policy_seq;
	key_of_sel(&pol->key, sel, priority);
	pol->cls = class_get(itd, sel, priority);
	if (!pol->cls) {
		kfree(pol);
		return -ENOMEM;
	}
	err = rhltable_insert(&itd->policy_ht, &pol->hnode, policy_ht_params);
	if (err) {
		class_put(pol->cls);
		kfree(pol);
		NL_SET_ERR_MSG(extack, "policy table full or out of memory");
		return err;
	}
	list_add_tail(&pol->node, &pol->cls->policies);
	itd->policy_count++;
	atomic_inc(&ipsec_tun_live_policies);
	atomic_inc(&ipsec_tun_generation);
	return 0;
}

static void policy_free_rcu(struct rcu_head *rcu)
{
	kfree(container_of(rcu, struct ipsec_tun_policy, rcu));
	atomic_dec(&ipsec_tun_live_policies);
}

static void policy_unlink(struct ipsec_tun_dev *itd, struct ipsec_tun_policy *pol)
{
	/* Cannot fail for an object in the table (no allocation on remove). */
	WARN_ON_ONCE(rhltable_remove(&itd->policy_ht, &pol->hnode, policy_ht_params));
	list_del(&pol->node);
	class_put(pol->cls);
	itd->policy_count--;
	atomic_inc(&ipsec_tun_generation);
	call_rcu(&pol->rcu, policy_free_rcu);
}

int ipsec_tun_policy_del(struct ipsec_tun_dev *itd, const struct ipsec_tun_selector *sel,
			 u32 priority)
{
	struct ipsec_tun_policy *pol;

	lockdep_assert_held(&ipsec_tun_config_mutex);
	pol = policy_find(itd, sel, priority);
	if (!pol)
		return -ENOENT;
	policy_unlink(itd, pol);
	return 0;
}

void ipsec_tun_policy_flush_dev(struct ipsec_tun_dev *itd)
{
	struct ipsec_tun_policy_class *cls, *ctmp;
	struct ipsec_tun_policy *pol;

	lockdep_assert_held(&ipsec_tun_config_mutex);
	/* Unlinking a class's last policy frees the class: stop there. */
	list_for_each_entry_safe(cls, ctmp, &itd->policy_classes, node) {
		bool last;

		do {
			pol = list_first_entry(&cls->policies, struct ipsec_tun_policy, node);
			last = list_is_singular(&cls->policies);
			policy_unlink(itd, pol);
		} while (!last);
	}
}

/*
 * Classes are visited in lookup order, so the first class holding a match
 * wins; inside a class only policies with the flow's masked addresses can
 * match, and of those (they differ in protocol or ports) the oldest wins.
 */
const struct ipsec_tun_policy *ipsec_tun_policy_lookup(struct ipsec_tun_dev *itd,
						       const struct ipsec_tun_flow *fl)
{
	unsigned int bits = ipsec_tun_addr_bits(fl->family);
	const struct ipsec_tun_policy_class *cls;
	const struct ipsec_tun_policy *pol, *best;
	struct ipsec_tun_policy_key k;
	struct rhlist_head *list, *pos;

	memset(&k, 0, sizeof(k));
	k.family = fl->family;
	list_for_each_entry_rcu(cls, &itd->policy_classes, node) {
		if (cls->dst_plen > bits || cls->src_plen > bits)
			continue;
		k.priority = cls->priority;
		k.dst_plen = cls->dst_plen;
		k.src_plen = cls->src_plen;
		ipsec_tun_addr_mask(&k.dst, &fl->dst, cls->dst_plen);
		ipsec_tun_addr_mask(&k.src, &fl->src, cls->src_plen);
		best = NULL;
		list = rhltable_lookup(&itd->policy_ht, &k, policy_ht_params);
		rhl_for_each_entry_rcu(pol, pos, list, hnode) {
			if (ipsec_tun_sel_match(&pol->sel, fl) && (!best || pol->seq < best->seq))
				best = pol;
		}
		if (best)
			return best;
	}
	return NULL;
}
