// SPDX-License-Identifier: GPL-2.0
/*
 * rtnetlink link details of an ipsecN device (IFLA_INFO_DATA, kind
 * "ipsec"): what `ip -d link` and RTM_GETLINK readers learn of its
 * configuration. Attributes: enum ipsec_tun_link_attr in the uapi header.
 *
 * Locking: called under rtnl (or RCU for unlocked link dumps), never with
 * the config mutex, which writers hold: the values are read once each
 * without it, a snapshot that may be one change behind. Counters and the
 * encap port are plain ints written under the config mutex, the reserved
 * SPIs' count under the device's holds lock, dev->threaded (a bitfield on
 * 6.1) under rtnl (data_race()).
 */
#include <net/rtnetlink.h>
#include "device.h"
#include "mss_clamp.h"

size_t ipsec_tun_link_get_size(const struct net_device *dev)
{
	return nla_total_size(sizeof(u16)) * 4 +	/* MSS_CLAMP, MSS_V4, MSS_V6, ENCAP_PORT */
	       nla_total_size(sizeof(u32)) * 4 +	/* SA_COUNT, POLICY_COUNT, CRYPT_QUEUES, SPI_RESERVED */
	       nla_total_size(sizeof(u8)) +		/* THREADED */
	       nla_total_size(0);			/* UNDERLAY_GONE */
}

int ipsec_tun_link_fill_info(struct sk_buff *skb, const struct net_device *dev)
{
	const struct ipsec_tun_dev *itd = netdev_priv(dev);
	unsigned int clamp = READ_ONCE(itd->mss_clamp);
	unsigned int mtu = READ_ONCE(dev->mtu);

	if (nla_put_u16(skb, IFLA_IPSEC_TUN_MSS_CLAMP, clamp) ||
	    nla_put_u16(skb, IFLA_IPSEC_TUN_MSS_V4, ipsec_tun_mss_max(clamp, mtu, false)) ||
	    nla_put_u16(skb, IFLA_IPSEC_TUN_MSS_V6, ipsec_tun_mss_max(clamp, mtu, true)) ||
	    nla_put_u16(skb, IFLA_IPSEC_TUN_ENCAP_PORT, data_race(itd->encap_port)) ||
	    nla_put_u32(skb, IFLA_IPSEC_TUN_SA_COUNT, data_race(itd->sa_count)) ||
	    nla_put_u32(skb, IFLA_IPSEC_TUN_POLICY_COUNT, data_race(itd->policy_count)) ||
	    nla_put_u32(skb, IFLA_IPSEC_TUN_CRYPT_QUEUES, READ_ONCE(itd->ncryptq)) ||
	    nla_put_u32(skb, IFLA_IPSEC_TUN_SPI_RESERVED, data_race(itd->holds.count)) ||
	    nla_put_u8(skb, IFLA_IPSEC_TUN_THREADED, data_race(!!dev->threaded)) ||
	    (!READ_ONCE(itd->underlay) && nla_put_flag(skb, IFLA_IPSEC_TUN_UNDERLAY_GONE)))
		return -EMSGSIZE;
	return 0;
}
