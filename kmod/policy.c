// SPDX-License-Identifier: GPL-2.0
/*
 * Per-device policies: a list kept in lookup order (priority, then longest
 * destination prefix, then longest source prefix), scanned under RCU by the
 * transmit path; the first match names the reqid. Also turns a packet into
 * the flow the selectors are matched against.
 */
#include <linux/ip.h>
#include <linux/ipv6.h>
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

int ipsec_tun_policy_add(struct ipsec_tun_dev *itd, const struct ipsec_tun_selector *sel,
			 u32 reqid, u32 priority, struct netlink_ext_ack *extack)
{
	struct ipsec_tun_policy *pol, *pos;

	lockdep_assert_held(&ipsec_tun_config_mutex);
	list_for_each_entry(pos, &itd->policies, node) {
		if (pos->priority == priority && ipsec_tun_sel_equal(&pos->sel, sel)) {
			NL_SET_ERR_MSG(extack, "a policy with this selector and priority exists");
			return -EEXIST;
		}
	}
	pol = kzalloc(sizeof(*pol), GFP_KERNEL);
	if (!pol)
		return -ENOMEM;
	pol->sel = *sel;
	pol->reqid = reqid;
	pol->priority = priority;
	/* Insert before the first entry that sorts after us (stable order). */
	list_for_each_entry(pos, &itd->policies, node) {
		if (ipsec_tun_sel_order(priority, sel, pos->priority, &pos->sel) < 0)
			break;
	}
	list_add_tail_rcu(&pol->node, &pos->node);
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
	list_del_rcu(&pol->node);
	itd->policy_count--;
	atomic_inc(&ipsec_tun_generation);
	call_rcu(&pol->rcu, policy_free_rcu);
}

int ipsec_tun_policy_del(struct ipsec_tun_dev *itd, const struct ipsec_tun_selector *sel,
			 u32 priority)
{
	struct ipsec_tun_policy *pol;

	lockdep_assert_held(&ipsec_tun_config_mutex);
	list_for_each_entry(pol, &itd->policies, node) {
		if (pol->priority == priority && ipsec_tun_sel_equal(&pol->sel, sel)) {
			policy_unlink(itd, pol);
			return 0;
		}
	}
	return -ENOENT;
}

void ipsec_tun_policy_flush_dev(struct ipsec_tun_dev *itd)
{
	struct ipsec_tun_policy *pol, *tmp;

	lockdep_assert_held(&ipsec_tun_config_mutex);
	list_for_each_entry_safe(pol, tmp, &itd->policies, node)
		policy_unlink(itd, pol);
}

const struct ipsec_tun_policy *ipsec_tun_policy_lookup(struct ipsec_tun_dev *itd,
						       const struct ipsec_tun_flow *fl)
{
	const struct ipsec_tun_policy *pol;

	list_for_each_entry_rcu(pol, &itd->policies, node) {
		if (ipsec_tun_sel_match(&pol->sel, fl))
			return pol;
	}
	return NULL;
}
