/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Per-netns caps on devices, SAs and policies (module parameters), so that
 * whoever may configure one netns (the root of a user namespace included)
 * cannot take the whole machine's memory or threads.
 */
#ifndef IPSEC_TUN_NETNS_LIMITS_H
#define IPSEC_TUN_NETNS_LIMITS_H

#include <net/net_namespace.h>
#include <linux/netlink.h>

/*
 * Config mutex held. 0, or -ENOSPC with an extack naming the module
 * parameter when one more would pass the cap of net (the netns the new
 * device, or the device of the new SA or policy, is in).
 */
int ipsec_tun_limit_dev(struct net *net, struct netlink_ext_ack *extack);
int ipsec_tun_limit_sa(struct net *net, struct netlink_ext_ack *extack);
int ipsec_tun_limit_policy(struct net *net, struct netlink_ext_ack *extack);

#endif /* IPSEC_TUN_NETNS_LIMITS_H */
