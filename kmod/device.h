/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ipsecN net_devices: private data and the global device list.
 */
#ifndef IPSEC_TUN_DEVICE_H
#define IPSEC_TUN_DEVICE_H

#include <linux/netdevice.h>
#include <linux/rhashtable.h>
#include <linux/mutex.h>
#include <linux/ratelimit.h>
#include <linux/ipsec_tun.h>
#include "stats.h"
#include "spi_hold.h"

struct ipsec_tun_dev {
	struct net_device *dev;
	/*
	 * The netns the device was created in: outer packets are sent and
	 * received there wherever the device moves. Cleared (under
	 * ipsec_tun_config_mutex, then synchronize_net()) when that netns
	 * exits; packet paths read it with READ_ONCE() and drop on NULL.
	 */
	struct net *underlay;
	struct list_head dev_node;	/* ipsec_tun_devices, config mutex */
	struct list_head sas;		/* every SA of the device, config mutex */
	/* Policies (policy.h): RCU readers, config mutex writers. */
	struct list_head policy_classes;
	struct rhltable policy_ht;
	u64 policy_seq;			/* config mutex */
	u32 sa_count, policy_count;	/* config mutex */
	struct sock *encap_sk;		/* attached NAT-T socket, config mutex */
	u16 encap_port;
	/* IPSEC_TUN_A_MSS_CLAMP, 0 = off: WRITE_ONCE under the config mutex, READ_ONCE per packet. */
	u16 mss_clamp;
	bool dead;			/* being unregistered, config mutex */
	struct ipsec_tun_stats __percpu *stats;
	struct ratelimit_state acquire_rs;
	struct ratelimit_state auth_burst_rs;	/* ERROR_EVENT AUTH_BURST, events.c */
	struct ipsec_tun_cryptq *cryptq;	/* rx then tx ordering queues (cryptq.h) */
	unsigned int ncryptq;		/* queues per direction */
	struct ipsec_tun_spi_holds holds;	/* reserved SPIs (spi_hold.h) */
};

/* Serialises every configuration change: devices, SAs, policies, sockets. */
extern struct mutex ipsec_tun_config_mutex;
extern struct list_head ipsec_tun_devices;
extern atomic_t ipsec_tun_live_devs;
/* Bumped on every change; dumps use it to flag interrupted dumps. */
extern atomic_t ipsec_tun_generation;

int ipsec_tun_device_init(void);
void ipsec_tun_device_uninit(void);
bool ipsec_tun_is_dev(const struct net_device *dev);
/*
 * Take a reference on the net_device; NULL if there is no such device in
 * net or it is not an ipsec device. An ifindex <= 0 names no device; name
 * must be a NUL-terminated string.
 */
struct ipsec_tun_dev *ipsec_tun_dev_get_by_index(struct net *net, int ifindex);
struct ipsec_tun_dev *ipsec_tun_dev_get_by_name(struct net *net, const char *name);
/* Only in @where, and only a device of @net or created in @net (NETNS_FD). */
struct ipsec_tun_dev *ipsec_tun_dev_get_in(struct net *net, struct net *where, int ifindex,
					   const char *name);
void ipsec_tun_dev_put(struct ipsec_tun_dev *itd);

/* link_info.c: rtnl_link_ops .get_size / .fill_info (IFLA_IPSEC_TUN_*). */
size_t ipsec_tun_link_get_size(const struct net_device *dev);
int ipsec_tun_link_fill_info(struct sk_buff *skb, const struct net_device *dev);

/* Base MTU (1500 underlay) minus ESP overhead; see Documentation/netlink-api.md. */
#define IPSEC_TUN_DEFAULT_MTU 1438

#endif /* IPSEC_TUN_DEVICE_H */
