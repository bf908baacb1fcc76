// SPDX-License-Identifier: GPL-2.0
/*
 * Per-netns caps (netns_limits.h). Counted by walking the device list, which is
 * short and walked only when something is added: nothing to keep in step
 * on the packet paths or at removal.
 *
 * Threads: every device has up to 2 x min(CPUs, 16) threaded-NAPI kernel
 * threads (cryptq.c). max_devs bounds them per netns, and userns_max_devs
 * bounds them for all the netns that user namespaces own together (a user
 * namespace can make netns after netns): a loop of `ip link add type
 * ipsec` under `unshare -Urn` stops at userns_max_devs devices, at most
 * 32 threads each, far below the smallest pid_max (32768).
 */
#include <linux/module.h>
#include <linux/user_namespace.h>
#include "netns_limits.h"
#include "device.h"

static unsigned int max_devs = 256;
module_param(max_devs, uint, 0644);
MODULE_PARM_DESC(max_devs, "ipsec devices per netns (default 256)");

static unsigned int userns_max_devs = 64;
module_param(userns_max_devs, uint, 0644);
MODULE_PARM_DESC(userns_max_devs,
		 "ipsec devices in all netns owned by user namespaces other than the initial one, together (default 64)");

static unsigned int max_sas = 262144;
module_param(max_sas, uint, 0644);
MODULE_PARM_DESC(max_sas, "SAs on the ipsec devices of one netns (default 262144)");

static unsigned int max_policies = 262144;
module_param(max_policies, uint, 0644);
MODULE_PARM_DESC(max_policies, "policies on the ipsec devices of one netns (default 262144)");

enum limit_what { LIMIT_DEVS, LIMIT_SAS, LIMIT_POLICIES };

/* Devices, SAs or policies on the ipsec devices in net. */
static unsigned int count_in(struct net *net, enum limit_what what)
{
	struct ipsec_tun_dev *itd;
	unsigned int n = 0;

	lockdep_assert_held(&ipsec_tun_config_mutex);
	list_for_each_entry(itd, &ipsec_tun_devices, dev_node) {
		if (!net_eq(dev_net(itd->dev), net))
			continue;
		n += what == LIMIT_DEVS ? 1 : what == LIMIT_SAS ? itd->sa_count : itd->policy_count;
	}
	return n;
}

static unsigned int devs_in_user_namespaces(void)
{
	struct ipsec_tun_dev *itd;
	unsigned int n = 0;

	list_for_each_entry(itd, &ipsec_tun_devices, dev_node)
		n += dev_net(itd->dev)->user_ns != &init_user_ns;
	return n;
}

int ipsec_tun_limit_dev(struct net *net, struct netlink_ext_ack *extack)
{
	if (count_in(net, LIMIT_DEVS) >= READ_ONCE(max_devs)) {
		NL_SET_ERR_MSG(extack, "ipsec_tun: max_devs ipsec devices in this netns already");
		return -ENOSPC;
	}
	if (net->user_ns != &init_user_ns &&
	    devs_in_user_namespaces() >= READ_ONCE(userns_max_devs)) {
		NL_SET_ERR_MSG(extack,
			       "ipsec_tun: userns_max_devs ipsec devices in user namespaces' netns already");
		return -ENOSPC;
	}
	return 0;
}

int ipsec_tun_limit_sa(struct net *net, struct netlink_ext_ack *extack)
{
	if (count_in(net, LIMIT_SAS) >= READ_ONCE(max_sas)) {
		NL_SET_ERR_MSG(extack, "max_sas SAs on this netns's ipsec devices already");
		return -ENOSPC;
	}
	return 0;
}

int ipsec_tun_limit_policy(struct net *net, struct netlink_ext_ack *extack)
{
	if (count_in(net, LIMIT_POLICIES) >= READ_ONCE(max_policies)) {
		NL_SET_ERR_MSG(extack, "max_policies policies on this netns's ipsec devices already");
		return -ENOSPC;
	}
	return 0;
}
