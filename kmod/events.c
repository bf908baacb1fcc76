// SPDX-License-Identifier: GPL-2.0
/*
 * Multicast events to the "events" group: ACQUIRE, EXPIRE, ERROR_EVENT.
 * Sent from packet paths and timers, so everything here is GFP_ATOMIC and
 * never sleeps. Each event goes to the device's underlay netns and, when
 * the device was moved, to its current netns as well.
 */
#include <net/genetlink.h>
#include "netlink.h"
#include "sa.h"

static void event_send(struct ipsec_tun_dev *itd, struct sk_buff *skb)
{
	struct net *underlay = READ_ONCE(itd->underlay), *cur = dev_net(itd->dev);

	if (underlay && !net_eq(underlay, cur)) {
		struct sk_buff *copy = skb_clone(skb, GFP_ATOMIC);

		if (copy)
			genlmsg_multicast_netns(&ipsec_tun_genl_family, underlay, copy, 0, 0,
						GFP_ATOMIC);
	}
	genlmsg_multicast_netns(&ipsec_tun_genl_family, cur, skb, 0, 0, GFP_ATOMIC);
}

static struct sk_buff *event_new(struct ipsec_tun_dev *itd, u8 cmd, void **hdr)
{
	struct sk_buff *skb;

	if (!genl_has_listeners(&ipsec_tun_genl_family, dev_net(itd->dev), 0) &&
	    !(itd->underlay && genl_has_listeners(&ipsec_tun_genl_family, itd->underlay, 0)))
		return NULL;
	skb = genlmsg_new(NLMSG_GOODSIZE, GFP_ATOMIC);
	if (!skb)
		return NULL;
	*hdr = genlmsg_put(skb, 0, 0, &ipsec_tun_genl_family, 0, cmd);
	if (!*hdr || nla_put_u32(skb, IPSEC_TUN_A_IFINDEX, itd->dev->ifindex)) {
		nlmsg_free(skb);
		return NULL;
	}
	return skb;
}

void ipsec_tun_event_acquire(struct ipsec_tun_dev *itd, const u32 *reqid,
			     const struct ipsec_tun_flow *fl)
{
	struct ipsec_tun_selector sel = {
		.family = fl->family,
		.proto = fl->proto,
		.src = fl->src,
		.dst = fl->dst,
		.src_plen = fl->family == AF_INET ? 32 : 128,
		.dst_plen = fl->family == AF_INET ? 32 : 128,
		.sport_min = fl->sport, .sport_max = fl->sport,
		.dport_min = fl->dport, .dport_max = fl->dport,
	};
	struct sk_buff *skb;
	void *hdr;

	skb = event_new(itd, IPSEC_TUN_CMD_ACQUIRE, &hdr);
	if (!skb)
		return;
	if ((reqid && nla_put_u32(skb, IPSEC_TUN_A_REQID, *reqid)) ||
	    ipsec_tun_put_sel(skb, IPSEC_TUN_A_PACKET_SEL, &sel, NULL, NULL)) {
		nlmsg_free(skb);
		return;
	}
	genlmsg_end(skb, hdr);
	event_send(itd, skb);
}

static int put_sa_id(struct sk_buff *skb, struct ipsec_tun_sa *sa, bool stats)
{
	struct nlattr *nest = nla_nest_start(skb, IPSEC_TUN_A_SA);

	if (!nest || nla_put_u32(skb, IPSEC_TUN_SA_A_SPI, sa->spi) ||
	    nla_put_u8(skb, IPSEC_TUN_SA_A_DIR, sa->dir) ||
	    nla_put_u32(skb, IPSEC_TUN_SA_A_REQID, sa->reqid) ||
	    (stats && ipsec_tun_put_stats(skb, IPSEC_TUN_SA_A_STATS, sa->stats)))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

void ipsec_tun_event_expire(struct ipsec_tun_sa *sa, bool hard, u8 reason)
{
	struct sk_buff *skb;
	void *hdr;

	netdev_dbg(sa->itd->dev, "SA spi 0x%08x %s expire, reason %u\n", sa->spi,
		   hard ? "hard" : "soft", reason);
	skb = event_new(sa->itd, IPSEC_TUN_CMD_EXPIRE, &hdr);
	if (!skb)
		return;
	if (put_sa_id(skb, sa, true) ||
	    (hard && nla_put_flag(skb, IPSEC_TUN_A_EXPIRE_HARD)) ||
	    nla_put_u8(skb, IPSEC_TUN_A_EXPIRE_REASON, reason)) {
		nlmsg_free(skb);
		return;
	}
	genlmsg_end(skb, hdr);
	event_send(sa->itd, skb);
}

void ipsec_tun_event_error(struct ipsec_tun_dev *itd, struct ipsec_tun_sa *sa, u32 code)
{
	struct sk_buff *skb;
	void *hdr;

	skb = event_new(itd, IPSEC_TUN_CMD_ERROR_EVENT, &hdr);
	if (!skb)
		return;
	if ((sa && put_sa_id(skb, sa, false)) ||
	    nla_put_u32(skb, IPSEC_TUN_A_ERROR_CODE, code)) {
		nlmsg_free(skb);
		return;
	}
	genlmsg_end(skb, hdr);
	event_send(itd, skb);
}
