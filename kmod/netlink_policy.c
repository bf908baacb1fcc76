// SPDX-License-Identifier: GPL-2.0
/*
 * Policy commands of the "ipsec_tun" family (NEW_POLICY, DEL_POLICY,
 * GET_POLICY) and the selector nest they share with SAs' SEL.
 */
#include <net/genetlink.h>
#include "netlink.h"
#include "attrs.h"
#include "policy.h"
#include "netns_limits.h"

const struct nla_policy ipsec_tun_sel_nl_policy[IPSEC_TUN_POL_A_MAX + 1] = {
	[IPSEC_TUN_POL_A_FAMILY] = { .type = NLA_U16 },
	/* 4 or 16 by FAMILY (checked in ipsec_tun_nl_sel()), prefixes likewise. */
	[IPSEC_TUN_POL_A_SRC] = NLA_POLICY_RANGE(NLA_BINARY, 4, 16),
	[IPSEC_TUN_POL_A_SRC_PLEN] = NLA_POLICY_MAX(NLA_U8, 128),
	[IPSEC_TUN_POL_A_DST] = NLA_POLICY_RANGE(NLA_BINARY, 4, 16),
	[IPSEC_TUN_POL_A_DST_PLEN] = NLA_POLICY_MAX(NLA_U8, 128),
	[IPSEC_TUN_POL_A_PROTO] = { .type = NLA_U8 },
	[IPSEC_TUN_POL_A_SPORT_MIN] = { .type = NLA_U16 },
	[IPSEC_TUN_POL_A_SPORT_MAX] = { .type = NLA_U16 },
	[IPSEC_TUN_POL_A_DPORT_MIN] = { .type = NLA_U16 },
	[IPSEC_TUN_POL_A_DPORT_MAX] = { .type = NLA_U16 },
	[IPSEC_TUN_POL_A_REQID] = { .type = NLA_U32 },
	[IPSEC_TUN_POL_A_PRIORITY] = { .type = NLA_U32 },
};

static u16 get_u16_or(const struct nlattr *a, u16 dflt)
{
	return a ? nla_get_u16(a) : dflt;
}

/* reqid (required when given) and priority (default 0) are policy-only. */
int ipsec_tun_nl_sel(const struct nlattr *nest, struct ipsec_tun_selector *sel, u32 *reqid,
		     u32 *priority, struct netlink_ext_ack *extack)
{
	struct nlattr *tb[IPSEC_TUN_POL_A_MAX + 1];
	int ret;

	ret = nla_parse_nested(tb, IPSEC_TUN_POL_A_MAX, nest, ipsec_tun_sel_nl_policy, extack);
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
	ret = ipsec_tun_nl_family(tb[IPSEC_TUN_POL_A_FAMILY], &sel->family, extack) ?:
	      ipsec_tun_nl_addr(tb[IPSEC_TUN_POL_A_SRC], sel->family, &sel->src, extack) ?:
	      ipsec_tun_nl_addr(tb[IPSEC_TUN_POL_A_DST], sel->family, &sel->dst, extack);
	if (ret)
		return ret;
	sel->src_plen = nla_get_u8(tb[IPSEC_TUN_POL_A_SRC_PLEN]);
	sel->dst_plen = nla_get_u8(tb[IPSEC_TUN_POL_A_DST_PLEN]);
	sel->proto = tb[IPSEC_TUN_POL_A_PROTO] ? nla_get_u8(tb[IPSEC_TUN_POL_A_PROTO]) : 0;
	sel->sport_min = get_u16_or(tb[IPSEC_TUN_POL_A_SPORT_MIN], 0);
	sel->sport_max = get_u16_or(tb[IPSEC_TUN_POL_A_SPORT_MAX], 0xffff);
	sel->dport_min = get_u16_or(tb[IPSEC_TUN_POL_A_DPORT_MIN], 0);
	sel->dport_max = get_u16_or(tb[IPSEC_TUN_POL_A_DPORT_MAX], 0xffff);
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

static int policy_doit(struct genl_info *info, bool add)
{
	struct ipsec_tun_selector sel;
	struct ipsec_tun_dev *itd;
	u32 reqid = 0, priority;
	int ret;

	if (!info->attrs[IPSEC_TUN_A_POLICY]) {
		GENL_SET_ERR_MSG(info, "POLICY nest required");
		return -EINVAL;
	}
	ret = ipsec_tun_nl_sel(info->attrs[IPSEC_TUN_A_POLICY], &sel, add ? &reqid : NULL,
			       &priority, info->extack);
	if (ret)
		return ret;
	itd = ipsec_tun_nl_dev(info);
	if (IS_ERR(itd))
		return PTR_ERR(itd);
	mutex_lock(&ipsec_tun_config_mutex);
	if (itd->dead)
		ret = -ENODEV;
	else if (add)
		ret = ipsec_tun_limit_policy(dev_net(itd->dev), info->extack) ?:
		      ipsec_tun_policy_add(itd, &sel, reqid, priority, info->extack);
	else
		ret = ipsec_tun_policy_del(itd, &sel, priority);
	mutex_unlock(&ipsec_tun_config_mutex);
	if (ret == -ENOENT)
		GENL_SET_ERR_MSG(info, "no policy with this selector and priority");
	ipsec_tun_dev_put(itd);
	return ret;
}

int ipsec_tun_nl_new_policy_doit(struct sk_buff *skb, struct genl_info *info)
{
	return policy_doit(info, true);
}

int ipsec_tun_nl_del_policy_doit(struct sk_buff *skb, struct genl_info *info)
{
	return policy_doit(info, false);
}

static int fill_policy(struct sk_buff *skb, struct ipsec_tun_dev *itd,
		       struct ipsec_tun_policy *pol, struct netlink_callback *cb)
{
	void *hdr;

	hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			  &ipsec_tun_genl_family, NLM_F_MULTI, IPSEC_TUN_CMD_GET_POLICY);
	if (!hdr)
		return -EMSGSIZE;
	genl_dump_check_consistent(cb, hdr);
	if (nla_put_u32(skb, IPSEC_TUN_A_IFINDEX, itd->dev->ifindex) ||
	    ipsec_tun_put_sel(skb, IPSEC_TUN_A_POLICY, &pol->sel, &pol->reqid, &pol->priority)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

static int dump_policies(struct sk_buff *skb, struct netlink_callback *cb,
			 struct ipsec_tun_dev *itd, long *idx)
{
	struct ipsec_tun_policy_class *cls;
	struct ipsec_tun_policy *pol;

	ipsec_tun_for_each_policy(itd, cls, pol) {
		if ((*idx)++ < cb->args[0])
			continue;
		if (fill_policy(skb, itd, pol, cb)) {
			(*idx)--;
			return -EMSGSIZE;
		}
	}
	return 0;
}

int ipsec_tun_nl_get_policy_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	return ipsec_tun_nl_dump(skb, cb, dump_policies, false);
}
