/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The "ipsec_tun" generic netlink API (uapi/linux/ipsec_tun.h): the family
 * and its request helpers in netlink.c, the commands by object in
 * netlink_dev.c, netlink_sa.c and netlink_policy.c. Nothing outside these
 * files includes this header but main.c (init and exit).
 */
#ifndef IPSEC_TUN_NETLINK_H
#define IPSEC_TUN_NETLINK_H

#include <net/genetlink.h>
#include "device.h"
#include "selector.h"

int ipsec_tun_genl_init(void);
void ipsec_tun_genl_uninit(void);

extern struct genl_family ipsec_tun_genl_family;

/* Nested attribute policies, for the top-level policy in netlink.c. */
extern const struct nla_policy ipsec_tun_sa_nl_policy[IPSEC_TUN_SA_A_MAX + 1];
extern const struct nla_policy ipsec_tun_sel_nl_policy[IPSEC_TUN_POL_A_MAX + 1];

/* netlink.c: request helpers shared by the commands. */
struct ipsec_tun_dev *ipsec_tun_nl_dev(struct genl_info *info);
struct ipsec_tun_dev *ipsec_tun_nl_dump_dev(struct netlink_callback *cb);
int ipsec_tun_nl_addr(const struct nlattr *a, u16 family, union ipsec_tun_addr *out,
		      struct netlink_ext_ack *extack);
int ipsec_tun_nl_family(const struct nlattr *a, u16 *family, struct netlink_ext_ack *extack);

/*
 * Dumps: ipsec_tun_nl_dump() walks the devices a dump covers (the caller's
 * netns, and with moved_out the devices created in it and moved elsewhere;
 * or the one device IFINDEX/IFNAME names) under the config mutex and
 * calls dump_dev for each. dump_dev puts that device's entries, counting
 * them in *idx and skipping the first cb->args[0] (sent in earlier parts);
 * it returns 0, or -EMSGSIZE when skb is full (with *idx not counting the
 * entry that did not fit). An entry that does not fit even in an empty
 * message ends the dump with -EMSGSIZE: never a silently short list.
 */
typedef int (*ipsec_tun_nl_dump_dev_fn)(struct sk_buff *skb, struct netlink_callback *cb,
					struct ipsec_tun_dev *itd, long *idx);
int ipsec_tun_nl_dump(struct sk_buff *skb, struct netlink_callback *cb,
		      ipsec_tun_nl_dump_dev_fn dump_dev, bool moved_out);

/* netlink_policy.c: a selector nest (policy, SA selector). */
int ipsec_tun_nl_sel(const struct nlattr *nest, struct ipsec_tun_selector *sel, u32 *reqid,
		     u32 *priority, struct netlink_ext_ack *extack);

/* Command handlers, one file per object. */
int ipsec_tun_nl_get_dev_doit(struct sk_buff *skb, struct genl_info *info);
int ipsec_tun_nl_get_dev_dumpit(struct sk_buff *skb, struct netlink_callback *cb);
int ipsec_tun_nl_flush_doit(struct sk_buff *skb, struct genl_info *info);
int ipsec_tun_nl_set_encap_doit(struct sk_buff *skb, struct genl_info *info);
int ipsec_tun_nl_set_dev_doit(struct sk_buff *skb, struct genl_info *info);
int ipsec_tun_nl_new_sa_doit(struct sk_buff *skb, struct genl_info *info);
int ipsec_tun_nl_upd_sa_doit(struct sk_buff *skb, struct genl_info *info);
int ipsec_tun_nl_del_sa_doit(struct sk_buff *skb, struct genl_info *info);
int ipsec_tun_nl_get_sa_doit(struct sk_buff *skb, struct genl_info *info);
int ipsec_tun_nl_get_sa_start(struct netlink_callback *cb);
int ipsec_tun_nl_get_sa_dumpit(struct sk_buff *skb, struct netlink_callback *cb);
int ipsec_tun_nl_alloc_spi_doit(struct sk_buff *skb, struct genl_info *info);
int ipsec_tun_nl_new_policy_doit(struct sk_buff *skb, struct genl_info *info);
int ipsec_tun_nl_del_policy_doit(struct sk_buff *skb, struct genl_info *info);
int ipsec_tun_nl_get_policy_dumpit(struct sk_buff *skb, struct netlink_callback *cb);

#endif /* IPSEC_TUN_NETLINK_H */
