// SPDX-License-Identifier: GPL-2.0
/*
 * Multicast events to the "events" group: ACQUIRE, EXPIRE, ERROR_EVENT,
 * MAPPING.
 * Sent from packet paths and timers, so everything here is GFP_ATOMIC and
 * never sleeps. Each event goes to the device's underlay netns and, when
 * the device was moved, to its current netns as well.
 */
#include <net/genetlink.h>
#include "events.h"
#include "attrs.h"
#include "sa.h"

/* Set while the family is registered (netlink.c); read in any context. */
static const struct genl_family __rcu *events_family;

void ipsec_tun_events_start(const struct genl_family *family)
{
	rcu_assign_pointer(events_family, family);
}

/* After this returns no event is being built or sent. */
void ipsec_tun_events_stop(void)
{
	RCU_INIT_POINTER(events_family, NULL);
	synchronize_rcu();
}

/*
 * An event under construction: the family is pinned by the RCU read
 * section from event_new() to event_send() / event_cancel().
 */
struct event {
	const struct genl_family *family;
	struct sk_buff *skb;
	void *hdr;
};

static void event_send(struct ipsec_tun_dev *itd, struct event *ev)
{
	struct net *underlay = READ_ONCE(itd->underlay), *cur = dev_net(itd->dev);

	genlmsg_end(ev->skb, ev->hdr);
	if (underlay && !net_eq(underlay, cur)) {
		struct sk_buff *copy = skb_clone(ev->skb, GFP_ATOMIC);

		if (copy)
			genlmsg_multicast_netns(ev->family, underlay, copy, 0, 0, GFP_ATOMIC);
	}
	genlmsg_multicast_netns(ev->family, cur, ev->skb, 0, 0, GFP_ATOMIC);
	rcu_read_unlock();
}

static void event_cancel(struct event *ev)
{
	nlmsg_free(ev->skb);
	rcu_read_unlock();
}

/* Returns false (and holds nothing) when nobody listens or on failure. */
static bool event_new(struct ipsec_tun_dev *itd, u8 cmd, struct event *ev)
{
	struct net *underlay = READ_ONCE(itd->underlay);

	rcu_read_lock();
	ev->family = rcu_dereference(events_family);
	if (!ev->family)
		goto none;
	if (!genl_has_listeners(ev->family, dev_net(itd->dev), 0) &&
	    !(underlay && genl_has_listeners(ev->family, underlay, 0)))
		goto none;
	ev->skb = genlmsg_new(NLMSG_GOODSIZE, GFP_ATOMIC);
	if (!ev->skb)
		goto none;
	ev->hdr = genlmsg_put(ev->skb, 0, 0, ev->family, 0, cmd);
	if (!ev->hdr || nla_put_u32(ev->skb, IPSEC_TUN_A_IFINDEX, itd->dev->ifindex)) {
		event_cancel(ev);
		return false;
	}
	return true;
none:
	rcu_read_unlock();
	return false;
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
	struct event ev;

	if (!event_new(itd, IPSEC_TUN_CMD_ACQUIRE, &ev))
		return;
	if ((reqid && nla_put_u32(ev.skb, IPSEC_TUN_A_REQID, *reqid)) ||
	    ipsec_tun_put_sel(ev.skb, IPSEC_TUN_A_PACKET_SEL, &sel, NULL, NULL))
		event_cancel(&ev);
	else
		event_send(itd, &ev);
}

void ipsec_tun_event_expire(struct ipsec_tun_sa *sa, bool hard, u8 reason)
{
	struct event ev;

	netdev_dbg(sa->itd->dev, "SA spi 0x%08x %s expire, reason %u\n", sa->spi,
		   hard ? "hard" : "soft", reason);
	if (!event_new(sa->itd, IPSEC_TUN_CMD_EXPIRE, &ev))
		return;
	if (ipsec_tun_put_sa_id(ev.skb, sa, true) ||
	    (hard && nla_put_flag(ev.skb, IPSEC_TUN_A_EXPIRE_HARD)) ||
	    nla_put_u8(ev.skb, IPSEC_TUN_A_EXPIRE_REASON, reason))
		event_cancel(&ev);
	else
		event_send(sa->itd, &ev);
}

/*
 * AUTH_BURST follows ICV failures, which anyone who can reach the underlay
 * causes at will: at most 10 a second per device, so a flood of forged ESP
 * cannot turn into a flood of multicast. ENCAP_CLOSED follows an attach
 * (CAP_NET_ADMIN), once each, and is never dropped.
 */
void ipsec_tun_event_error(struct ipsec_tun_dev *itd, struct ipsec_tun_sa *sa, u32 code)
{
	struct event ev;

	if (code == IPSEC_TUN_ERR_AUTH_BURST && !__ratelimit(&itd->auth_burst_rs))
		return;
	if (!event_new(itd, IPSEC_TUN_CMD_ERROR_EVENT, &ev))
		return;
	if ((sa && ipsec_tun_put_sa_id(ev.skb, sa, false)) ||
	    nla_put_u32(ev.skb, IPSEC_TUN_A_ERROR_CODE, code))
		event_cancel(&ev);
	else
		event_send(itd, &ev);
}

/*
 * MAPPING: an inbound SA's authenticated ESP-in-UDP came from addr:port,
 * not from its peer endpoint. Those packets keep coming until the daemon
 * moves the SA (or forever, when it will not): one event a second per SA.
 * The SA's endpoint is read under its seqlock; addresses are only ever
 * compared, never used to send.
 */
void ipsec_tun_event_mapping(struct ipsec_tun_sa *sa, const union ipsec_tun_addr *addr,
			     __be16 port)
{
	unsigned long now = jiffies, last = READ_ONCE(sa->mapping_sent);
	int alen = sa->family == AF_INET ? 4 : 16;
	struct ipsec_tun_endpoints ep;
	struct nlattr *nest;
	struct event ev;

	ipsec_tun_sa_endpoints(sa, &ep);
	if (ep.encap_sport == port && !memcmp(ep.src.b, addr->b, alen))
		return;
	if (time_before(now, last + HZ) || cmpxchg(&sa->mapping_sent, last, now) != last)
		return;
	net_dbg_ratelimited("ipsec_tun: SA spi 0x%08x: ESP-in-UDP from a new address or port %u\n",
			    sa->spi, ntohs(port));
	if (!event_new(sa->itd, IPSEC_TUN_CMD_MAPPING, &ev))
		return;
	nest = nla_nest_start(ev.skb, IPSEC_TUN_A_SA);
	if (!nest || nla_put_u32(ev.skb, IPSEC_TUN_SA_A_SPI, sa->spi) ||
	    nla_put_u8(ev.skb, IPSEC_TUN_SA_A_DIR, sa->dir) ||
	    nla_put_u32(ev.skb, IPSEC_TUN_SA_A_REQID, sa->reqid) ||
	    nla_put_u16(ev.skb, IPSEC_TUN_SA_A_FAMILY, sa->family) ||
	    nla_put(ev.skb, IPSEC_TUN_SA_A_SRC, alen, ep.src.b) ||
	    nla_put_u16(ev.skb, IPSEC_TUN_SA_A_ENCAP_SPORT, ntohs(ep.encap_sport)))
		goto cancel;
	nla_nest_end(ev.skb, nest);
	if (nla_put(ev.skb, IPSEC_TUN_A_MAPPING_ADDR, alen, addr->b) ||
	    nla_put_u16(ev.skb, IPSEC_TUN_A_MAPPING_PORT, ntohs(port)))
		goto cancel;
	event_send(sa->itd, &ev);
	return;
cancel:
	event_cancel(&ev);
}
