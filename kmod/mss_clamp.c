// SPDX-License-Identifier: GPL-2.0
/*
 * TCP MSS clamping on an ipsecN device (IPSEC_TUN_A_MSS_CLAMP, off by
 * default): the MSS option of every inner TCP SYN and SYN-ACK crossing the
 * device, sent (before encryption) or received (after decapsulation), is
 * lowered to what the device MTU leaves for TCP payload (MTU - 40 for
 * IPv4, MTU - 60 for IPv6) and to the configured ceiling; it is never
 * raised. Both ends of a connection through the tunnel then send segments
 * that fit it even when ICMP is filtered on the path and path MTU
 * discovery cannot work (iptables' TCPMSS --clamp-mss-to-pmtu, built in).
 *
 * The TCP checksum is fixed incrementally. Fragments, truncated headers and
 * malformed TCP options are left alone: this never drops a packet.
 */
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/checksum.h>
#include <net/tcp.h>
#include "mss_clamp.h"

/*
 * Offset in the TCP header th (len bytes, options included) of the MSS
 * option's value, or 0 if there is none or the options are malformed.
 */
static unsigned int find_mss(const u8 *th, unsigned int len)
{
	unsigned int i = sizeof(struct tcphdr);

	while (i < len) {
		u8 kind = th[i];

		if (kind == TCPOPT_EOL)
			return 0;
		if (kind == TCPOPT_NOP) {
			i++;
			continue;
		}
		if (i + 1 >= len || th[i + 1] < 2 || th[i + 1] > len - i)
			return 0;
		if (kind == TCPOPT_MSS)
			return th[i + 1] == TCPOLEN_MSS ? i + 2 : 0;
		i += th[i + 1];
	}
	return 0;
}

static void clamp_tcp(struct sk_buff *skb, unsigned int thoff, unsigned int max_mss)
{
	unsigned int len, off, mss;
	struct tcphdr *th;
	__be16 old, new;
	u8 *p;

	if (!pskb_may_pull(skb, thoff + sizeof(*th)))
		return;
	th = (struct tcphdr *)(skb->data + thoff);
	if (!th->syn)
		return;
	len = th->doff * 4;
	if (len < sizeof(*th) + TCPOLEN_MSS || skb_ensure_writable(skb, thoff + len))
		return;
	th = (struct tcphdr *)(skb->data + thoff);	/* may have moved */
	off = find_mss((u8 *)th, len);
	if (!off)
		return;
	p = (u8 *)th + off;
	mss = p[0] << 8 | p[1];
	if (mss <= max_mss)
		return;
	p[0] = max_mss >> 8;
	p[1] = max_mss & 0xff;
	old = htons(mss);
	new = htons(max_mss);
	/* At an odd offset the two bytes straddle two checksum words. */
	if (off & 1) {
		old = (__force __be16)swab16((__force u16)old);
		new = (__force __be16)swab16((__force u16)new);
	}
	inet_proto_csum_replace2(&th->check, skb, old, new, false);
}

static void clamp_v4(struct sk_buff *skb, unsigned int max_mss)
{
	const struct iphdr *iph;

	if (!pskb_may_pull(skb, sizeof(*iph)))
		return;
	iph = (const struct iphdr *)skb->data;
	if (iph->protocol != IPPROTO_TCP || ip_is_fragment(iph) || iph->ihl < 5)
		return;
	clamp_tcp(skb, iph->ihl * 4, max_mss);
}

static void clamp_v6(struct sk_buff *skb, unsigned int max_mss)
{
	__be16 frag_off;
	u8 nexthdr;
	int off;

	if (!pskb_may_pull(skb, sizeof(struct ipv6hdr)))
		return;
	nexthdr = ((const struct ipv6hdr *)skb->data)->nexthdr;
	off = ipv6_skip_exthdr(skb, sizeof(struct ipv6hdr), &nexthdr, &frag_off);
	if (off < 0 || nexthdr != IPPROTO_TCP || frag_off)
		return;
	clamp_tcp(skb, off, max_mss);
}

unsigned int ipsec_tun_mss_max(unsigned int ceiling, unsigned int mtu, bool v6)
{
	if (!ceiling)
		return 0;
	/* The ceiling is an IPv4 MSS: 20 bytes less for IPv6's header. */
	if (v6)
		return mtu > 60 + 88 && ceiling > 20 + 88 ? min(mtu - 60, ceiling - 20) : 0;
	return mtu > 40 + 88 ? min(mtu - 40, ceiling) : 0;
}

void ipsec_tun_mss_clamp(struct ipsec_tun_dev *itd, struct sk_buff *skb)
{
	unsigned int ceiling = READ_ONCE(itd->mss_clamp);
	unsigned int mtu = READ_ONCE(itd->dev->mtu);
	unsigned int max_mss;

	if (!ceiling || !pskb_may_pull(skb, 1))
		return;
	switch (skb->data[0] >> 4) {
	case 4:
		max_mss = ipsec_tun_mss_max(ceiling, mtu, false);
		if (max_mss)
			clamp_v4(skb, max_mss);
		break;
	case 6:
		max_mss = ipsec_tun_mss_max(ceiling, mtu, true);
		if (max_mss)
			clamp_v6(skb, max_mss);
		break;
	}
}
