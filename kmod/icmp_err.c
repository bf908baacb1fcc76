// SPDX-License-Identifier: GPL-2.0
/*
 * ICMP and ICMPv6 errors about the outer ESP we sent: path MTU discovery
 * for the tunnel (RFC 4301 8.2; RFC 1191, RFC 8201).
 *
 * A router past the first hop with a smaller MTU drops our DF outer packet
 * and says so with ICMP "fragmentation needed" (ICMPv6 "packet too big"),
 * quoting the start of that packet: outer IP header, then the ESP header
 * (raw ESP) or the UDP header and the ESP header (NAT-T). When the quote
 * shows one of our outbound SAs - its SPI, sent from its source to its
 * peer (and from/to its UDP ports) - the path MTU toward the peer is
 * lowered the way XFRM's esp4_err/esp6_err do, in the netns the ICMP
 * arrived in, which is the SA's underlay netns (the SA was found there).
 * esp_output.c's next route lookup then sees the lower dst_mtu() and
 * refuses inner packets that no longer fit with an inner ICMP to their
 * sender.
 *
 * ICMP is unauthenticated. Nothing here touches an SA: the only effect is
 * the kernel's route exception, which only ever lowers the MTU, never below
 * net.ipv4.route.min_pmtu / the IPv6 minimum, and expires after
 * net.ipv4.route.mtu_expires. An error naming one of our SPIs whose quote
 * is not that SA's (other endpoints, ports or family) or whose MTU is not
 * smaller than the quoted packet (no router reports that) is ignored and
 * counted (ICMP_IGNORED). Raw ESP errors about packets none of our SAs
 * sent are passed on to the next handler (XFRM's, when loaded).
 *
 * Raw ESP: our xfrm4/xfrm6 protocol handlers' err_handler (esp_input.c
 * registers them). ESP in UDP: udp_err() finds the attached socket
 * (encap.c) and, for any ICMP about it, lowers the path MTU toward the
 * quoted destination itself, as for every UDP socket; it first asks the
 * socket's encap_err_lookup, which is ipsec_tun_encap_err_lookup() below.
 * Context: softirq, under RCU (icmp_rcv / icmpv6_rcv).
 */
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/route.h>
#include <net/ip6_route.h>
#include <net/sock.h>
#include "compat.h"
#include "esp.h"
#include "icmp_err.h"
#include "sa.h"

static void icmp_count(struct ipsec_tun_sa *sa, unsigned int which)
{
	ipsec_tun_stat_add(sa->itd->stats, which, 1);
	ipsec_tun_stat_add(sa->stats, which, 1);
}

/*
 * A "too big" error quoting q (SPI spi, pkt_len bytes long) reports mtu:
 * may the path MTU toward q->dst be lowered? *ours says whether one of our
 * outbound SAs in net sent the quoted packet (then the error is ours to
 * consume; with only the SPI matching it may be XFRM's). Counts what it
 * accepts or ignores on the SA and its device.
 */
static bool pmtu_allowed(struct net *net, u32 spi, u16 family,
			 const struct ipsec_tun_endpoints *q, u32 pkt_len, u32 mtu, bool *ours)
{
	struct ipsec_tun_sa *sa;
	bool match;

	sa = ipsec_tun_sa_lookup_peer(net, spi, family, q, &match);
	*ours = sa && match;
	if (!sa)
		return false;
	if (!match || mtu >= pkt_len) {
		icmp_count(sa, IPSEC_TUN_STAT_ICMP_IGNORED);
		net_dbg_ratelimited("%s: SPI 0x%08x: ICMP too-big ignored: %s (mtu %u, packet %u)\n",
				    sa->itd->dev->name, spi,
				    match ? "MTU not below the quoted packet's size" :
					    "quoted endpoints are not the SA's",
				    mtu, pkt_len);
		return false;
	}
	icmp_count(sa, IPSEC_TUN_STAT_ICMP_PMTU);
	net_dbg_ratelimited("%s: SPI 0x%08x: path MTU to the peer now at most %u\n",
			    sa->itd->dev->name, spi, mtu);
	return true;
}

static void quoted_v4(const struct iphdr *iph, struct ipsec_tun_endpoints *q)
{
	memset(q, 0, sizeof(*q));
	q->src.w[0] = iph->saddr;
	q->dst.w[0] = iph->daddr;
}

static void quoted_v6(const struct ipv6hdr *ip6, struct ipsec_tun_endpoints *q)
{
	memset(q, 0, sizeof(*q));
	memcpy(q->src.b, &ip6->saddr, 16);
	memcpy(q->dst.b, &ip6->daddr, 16);
}

/*
 * xfrm4 err_handler for IPPROTO_ESP: skb->data at the quoted IPv4 header,
 * of which icmp_unreach() checked ihl and pulled ihl * 4 + 8 bytes, so the
 * ESP header (SPI, sequence number) is there. info: the reported MTU.
 * Returns 0 when one of our SAs sent the quoted packet (handled), 1 to pass
 * the error on.
 */
int ipsec_tun_esp4_err(struct sk_buff *skb, u32 info)
{
	const struct iphdr *iph = (const struct iphdr *)skb->data;
	const struct icmphdr *icmph = icmp_hdr(skb);
	struct net *net = dev_net(skb->dev);
	struct ipsec_tun_endpoints q;
	bool ours;
	u32 spi;

	spi = get_unaligned_be32(skb->data + (iph->ihl << 2));
	quoted_v4(iph, &q);
	if (icmph->type != ICMP_DEST_UNREACH || icmph->code != ICMP_FRAG_NEEDED) {
		bool match;

		/* Other errors about our ESP: nothing to do, and not XFRM's. */
		return ipsec_tun_sa_lookup_peer(net, spi, AF_INET, &q, &match) && match ? 0 : 1;
	}
	if (pmtu_allowed(net, spi, AF_INET, &q, ntohs(iph->tot_len), info, &ours))
		ipv4_update_pmtu(skb, net, info, 0, IPPROTO_ESP);
	return ours ? 0 : 1;
}

/*
 * xfrm6 err_handler: skb->data at the quoted IPv6 header, the ESP header at
 * offset (after any extension headers), 8 bytes of it pulled by
 * icmpv6_notify(). info: the reported MTU, network order.
 */
int ipsec_tun_esp6_err(struct sk_buff *skb, struct inet6_skb_parm *opt, u8 type, u8 code,
		       int offset, __be32 info)
{
	const struct ipv6hdr *ip6 = (const struct ipv6hdr *)skb->data;
	struct net *net = dev_net(skb->dev);
	struct ipsec_tun_endpoints q;
	bool ours;
	u32 spi;

	spi = get_unaligned_be32(skb->data + offset);
	quoted_v6(ip6, &q);
	if (type != ICMPV6_PKT_TOOBIG) {
		bool match;

		return ipsec_tun_sa_lookup_peer(net, spi, AF_INET6, &q, &match) && match ? 0 : 1;
	}
	if (pmtu_allowed(net, spi, AF_INET6, &q, sizeof(*ip6) + ntohs(ip6->payload_len),
			 ntohl(info), &ours))
		ip6_update_pmtu(skb, net, info, 0, 0, sock_net_uid(net, NULL));
	return ours ? 0 : 1;
}

/*
 * The socket's encap_err_lookup, called by udp_err() / udpv6_err() for an
 * ICMP error quoting a datagram sent from our NAT-T socket: network header
 * at the quoted IP header, transport header at the quoted UDP header.
 * Return 0 to let the kernel act on it (lower the PMTU for "too big",
 * follow a redirect), non-zero to drop it.
 *
 * Only quotes of ESP are ours to judge: IKE (non-ESP marker), keepalives
 * and quotes too short to show a SPI are the daemon's own datagrams and get
 * what every UDP socket gets. The ICMP header precedes the quote:
 * icmp_rcv() / icmpv6_rcv() pulled it (8 bytes, both families), so it is
 * in the linear head.
 */
int ipsec_tun_encap_err_lookup(struct sock *sk, struct sk_buff *skb)
{
	const u8 *icmp = skb_network_header(skb) - sizeof(struct icmphdr);
	bool v4 = ip_hdr(skb)->version == 4;
	u16 family = v4 ? AF_INET : AF_INET6;
	struct ipsec_tun_endpoints q;
	const struct udphdr *uh;
	__be32 spi_buf, *spi;
	bool too_big, ours;
	u32 mtu, pkt_len;

	spi = skb_header_pointer(skb, skb_transport_offset(skb) + sizeof(*uh),
				 sizeof(spi_buf), &spi_buf);
	if (!spi || !*spi)
		return 0;
	if (v4) {
		quoted_v4(ip_hdr(skb), &q);
		pkt_len = ntohs(ip_hdr(skb)->tot_len);
		too_big = icmp[0] == ICMP_DEST_UNREACH && icmp[1] == ICMP_FRAG_NEEDED;
		mtu = ntohs(((const struct icmphdr *)icmp)->un.frag.mtu);
	} else {
		quoted_v6(ipv6_hdr(skb), &q);
		pkt_len = sizeof(struct ipv6hdr) + ntohs(ipv6_hdr(skb)->payload_len);
		too_big = icmp[0] == ICMPV6_PKT_TOOBIG;
		mtu = ntohl(((const struct icmp6hdr *)icmp)->icmp6_mtu);
	}
	uh = udp_hdr(skb);
	q.encap_sport = uh->source;
	q.encap_dport = uh->dest;
	if (too_big)
		return pmtu_allowed(sock_net(sk), ntohl(*spi), family, &q, pkt_len, mtu, &ours) ?
			       0 : -ENOENT;
	/* Another error about ESP: let the kernel see it only if we sent it. */
	return ipsec_tun_sa_lookup_peer(sock_net(sk), ntohl(*spi), family, &q, &ours) && ours ?
		       0 : -ENOENT;
}
