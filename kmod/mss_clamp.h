/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Optional TCP MSS clamping of the inner packets crossing an ipsecN device.
 */
#ifndef IPSEC_TUN_MSS_CLAMP_H
#define IPSEC_TUN_MSS_CLAMP_H

#include <linux/skbuff.h>
#include "device.h"

/*
 * Lower the MSS option of a TCP SYN / SYN-ACK in skb (an inner IPv4 or
 * IPv6 packet, skb->data at its IP header) if the device clamps
 * (itd->mss_clamp != 0). Never drops: a packet it does not fully parse is
 * left as it is.
 */
void ipsec_tun_mss_clamp(struct ipsec_tun_dev *itd, struct sk_buff *skb);

/*
 * The MSS a SYN of that family is lowered to on a device with this
 * ceiling (itd->mss_clamp) and MTU; 0 when nothing is clamped (clamping
 * off, or an MTU too small to leave a sane MSS).
 */
unsigned int ipsec_tun_mss_max(unsigned int ceiling, unsigned int mtu, bool v6);

#endif
