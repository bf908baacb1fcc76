/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ICMP/ICMPv6 errors about our outer ESP: path MTU toward the peer.
 */
#ifndef IPSEC_TUN_ICMP_ERR_H
#define IPSEC_TUN_ICMP_ERR_H

#include <linux/skbuff.h>
#include <net/ipv6.h>

/* xfrm4/xfrm6 protocol err_handlers for raw ESP: 0 handled, 1 not ours. */
int ipsec_tun_esp4_err(struct sk_buff *skb, u32 info);
int ipsec_tun_esp6_err(struct sk_buff *skb, struct inet6_skb_parm *opt, u8 type, u8 code,
		       int offset, __be32 info);
/* udp_sock encap_err_lookup of the attached NAT-T socket: 0 accept. */
int ipsec_tun_encap_err_lookup(struct sock *sk, struct sk_buff *skb);

#endif /* IPSEC_TUN_ICMP_ERR_H */
