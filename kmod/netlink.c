// SPDX-License-Identifier: GPL-2.0
/*
 * The "ipsec_tun" generic netlink family (uapi/linux/ipsec_tun.h): its
 * commands and permissions, the top-level attribute policy, and the request
 * helpers every command shares (which device, addresses, families). The
 * commands themselves live by object in netlink_dev.c, netlink_sa.c and
 * netlink_policy.c; events are sent by events.c.
 *
 * Strict attribute policies, CAP_NET_ADMIN in the netns's user namespace
 * for every change, extack messages, and dumps that never contain key
 * material and are flagged NLM_F_DUMP_INTR when the configuration changed
 * meanwhile. Every command runs under ipsec_tun_config_mutex (taken by the
 * handlers, never by the packet paths).
 */
#include <net/genetlink.h>
#include <net/sock.h>
#include "compat.h"
#include "netlink.h"
#include "events.h"

static const struct nla_policy ipsec_tun_policy[IPSEC_TUN_A_MAX + 1] = {
	[IPSEC_TUN_A_IFINDEX] = { .type = NLA_U32 },
	[IPSEC_TUN_A_IFNAME] = { .type = NLA_NUL_STRING, .len = IFNAMSIZ - 1 },
	[IPSEC_TUN_A_ENCAP_FD] = { .type = NLA_S32 },
	[IPSEC_TUN_A_SA] = NLA_POLICY_NESTED(ipsec_tun_sa_nl_policy),
	[IPSEC_TUN_A_POLICY] = NLA_POLICY_NESTED(ipsec_tun_sel_nl_policy),
	[IPSEC_TUN_A_MTU] = { .type = NLA_REJECT },
	[IPSEC_TUN_A_STATS] = { .type = NLA_REJECT },
};

int ipsec_tun_nl_addr(const struct nlattr *a, u16 family, union ipsec_tun_addr *out,
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

int ipsec_tun_nl_family(const struct nlattr *a, u16 *family, struct netlink_ext_ack *extack)
{
	*family = nla_get_u16(a);
	if (*family != AF_INET && *family != AF_INET6) {
		NL_SET_ERR_MSG_ATTR(extack, a, "family must be AF_INET or AF_INET6");
		return -EAFNOSUPPORT;
	}
	return 0;
}

/* The device named by IFINDEX or IFNAME in the caller's netns; referenced. */
struct ipsec_tun_dev *ipsec_tun_nl_dev(struct genl_info *info)
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

/*
 * A dump's optional device filter: NULL with *filtered false when the dump
 * covers the whole netns, NULL with *filtered true when the device asked
 * for does not exist; otherwise referenced.
 */
struct ipsec_tun_dev *ipsec_tun_nl_dump_dev(struct netlink_callback *cb, bool *filtered)
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

static const struct genl_ops ipsec_tun_ops[] = {
	{
		.cmd = IPSEC_TUN_CMD_GET_DEV,
		.doit = ipsec_tun_nl_get_dev_doit,
		.dumpit = ipsec_tun_nl_get_dev_dumpit,
	},
	{
		.cmd = IPSEC_TUN_CMD_NEW_SA,
		.doit = ipsec_tun_nl_new_sa_doit,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = IPSEC_TUN_CMD_UPD_SA,
		.doit = ipsec_tun_nl_upd_sa_doit,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = IPSEC_TUN_CMD_DEL_SA,
		.doit = ipsec_tun_nl_del_sa_doit,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = IPSEC_TUN_CMD_GET_SA,
		.doit = ipsec_tun_nl_get_sa_doit,
		.dumpit = ipsec_tun_nl_get_sa_dumpit,
	},
	{
		.cmd = IPSEC_TUN_CMD_FLUSH,
		.doit = ipsec_tun_nl_flush_doit,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = IPSEC_TUN_CMD_NEW_POLICY,
		.doit = ipsec_tun_nl_new_policy_doit,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = IPSEC_TUN_CMD_DEL_POLICY,
		.doit = ipsec_tun_nl_del_policy_doit,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = IPSEC_TUN_CMD_GET_POLICY,
		.dumpit = ipsec_tun_nl_get_policy_dumpit,
	},
	{
		.cmd = IPSEC_TUN_CMD_SET_ENCAP,
		.doit = ipsec_tun_nl_set_encap_doit,
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
	int ret = genl_register_family(&ipsec_tun_genl_family);

	if (!ret)
		ipsec_tun_events_start(&ipsec_tun_genl_family);
	return ret;
}

void ipsec_tun_genl_uninit(void)
{
	ipsec_tun_events_stop();
	genl_unregister_family(&ipsec_tun_genl_family);
}
