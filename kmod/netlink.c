// SPDX-License-Identifier: GPL-2.0
/*
 * The "ipsec_tun" generic netlink family (uapi/linux/ipsec_tun.h): its
 * commands and permissions, the top-level attribute policy, and the request
 * helpers every command shares (which device, addresses, families). The
 * commands themselves live by object in netlink_dev.c, netlink_sa.c and
 * netlink_policy.c; events are sent by events.c.
 *
 * Strict attribute policies, CAP_NET_ADMIN in the netns's user namespace
 * for every command and the events group, extack messages, and dumps that never contain key
 * material and are flagged NLM_F_DUMP_INTR when the configuration changed
 * meanwhile. Every command runs under ipsec_tun_config_mutex (taken by the
 * handlers, never by the packet paths).
 */
#include <net/genetlink.h>
#include <net/sock.h>
#include "compat.h"
#include "netlink.h"
#include "events.h"

/*
 * Interface indexes are positive ints; 0 means "none" to the kernel. Not
 * const: 6.1's struct nla_policy points to a mutable range.
 */
static struct netlink_range_validation ifindex_range = {
	.min = 1,
	.max = INT_MAX,
};

/*
 * Request attributes only; the ones a reply or an event carries are
 * refused (NLA_REJECT, or absent here: strict validation refuses those).
 */
static const struct nla_policy ipsec_tun_policy[IPSEC_TUN_A_MAX + 1] = {
	[IPSEC_TUN_A_IFINDEX] = NLA_POLICY_FULL_RANGE(NLA_U32, &ifindex_range),
	[IPSEC_TUN_A_IFNAME] = { .type = NLA_NUL_STRING, .len = IFNAMSIZ - 1 },
	[IPSEC_TUN_A_ENCAP_FD] = NLA_POLICY_MIN(NLA_S32, -1),	/* -1: detach */
	[IPSEC_TUN_A_SA] = NLA_POLICY_NESTED(ipsec_tun_sa_nl_policy),
	[IPSEC_TUN_A_POLICY] = NLA_POLICY_NESTED(ipsec_tun_sel_nl_policy),
	[IPSEC_TUN_A_MTU] = { .type = NLA_REJECT },
	[IPSEC_TUN_A_STATS] = { .type = NLA_REJECT },
	[IPSEC_TUN_A_SPI_MIN] = NLA_POLICY_MIN(NLA_U32, 256),
	[IPSEC_TUN_A_SPI_MAX] = NLA_POLICY_MIN(NLA_U32, 256),
	[IPSEC_TUN_A_MSS_CLAMP] = { .type = NLA_U16 },	/* 1..535 refused by SET_DEV */
	[IPSEC_TUN_A_NETNS_FD] = NLA_POLICY_MIN(NLA_S32, 0),
	[IPSEC_TUN_A_NETNSID] = { .type = NLA_REJECT },
	[IPSEC_TUN_A_SPI_RESERVED] = { .type = NLA_REJECT },
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

/*
 * "dev" named in the netns whose fd NETNS_FD is (the device's current
 * netns, as the caller names it): only there, and only a device of the
 * caller's netns or created in it (ipsec_tun_dev_get_in()).
 */
static struct ipsec_tun_dev *lookup_dev_in(struct net *net, struct nlattr **attrs,
					   struct netlink_ext_ack *extack)
{
	struct nlattr *fd_attr = attrs[IPSEC_TUN_A_NETNS_FD];
	struct ipsec_tun_dev *itd;
	struct net *where;

	where = get_net_ns_by_fd(nla_get_s32(fd_attr));
	if (IS_ERR(where)) {
		NL_SET_ERR_MSG_ATTR(extack, fd_attr, "not a network namespace file descriptor");
		return ERR_CAST(where);
	}
	if (attrs[IPSEC_TUN_A_IFINDEX])
		itd = ipsec_tun_dev_get_in(net, where, nla_get_u32(attrs[IPSEC_TUN_A_IFINDEX]), NULL);
	else
		itd = ipsec_tun_dev_get_in(net, where, 0, nla_data(attrs[IPSEC_TUN_A_IFNAME]));
	put_net(where);
	if (!itd) {
		NL_SET_ERR_MSG(extack, "no ipsec device of this netns by that name in NETNS_FD's netns");
		return ERR_PTR(-ENODEV);
	}
	return itd;
}

/*
 * "dev" of a request: IFINDEX (1..INT_MAX, the policy saw to it) if given,
 * else IFNAME (NUL-terminated, the policy saw to it), in the netns of the
 * caller's socket, or in NETNS_FD's netns when given. Returns the device
 * referenced, NULL when neither IFINDEX nor IFNAME is present,
 * ERR_PTR(-ENODEV) when it is not an ipsec device of that netns. The one
 * place a request's device is resolved.
 */
static struct ipsec_tun_dev *lookup_dev(struct net *net, struct nlattr **attrs,
					struct netlink_ext_ack *extack)
{
	struct ipsec_tun_dev *itd;

	if (!attrs[IPSEC_TUN_A_IFINDEX] && !attrs[IPSEC_TUN_A_IFNAME]) {
		if (attrs[IPSEC_TUN_A_NETNS_FD]) {
			NL_SET_ERR_MSG_ATTR(extack, attrs[IPSEC_TUN_A_NETNS_FD],
					    "NETNS_FD needs IFINDEX or IFNAME");
			return ERR_PTR(-EINVAL);
		}
		return NULL;
	}
	if (attrs[IPSEC_TUN_A_NETNS_FD])
		return lookup_dev_in(net, attrs, extack);
	if (attrs[IPSEC_TUN_A_IFINDEX])
		itd = ipsec_tun_dev_get_by_index(net, nla_get_u32(attrs[IPSEC_TUN_A_IFINDEX]));
	else
		itd = ipsec_tun_dev_get_by_name(net, nla_data(attrs[IPSEC_TUN_A_IFNAME]));
	if (!itd) {
		NL_SET_ERR_MSG(extack, "no such ipsec device in this netns");
		return ERR_PTR(-ENODEV);
	}
	return itd;
}

/* The device a command acts on (required); referenced. */
struct ipsec_tun_dev *ipsec_tun_nl_dev(struct genl_info *info)
{
	struct ipsec_tun_dev *itd = lookup_dev(genl_info_net(info), info->attrs, info->extack);

	if (!itd) {
		GENL_SET_ERR_MSG(info, "IFINDEX or IFNAME required");
		return ERR_PTR(-EINVAL);
	}
	return itd;
}

/*
 * A dump's optional device filter: NULL when the dump covers the whole
 * netns, an ERR_PTR when the device asked for is not there, otherwise the
 * device, referenced.
 */
struct ipsec_tun_dev *ipsec_tun_nl_dump_dev(struct netlink_callback *cb)
{
	struct nlattr **attrs = ipsec_tun_dump_attrs(cb);

	if (!attrs)
		return NULL;
	return lookup_dev(sock_net(cb->skb->sk), attrs, cb->extack);
}

int ipsec_tun_nl_dump(struct sk_buff *skb, struct netlink_callback *cb,
		      ipsec_tun_nl_dump_dev_fn dump_dev, bool moved_out)
{
	struct net *net = sock_net(skb->sk);
	struct ipsec_tun_dev *itd, *only;
	long idx = 0;
	int ret = 0;

	only = ipsec_tun_nl_dump_dev(cb);
	if (IS_ERR(only))
		return PTR_ERR(only);
	mutex_lock(&ipsec_tun_config_mutex);
	cb->seq = atomic_read(&ipsec_tun_generation);
	list_for_each_entry(itd, &ipsec_tun_devices, dev_node) {
		if (only ? itd != only :
			   !net_eq(dev_net(itd->dev), net) && !(moved_out && itd->underlay == net))
			continue;
		ret = dump_dev(skb, cb, itd, &idx);
		if (ret)
			break;
	}
	mutex_unlock(&ipsec_tun_config_mutex);
	if (only)
		ipsec_tun_dev_put(only);
	cb->args[0] = idx;
	if (ret && !skb->len) {
		NL_SET_ERR_MSG(cb->extack, "dump entry larger than a netlink message");
		return ret;
	}
	return skb->len;
}

/*
 * Every command, reads and dumps included, needs CAP_NET_ADMIN in the user
 * namespace owning the caller's netns (the netns whose devices it names),
 * as XFRM does: SPIs, peers, counters and policies are not for every user,
 * and a user namespace's root acts only on the netns it owns.
 */
static const struct genl_ops ipsec_tun_ops[] = {
	{
		.cmd = IPSEC_TUN_CMD_GET_DEV,
		.doit = ipsec_tun_nl_get_dev_doit,
		.dumpit = ipsec_tun_nl_get_dev_dumpit,
		.flags = GENL_UNS_ADMIN_PERM,
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
		.start = ipsec_tun_nl_get_sa_start,
		.dumpit = ipsec_tun_nl_get_sa_dumpit,
		.flags = GENL_UNS_ADMIN_PERM,
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
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = IPSEC_TUN_CMD_SET_ENCAP,
		.doit = ipsec_tun_nl_set_encap_doit,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = IPSEC_TUN_CMD_ALLOC_SPI,
		.doit = ipsec_tun_nl_alloc_spi_doit,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = IPSEC_TUN_CMD_SET_DEV,
		.doit = ipsec_tun_nl_set_dev_doit,
		.flags = GENL_UNS_ADMIN_PERM,
	},
};

/*
 * Events carry ACQUIRE 5-tuples, SPIs and counters: joining needs the same
 * CAP_NET_ADMIN, which genetlink checks at bind time in the user namespace
 * owning the joining socket's netns (GENL_MCAST_CAP_NET_ADMIN: 6.1, where
 * it was backported, and 6.12 alike).
 */
static const struct genl_multicast_group ipsec_tun_mcgrps[] = {
	{ .name = IPSEC_TUN_MCGRP_EVENTS, .flags = GENL_MCAST_CAP_NET_ADMIN },
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
