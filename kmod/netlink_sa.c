// SPDX-License-Identifier: GPL-2.0
/*
 * SA commands of the "ipsec_tun" family: NEW_SA, UPD_SA, DEL_SA, GET_SA.
 * Key attributes are zeroed in the request once used; replies never carry
 * keys (attrs.c).
 */
#include <linux/slab.h>
#include <net/genetlink.h>
#include "netlink.h"
#include "attrs.h"
#include "sa.h"
#include "spi_hold.h"
#include "netns_limits.h"

const struct nla_policy ipsec_tun_sa_nl_policy[IPSEC_TUN_SA_A_MAX + 1] = {
	/* SPIs 1..255 are reserved (RFC 4303 2.1), 0 means none. */
	[IPSEC_TUN_SA_A_SPI] = NLA_POLICY_MIN(NLA_U32, 256),
	[IPSEC_TUN_SA_A_DIR] = NLA_POLICY_RANGE(NLA_U8, IPSEC_TUN_DIR_IN, IPSEC_TUN_DIR_OUT),
	[IPSEC_TUN_SA_A_REQID] = { .type = NLA_U32 },
	[IPSEC_TUN_SA_A_FAMILY] = { .type = NLA_U16 },
	/* 4 or 16 by FAMILY: ipsec_tun_nl_addr() checks which. */
	[IPSEC_TUN_SA_A_SRC] = NLA_POLICY_RANGE(NLA_BINARY, 4, 16),
	[IPSEC_TUN_SA_A_DST] = NLA_POLICY_RANGE(NLA_BINARY, 4, 16),
	[IPSEC_TUN_SA_A_ENCR_ID] = { .type = NLA_U16 },
	[IPSEC_TUN_SA_A_ENCR_KEYLEN] = { .type = NLA_U16 },
	/* Longest keymat we take; crypto.c checks the exact length per cipher. */
	[IPSEC_TUN_SA_A_ENC_KEY] = { .type = NLA_BINARY, .len = 36 },
	[IPSEC_TUN_SA_A_INTEG_ID] = { .type = NLA_U16 },
	[IPSEC_TUN_SA_A_AUTH_KEY] = { .type = NLA_BINARY, .len = 64 },
	[IPSEC_TUN_SA_A_REPLAY_WINDOW] = NLA_POLICY_MAX(NLA_U32, IPSEC_TUN_REPLAY_WINDOW_MAX),
	/* Unknown bits are -EOPNOTSUPP (uapi), checked in parse_new_sa(). */
	[IPSEC_TUN_SA_A_FLAGS] = { .type = NLA_U32 },
	[IPSEC_TUN_SA_A_ENCAP_SPORT] = NLA_POLICY_MIN(NLA_U16, 1),
	[IPSEC_TUN_SA_A_ENCAP_DPORT] = NLA_POLICY_MIN(NLA_U16, 1),
	[IPSEC_TUN_SA_A_SOFT_BYTES] = { .type = NLA_U64 },
	[IPSEC_TUN_SA_A_HARD_BYTES] = { .type = NLA_U64 },
	[IPSEC_TUN_SA_A_SOFT_PACKETS] = { .type = NLA_U64 },
	[IPSEC_TUN_SA_A_HARD_PACKETS] = { .type = NLA_U64 },
	[IPSEC_TUN_SA_A_SOFT_SECONDS] = { .type = NLA_U64 },
	[IPSEC_TUN_SA_A_HARD_SECONDS] = { .type = NLA_U64 },
	[IPSEC_TUN_SA_A_SEL] = NLA_POLICY_NESTED_ARRAY(ipsec_tun_sel_nl_policy),
	[IPSEC_TUN_SA_A_SEQ] = { .type = NLA_U64 },	/* NEW_SA only */
	[IPSEC_TUN_SA_A_ADD_TIME] = { .type = NLA_REJECT },
	[IPSEC_TUN_SA_A_STATS] = { .type = NLA_REJECT },
};

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
	if (n > IPSEC_TUN_SA_SEL_MAX) {
		NL_SET_ERR_MSG_ATTR(extack, nest, "at most 64 selectors per SA");
		return -E2BIG;
	}
	if (!n)
		return 0;
	p->sel = kcalloc(n, sizeof(*p->sel), GFP_KERNEL_ACCOUNT);
	if (!p->sel)
		return -ENOMEM;
	nla_for_each_nested(a, nest, rem) {
		ret = ipsec_tun_nl_sel(a, &p->sel[p->nsel], NULL, NULL, extack);
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
		ret = ipsec_tun_nl_addr(tb[IPSEC_TUN_SA_A_SRC], family, &ep->src, extack);
	if (!ret && tb[IPSEC_TUN_SA_A_DST])
		ret = ipsec_tun_nl_addr(tb[IPSEC_TUN_SA_A_DST], family, &ep->dst, extack);
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
	return nla_parse_nested(tb, IPSEC_TUN_SA_A_MAX, info->attrs[IPSEC_TUN_A_SA],
				ipsec_tun_sa_nl_policy, info->extack);
}

/* SEQ: where the sequence numbers start, within the SA's space. */
static int parse_sa_seq(struct nlattr **tb, struct ipsec_tun_sa_params *p,
			struct netlink_ext_ack *extack)
{
	if (!tb[IPSEC_TUN_SA_A_SEQ])
		return 0;
	p->seq = nla_get_u64(tb[IPSEC_TUN_SA_A_SEQ]);
	if (p->seq > (p->dir == IPSEC_TUN_DIR_IN && (p->flags & IPSEC_TUN_SA_F_ESN) ?
		      U64_MAX : ipsec_tun_seq_limit(p->flags))) {
		NL_SET_ERR_MSG_ATTR(extack, tb[IPSEC_TUN_SA_A_SEQ],
				    "SEQ beyond the sequence number space (2^32 - 1, with ESN 2^63 - 1 outbound)");
		return -ERANGE;
	}
	return 0;
}

static void parse_sa_crypto(struct nlattr **tb, struct ipsec_tun_sa_params *p)
{
	p->crypto.encr_id = nla_get_u16(tb[IPSEC_TUN_SA_A_ENCR_ID]);
	p->crypto.encr_keylen = tb[IPSEC_TUN_SA_A_ENCR_KEYLEN] ?
				nla_get_u16(tb[IPSEC_TUN_SA_A_ENCR_KEYLEN]) : 0;
	p->crypto.integ_id = tb[IPSEC_TUN_SA_A_INTEG_ID] ?
			     nla_get_u16(tb[IPSEC_TUN_SA_A_INTEG_ID]) : IPSEC_TUN_AUTH_NONE;
	p->crypto.enc_key = nla_data(tb[IPSEC_TUN_SA_A_ENC_KEY]);
	p->crypto.enc_key_len = nla_len(tb[IPSEC_TUN_SA_A_ENC_KEY]);
	if (tb[IPSEC_TUN_SA_A_AUTH_KEY]) {
		p->crypto.auth_key = nla_data(tb[IPSEC_TUN_SA_A_AUTH_KEY]);
		p->crypto.auth_key_len = nla_len(tb[IPSEC_TUN_SA_A_AUTH_KEY]);
	}
	p->crypto.esn = p->flags & IPSEC_TUN_SA_F_ESN;
}

/* Everything NEW_SA needs; p->sel is allocated (the caller frees it). */

/*
 * Config mutex held. ESP that arrived for this SPI while ipsecd was still
 * negotiating its SA (spi_hold.c) goes through the new SA now. Called here,
 * not from sa.c, so that sa.c calls no file that calls back into it.
 */
static void deliver_held(struct ipsec_tun_dev *itd, u32 spi)
{
	struct ipsec_tun_sa *sa = ipsec_tun_sa_find(itd, IPSEC_TUN_DIR_IN, spi);

	if (sa)
		ipsec_tun_spi_hold_deliver(sa);
}

static int parse_new_sa(struct nlattr *nest, struct nlattr **tb, struct ipsec_tun_sa_params *p,
			struct netlink_ext_ack *extack)
{
	static const int required[] = {
		IPSEC_TUN_SA_A_SPI, IPSEC_TUN_SA_A_DIR, IPSEC_TUN_SA_A_FAMILY, IPSEC_TUN_SA_A_SRC,
		IPSEC_TUN_SA_A_DST, IPSEC_TUN_SA_A_ENCR_ID, IPSEC_TUN_SA_A_ENC_KEY,
	};
	unsigned int i;
	int ret;

	for (i = 0; i < ARRAY_SIZE(required); i++) {
		if (!tb[required[i]]) {
			NL_SET_ERR_ATTR_MISS(extack, nest, required[i]);
			NL_SET_ERR_MSG(extack, "SA needs SPI, DIR, FAMILY, SRC, DST, ENCR_ID, ENC_KEY");
			return -EINVAL;
		}
	}
	p->spi = nla_get_u32(tb[IPSEC_TUN_SA_A_SPI]);
	p->dir = nla_get_u8(tb[IPSEC_TUN_SA_A_DIR]);
	if (p->dir == IPSEC_TUN_DIR_OUT && !tb[IPSEC_TUN_SA_A_REQID]) {
		NL_SET_ERR_MSG(extack, "outbound SA needs REQID");
		return -EINVAL;
	}
	p->reqid = tb[IPSEC_TUN_SA_A_REQID] ? nla_get_u32(tb[IPSEC_TUN_SA_A_REQID]) : 0;
	ret = ipsec_tun_nl_family(tb[IPSEC_TUN_SA_A_FAMILY], &p->family, extack);
	if (ret)
		return ret;
	p->flags = tb[IPSEC_TUN_SA_A_FLAGS] ? nla_get_u32(tb[IPSEC_TUN_SA_A_FLAGS]) : 0;
	if (p->flags & ~IPSEC_TUN_SA_F_ALL) {
		NL_SET_ERR_MSG_ATTR(extack, tb[IPSEC_TUN_SA_A_FLAGS], "unknown SA flags");
		return -EOPNOTSUPP;
	}
	/* Absent: a 64-packet window; 0 turns replay protection off. */
	p->replay_window = tb[IPSEC_TUN_SA_A_REPLAY_WINDOW] ?
			   nla_get_u32(tb[IPSEC_TUN_SA_A_REPLAY_WINDOW]) : 64;
	ret = parse_sa_endpoints(tb, p->family, &p->ep, extack) ?:
	      parse_lifetime(tb, &p->life, extack) ?:
	      parse_sa_seq(tb, p, extack);
	if (ret)
		return ret;
	if (tb[IPSEC_TUN_SA_A_SEL]) {
		ret = parse_sa_sels(tb[IPSEC_TUN_SA_A_SEL], p, extack);
		if (ret)
			return ret;
	}
	parse_sa_crypto(tb, p);
	return 0;
}

int ipsec_tun_nl_new_sa_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *tb[IPSEC_TUN_SA_A_MAX + 1];
	struct ipsec_tun_sa_params p = {};
	struct ipsec_tun_dev *itd;
	int ret;

	ret = parse_sa_nest(info, tb);
	if (ret)
		return ret;
	itd = ipsec_tun_nl_dev(info);
	if (IS_ERR(itd)) {
		ret = PTR_ERR(itd);
		goto out_zero;
	}
	ret = parse_new_sa(info->attrs[IPSEC_TUN_A_SA], tb, &p, info->extack);
	if (ret)
		goto out;
	mutex_lock(&ipsec_tun_config_mutex);
	ret = ipsec_tun_limit_sa(dev_net(itd->dev), info->extack) ?:
	      ipsec_tun_sa_add(itd, &p, info->extack);
	if (!ret && p.dir == IPSEC_TUN_DIR_IN)
		deliver_held(itd, p.spi);
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

int ipsec_tun_nl_upd_sa_doit(struct sk_buff *skb, struct genl_info *info)
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
	itd = ipsec_tun_nl_dev(info);
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
	      parse_lifetime(tb, &life, extack) ?:
	      ipsec_tun_sa_set_endpoints(sa, &ep, extack);
	if (ret)
		goto out;
	ipsec_tun_sa_set_lifetime(sa, &life);
	atomic_inc(&ipsec_tun_generation);
out:
	mutex_unlock(&ipsec_tun_config_mutex);
	ipsec_tun_dev_put(itd);
	return ret;
}

/*
 * Config mutex held. DEL_SA of an inbound SPI that has no SA on the device
 * but a reservation there (ALLOC_SPI): the reservation ends.
 */
static bool release_reserved(struct ipsec_tun_dev *itd, struct nlattr **tb)
{
	u32 spi;

	if (!tb[IPSEC_TUN_SA_A_SPI] || !tb[IPSEC_TUN_SA_A_DIR] ||
	    nla_get_u8(tb[IPSEC_TUN_SA_A_DIR]) != IPSEC_TUN_DIR_IN)
		return false;
	spi = nla_get_u32(tb[IPSEC_TUN_SA_A_SPI]);
	return !ipsec_tun_sa_find(itd, IPSEC_TUN_DIR_IN, spi) && ipsec_tun_spi_release(itd, spi);
}

int ipsec_tun_nl_del_sa_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *tb[IPSEC_TUN_SA_A_MAX + 1];
	struct ipsec_tun_dev *itd;
	struct ipsec_tun_sa *sa;
	int ret;

	ret = parse_sa_nest(info, tb);
	if (ret)
		return ret;
	itd = ipsec_tun_nl_dev(info);
	if (IS_ERR(itd))
		return PTR_ERR(itd);
	mutex_lock(&ipsec_tun_config_mutex);
	if (release_reserved(itd, tb)) {
		ret = 0;
	} else {
		sa = find_sa(itd, tb, info->extack);
		if (IS_ERR(sa))
			ret = PTR_ERR(sa);
		else
			ipsec_tun_sa_remove(sa);
	}
	mutex_unlock(&ipsec_tun_config_mutex);
	ipsec_tun_dev_put(itd);
	return ret;
}

static int fill_sa(struct sk_buff *skb, struct ipsec_tun_sa *sa, u32 portid, u32 seq, int flags,
		   struct netlink_callback *cb)
{
	void *hdr;

	hdr = genlmsg_put(skb, portid, seq, &ipsec_tun_genl_family, flags, IPSEC_TUN_CMD_GET_SA);
	if (!hdr)
		return -EMSGSIZE;
	if (cb)
		genl_dump_check_consistent(cb, hdr);
	if (nla_put_u32(skb, IPSEC_TUN_A_IFINDEX, sa->itd->dev->ifindex) ||
	    ipsec_tun_put_sa(skb, sa)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

int ipsec_tun_nl_get_sa_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *tb[IPSEC_TUN_SA_A_MAX + 1];
	struct ipsec_tun_dev *itd;
	struct ipsec_tun_sa *sa;
	struct sk_buff *msg;
	int ret;

	ret = parse_sa_nest(info, tb);
	if (ret)
		return ret;
	itd = ipsec_tun_nl_dev(info);
	if (IS_ERR(itd))
		return PTR_ERR(itd);
	msg = nlmsg_new(ipsec_tun_sa_msg_size(IPSEC_TUN_SA_SEL_MAX), GFP_KERNEL);
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
 * An SA with every selector is larger than a page: make each part of the
 * dump big enough for the largest, as rtnetlink does for links.
 */
int ipsec_tun_nl_get_sa_start(struct netlink_callback *cb)
{
	cb->min_dump_alloc = ipsec_tun_sa_msg_size(IPSEC_TUN_SA_SEL_MAX);
	return 0;
}

static int dump_sas(struct sk_buff *skb, struct netlink_callback *cb, struct ipsec_tun_dev *itd,
		    long *idx)
{
	struct ipsec_tun_sa *sa;

	list_for_each_entry(sa, &itd->sas, dev_node) {
		if ((*idx)++ < cb->args[0])
			continue;
		if (fill_sa(skb, sa, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq, NLM_F_MULTI,
			    cb)) {
			(*idx)--;
			return -EMSGSIZE;
		}
	}
	return 0;
}

int ipsec_tun_nl_get_sa_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	return ipsec_tun_nl_dump(skb, cb, dump_sas, false);
}
