// SPDX-License-Identifier: GPL-2.0
/*
 * The "ipsec_tun" generic netlink family (uapi/linux/ipsec_tun.h): strict
 * attribute policies, CAP_NET_ADMIN in the netns's user namespace for every
 * change, extack messages, and dumps that never contain key material and
 * are flagged NLM_F_DUMP_INTR when the configuration changed meanwhile.
 *
 * Every command runs under ipsec_tun_config_mutex (taken here, never by the
 * packet paths).
 */
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include <net/genetlink.h>
#include <net/sock.h>
#include <net/net_namespace.h>
#include "compat.h"
#include "netlink.h"
#include "sa.h"
#include "policy.h"
#include "encap.h"

static const struct nla_policy sel_policy[IPSEC_TUN_POL_A_MAX + 1] = {
	[IPSEC_TUN_POL_A_FAMILY] = { .type = NLA_U16 },
	[IPSEC_TUN_POL_A_SRC] = { .type = NLA_BINARY, .len = 16 },
	[IPSEC_TUN_POL_A_SRC_PLEN] = NLA_POLICY_MAX(NLA_U8, 128),
	[IPSEC_TUN_POL_A_DST] = { .type = NLA_BINARY, .len = 16 },
	[IPSEC_TUN_POL_A_DST_PLEN] = NLA_POLICY_MAX(NLA_U8, 128),
	[IPSEC_TUN_POL_A_PROTO] = { .type = NLA_U8 },
	[IPSEC_TUN_POL_A_SPORT_MIN] = { .type = NLA_U16 },
	[IPSEC_TUN_POL_A_SPORT_MAX] = { .type = NLA_U16 },
	[IPSEC_TUN_POL_A_DPORT_MIN] = { .type = NLA_U16 },
	[IPSEC_TUN_POL_A_DPORT_MAX] = { .type = NLA_U16 },
	[IPSEC_TUN_POL_A_REQID] = { .type = NLA_U32 },
	[IPSEC_TUN_POL_A_PRIORITY] = { .type = NLA_U32 },
};

static const struct nla_policy sa_policy[IPSEC_TUN_SA_A_MAX + 1] = {
	/* SPIs 1..255 are reserved (RFC 4303 2.1), 0 means none. */
	[IPSEC_TUN_SA_A_SPI] = NLA_POLICY_MIN(NLA_U32, 256),
	[IPSEC_TUN_SA_A_DIR] = NLA_POLICY_RANGE(NLA_U8, IPSEC_TUN_DIR_IN, IPSEC_TUN_DIR_OUT),
	[IPSEC_TUN_SA_A_REQID] = { .type = NLA_U32 },
	[IPSEC_TUN_SA_A_FAMILY] = { .type = NLA_U16 },
	[IPSEC_TUN_SA_A_SRC] = { .type = NLA_BINARY, .len = 16 },
	[IPSEC_TUN_SA_A_DST] = { .type = NLA_BINARY, .len = 16 },
	[IPSEC_TUN_SA_A_ENCR_ID] = { .type = NLA_U16 },
	[IPSEC_TUN_SA_A_ENCR_KEYLEN] = { .type = NLA_U16 },
	[IPSEC_TUN_SA_A_ENC_KEY] = { .type = NLA_BINARY, .len = 36 },
	[IPSEC_TUN_SA_A_INTEG_ID] = { .type = NLA_U16 },
	[IPSEC_TUN_SA_A_AUTH_KEY] = { .type = NLA_BINARY, .len = 64 },
	[IPSEC_TUN_SA_A_REPLAY_WINDOW] = NLA_POLICY_MAX(NLA_U32, IPSEC_TUN_REPLAY_WINDOW_MAX),
	[IPSEC_TUN_SA_A_FLAGS] = { .type = NLA_U32 },
	[IPSEC_TUN_SA_A_ENCAP_SPORT] = NLA_POLICY_MIN(NLA_U16, 1),
	[IPSEC_TUN_SA_A_ENCAP_DPORT] = NLA_POLICY_MIN(NLA_U16, 1),
	[IPSEC_TUN_SA_A_SOFT_BYTES] = { .type = NLA_U64 },
	[IPSEC_TUN_SA_A_HARD_BYTES] = { .type = NLA_U64 },
	[IPSEC_TUN_SA_A_SOFT_PACKETS] = { .type = NLA_U64 },
	[IPSEC_TUN_SA_A_HARD_PACKETS] = { .type = NLA_U64 },
	[IPSEC_TUN_SA_A_SOFT_SECONDS] = { .type = NLA_U64 },
	[IPSEC_TUN_SA_A_HARD_SECONDS] = { .type = NLA_U64 },
	[IPSEC_TUN_SA_A_SEL] = { .type = NLA_NESTED },
	[IPSEC_TUN_SA_A_SEQ] = { .type = NLA_U64 },	/* NEW_SA only */
	[IPSEC_TUN_SA_A_ADD_TIME] = { .type = NLA_REJECT },
	[IPSEC_TUN_SA_A_STATS] = { .type = NLA_REJECT },
};

static const struct nla_policy ipsec_tun_policy[IPSEC_TUN_A_MAX + 1] = {
	[IPSEC_TUN_A_IFINDEX] = { .type = NLA_U32 },
	[IPSEC_TUN_A_IFNAME] = { .type = NLA_NUL_STRING, .len = IFNAMSIZ - 1 },
	[IPSEC_TUN_A_ENCAP_FD] = { .type = NLA_S32 },
	[IPSEC_TUN_A_SA] = NLA_POLICY_NESTED(sa_policy),
	[IPSEC_TUN_A_POLICY] = NLA_POLICY_NESTED(sel_policy),
	[IPSEC_TUN_A_MTU] = { .type = NLA_REJECT },
	[IPSEC_TUN_A_STATS] = { .type = NLA_REJECT },
};

/* ---- helpers ---- */

static int parse_addr(const struct nlattr *a, u16 family, union ipsec_tun_addr *out,
		      struct netlink_ext_ack *extack)
{
	int len = family == AF_INET ? 4 : 16;

	if (nla_len(a) != len) {
		NL_SET_ERR_MSG_ATTR(extack, a, "address must be 4 bytes for AF_INET, 16 for AF_INET6");
		return -EINVAL;
	}
	memset(out, 0, sizeof(*out));
	memcpy(out->b, nla_data(a), len);
	return 0;
}

static int parse_family(const struct nlattr *a, u16 *family, struct netlink_ext_ack *extack)
{
	*family = nla_get_u16(a);
	if (*family != AF_INET && *family != AF_INET6) {
		NL_SET_ERR_MSG_ATTR(extack, a, "family must be AF_INET or AF_INET6");
		return -EAFNOSUPPORT;
	}
	return 0;
}

static int parse_sel(const struct nlattr *nest, struct ipsec_tun_selector *sel, u32 *reqid,
		     u32 *priority, struct netlink_ext_ack *extack)
{
	struct nlattr *tb[IPSEC_TUN_POL_A_MAX + 1];
	int ret;

	ret = nla_parse_nested(tb, IPSEC_TUN_POL_A_MAX, nest, sel_policy, extack);
	if (ret)
		return ret;
	if (!tb[IPSEC_TUN_POL_A_FAMILY] || !tb[IPSEC_TUN_POL_A_SRC] ||
	    !tb[IPSEC_TUN_POL_A_SRC_PLEN] || !tb[IPSEC_TUN_POL_A_DST] ||
	    !tb[IPSEC_TUN_POL_A_DST_PLEN]) {
		NL_SET_ERR_MSG_ATTR(extack, nest,
				    "selector needs FAMILY, SRC, SRC_PLEN, DST and DST_PLEN");
		return -EINVAL;
	}
	memset(sel, 0, sizeof(*sel));
	ret = parse_family(tb[IPSEC_TUN_POL_A_FAMILY], &sel->family, extack);
	if (ret)
		return ret;
	ret = parse_addr(tb[IPSEC_TUN_POL_A_SRC], sel->family, &sel->src, extack) ?:
	      parse_addr(tb[IPSEC_TUN_POL_A_DST], sel->family, &sel->dst, extack);
	if (ret)
		return ret;
	sel->src_plen = nla_get_u8(tb[IPSEC_TUN_POL_A_SRC_PLEN]);
	sel->dst_plen = nla_get_u8(tb[IPSEC_TUN_POL_A_DST_PLEN]);
	sel->proto = tb[IPSEC_TUN_POL_A_PROTO] ? nla_get_u8(tb[IPSEC_TUN_POL_A_PROTO]) : 0;
	sel->sport_min = tb[IPSEC_TUN_POL_A_SPORT_MIN] ?
			 nla_get_u16(tb[IPSEC_TUN_POL_A_SPORT_MIN]) : 0;
	sel->sport_max = tb[IPSEC_TUN_POL_A_SPORT_MAX] ?
			 nla_get_u16(tb[IPSEC_TUN_POL_A_SPORT_MAX]) : 0xffff;
	sel->dport_min = tb[IPSEC_TUN_POL_A_DPORT_MIN] ?
			 nla_get_u16(tb[IPSEC_TUN_POL_A_DPORT_MIN]) : 0;
	sel->dport_max = tb[IPSEC_TUN_POL_A_DPORT_MAX] ?
			 nla_get_u16(tb[IPSEC_TUN_POL_A_DPORT_MAX]) : 0xffff;
	if (!ipsec_tun_sel_valid(sel)) {
		NL_SET_ERR_MSG_ATTR(extack, nest,
				    "bad selector: prefix length too long, address bits set past the prefix, or port range reversed");
		return -EINVAL;
	}
	if (reqid) {
		if (!tb[IPSEC_TUN_POL_A_REQID]) {
			NL_SET_ERR_MSG_ATTR(extack, nest, "policy needs REQID");
			return -EINVAL;
		}
		*reqid = nla_get_u32(tb[IPSEC_TUN_POL_A_REQID]);
	}
	if (priority)
		*priority = tb[IPSEC_TUN_POL_A_PRIORITY] ?
			    nla_get_u32(tb[IPSEC_TUN_POL_A_PRIORITY]) : 0;
	return 0;
}

/* The device named by IFINDEX or IFNAME in the caller's netns; referenced. */
static struct ipsec_tun_dev *get_dev(struct genl_info *info)
{
	struct net *net = genl_info_net(info);
	struct ipsec_tun_dev *itd;

	if (info->attrs[IPSEC_TUN_A_IFINDEX])
		itd = ipsec_tun_dev_get(net, nla_get_u32(info->attrs[IPSEC_TUN_A_IFINDEX]), NULL);
	else if (info->attrs[IPSEC_TUN_A_IFNAME])
		itd = ipsec_tun_dev_get(net, 0, nla_data(info->attrs[IPSEC_TUN_A_IFNAME]));
	else {
		GENL_SET_ERR_MSG(info, "IFINDEX or IFNAME required");
		return ERR_PTR(-EINVAL);
	}
	if (!itd) {
		GENL_SET_ERR_MSG(info, "no such ipsec device in this netns");
		return ERR_PTR(-ENODEV);
	}
	return itd;
}

static struct ipsec_tun_dev *dump_dev_filter(struct netlink_callback *cb, bool *filtered)
{
	struct nlattr **attrs = ipsec_tun_dump_attrs(cb);
	struct net *net = sock_net(cb->skb->sk);

	*filtered = attrs && (attrs[IPSEC_TUN_A_IFINDEX] || attrs[IPSEC_TUN_A_IFNAME]);
	if (!*filtered)
		return NULL;
	if (attrs[IPSEC_TUN_A_IFINDEX])
		return ipsec_tun_dev_get(net, nla_get_u32(attrs[IPSEC_TUN_A_IFINDEX]), NULL);
	return ipsec_tun_dev_get(net, 0, nla_data(attrs[IPSEC_TUN_A_IFNAME]));
}

int ipsec_tun_put_stats(struct sk_buff *skb, int attr, struct ipsec_tun_stats __percpu *stats)
{
	struct ipsec_tun_stats sum;
	struct nlattr *nest;
	int i;

	ipsec_tun_stats_sum(stats, &sum);
	nest = nla_nest_start(skb, attr);
	if (!nest)
		return -EMSGSIZE;
	for (i = IPSEC_TUN_STAT_RX_PACKETS; i < IPSEC_TUN_STAT_PAD; i++)
		if (nla_put_u64_64bit(skb, i, sum.c[i], IPSEC_TUN_STAT_PAD))
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

/* ---- devices ---- */

static int fill_dev(struct sk_buff *skb, struct ipsec_tun_dev *itd, u32 portid, u32 seq,
		    int flags, struct netlink_callback *cb)
{
	struct net_device *dev = itd->dev;
	void *hdr;

	hdr = genlmsg_put(skb, portid, seq, &ipsec_tun_genl_family, flags, IPSEC_TUN_CMD_GET_DEV);
	if (!hdr)
		return -EMSGSIZE;
	if (cb)
		genl_dump_check_consistent(cb, hdr);
	if (nla_put_u32(skb, IPSEC_TUN_A_IFINDEX, dev->ifindex) ||
	    nla_put_string(skb, IPSEC_TUN_A_IFNAME, dev->name) ||
	    nla_put_u32(skb, IPSEC_TUN_A_MTU, READ_ONCE(dev->mtu)) ||
	    nla_put_u32(skb, IPSEC_TUN_A_SA_COUNT, itd->sa_count) ||
	    nla_put_u32(skb, IPSEC_TUN_A_POLICY_COUNT, itd->policy_count) ||
	    (itd->encap_port && nla_put_u16(skb, IPSEC_TUN_A_ENCAP_PORT, itd->encap_port)) ||
	    ipsec_tun_put_stats(skb, IPSEC_TUN_A_STATS, itd->stats))
		goto cancel;
	if (itd->underlay && !net_eq(itd->underlay, dev_net(dev)) &&
	    nla_put_s32(skb, IPSEC_TUN_A_LINK_NETNSID,
			peernet2id_alloc(dev_net(dev), itd->underlay, GFP_KERNEL)))
		goto cancel;
	genlmsg_end(skb, hdr);
	return 0;
cancel:
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
}

static int get_dev_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct ipsec_tun_dev *itd = get_dev(info);
	struct sk_buff *msg;
	int ret;

	if (IS_ERR(itd))
		return PTR_ERR(itd);
	msg = nlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg) {
		ret = -ENOMEM;
		goto out;
	}
	mutex_lock(&ipsec_tun_config_mutex);
	ret = fill_dev(msg, itd, info->snd_portid, info->snd_seq, 0, NULL);
	mutex_unlock(&ipsec_tun_config_mutex);
	if (ret)
		nlmsg_free(msg);
	else
		ret = genlmsg_reply(msg, info);
out:
	ipsec_tun_dev_put(itd);
	return ret;
}

static int get_dev_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct net *net = sock_net(skb->sk);
	struct ipsec_tun_dev *itd;
	long idx = 0;

	mutex_lock(&ipsec_tun_config_mutex);
	cb->seq = atomic_read(&ipsec_tun_generation);
	list_for_each_entry(itd, &ipsec_tun_devices, dev_node) {
		if (!net_eq(dev_net(itd->dev), net))
			continue;
		if (idx++ < cb->args[0])
			continue;
		if (fill_dev(skb, itd, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			     NLM_F_MULTI, cb)) {
			idx--;
			break;
		}
	}
	mutex_unlock(&ipsec_tun_config_mutex);
	cb->args[0] = idx;
	return skb->len;
}

/* ---- SAs ---- */

static int parse_lifetime(struct nlattr **tb, struct ipsec_tun_lifetime *life,
			  struct netlink_ext_ack *extack)
{
#define LIFE(field, attr) \
	do { if (tb[attr]) life->field = nla_get_u64(tb[attr]); } while (0)
	LIFE(soft_bytes, IPSEC_TUN_SA_A_SOFT_BYTES);
	LIFE(hard_bytes, IPSEC_TUN_SA_A_HARD_BYTES);
	LIFE(soft_packets, IPSEC_TUN_SA_A_SOFT_PACKETS);
	LIFE(hard_packets, IPSEC_TUN_SA_A_HARD_PACKETS);
	LIFE(soft_seconds, IPSEC_TUN_SA_A_SOFT_SECONDS);
	LIFE(hard_seconds, IPSEC_TUN_SA_A_HARD_SECONDS);
#undef LIFE
	if ((life->hard_bytes && life->soft_bytes > life->hard_bytes) ||
	    (life->hard_packets && life->soft_packets > life->hard_packets) ||
	    (life->hard_seconds && life->soft_seconds > life->hard_seconds)) {
		NL_SET_ERR_MSG(extack, "soft lifetime larger than hard lifetime");
		return -EINVAL;
	}
	return 0;
}

static int parse_sa_sels(struct nlattr *nest, struct ipsec_tun_sa_params *p,
			 struct netlink_ext_ack *extack)
{
	struct nlattr *a;
	int rem, n = 0, ret;

	nla_for_each_nested(a, nest, rem)
		n++;
	if (n > 64) {
		NL_SET_ERR_MSG_ATTR(extack, nest, "at most 64 selectors per SA");
		return -E2BIG;
	}
	if (!n)
		return 0;
	p->sel = kcalloc(n, sizeof(*p->sel), GFP_KERNEL);
	if (!p->sel)
		return -ENOMEM;
	nla_for_each_nested(a, nest, rem) {
		ret = parse_sel(a, &p->sel[p->nsel], NULL, NULL, extack);
		if (ret)
			return ret;
		p->nsel++;
	}
	return 0;
}

static int parse_sa_endpoints(struct nlattr **tb, u16 family, struct ipsec_tun_endpoints *ep,
			      struct netlink_ext_ack *extack)
{
	int ret = 0;

	if (tb[IPSEC_TUN_SA_A_SRC])
		ret = parse_addr(tb[IPSEC_TUN_SA_A_SRC], family, &ep->src, extack);
	if (!ret && tb[IPSEC_TUN_SA_A_DST])
		ret = parse_addr(tb[IPSEC_TUN_SA_A_DST], family, &ep->dst, extack);
	if (ret)
		return ret;
	if (!!tb[IPSEC_TUN_SA_A_ENCAP_SPORT] != !!tb[IPSEC_TUN_SA_A_ENCAP_DPORT]) {
		NL_SET_ERR_MSG(extack, "ENCAP_SPORT and ENCAP_DPORT go together");
		return -EINVAL;
	}
	if (tb[IPSEC_TUN_SA_A_ENCAP_SPORT]) {
		ep->encap_sport = htons(nla_get_u16(tb[IPSEC_TUN_SA_A_ENCAP_SPORT]));
		ep->encap_dport = htons(nla_get_u16(tb[IPSEC_TUN_SA_A_ENCAP_DPORT]));
	}
	return 0;
}

static void zero_key_attrs(struct nlattr **tb)
{
	if (tb[IPSEC_TUN_SA_A_ENC_KEY])
		memzero_explicit(nla_data(tb[IPSEC_TUN_SA_A_ENC_KEY]),
				 nla_len(tb[IPSEC_TUN_SA_A_ENC_KEY]));
	if (tb[IPSEC_TUN_SA_A_AUTH_KEY])
		memzero_explicit(nla_data(tb[IPSEC_TUN_SA_A_AUTH_KEY]),
				 nla_len(tb[IPSEC_TUN_SA_A_AUTH_KEY]));
}

static int parse_sa_nest(struct genl_info *info, struct nlattr **tb)
{
	if (!info->attrs[IPSEC_TUN_A_SA]) {
		NL_SET_ERR_MSG(info->extack, "SA nest required");
		return -EINVAL;
	}
	return nla_parse_nested(tb, IPSEC_TUN_SA_A_MAX, info->attrs[IPSEC_TUN_A_SA], sa_policy,
				info->extack);
}

static int new_sa_doit(struct sk_buff *skb, struct genl_info *info)
{
	static const int required[] = {
		IPSEC_TUN_SA_A_SPI, IPSEC_TUN_SA_A_DIR, IPSEC_TUN_SA_A_FAMILY, IPSEC_TUN_SA_A_SRC,
		IPSEC_TUN_SA_A_DST, IPSEC_TUN_SA_A_ENCR_ID, IPSEC_TUN_SA_A_ENC_KEY,
	};
	struct nlattr *tb[IPSEC_TUN_SA_A_MAX + 1];
	struct netlink_ext_ack *extack = info->extack;
	struct ipsec_tun_sa_params p = {};
	struct ipsec_tun_dev *itd;
	unsigned int i;
	int ret;

	ret = parse_sa_nest(info, tb);
	if (ret)
		return ret;
	itd = get_dev(info);
	if (IS_ERR(itd)) {
		ret = PTR_ERR(itd);
		goto out_zero;
	}
	ret = -EINVAL;
	for (i = 0; i < ARRAY_SIZE(required); i++) {
		if (!tb[required[i]]) {
			NL_SET_ERR_ATTR_MISS(extack, info->attrs[IPSEC_TUN_A_SA], required[i]);
			NL_SET_ERR_MSG(extack, "SA needs SPI, DIR, FAMILY, SRC, DST, ENCR_ID, ENC_KEY");
			goto out;
		}
	}
	p.spi = nla_get_u32(tb[IPSEC_TUN_SA_A_SPI]);
	p.dir = nla_get_u8(tb[IPSEC_TUN_SA_A_DIR]);
	if (p.dir == IPSEC_TUN_DIR_OUT && !tb[IPSEC_TUN_SA_A_REQID]) {
		NL_SET_ERR_MSG(extack, "outbound SA needs REQID");
		goto out;
	}
	p.reqid = tb[IPSEC_TUN_SA_A_REQID] ? nla_get_u32(tb[IPSEC_TUN_SA_A_REQID]) : 0;
	ret = parse_family(tb[IPSEC_TUN_SA_A_FAMILY], &p.family, extack);
	if (ret)
		goto out;
	p.flags = tb[IPSEC_TUN_SA_A_FLAGS] ? nla_get_u32(tb[IPSEC_TUN_SA_A_FLAGS]) : 0;
	if (p.flags & ~IPSEC_TUN_SA_F_ALL) {
		NL_SET_ERR_MSG_ATTR(extack, tb[IPSEC_TUN_SA_A_FLAGS], "unknown SA flags");
		ret = -EOPNOTSUPP;
		goto out;
	}
	/* Absent: a 64-packet window; 0 turns replay protection off. */
	p.replay_window = tb[IPSEC_TUN_SA_A_REPLAY_WINDOW] ?
			  nla_get_u32(tb[IPSEC_TUN_SA_A_REPLAY_WINDOW]) : 64;
	ret = parse_sa_endpoints(tb, p.family, &p.ep, extack) ?:
	      parse_lifetime(tb, &p.life, extack);
	if (ret)
		goto out;
	if (tb[IPSEC_TUN_SA_A_SEQ]) {
		p.seq = nla_get_u64(tb[IPSEC_TUN_SA_A_SEQ]);
		if (p.seq > (p.dir == IPSEC_TUN_DIR_IN && (p.flags & IPSEC_TUN_SA_F_ESN) ?
			     U64_MAX : ipsec_tun_seq_limit(p.flags))) {
			NL_SET_ERR_MSG_ATTR(extack, tb[IPSEC_TUN_SA_A_SEQ],
					    "SEQ beyond the sequence number space (2^32 - 1, with ESN 2^63 - 1 outbound)");
			ret = -ERANGE;
			goto out;
		}
	}
	if (tb[IPSEC_TUN_SA_A_SEL]) {
		ret = parse_sa_sels(tb[IPSEC_TUN_SA_A_SEL], &p, extack);
		if (ret)
			goto out;
	}
	p.crypto.encr_id = nla_get_u16(tb[IPSEC_TUN_SA_A_ENCR_ID]);
	p.crypto.encr_keylen = tb[IPSEC_TUN_SA_A_ENCR_KEYLEN] ?
			       nla_get_u16(tb[IPSEC_TUN_SA_A_ENCR_KEYLEN]) : 0;
	p.crypto.integ_id = tb[IPSEC_TUN_SA_A_INTEG_ID] ?
			    nla_get_u16(tb[IPSEC_TUN_SA_A_INTEG_ID]) : IPSEC_TUN_AUTH_NONE;
	p.crypto.enc_key = nla_data(tb[IPSEC_TUN_SA_A_ENC_KEY]);
	p.crypto.enc_key_len = nla_len(tb[IPSEC_TUN_SA_A_ENC_KEY]);
	if (tb[IPSEC_TUN_SA_A_AUTH_KEY]) {
		p.crypto.auth_key = nla_data(tb[IPSEC_TUN_SA_A_AUTH_KEY]);
		p.crypto.auth_key_len = nla_len(tb[IPSEC_TUN_SA_A_AUTH_KEY]);
	}
	p.crypto.esn = p.flags & IPSEC_TUN_SA_F_ESN;

	mutex_lock(&ipsec_tun_config_mutex);
	ret = ipsec_tun_sa_add(itd, &p, extack);
	mutex_unlock(&ipsec_tun_config_mutex);
out:
	kfree(p.sel);
	ipsec_tun_dev_put(itd);
out_zero:
	zero_key_attrs(tb);
	return ret;
}

static struct ipsec_tun_sa *find_sa(struct ipsec_tun_dev *itd, struct nlattr **tb,
				    struct netlink_ext_ack *extack)
{
	struct ipsec_tun_sa *sa;

	if (!tb[IPSEC_TUN_SA_A_SPI] || !tb[IPSEC_TUN_SA_A_DIR]) {
		NL_SET_ERR_MSG(extack, "SA nest needs SPI and DIR");
		return ERR_PTR(-EINVAL);
	}
	sa = ipsec_tun_sa_find(itd, nla_get_u8(tb[IPSEC_TUN_SA_A_DIR]),
			       nla_get_u32(tb[IPSEC_TUN_SA_A_SPI]));
	if (!sa) {
		NL_SET_ERR_MSG(extack, "no SA with this SPI and direction on the device");
		return ERR_PTR(-ENOENT);
	}
	return sa;
}

static int upd_sa_doit(struct sk_buff *skb, struct genl_info *info)
{
	static const int fixed[] = {
		IPSEC_TUN_SA_A_REQID, IPSEC_TUN_SA_A_FAMILY, IPSEC_TUN_SA_A_ENCR_ID,
		IPSEC_TUN_SA_A_ENCR_KEYLEN, IPSEC_TUN_SA_A_ENC_KEY, IPSEC_TUN_SA_A_INTEG_ID,
		IPSEC_TUN_SA_A_AUTH_KEY, IPSEC_TUN_SA_A_REPLAY_WINDOW, IPSEC_TUN_SA_A_FLAGS,
		IPSEC_TUN_SA_A_SEL, IPSEC_TUN_SA_A_SEQ,
	};
	struct nlattr *tb[IPSEC_TUN_SA_A_MAX + 1];
	struct netlink_ext_ack *extack = info->extack;
	struct ipsec_tun_lifetime life;
	struct ipsec_tun_endpoints ep;
	struct ipsec_tun_dev *itd;
	struct ipsec_tun_sa *sa;
	unsigned int i;
	int ret;

	ret = parse_sa_nest(info, tb);
	if (ret)
		return ret;
	for (i = 0; i < ARRAY_SIZE(fixed); i++) {
		if (tb[fixed[i]]) {
			NL_SET_ERR_MSG_ATTR(extack, tb[fixed[i]],
					    "keys, algorithms, reqid, selectors and SEQ cannot change");
			zero_key_attrs(tb);
			return -EINVAL;
		}
	}
	itd = get_dev(info);
	if (IS_ERR(itd))
		return PTR_ERR(itd);
	mutex_lock(&ipsec_tun_config_mutex);
	sa = find_sa(itd, tb, extack);
	if (IS_ERR(sa)) {
		ret = PTR_ERR(sa);
		goto out;
	}
	ep = sa->ep;
	life = sa->life;
	ret = parse_sa_endpoints(tb, sa->family, &ep, extack) ?:
	      parse_lifetime(tb, &life, extack);
	if (ret)
		goto out;
	write_seqlock_bh(&sa->ep_lock);
	sa->ep = ep;
	write_sequnlock_bh(&sa->ep_lock);
	ipsec_tun_sa_set_lifetime(sa, &life);
	atomic_inc(&ipsec_tun_generation);
out:
	mutex_unlock(&ipsec_tun_config_mutex);
	ipsec_tun_dev_put(itd);
	return ret;
}

static int del_sa_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *tb[IPSEC_TUN_SA_A_MAX + 1];
	struct ipsec_tun_dev *itd;
	struct ipsec_tun_sa *sa;
	int ret;

	ret = parse_sa_nest(info, tb);
	if (ret)
		return ret;
	itd = get_dev(info);
	if (IS_ERR(itd))
		return PTR_ERR(itd);
	mutex_lock(&ipsec_tun_config_mutex);
	sa = find_sa(itd, tb, info->extack);
	if (IS_ERR(sa))
		ret = PTR_ERR(sa);
	else
		ipsec_tun_sa_remove(sa);
	mutex_unlock(&ipsec_tun_config_mutex);
	ipsec_tun_dev_put(itd);
	return ret;
}

static int put_u64_nz(struct sk_buff *skb, int attr, u64 v)
{
	return v ? nla_put_u64_64bit(skb, attr, v, IPSEC_TUN_SA_A_PAD) : 0;
}

/* Never puts ENC_KEY or AUTH_KEY. */
static int fill_sa(struct sk_buff *skb, struct ipsec_tun_sa *sa, u32 portid, u32 seq, int flags,
		   struct netlink_callback *cb)
{
	int alen = sa->family == AF_INET ? 4 : 16;
	struct nlattr *nest, *sels;
	unsigned int i;
	u64 sa_seq;
	void *hdr;

	hdr = genlmsg_put(skb, portid, seq, &ipsec_tun_genl_family, flags, IPSEC_TUN_CMD_GET_SA);
	if (!hdr)
		return -EMSGSIZE;
	if (cb)
		genl_dump_check_consistent(cb, hdr);
	if (nla_put_u32(skb, IPSEC_TUN_A_IFINDEX, sa->itd->dev->ifindex))
		goto cancel;
	nest = nla_nest_start(skb, IPSEC_TUN_A_SA);
	if (!nest)
		goto cancel;
	if (sa->dir == IPSEC_TUN_DIR_OUT) {
		/* Packets refused at the limit still bumped the counter. */
		sa_seq = min_t(u64, atomic64_read(&sa->seq_out), ipsec_tun_seq_limit(sa->flags));
	} else {
		spin_lock_bh(&sa->replay_lock);
		sa_seq = sa->replay.top;
		spin_unlock_bh(&sa->replay_lock);
	}
	if (nla_put_u32(skb, IPSEC_TUN_SA_A_SPI, sa->spi) ||
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
	    nla_put_u64_64bit(skb, IPSEC_TUN_SA_A_SEQ, sa_seq, IPSEC_TUN_SA_A_PAD) ||
	    nla_put_u64_64bit(skb, IPSEC_TUN_SA_A_ADD_TIME, sa->add_time, IPSEC_TUN_SA_A_PAD) ||
	    ipsec_tun_put_stats(skb, IPSEC_TUN_SA_A_STATS, sa->stats))
		goto cancel;
	if (sa->nsel) {
		sels = nla_nest_start(skb, IPSEC_TUN_SA_A_SEL);
		if (!sels)
			goto cancel;
		for (i = 0; i < sa->nsel; i++)
			if (ipsec_tun_put_sel(skb, i + 1, &sa->sel[i], NULL, NULL))
				goto cancel;
		nla_nest_end(skb, sels);
	}
	nla_nest_end(skb, nest);
	genlmsg_end(skb, hdr);
	return 0;
cancel:
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
}

static int get_sa_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *tb[IPSEC_TUN_SA_A_MAX + 1];
	struct ipsec_tun_dev *itd;
	struct ipsec_tun_sa *sa;
	struct sk_buff *msg;
	int ret;

	ret = parse_sa_nest(info, tb);
	if (ret)
		return ret;
	itd = get_dev(info);
	if (IS_ERR(itd))
		return PTR_ERR(itd);
	msg = nlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg) {
		ret = -ENOMEM;
		goto out;
	}
	mutex_lock(&ipsec_tun_config_mutex);
	sa = find_sa(itd, tb, info->extack);
	if (IS_ERR(sa))
		ret = PTR_ERR(sa);
	else
		ret = fill_sa(msg, sa, info->snd_portid, info->snd_seq, 0, NULL);
	mutex_unlock(&ipsec_tun_config_mutex);
	if (ret)
		nlmsg_free(msg);
	else
		ret = genlmsg_reply(msg, info);
out:
	ipsec_tun_dev_put(itd);
	return ret;
}

/*
 * Dumps walk devices of the caller's netns (or the one asked for) and emit
 * one message per SA or policy; cb->args[0] counts the ones already sent.
 */
static int get_sa_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct net *net = sock_net(skb->sk);
	struct ipsec_tun_dev *itd, *only;
	struct ipsec_tun_sa *sa;
	bool filtered;
	long idx = 0;

	only = dump_dev_filter(cb, &filtered);
	if (filtered && !only)
		return -ENODEV;
	mutex_lock(&ipsec_tun_config_mutex);
	cb->seq = atomic_read(&ipsec_tun_generation);
	list_for_each_entry(itd, &ipsec_tun_devices, dev_node) {
		if (only ? itd != only : !net_eq(dev_net(itd->dev), net))
			continue;
		list_for_each_entry(sa, &itd->sas, dev_node) {
			if (idx++ < cb->args[0])
				continue;
			if (fill_sa(skb, sa, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
				    NLM_F_MULTI, cb)) {
				idx--;
				goto done;
			}
		}
	}
done:
	mutex_unlock(&ipsec_tun_config_mutex);
	if (only)
		ipsec_tun_dev_put(only);
	cb->args[0] = idx;
	return skb->len;
}

static int flush_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct ipsec_tun_dev *itd = get_dev(info);

	if (IS_ERR(itd))
		return PTR_ERR(itd);
	mutex_lock(&ipsec_tun_config_mutex);
	ipsec_tun_sa_flush_dev(itd);
	ipsec_tun_policy_flush_dev(itd);
	mutex_unlock(&ipsec_tun_config_mutex);
	ipsec_tun_dev_put(itd);
	return 0;
}

/* ---- policies ---- */

static int policy_doit(struct sk_buff *skb, struct genl_info *info, bool add)
{
	struct ipsec_tun_selector sel;
	struct ipsec_tun_dev *itd;
	u32 reqid = 0, priority;
	int ret;

	if (!info->attrs[IPSEC_TUN_A_POLICY]) {
		GENL_SET_ERR_MSG(info, "POLICY nest required");
		return -EINVAL;
	}
	ret = parse_sel(info->attrs[IPSEC_TUN_A_POLICY], &sel, add ? &reqid : NULL, &priority,
			info->extack);
	if (ret)
		return ret;
	itd = get_dev(info);
	if (IS_ERR(itd))
		return PTR_ERR(itd);
	mutex_lock(&ipsec_tun_config_mutex);
	if (itd->dead)
		ret = -ENODEV;
	else if (add)
		ret = ipsec_tun_policy_add(itd, &sel, reqid, priority, info->extack);
	else
		ret = ipsec_tun_policy_del(itd, &sel, priority);
	mutex_unlock(&ipsec_tun_config_mutex);
	if (ret == -ENOENT)
		GENL_SET_ERR_MSG(info, "no policy with this selector and priority");
	ipsec_tun_dev_put(itd);
	return ret;
}

static int new_policy_doit(struct sk_buff *skb, struct genl_info *info)
{
	return policy_doit(skb, info, true);
}

static int del_policy_doit(struct sk_buff *skb, struct genl_info *info)
{
	return policy_doit(skb, info, false);
}

static int get_policy_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct net *net = sock_net(skb->sk);
	struct ipsec_tun_dev *itd, *only;
	struct ipsec_tun_policy_class *cls;
	struct ipsec_tun_policy *pol;
	bool filtered;
	long idx = 0;
	void *hdr;

	only = dump_dev_filter(cb, &filtered);
	if (filtered && !only)
		return -ENODEV;
	mutex_lock(&ipsec_tun_config_mutex);
	cb->seq = atomic_read(&ipsec_tun_generation);
	list_for_each_entry(itd, &ipsec_tun_devices, dev_node) {
		if (only ? itd != only : !net_eq(dev_net(itd->dev), net))
			continue;
		ipsec_tun_for_each_policy(itd, cls, pol) {
			if (idx++ < cb->args[0])
				continue;
			hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
					  &ipsec_tun_genl_family, NLM_F_MULTI,
					  IPSEC_TUN_CMD_GET_POLICY);
			if (!hdr) {
				idx--;
				goto done;
			}
			genl_dump_check_consistent(cb, hdr);
			if (nla_put_u32(skb, IPSEC_TUN_A_IFINDEX, itd->dev->ifindex) ||
			    ipsec_tun_put_sel(skb, IPSEC_TUN_A_POLICY, &pol->sel, &pol->reqid,
					      &pol->priority)) {
				genlmsg_cancel(skb, hdr);
				idx--;
				goto done;
			}
			genlmsg_end(skb, hdr);
		}
	}
done:
	mutex_unlock(&ipsec_tun_config_mutex);
	if (only)
		ipsec_tun_dev_put(only);
	cb->args[0] = idx;
	return skb->len;
}

/* ---- NAT-T socket ---- */

static int set_encap_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct ipsec_tun_dev *itd;
	int ret;

	if (GENL_REQ_ATTR_CHECK(info, IPSEC_TUN_A_ENCAP_FD))
		return -EINVAL;
	itd = get_dev(info);
	if (IS_ERR(itd))
		return PTR_ERR(itd);
	mutex_lock(&ipsec_tun_config_mutex);
	if (itd->dead)
		ret = -ENODEV;
	else
		ret = ipsec_tun_encap_set(itd, nla_get_s32(info->attrs[IPSEC_TUN_A_ENCAP_FD]),
					  info->extack);
	mutex_unlock(&ipsec_tun_config_mutex);
	ipsec_tun_dev_put(itd);
	return ret;
}

static const struct genl_ops ipsec_tun_ops[] = {
	{
		.cmd = IPSEC_TUN_CMD_GET_DEV,
		.doit = get_dev_doit,
		.dumpit = get_dev_dumpit,
	},
	{
		.cmd = IPSEC_TUN_CMD_NEW_SA,
		.doit = new_sa_doit,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = IPSEC_TUN_CMD_UPD_SA,
		.doit = upd_sa_doit,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = IPSEC_TUN_CMD_DEL_SA,
		.doit = del_sa_doit,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = IPSEC_TUN_CMD_GET_SA,
		.doit = get_sa_doit,
		.dumpit = get_sa_dumpit,
	},
	{
		.cmd = IPSEC_TUN_CMD_FLUSH,
		.doit = flush_doit,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = IPSEC_TUN_CMD_NEW_POLICY,
		.doit = new_policy_doit,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = IPSEC_TUN_CMD_DEL_POLICY,
		.doit = del_policy_doit,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = IPSEC_TUN_CMD_GET_POLICY,
		.dumpit = get_policy_dumpit,
	},
	{
		.cmd = IPSEC_TUN_CMD_SET_ENCAP,
		.doit = set_encap_doit,
		.flags = GENL_UNS_ADMIN_PERM,
	},
};

static const struct genl_multicast_group ipsec_tun_mcgrps[] = {
	{ .name = IPSEC_TUN_MCGRP_EVENTS },
};

struct genl_family ipsec_tun_genl_family __ro_after_init = {
	.name = IPSEC_TUN_GENL_NAME,
	.version = IPSEC_TUN_GENL_VERSION,
	.maxattr = IPSEC_TUN_A_MAX,
	.policy = ipsec_tun_policy,
	.netnsok = true,
	.parallel_ops = false,
	.module = THIS_MODULE,
	.ops = ipsec_tun_ops,
	.n_ops = ARRAY_SIZE(ipsec_tun_ops),
	.resv_start_op = IPSEC_TUN_CMD_SET_ENCAP + 1,
	.mcgrps = ipsec_tun_mcgrps,
	.n_mcgrps = ARRAY_SIZE(ipsec_tun_mcgrps),
};

int ipsec_tun_genl_init(void)
{
	return genl_register_family(&ipsec_tun_genl_family);
}

void ipsec_tun_genl_uninit(void)
{
	genl_unregister_family(&ipsec_tun_genl_family);
}
