// SPDX-License-Identifier: GPL-2.0
/*
 * Device commands of the "ipsec_tun" family: GET_DEV, SET_DEV, FLUSH, SET_ENCAP.
 */
#include <net/genetlink.h>
#include <net/net_namespace.h>
#include "netlink.h"
#include "attrs.h"
#include "sa.h"
#include "spi_hold.h"
#include "policy.h"
#include "encap.h"

/*
 * One GET_DEV entry as @net (the caller's netns) sees it: NETNSID when the
 * device lives elsewhere (created in @net and moved out), LINK_NETNSID
 * when its underlay is another netns than the one it lives in.
 */
static int fill_dev(struct sk_buff *skb, struct net *net, struct ipsec_tun_dev *itd, u32 portid,
		    u32 seq, int flags, struct netlink_callback *cb)
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
	    nla_put_u32(skb, IPSEC_TUN_A_SPI_RESERVED, data_race(itd->holds.count)) ||
	    (itd->encap_port && nla_put_u16(skb, IPSEC_TUN_A_ENCAP_PORT, itd->encap_port)) ||
	    (itd->mss_clamp && nla_put_u16(skb, IPSEC_TUN_A_MSS_CLAMP, itd->mss_clamp)) ||
	    ipsec_tun_put_stats(skb, IPSEC_TUN_A_STATS, itd->stats))
		goto cancel;
	if (itd->underlay && !net_eq(itd->underlay, dev_net(dev)) &&
	    nla_put_s32(skb, IPSEC_TUN_A_LINK_NETNSID,
			peernet2id_alloc(dev_net(dev), itd->underlay, GFP_KERNEL)))
		goto cancel;
	if (!net_eq(dev_net(dev), net) &&
	    nla_put_s32(skb, IPSEC_TUN_A_NETNSID, peernet2id_alloc(net, dev_net(dev), GFP_KERNEL)))
		goto cancel;
	genlmsg_end(skb, hdr);
	return 0;
cancel:
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
}

int ipsec_tun_nl_get_dev_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct ipsec_tun_dev *itd = ipsec_tun_nl_dev(info);
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
	ret = fill_dev(msg, genl_info_net(info), itd, info->snd_portid, info->snd_seq, 0, NULL);
	mutex_unlock(&ipsec_tun_config_mutex);
	if (ret)
		nlmsg_free(msg);
	else
		ret = genlmsg_reply(msg, info);
out:
	ipsec_tun_dev_put(itd);
	return ret;
}

static int dump_dev(struct sk_buff *skb, struct netlink_callback *cb, struct ipsec_tun_dev *itd,
		    long *idx)
{
	if ((*idx)++ < cb->args[0])
		return 0;
	if (fill_dev(skb, sock_net(cb->skb->sk), itd, NETLINK_CB(cb->skb).portid,
		     cb->nlh->nlmsg_seq, NLM_F_MULTI, cb)) {
		(*idx)--;
		return -EMSGSIZE;
	}
	return 0;
}

int ipsec_tun_nl_get_dev_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	/* The underlay's operator sees the devices moved out of it, with NETNSID. */
	return ipsec_tun_nl_dump(skb, cb, dump_dev, true);
}

int ipsec_tun_nl_flush_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct ipsec_tun_dev *itd = ipsec_tun_nl_dev(info);

	if (IS_ERR(itd))
		return PTR_ERR(itd);
	mutex_lock(&ipsec_tun_config_mutex);
	ipsec_tun_sa_flush_dev(itd);
	ipsec_tun_spi_holds_flush(itd);	/* the SAs that never came */
	ipsec_tun_policy_flush_dev(itd);
	mutex_unlock(&ipsec_tun_config_mutex);
	ipsec_tun_dev_put(itd);
	return 0;
}

/* Attach (ENCAP_FD >= 0) or detach (-1) the device's NAT-T socket. */
int ipsec_tun_nl_set_encap_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct ipsec_tun_dev *itd;
	int ret;

	if (GENL_REQ_ATTR_CHECK(info, IPSEC_TUN_A_ENCAP_FD))
		return -EINVAL;
	itd = ipsec_tun_nl_dev(info);
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

/* Device settings: MSS_CLAMP (mss_clamp.c). */
int ipsec_tun_nl_set_dev_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *a = info->attrs[IPSEC_TUN_A_MSS_CLAMP];
	struct ipsec_tun_dev *itd;
	u16 clamp;

	if (GENL_REQ_ATTR_CHECK(info, IPSEC_TUN_A_MSS_CLAMP))
		return -EINVAL;
	clamp = nla_get_u16(a);
	if (clamp && clamp < IPSEC_TUN_MSS_CLAMP_MIN) {
		NL_SET_ERR_MSG_ATTR(info->extack, a, "MSS_CLAMP must be 0 (off) or at least 536");
		return -EINVAL;
	}
	itd = ipsec_tun_nl_dev(info);
	if (IS_ERR(itd))
		return PTR_ERR(itd);
	mutex_lock(&ipsec_tun_config_mutex);
	WRITE_ONCE(itd->mss_clamp, clamp);
	mutex_unlock(&ipsec_tun_config_mutex);
	ipsec_tun_dev_put(itd);
	return 0;
}
