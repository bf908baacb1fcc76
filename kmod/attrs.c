// SPDX-License-Identifier: GPL-2.0
/*
 * Netlink attribute builders for replies and events (attrs.h).
 */
#include <net/genetlink.h>
#include "attrs.h"
#include "sa.h"

int ipsec_tun_put_stats(struct sk_buff *skb, int attr, struct ipsec_tun_stats __percpu *stats)
{
	struct ipsec_tun_stats sum;
	struct nlattr *nest;
	int i;

	ipsec_tun_stats_sum(stats, &sum);
	nest = nla_nest_start(skb, attr);
	if (!nest)
		return -EMSGSIZE;
	for (i = IPSEC_TUN_STAT_RX_PACKETS; i <= IPSEC_TUN_STAT_MAX; i++)
		if (i != IPSEC_TUN_STAT_PAD &&
		    nla_put_u64_64bit(skb, i, sum.c[i], IPSEC_TUN_STAT_PAD))
			return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

int ipsec_tun_put_sel(struct sk_buff *skb, int attr, const struct ipsec_tun_selector *sel,
		      const u32 *reqid, const u32 *priority)
{
	int alen = sel->family == AF_INET ? 4 : 16;
	struct nlattr *nest = nla_nest_start(skb, attr);

	if (!nest || nla_put_u16(skb, IPSEC_TUN_POL_A_FAMILY, sel->family) ||
	    nla_put(skb, IPSEC_TUN_POL_A_SRC, alen, sel->src.b) ||
	    nla_put_u8(skb, IPSEC_TUN_POL_A_SRC_PLEN, sel->src_plen) ||
	    nla_put(skb, IPSEC_TUN_POL_A_DST, alen, sel->dst.b) ||
	    nla_put_u8(skb, IPSEC_TUN_POL_A_DST_PLEN, sel->dst_plen) ||
	    nla_put_u8(skb, IPSEC_TUN_POL_A_PROTO, sel->proto) ||
	    nla_put_u16(skb, IPSEC_TUN_POL_A_SPORT_MIN, sel->sport_min) ||
	    nla_put_u16(skb, IPSEC_TUN_POL_A_SPORT_MAX, sel->sport_max) ||
	    nla_put_u16(skb, IPSEC_TUN_POL_A_DPORT_MIN, sel->dport_min) ||
	    nla_put_u16(skb, IPSEC_TUN_POL_A_DPORT_MAX, sel->dport_max) ||
	    (reqid && nla_put_u32(skb, IPSEC_TUN_POL_A_REQID, *reqid)) ||
	    (priority && nla_put_u32(skb, IPSEC_TUN_POL_A_PRIORITY, *priority)))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

static int put_u64_nz(struct sk_buff *skb, int attr, u64 v)
{
	return v ? nla_put_u64_64bit(skb, attr, v, IPSEC_TUN_SA_A_PAD) : 0;
}

/* Last outbound sequence number sent, or highest inbound one received. */
static u64 sa_seq(struct ipsec_tun_sa *sa)
{
	u64 seq;

	/* Packets refused at the limit still bumped the outbound counter. */
	if (sa->dir == IPSEC_TUN_DIR_OUT)
		return min_t(u64, atomic64_read(&sa->seq_out), ipsec_tun_seq_limit(sa->flags));
	spin_lock_bh(&sa->replay_lock);
	seq = sa->replay.top;
	spin_unlock_bh(&sa->replay_lock);
	return seq;
}

static int put_sa_sels(struct sk_buff *skb, struct ipsec_tun_sa *sa)
{
	struct nlattr *sels;
	unsigned int i;

	if (!sa->nsel)
		return 0;
	sels = nla_nest_start(skb, IPSEC_TUN_SA_A_SEL);
	if (!sels)
		return -EMSGSIZE;
	for (i = 0; i < sa->nsel; i++)
		if (ipsec_tun_put_sel(skb, i + 1, &sa->sel[i], NULL, NULL))
			return -EMSGSIZE;
	nla_nest_end(skb, sels);
	return 0;
}

/* Config mutex held (endpoints and lifetimes are read as a whole). */
int ipsec_tun_put_sa(struct sk_buff *skb, struct ipsec_tun_sa *sa)
{
	int alen = sa->family == AF_INET ? 4 : 16;
	struct nlattr *nest = nla_nest_start(skb, IPSEC_TUN_A_SA);

	if (!nest || nla_put_u32(skb, IPSEC_TUN_SA_A_SPI, sa->spi) ||
	    nla_put_u8(skb, IPSEC_TUN_SA_A_DIR, sa->dir) ||
	    nla_put_u32(skb, IPSEC_TUN_SA_A_REQID, sa->reqid) ||
	    nla_put_u16(skb, IPSEC_TUN_SA_A_FAMILY, sa->family) ||
	    nla_put(skb, IPSEC_TUN_SA_A_SRC, alen, sa->ep.src.b) ||
	    nla_put(skb, IPSEC_TUN_SA_A_DST, alen, sa->ep.dst.b) ||
	    nla_put_u16(skb, IPSEC_TUN_SA_A_ENCR_ID, sa->encr_id) ||
	    (sa->encr_keylen && nla_put_u16(skb, IPSEC_TUN_SA_A_ENCR_KEYLEN, sa->encr_keylen)) ||
	    nla_put_u16(skb, IPSEC_TUN_SA_A_INTEG_ID, sa->integ_id) ||
	    nla_put_u32(skb, IPSEC_TUN_SA_A_REPLAY_WINDOW, sa->replay.window) ||
	    nla_put_u32(skb, IPSEC_TUN_SA_A_FLAGS, sa->flags) ||
	    (sa->ep.encap_dport &&
	     (nla_put_u16(skb, IPSEC_TUN_SA_A_ENCAP_SPORT, ntohs(sa->ep.encap_sport)) ||
	      nla_put_u16(skb, IPSEC_TUN_SA_A_ENCAP_DPORT, ntohs(sa->ep.encap_dport)))) ||
	    put_u64_nz(skb, IPSEC_TUN_SA_A_SOFT_BYTES, sa->life.soft_bytes) ||
	    put_u64_nz(skb, IPSEC_TUN_SA_A_HARD_BYTES, sa->life.hard_bytes) ||
	    put_u64_nz(skb, IPSEC_TUN_SA_A_SOFT_PACKETS, sa->life.soft_packets) ||
	    put_u64_nz(skb, IPSEC_TUN_SA_A_HARD_PACKETS, sa->life.hard_packets) ||
	    put_u64_nz(skb, IPSEC_TUN_SA_A_SOFT_SECONDS, sa->life.soft_seconds) ||
	    put_u64_nz(skb, IPSEC_TUN_SA_A_HARD_SECONDS, sa->life.hard_seconds) ||
	    nla_put_u64_64bit(skb, IPSEC_TUN_SA_A_SEQ, sa_seq(sa), IPSEC_TUN_SA_A_PAD) ||
	    nla_put_u64_64bit(skb, IPSEC_TUN_SA_A_ADD_TIME, sa->add_time, IPSEC_TUN_SA_A_PAD) ||
	    ipsec_tun_put_stats(skb, IPSEC_TUN_SA_A_STATS, sa->stats) ||
	    put_sa_sels(skb, sa))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

static size_t stats_size(void)
{
	return nla_total_size(0) +
	       (IPSEC_TUN_STAT_MAX - IPSEC_TUN_STAT_RX_PACKETS) * nla_total_size_64bit(8);
}

/* ipsec_tun_put_sel() with reqid and priority. */
static size_t sel_size(void)
{
	return nla_total_size(0) + nla_total_size(2) +		/* nest, FAMILY */
	       2 * (nla_total_size(16) + nla_total_size(1)) +	/* addresses, prefixes */
	       nla_total_size(1) + 4 * nla_total_size(2) +	/* PROTO, ports */
	       2 * nla_total_size(4);				/* REQID, PRIORITY */
}

/* Mirrors ipsec_tun_put_sa() and fill_sa() (netlink_sa.c), rounded up. */
size_t ipsec_tun_sa_msg_size(unsigned int nsel)
{
	size_t sa = nla_total_size(0) +				/* IPSEC_TUN_A_SA */
		    2 * nla_total_size(4) + nla_total_size(1) +	/* SPI, REQID, DIR */
		    nla_total_size(2) + 2 * nla_total_size(16) +	/* FAMILY, SRC, DST */
		    3 * nla_total_size(2) +			/* ENCR_ID, KEYLEN, INTEG_ID */
		    2 * nla_total_size(4) +			/* REPLAY_WINDOW, FLAGS */
		    2 * nla_total_size(2) +			/* ENCAP ports */
		    8 * nla_total_size_64bit(8) +		/* lifetimes, SEQ, ADD_TIME */
		    stats_size() + nla_total_size(0) + nsel * sel_size();

	return genlmsg_total_size(nla_total_size(4) + sa);	/* IFINDEX, SA */
}

int ipsec_tun_put_sa_id(struct sk_buff *skb, struct ipsec_tun_sa *sa, bool stats)
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
