// SPDX-License-Identifier: GPL-2.0
/*
 * ipsecN net_devices: creation (module load and `ip link add type ipsec`),
 * netns handling, counters and teardown.
 *
 * Locking: rtnl is taken before ipsec_tun_config_mutex when both are needed
 * (ndo_uninit runs under rtnl and takes the config mutex).
 */
#include <linux/module.h>
#include <linux/if_arp.h>
#include <net/ip.h>
#include <net/rtnetlink.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>
#include "device.h"
#include "sa.h"
#include "spi_hold.h"
#include "policy.h"
#include "encap.h"
#include "cryptq.h"
#include "esp.h"
#include "compat.h"
#include "netns_limits.h"

static unsigned int nr_devs = 1;
module_param(nr_devs, uint, 0444);
MODULE_PARM_DESC(nr_devs, "ipsecN devices created in the initial netns at load (default 1)");

DEFINE_MUTEX(ipsec_tun_config_mutex);
LIST_HEAD(ipsec_tun_devices);
atomic_t ipsec_tun_live_devs = ATOMIC_INIT(0);
atomic_t ipsec_tun_generation = ATOMIC_INIT(1);

/*
 * Live object counters for leak checks, readable at
 * /sys/module/ipsec_tun/parameters/live_{devs,sas,policies}.
 */
static int live_get(char *buffer, const struct kernel_param *kp)
{
	return sysfs_emit(buffer, "%d\n", atomic_read((atomic_t *)kp->arg));
}

static const struct kernel_param_ops live_ops = {
	.get = live_get,
};

module_param_cb(live_devs, &live_ops, &ipsec_tun_live_devs, 0444);
MODULE_PARM_DESC(live_devs, "ipsec devices alive (leak check)");
module_param_cb(live_sas, &live_ops, &ipsec_tun_live_sas, 0444);
MODULE_PARM_DESC(live_sas, "SAs allocated and not yet freed (leak check)");
module_param_cb(live_policies, &live_ops, &ipsec_tun_live_policies, 0444);
MODULE_PARM_DESC(live_policies, "policies allocated and not yet freed (leak check)");
module_param_cb(live_held, &live_ops, &ipsec_tun_live_held, 0444);
MODULE_PARM_DESC(live_held, "ESP packets held for reserved SPIs (leak check)");

static struct rtnl_link_ops ipsec_tun_link_ops;

static int ipsec_tun_dev_init(struct net_device *dev)
{
	struct ipsec_tun_dev *itd = netdev_priv(dev);

	itd->stats = alloc_percpu_gfp(struct ipsec_tun_stats, GFP_KERNEL_ACCOUNT);
	if (!itd->stats)
		return -ENOMEM;
	if (ipsec_tun_policy_table_init(itd))
		goto err_stats;
	if (ipsec_tun_cryptq_init(itd, ipsec_tun_rxq_poll, ipsec_tun_txq_poll))
		goto err_policy;
	mutex_lock(&ipsec_tun_config_mutex);
	list_add_tail(&itd->dev_node, &ipsec_tun_devices);
	atomic_inc(&ipsec_tun_generation);
	mutex_unlock(&ipsec_tun_config_mutex);
	atomic_inc(&ipsec_tun_live_devs);
	netdev_dbg(dev, "created (underlay netns %u)\n", itd->underlay->ns.inum);
	return 0;

err_policy:
	ipsec_tun_policy_table_destroy(itd);
err_stats:
	free_percpu(itd->stats);
	itd->stats = NULL;
	return -ENOMEM;
}

/*
 * Called by unregister_netdevice() under rtnl. After this no SA or policy
 * of the device is reachable from the tables; packets already holding an SA
 * reference finish and drop it, and each SA holds a device reference, so
 * netdev_run_todo() waits for them before the device is freed.
 */
static void ipsec_tun_dev_uninit(struct net_device *dev)
{
	struct ipsec_tun_dev *itd = netdev_priv(dev);

	mutex_lock(&ipsec_tun_config_mutex);
	itd->dead = true;
	ipsec_tun_encap_detach(itd);
	ipsec_tun_sa_flush_dev(itd);
	ipsec_tun_spi_holds_flush(itd);	/* the SAs that never came */
	ipsec_tun_policy_flush_dev(itd);
	list_del(&itd->dev_node);
	atomic_inc(&ipsec_tun_generation);
	mutex_unlock(&ipsec_tun_config_mutex);
}

static void ipsec_tun_dev_destruct(struct net_device *dev)
{
	struct ipsec_tun_dev *itd = netdev_priv(dev);

	ipsec_tun_cryptq_destroy(itd);
	ipsec_tun_policy_table_destroy(itd);
	free_percpu(itd->stats);
	atomic_dec(&ipsec_tun_live_devs);
	pr_debug("ipsec_tun: %s destroyed\n", dev->name);
}

static int ipsec_tun_open(struct net_device *dev)
{
	ipsec_tun_cryptq_start(netdev_priv(dev));
	return 0;
}

static int ipsec_tun_stop(struct net_device *dev)
{
	ipsec_tun_cryptq_stop(netdev_priv(dev));
	return 0;
}

static void ipsec_tun_get_stats64(struct net_device *dev, struct rtnl_link_stats64 *st)
{
	struct ipsec_tun_dev *itd = netdev_priv(dev);
	struct ipsec_tun_stats sum;

	ipsec_tun_stats_sum(itd->stats, &sum);
	st->rx_packets = sum.c[IPSEC_TUN_STAT_RX_PACKETS];
	st->rx_bytes = sum.c[IPSEC_TUN_STAT_RX_BYTES];
	st->tx_packets = sum.c[IPSEC_TUN_STAT_TX_PACKETS];
	st->tx_bytes = sum.c[IPSEC_TUN_STAT_TX_BYTES];
	st->rx_errors = sum.c[IPSEC_TUN_XSTAT_RX_ERRORS];
	st->tx_errors = sum.c[IPSEC_TUN_XSTAT_TX_ERRORS];
	st->rx_crc_errors = sum.c[IPSEC_TUN_STAT_DROP_AUTH];
	/* As ip_tunnel: ECN drops (RFC 6040) count as frame errors. */
	st->rx_frame_errors = sum.c[IPSEC_TUN_STAT_DROP_HEADER] + sum.c[IPSEC_TUN_STAT_DROP_PAD] +
			      sum.c[IPSEC_TUN_STAT_DROP_ECN];
	st->rx_dropped = dev->stats.rx_dropped;
	st->tx_dropped = dev->stats.tx_dropped + sum.c[IPSEC_TUN_XSTAT_TX_DROPPED];
}

static const struct net_device_ops ipsec_tun_netdev_ops = {
	.ndo_init = ipsec_tun_dev_init,
	.ndo_uninit = ipsec_tun_dev_uninit,
	.ndo_open = ipsec_tun_open,
	.ndo_stop = ipsec_tun_stop,
	.ndo_start_xmit = ipsec_tun_xmit,
	.ndo_get_stats64 = ipsec_tun_get_stats64,
};

bool ipsec_tun_is_dev(const struct net_device *dev)
{
	return dev->netdev_ops == &ipsec_tun_netdev_ops;
}

/* RCU read side: dev (may be NULL) referenced if it is one of ours. */
static struct ipsec_tun_dev *hold_if_ours(struct net_device *dev)
{
	if (!dev || !ipsec_tun_is_dev(dev))
		return NULL;
	dev_hold(dev);
	return netdev_priv(dev);
}

/*
 * A device created in @net and moved to another netns, named by its
 * current ifindex (if > 0) or name there. Only for a caller with
 * CAP_NET_ADMIN in @net's user namespace (the daemon that keys it): what
 * lives in the other netns is not shown to anyone else. Two moved devices
 * matching is ambiguous and resolves to none. Config mutex: the device
 * list and itd->underlay; RCU: the name lookup in the device's netns.
 */
static struct ipsec_tun_dev *dev_get_moved(struct net *net, int ifindex, const char *name)
{
	struct ipsec_tun_dev *itd, *found = NULL;

	if (!ns_capable_noaudit(net->user_ns, CAP_NET_ADMIN))
		return NULL;
	mutex_lock(&ipsec_tun_config_mutex);
	rcu_read_lock();
	list_for_each_entry(itd, &ipsec_tun_devices, dev_node) {
		struct net *cur = dev_net(itd->dev);

		if (itd->dead || itd->underlay != net || net_eq(cur, net))
			continue;
		if (ifindex > 0 ? READ_ONCE(itd->dev->ifindex) != ifindex :
				  dev_get_by_name_rcu(cur, name) != itd->dev)
			continue;
		if (found) {
			found = NULL;
			break;
		}
		found = itd;
	}
	if (found)
		dev_hold(found->dev);
	rcu_read_unlock();
	mutex_unlock(&ipsec_tun_config_mutex);
	return found;
}

/*
 * The ipsec device @ifindex of @net; failing that, one created in @net
 * and since moved away (dev_get_moved()). A device of @net itself wins.
 */
struct ipsec_tun_dev *ipsec_tun_dev_get_by_index(struct net *net, int ifindex)
{
	struct ipsec_tun_dev *itd;

	if (ifindex <= 0)
		return NULL;
	rcu_read_lock();
	itd = hold_if_ours(dev_get_by_index_rcu(net, ifindex));
	rcu_read_unlock();
	return itd ?: dev_get_moved(net, ifindex, NULL);
}

/* As ipsec_tun_dev_get_by_index(), by name. */
struct ipsec_tun_dev *ipsec_tun_dev_get_by_name(struct net *net, const char *name)
{
	struct ipsec_tun_dev *itd;

	rcu_read_lock();
	itd = hold_if_ours(dev_get_by_name_rcu(net, name));
	rcu_read_unlock();
	return itd ?: dev_get_moved(net, 0, name);
}

/*
 * The ipsec device named by @ifindex (if > 0) or @name in @where, a netns
 * the caller named explicitly (NETNS_FD), and only if it is @net's own
 * (@where is @net) or was created in @net: a netns fd lets the underlay's
 * daemon say which of its moved devices it means, not reach devices of
 * other netns. No fallback: the device must be in @where.
 */
struct ipsec_tun_dev *ipsec_tun_dev_get_in(struct net *net, struct net *where, int ifindex,
					   const char *name)
{
	struct ipsec_tun_dev *itd;

	rcu_read_lock();
	itd = hold_if_ours(ifindex > 0 ? dev_get_by_index_rcu(where, ifindex) :
					 dev_get_by_name_rcu(where, name));
	rcu_read_unlock();
	if (itd && !net_eq(where, net) && READ_ONCE(itd->underlay) != net) {
		ipsec_tun_dev_put(itd);
		itd = NULL;
	}
	return itd;
}

void ipsec_tun_dev_put(struct ipsec_tun_dev *itd)
{
	dev_put(itd->dev);
}

#define IPSEC_TUN_FEATURES (NETIF_F_HW_CSUM | NETIF_F_RXCSUM | NETIF_F_SG | \
			    NETIF_F_GSO_SOFTWARE | NETIF_F_HIGHDMA)

static void ipsec_tun_setup(struct net_device *dev)
{
	struct ipsec_tun_dev *itd = netdev_priv(dev);

	memset(itd, 0, sizeof(*itd));
	itd->dev = dev;
	INIT_LIST_HEAD(&itd->sas);
	INIT_LIST_HEAD(&itd->policy_classes);
	INIT_LIST_HEAD(&itd->dev_node);
	ipsec_tun_spi_holds_setup(itd);
	/* ACQUIRE events: at most 10 a second per device. */
	ratelimit_state_init(&itd->acquire_rs, HZ, 10);
	ratelimit_set_flags(&itd->acquire_rs, RATELIMIT_MSG_ON_RELEASE);
	/* ERROR_EVENT AUTH_BURST, driven by packets from anyone: 10 a second. */
	ratelimit_state_init(&itd->auth_burst_rs, HZ, 10);
	ratelimit_set_flags(&itd->auth_burst_rs, RATELIMIT_MSG_ON_RELEASE);

	dev->netdev_ops = &ipsec_tun_netdev_ops;
	dev->rtnl_link_ops = &ipsec_tun_link_ops;
	dev->header_ops = NULL;
	dev->type = ARPHRD_NONE;
	dev->flags = IFF_POINTOPOINT | IFF_NOARP;
	dev->priv_flags |= IFF_NO_QUEUE;
	dev->hard_header_len = 0;
	dev->addr_len = 0;
	/* Outer IPv6 + UDP + ESP + 16-byte IV, and trailer + largest ICV. */
	dev->needed_headroom = LL_MAX_HEADER + 40 + 8 + 8 + 16;
	dev->needed_tailroom = 16 + 2 + 32;
	dev->mtu = IPSEC_TUN_DEFAULT_MTU;
	dev->min_mtu = 68;
	dev->max_mtu = IP_MAX_MTU - 40 - 8 - 8 - 16 - 18 - 32;
	dev->features |= IPSEC_TUN_FEATURES;
	dev->hw_features |= IPSEC_TUN_FEATURES;
	dev->hw_enc_features |= IPSEC_TUN_FEATURES;
	/*
	 * The transmit path needs no queue lock (per-CPU counters, fragments
	 * and route cache, atomic sequence numbers): CPUs sending through the
	 * same device encrypt in parallel instead of one after the other.
	 */
	ipsec_tun_set_lltx(dev);
	dev->needs_free_netdev = true;
	dev->priv_destructor = ipsec_tun_dev_destruct;
	netif_keep_dst(dev);
}

/*
 * Register under rtnl, with threaded NAPI for the ordering queues (cryptq.c):
 * encryption and decryption then run in kernel threads the scheduler can put
 * on an idle CPU instead of the CPU that sent or received the packet (1.5x
 * one TCP flow from threaded decryption, 2.7x 64-byte UDP from threaded
 * encryption, under TCG on 2 vCPUs). /sys/class/net/ipsecN/threaded switches
 * it back to softirq.
 */
static int ipsec_tun_register(struct net_device *dev)
{
	int ret = register_netdevice(dev);

	if (!ret && dev_set_threaded(dev, true))
		netdev_info(dev, "threaded NAPI unavailable, encrypting and decrypting in softirq\n");
	return ret;
}

static int ipsec_tun_newlink(struct net *src_net, struct net_device *dev, struct nlattr *tb[],
			     struct nlattr *data[], struct netlink_ext_ack *extack)
{
	struct ipsec_tun_dev *itd = netdev_priv(dev);
	int ret;

	/* rtnl held: no other device can be added between check and register. */
	mutex_lock(&ipsec_tun_config_mutex);
	ret = ipsec_tun_limit_dev(dev_net(dev), extack);
	mutex_unlock(&ipsec_tun_config_mutex);
	if (ret)
		return ret;
	/* The netns of the caller is the underlay, wherever the device goes. */
	itd->underlay = src_net;
	return ipsec_tun_register(dev);
}

static struct net *ipsec_tun_get_link_net(const struct net_device *dev)
{
	struct ipsec_tun_dev *itd = netdev_priv(dev);
	struct net *net = READ_ONCE(itd->underlay);

	return net ?: dev_net(dev);
}

static struct rtnl_link_ops ipsec_tun_link_ops __read_mostly = {
	.kind = IPSEC_TUN_LINK_KIND,
	.priv_size = sizeof(struct ipsec_tun_dev),
	.setup = ipsec_tun_setup,
	.newlink = ipsec_tun_newlink,
	.get_link_net = ipsec_tun_get_link_net,
	.get_size = ipsec_tun_link_get_size,
	.fill_info = ipsec_tun_link_fill_info,
};

/*
 * The underlay netns is going away: its SAs, socket and routes cannot be
 * used any more. Devices that were moved elsewhere stay, without SAs, and
 * drop everything routed into them (like WireGuard's devices).
 */
static void __net_exit ipsec_tun_net_pre_exit(struct net *net)
{
	struct ipsec_tun_dev *itd;

	mutex_lock(&ipsec_tun_config_mutex);
	list_for_each_entry(itd, &ipsec_tun_devices, dev_node) {
		if (itd->underlay != net)
			continue;
		ipsec_tun_encap_detach(itd);
		ipsec_tun_sa_flush_dev(itd);
		ipsec_tun_spi_holds_flush(itd);
		WRITE_ONCE(itd->underlay, NULL);
		atomic_inc(&ipsec_tun_generation);
	}
	mutex_unlock(&ipsec_tun_config_mutex);
	synchronize_net();
}

static struct pernet_operations ipsec_tun_net_ops = {
	.pre_exit = ipsec_tun_net_pre_exit,
};

static int ipsec_tun_create_initial(unsigned int i)
{
	struct net_device *dev;
	struct ipsec_tun_dev *itd;
	int ret;

	dev = alloc_netdev(sizeof(struct ipsec_tun_dev), "ipsec%d", NET_NAME_ENUM,
			   ipsec_tun_setup);
	if (!dev)
		return -ENOMEM;
	itd = netdev_priv(dev);
	itd->underlay = &init_net;
	rtnl_lock();
	ret = ipsec_tun_register(dev);
	rtnl_unlock();
	if (ret)
		free_netdev(dev);
	return ret;
}

int ipsec_tun_device_init(void)
{
	unsigned int i;
	int ret;

	ret = register_pernet_device(&ipsec_tun_net_ops);
	if (ret)
		return ret;
	ret = rtnl_link_register(&ipsec_tun_link_ops);
	if (ret)
		goto err_link;
	for (i = 0; i < nr_devs; i++) {
		ret = ipsec_tun_create_initial(i);
		if (ret)
			goto err_devs;
	}
	return 0;

err_devs:
	rtnl_link_unregister(&ipsec_tun_link_ops);	/* deletes those made */
err_link:
	unregister_pernet_device(&ipsec_tun_net_ops);
	return ret;
}

void ipsec_tun_device_uninit(void)
{
	/* Deletes every ipsec device in every netns and waits for them. */
	rtnl_link_unregister(&ipsec_tun_link_ops);
	unregister_pernet_device(&ipsec_tun_net_ops);
}
