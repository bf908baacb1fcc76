// SPDX-License-Identifier: GPL-2.0
/*
 * IPSEC_TUN_CMD_ALLOC_SPI: an inbound SPI for a local address, free in our
 * SAD (sa.c's in_table) and in XFRM's, as XFRM_MSG_ALLOCSPI gives one. The
 * daemon asks before each CREATE_CHILD_SA instead of dumping every SA.
 *
 * Without a device nothing is reserved: an SPI taken between ALLOC_SPI and
 * NEW_SA is refused there (-EEXIST) and the caller asks again; with random
 * picks among 2^32 that is as rare as it gets. With a device the SPI is
 * reserved there, as XFRM's larval state, so that ESP arriving for it
 * before NEW_SA is held instead of lost (spi_hold.c).
 */
#include <linux/random.h>
#include <net/genetlink.h>
#include "netlink.h"
#include "sa.h"
#include "spi_hold.h"

/* A range this small is searched fully; a larger one by random tries. */
#define SPI_SCAN_MAX	4096
#define SPI_TRIES	64

/* Config mutex held. True: *spi is free in net (and on itd if given). */
static bool spi_free(struct net *net, struct ipsec_tun_dev *itd, u32 spi, u16 family,
		     const union ipsec_tun_addr *daddr)
{
	struct ipsec_tun_sad_key key = {
		.net = net, .spi = spi, .family = family, .daddr = *daddr,
	};

	if (itd && ipsec_tun_sa_find(itd, IPSEC_TUN_DIR_IN, spi))
		return false;
	return !ipsec_tun_sa_spi_taken(net, spi, family, daddr) && !ipsec_tun_spi_is_reserved(&key);
}

static int pick_spi(struct net *net, struct ipsec_tun_dev *itd, u32 min, u32 max, u16 family,
		    const union ipsec_tun_addr *daddr, u32 *spi)
{
	u32 n = max - min + 1;	/* min >= 256: no overflow */
	u32 start = reciprocal_scale(get_random_u32(), n), i;

	if (n <= SPI_SCAN_MAX) {
		for (i = 0; i < n; i++) {
			*spi = min + (start + i) % n;
			if (spi_free(net, itd, *spi, family, daddr))
				return 0;
		}
		return -ENOSPC;
	}
	for (i = 0; i < SPI_TRIES; i++) {
		*spi = min + reciprocal_scale(get_random_u32(), n);
		if (spi_free(net, itd, *spi, family, daddr))
			return 0;
	}
	return -ENOSPC;
}

/* Config mutex held. ESP for it is held until NEW_SA (spi_hold.c). */
static int reserve_spi(struct ipsec_tun_dev *itd, struct net *net, u32 spi, u16 family,
		       const union ipsec_tun_addr *daddr, struct netlink_ext_ack *extack)
{
	struct ipsec_tun_sad_key key = {
		.net = net, .spi = spi, .family = family, .daddr = *daddr,
	};

	return ipsec_tun_spi_reserve(itd, &key, extack);
}

static int alloc_spi_reply(struct genl_info *info, u32 spi)
{
	struct sk_buff *msg;
	struct nlattr *nest;
	void *hdr;

	msg = genlmsg_new(nla_total_size(nla_total_size(sizeof(u32))), GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &ipsec_tun_genl_family, 0, IPSEC_TUN_CMD_ALLOC_SPI);
	if (!hdr)
		goto nospace;
	nest = nla_nest_start(msg, IPSEC_TUN_A_SA);
	if (!nest || nla_put_u32(msg, IPSEC_TUN_SA_A_SPI, spi))
		goto nospace;
	nla_nest_end(msg, nest);
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
nospace:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

int ipsec_tun_nl_alloc_spi_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *tb[IPSEC_TUN_SA_A_MAX + 1], **attrs = info->attrs;
	struct netlink_ext_ack *extack = info->extack;
	struct ipsec_tun_dev *itd = NULL;
	u32 min = 256, max = U32_MAX, spi = 0;
	union ipsec_tun_addr daddr;
	struct net *net;
	u16 family;
	int ret;

	if (!attrs[IPSEC_TUN_A_SA]) {
		NL_SET_ERR_MSG(extack, "SA nest with FAMILY and DST required");
		return -EINVAL;
	}
	ret = nla_parse_nested(tb, IPSEC_TUN_SA_A_MAX, attrs[IPSEC_TUN_A_SA],
			       ipsec_tun_sa_nl_policy, extack);
	if (ret)
		return ret;
	if (!tb[IPSEC_TUN_SA_A_FAMILY] || !tb[IPSEC_TUN_SA_A_DST]) {
		NL_SET_ERR_MSG_ATTR(extack, attrs[IPSEC_TUN_A_SA], "SA nest needs FAMILY and DST");
		return -EINVAL;
	}
	ret = ipsec_tun_nl_family(tb[IPSEC_TUN_SA_A_FAMILY], &family, extack) ?:
	      ipsec_tun_nl_addr(tb[IPSEC_TUN_SA_A_DST], family, &daddr, extack);
	if (ret)
		return ret;
	if (attrs[IPSEC_TUN_A_SPI_MIN])
		min = nla_get_u32(attrs[IPSEC_TUN_A_SPI_MIN]);
	if (attrs[IPSEC_TUN_A_SPI_MAX])
		max = nla_get_u32(attrs[IPSEC_TUN_A_SPI_MAX]);
	if (min > max) {
		NL_SET_ERR_MSG_ATTR(extack, attrs[IPSEC_TUN_A_SPI_MIN], "SPI_MIN above SPI_MAX");
		return -EINVAL;
	}
	if (attrs[IPSEC_TUN_A_IFINDEX] || attrs[IPSEC_TUN_A_IFNAME]) {
		itd = ipsec_tun_nl_dev(info);
		if (IS_ERR(itd))
			return PTR_ERR(itd);
	}

	mutex_lock(&ipsec_tun_config_mutex);
	/* The device's underlay: where its inbound SAs are looked up. */
	net = itd ? itd->underlay : genl_info_net(info);
	if (!net) {
		NL_SET_ERR_MSG(extack, "the device's underlay netns is gone");
		ret = -ENODEV;
	} else {
		ret = pick_spi(net, itd, min, max, family, &daddr, &spi);
		if (ret)
			NL_SET_ERR_MSG(extack, "no free SPI in the range");
		else if (itd)
			ret = reserve_spi(itd, net, spi, family, &daddr, extack);
	}
	mutex_unlock(&ipsec_tun_config_mutex);
	if (itd)
		ipsec_tun_dev_put(itd);
	return ret ?: alloc_spi_reply(info, spi);
}
