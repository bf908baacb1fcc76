// SPDX-License-Identifier: GPL-2.0
/*
 * Transmit path: a packet routed into ipsecN is matched against the
 * device's policies, encrypted with the newest outbound SA of the policy's
 * reqid (ESP tunnel mode, RFC 4303) and sent from the underlay netns.
 *
 * Context: ndo_start_xmit (BH, RCU) finds the SA and queues the packet
 * (cryptq.c); the rest runs in that queue's NAPI poll (BH), one packet of an
 * SA at a time, so sequence numbers follow the send order. Encryption may
 * complete asynchronously (-EINPROGRESS): the per-packet context then
 * carries the skb, which holds the outer route, and a reference on the SA
 * until esp_output_done() sends the packet. Everything esp_output_done()
 * needs is in that context, so it runs the same from the crypto callback as
 * inline. Packets leave in sequence-number order whichever way their
 * encryption completed (tx_order_*() below).
 */
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/random.h>
#include <net/ip.h>
#include <net/ip6_route.h>
#include <net/icmp.h>
#include <net/inet_ecn.h>
#include <net/dsfield.h>
#include <net/route.h>
#include <net/ip6_checksum.h>
#include <net/dst_cache.h>
#include <crypto/aead.h>
#include "compat.h"
#include "esp.h"
#include "sa.h"
#include "policy.h"
#include "events.h"
#include "cryptq.h"
#include "mss_clamp.h"

struct esp_out_ctx {
	struct ipsec_tun_sa *sa;
	struct sk_buff *skb;
	struct net *net;
	struct ipsec_tun_endpoints ep;
	/*
	 * Out-of-place encryption: the source scatterlist, whose entries from
	 * src_first on hold the page references the skb's old fragments had;
	 * released once the cipher has read them.
	 */
	struct scatterlist *src;
	unsigned int src_first, src_n;
	unsigned int inner_len;
	struct list_head order_node;	/* sa->tx_order */
	int err;			/* of the encryption, once done */
	bool done;
	bool df;
	u8 tos;
	u8 aad[12];
	u8 iv[16];
};

/* Context, request and nsg scatterlist entries in one allocation. */
static struct esp_out_ctx *esp_ctx_alloc(struct crypto_aead *aead, int nsg,
					 struct aead_request **req, struct scatterlist **sg)
{
	struct esp_out_ctx *ctx = ipsec_tun_crypto_req_alloc(aead, sizeof(*ctx), nsg, req, sg);

	if (ctx)
		ctx->src = NULL;
	return ctx;
}

/*
 * Per-CPU page fragments for the ESP trailer and the ciphertext of
 * packets encrypted out of place (see esp_output_one()). Used from
 * ndo_start_xmit only, which runs with bottom halves disabled, so the
 * CPU's fragment cannot be used by anyone else meanwhile.
 */
static DEFINE_PER_CPU(struct page_frag, esp_out_frag);

/* len bytes from this CPU's fragment, with a page reference for the caller. */
static void *out_frag_alloc(unsigned int len, struct page **page, unsigned int *off)
{
	struct page_frag *pf = this_cpu_ptr(&esp_out_frag);
	unsigned int size = ALIGN(len, L1_CACHE_BYTES);

	if (unlikely(!skb_page_frag_refill(size, pf, GFP_ATOMIC)))
		return NULL;
	*page = pf->page;
	*off = pf->offset;
	get_page(pf->page);
	pf->offset += size;
	return page_address(pf->page) + *off;
}

void ipsec_tun_output_uninit(void)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		struct page_frag *pf = per_cpu_ptr(&esp_out_frag, cpu);

		if (pf->page)
			put_page(pf->page);
		pf->page = NULL;
	}
}

static void out_release_src(struct esp_out_ctx *ctx)
{
	struct scatterlist *sg;
	unsigned int i;

	if (!ctx->src)
		return;
	for_each_sg(ctx->src, sg, ctx->src_n, i)
		if (i >= ctx->src_first)
			put_page(sg_page(sg));
}

static void out_drop(struct ipsec_tun_sa *sa, struct sk_buff *skb, unsigned int why,
		     const char *msg)
{
	ipsec_tun_drop(sa->itd, sa, why, false);
	net_dbg_ratelimited("%s: SPI 0x%08x: tx drop: %s\n", sa->itd->dev->name, sa->spi, msg);
	kfree_skb(skb);
}

static int send_v4(struct esp_out_ctx *ctx, struct sk_buff *skb, u8 proto)
{
	struct iphdr *iph;

	iph = skb_push(skb, sizeof(*iph));
	skb_reset_network_header(skb);
	iph->version = 4;
	iph->ihl = 5;
	iph->tos = ctx->tos;
	iph->tot_len = 0;
	iph->frag_off = ctx->df ? htons(IP_DF) : 0;
	iph->ttl = ip4_dst_hoplimit(skb_dst(skb));
	iph->protocol = proto;
	iph->saddr = ctx->ep.src.w[0];
	iph->daddr = ctx->ep.dst.w[0];
	skb->protocol = htons(ETH_P_IP);
	memset(IPCB(skb), 0, sizeof(*IPCB(skb)));
	ip_select_ident(ctx->net, skb, NULL);
	return ip_local_out(ctx->net, NULL, skb);
}

static int send_v6(struct esp_out_ctx *ctx, struct sk_buff *skb, u8 proto)
{
	struct ipv6hdr *ip6;

	ip6 = skb_push(skb, sizeof(*ip6));
	skb_reset_network_header(skb);
	ip6_flow_hdr(ip6, ctx->tos, 0);
	ip6->payload_len = 0;
	ip6->nexthdr = proto;
	ip6->hop_limit = ip6_dst_hoplimit(skb_dst(skb));
	memcpy(&ip6->saddr, ctx->ep.src.b, 16);
	memcpy(&ip6->daddr, ctx->ep.dst.b, 16);
	skb->protocol = htons(ETH_P_IPV6);
	/* Inner packets too big for the path were refused already; the rest
	 * (inner IPv4 without DF) may be fragmented here at the source.
	 */
	skb->ignore_df = !ctx->df;
	memset(IP6CB(skb), 0, sizeof(*IP6CB(skb)));
	return ip6_local_out(ctx->net, NULL, skb);
}

static void push_udp(struct esp_out_ctx *ctx, struct sk_buff *skb)
{
	unsigned int len = skb->len + sizeof(struct udphdr);
	struct udphdr *uh = skb_push(skb, sizeof(*uh));

	skb_reset_transport_header(skb);
	uh->source = ctx->ep.encap_sport;
	uh->dest = ctx->ep.encap_dport;
	uh->len = htons(len);
	uh->check = 0;	/* IPv4: zero checksum allowed (RFC 3948 2.1) */
	if (ctx->sa->family == AF_INET6) {
		__wsum csum = skb_checksum(skb, 0, len, 0);

		uh->check = csum_ipv6_magic((struct in6_addr *)ctx->ep.src.b,
					    (struct in6_addr *)ctx->ep.dst.b, len,
					    IPPROTO_UDP, csum);
		if (!uh->check)
			uh->check = CSUM_MANGLED_0;
	}
}

static void esp_output_done_ctx(struct esp_out_ctx *ctx, int err)
{
	struct sk_buff *skb = ctx->skb;
	struct ipsec_tun_sa *sa = ctx->sa;
	struct ipsec_tun_dev *itd = sa->itd;
	unsigned int inner_len = ctx->inner_len;
	u8 proto = IPPROTO_ESP;

	out_release_src(ctx);
	if (unlikely(err)) {
		out_drop(sa, skb, IPSEC_TUN_STAT_DROP_NOMEM, "encryption failed");
		goto out;
	}
	/*
	 * ctx->net was read in the poll. An asynchronous completion (cryptd)
	 * may come after that netns's pre_exit cleared itd->underlay: seeing
	 * it still set here, inside RCU-bh (the poll's BH section, or
	 * esp_output_done()), means pre_exit's synchronize_net() waits for us
	 * and the netns outlives the send.
	 */
	if (unlikely(!READ_ONCE(itd->underlay))) {
		out_drop(sa, skb, IPSEC_TUN_STAT_DROP_NO_SA, "underlay netns gone");
		goto out;
	}
	skb->ip_summed = CHECKSUM_NONE;
	if (ctx->ep.encap_dport) {
		push_udp(ctx, skb);
		proto = IPPROTO_UDP;
	}
	if (sa->family == AF_INET)
		err = send_v4(ctx, skb, proto);
	else
		err = send_v6(ctx, skb, proto);
	if (unlikely(net_xmit_eval(err))) {
		ipsec_tun_stat_add(itd->stats, IPSEC_TUN_XSTAT_TX_ERRORS, 1);
		goto out;
	}
	ipsec_tun_stat_add(itd->stats, IPSEC_TUN_STAT_TX_PACKETS, 1);
	ipsec_tun_stat_add(itd->stats, IPSEC_TUN_STAT_TX_BYTES, inner_len);
	ipsec_tun_stat_add(sa->stats, IPSEC_TUN_STAT_TX_PACKETS, 1);
	ipsec_tun_stat_add(sa->stats, IPSEC_TUN_STAT_TX_BYTES, inner_len);
out:
	kfree(ctx);
	ipsec_tun_sa_put(sa);
}

/*
 * Ordered sending. The poll appends each packet to sa->tx_order before its
 * encryption starts; the poll is the SA's only producer (one NAPI per
 * queue, an SA hashes to one queue), so the list is in sequence-number
 * order. Whoever completes a packet marks it done and, unless another CPU
 * is already at it, sends the done packets at the head until it meets one
 * still being encrypted; that one's completion sends it and what follows.
 * One sender at a time (tx_order_sending) keeps the order on the wire
 * too. Synchronous crypto, the usual case, finds its own packet at the
 * head and sends it at once.
 */
static void tx_order_add(struct esp_out_ctx *ctx)
{
	struct ipsec_tun_sa *sa = ctx->sa;

	ctx->done = false;
	spin_lock_bh(&sa->tx_order_lock);
	list_add_tail(&ctx->order_node, &sa->tx_order);
	spin_unlock_bh(&sa->tx_order_lock);
}

/* Called with BH off and inside RCU-bh (see esp_output_done_ctx()). */
static void tx_order_done(struct esp_out_ctx *ctx, int err)
{
	struct ipsec_tun_sa *sa = ctx->sa;
	struct esp_out_ctx *head;

	spin_lock(&sa->tx_order_lock);
	ctx->err = err;
	ctx->done = true;
	if (sa->tx_order_sending) {
		spin_unlock(&sa->tx_order_lock);
		return;	/* the sender rechecks the head under the lock */
	}
	sa->tx_order_sending = true;
	ipsec_tun_sa_get(sa);	/* each sent packet drops one; keep the SA for the loop */
	while ((head = list_first_entry_or_null(&sa->tx_order, struct esp_out_ctx,
						 order_node)) && head->done) {
		list_del(&head->order_node);
		spin_unlock(&sa->tx_order_lock);
		esp_output_done_ctx(head, head->err);	/* frees head */
		spin_lock(&sa->tx_order_lock);
	}
	sa->tx_order_sending = false;
	spin_unlock(&sa->tx_order_lock);
	ipsec_tun_sa_put(sa);
}

static IPSEC_TUN_CRYPTO_DONE(esp_output_done)
{
	if (err == -EINPROGRESS)
		return;	/* left the backlog; the real completion follows */
	rcu_read_lock_bh();	/* holds the underlay netns, see esp_output_done_ctx() */
	tx_order_done(ipsec_tun_crypto_cb_data(), err);
	rcu_read_unlock_bh();
}

static struct dst_entry *route_lookup(struct ipsec_tun_sa *sa, struct net *net,
				      const struct ipsec_tun_endpoints *ep)
{
	u8 proto = ep->encap_dport ? IPPROTO_UDP : IPPROTO_ESP;

	if (sa->family == AF_INET) {
		struct flowi4 fl4 = {
			.daddr = ep->dst.w[0],
			.saddr = ep->src.w[0],
			.flowi4_proto = proto,
		};
		struct rtable *rt = ip_route_output_key(net, &fl4);

		return IS_ERR(rt) ? NULL : &rt->dst;
	} else {
		struct flowi6 fl6 = {
			.flowi6_proto = proto,
		};
		struct dst_entry *dst;

		memcpy(&fl6.daddr, ep->dst.b, 16);
		memcpy(&fl6.saddr, ep->src.b, 16);
		dst = ip6_route_output(net, NULL, &fl6);
		if (dst->error) {
			dst_release(dst);
			return NULL;
		}
		return dst;
	}
}

/*
 * The outer route, from the SA's per-CPU dst_cache when it is still valid.
 * The cache invalidates routes that changed (dst->obsolete); the endpoints
 * can change too (UPD_SA), so each entry is tagged with the ep_lock
 * sequence the endpoints were read at, stored where dst_cache keeps the
 * source address (which we never need back: it is in the endpoints). An
 * entry is only used for exactly the endpoints it was looked up for.
 */
static struct dst_entry *route_outer(struct ipsec_tun_sa *sa, struct net *net,
				     const struct ipsec_tun_endpoints *ep, unsigned int ep_seq)
{
	struct dst_entry *dst;

	if (sa->family == AF_INET) {
		__be32 tag;
		struct rtable *rt = dst_cache_get_ip4(&sa->dst_cache, &tag);

		if (rt && (__force u32)tag == ep_seq)
			return &rt->dst;
		if (rt)
			ip_rt_put(rt);
		dst = route_lookup(sa, net, ep);
		if (dst)
			dst_cache_set_ip4(&sa->dst_cache, dst, (__force __be32)ep_seq);
	} else {
#if IS_ENABLED(CONFIG_IPV6)
		struct in6_addr tag;

		dst = dst_cache_get_ip6(&sa->dst_cache, &tag);
		if (dst && tag.s6_addr32[0] == (__force __be32)ep_seq)
			return dst;
		dst_release(dst);
		dst = route_lookup(sa, net, ep);
		if (dst) {
			memset(&tag, 0, sizeof(tag));
			tag.s6_addr32[0] = (__force __be32)ep_seq;
			dst_cache_set_ip6(&sa->dst_cache, dst, &tag);
		}
#else
		dst = route_lookup(sa, net, ep);
#endif
	}
	return dst;
}

/* Largest inner packet that fits the outer path in one ESP packet. */
static unsigned int inner_mtu(struct ipsec_tun_sa *sa, unsigned int path_mtu, bool udp)
{
	int room = path_mtu - (sa->family == AF_INET ? sizeof(struct iphdr) :
			       sizeof(struct ipv6hdr)) -
		   (udp ? sizeof(struct udphdr) : 0) - IPSEC_TUN_ESP_HDR_LEN -
		   sa->crypto.ivlen - sa->crypto.icvlen;

	room = round_down(room, sa->crypto.align) - 2;
	return room > 0 ? room : 0;
}

/*
 * Too big for the path: tell the inner sender (PMTU discovery through the
 * tunnel) and drop, unless the inner packet may be fragmented, in which case
 * the outer packet is fragmented instead. Returns true when dropped.
 */
static bool too_big(struct ipsec_tun_sa *sa, struct sk_buff *skb, unsigned int mtu, bool *df)
{
	bool inner_v4 = skb->protocol == htons(ETH_P_IP);

	*df = !(sa->flags & IPSEC_TUN_SA_F_NO_DF) &&
	      (!inner_v4 || (ip_hdr(skb)->frag_off & htons(IP_DF)));
	if (skb_is_gso(skb) ? skb_gso_validate_network_len(skb, mtu) : skb->len <= mtu)
		return false;
	if (inner_v4) {
		if (!(ip_hdr(skb)->frag_off & htons(IP_DF)) || skb->ignore_df) {
			*df = false;
			return false;
		}
		icmp_ndo_send(skb, ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED, htonl(mtu));
	} else {
		if (mtu < IPV6_MIN_MTU) {
			*df = false;	/* below the IPv6 minimum: fragment outside */
			return false;
		}
		icmpv6_ndo_send(skb, ICMPV6_PKT_TOOBIG, 0, mtu);
	}
	out_drop(sa, skb, IPSEC_TUN_STAT_DROP_MTU, "packet too big, ICMP sent");
	return true;
}

/* RFC 4303 2.4 default padding, pad length and next header. */
static void fill_trailer(u8 *tail, unsigned int padlen, u8 nexthdr)
{
	unsigned int i;

	for (i = 0; i < padlen; i++)
		tail[i] = i + 1;
	tail[padlen] = padlen;
	tail[padlen + 1] = nexthdr;
}

/*
 * Map the packet from the ESP header on for the cipher: associated data
 * (SPI, [seq hi,] seq lo), IV, payload. With ESN the high half of the
 * sequence number sits in ctx->aad (RFC 4303 2.2.1, RFC 4106 5).
 * Returns the number of entries used or < 0.
 */
static int esp_sgvec(struct esp_out_ctx *ctx, struct sk_buff *skb, struct scatterlist *sg,
		     unsigned int nsg, bool esn)
{
	int n;

	sg_init_table(sg, nsg);
	if (!esn)
		return skb_to_sgvec(skb, sg, 0, skb->len);
	sg_set_buf(sg, ctx->aad, 12);
	n = skb_to_sgvec(skb, sg + 1, IPSEC_TUN_ESP_HDR_LEN, skb->len - IPSEC_TUN_ESP_HDR_LEN);
	return n < 0 ? n : n + 1;
}

/*
 * Can the packet be encrypted out of place? Its head is ours (unshared),
 * the payload is in page fragments that may be shared with the sender
 * (TCP's retransmit queue, GSO segments): the cipher reads them and writes
 * the ciphertext into one new fragment instead of copying the packet into
 * a linear buffer first (skb_cow_data) and encrypting that.
 */
static bool out_of_place_ok(struct sk_buff *skb, unsigned int tailen)
{
	if (!skb_is_nonlinear(skb) && skb_tailroom(skb) >= tailen)
		return false;	/* in place, the trailer in the tailroom: no copy either */
	return !skb_cloned(skb) && !skb_has_frag_list(skb) && !skb_zcopy(skb) &&
	       !skb->pp_recycle && skb_shinfo(skb)->nr_frags + 1 < MAX_SKB_FRAGS &&
	       ALIGN(skb->data_len + tailen, L1_CACHE_BYTES) <= PAGE_SIZE;
}

/* The inner packet's next header (RFC 4303 2.6) and its DSCP/ECN byte. */
static u8 out_inner_proto(struct sk_buff *skb, u8 *tos)
{
	if (skb->protocol == htons(ETH_P_IP)) {
		*tos = ipv4_get_dsfield(ip_hdr(skb));
		return IPPROTO_IPIP;
	}
	*tos = ipv6_get_dsfield(ipv6_hdr(skb));
	return IPPROTO_IPV6;
}

/*
 * The packet's sequence number, which never wraps: the SA dies first
 * (RFC 4303 3.3.3); the soft expiry near the end of the space; the
 * lifetime accounting. Returns false when the packet was dropped.
 */
static bool out_take_seq(struct ipsec_tun_sa *sa, struct sk_buff *skb, unsigned int inner_len,
			 u64 *seq)
{
	u64 seq_limit = ipsec_tun_seq_limit(sa->flags);

	if (READ_ONCE(sa->dead)) {
		out_drop(sa, skb, IPSEC_TUN_STAT_DROP_EXPIRED, "SA expired");
		return false;
	}
	*seq = atomic64_inc_return(&sa->seq_out);
	if (*seq > seq_limit) {
		ipsec_tun_sa_hard_expire(sa, IPSEC_TUN_EXPIRE_SEQ);
		out_drop(sa, skb, IPSEC_TUN_STAT_DROP_EXPIRED, "sequence number space exhausted");
		return false;
	}
	if (*seq >= seq_limit - (seq_limit >> 4) &&
	    !test_and_set_bit(IPSEC_TUN_SA_SOFT_SENT, &sa->expire_flags))
		ipsec_tun_event_expire(sa, false, IPSEC_TUN_EXPIRE_SEQ);
	ipsec_tun_sa_account(sa, inner_len);
	if (READ_ONCE(sa->dead)) {
		out_drop(sa, skb, IPSEC_TUN_STAT_DROP_EXPIRED, "SA reached its hard lifetime");
		return false;
	}
	return true;
}

/* The sizes of one ESP packet around its inner packet. */
struct esp_out_sizes {
	unsigned int hdr_len;	/* ESP header and IV */
	unsigned int padlen;	/* padding to the cipher's alignment */
	unsigned int tailen;	/* padding, pad length, next header, ICV */
	unsigned int headroom;	/* ESP header, IV and the outer headers */
	u8 nexthdr;
	bool esn;
};

/* Where the cipher reads (sg) and writes (dsg; == sg in place). */
struct esp_out_layout {
	struct esp_out_ctx *ctx;
	struct aead_request *req;
	struct scatterlist *sg, *dsg;
	__be32 *esph;
};

/* The layout's last mapping step failed (n < 0): undo and drop. */
static bool out_layout_check(struct ipsec_tun_sa *sa, struct sk_buff *skb,
			     struct esp_out_layout *lay, int n)
{
	if (likely(n >= 0))
		return true;
	out_release_src(lay->ctx);
	kfree(lay->ctx);
	out_drop(sa, skb, IPSEC_TUN_STAT_DROP_NOMEM, "skb_to_sgvec");
	return false;
}

/*
 * In place: the packet made private (and linear where it must be) by
 * skb_cow_data, the trailer appended, the ciphertext written over the
 * plaintext. Returns false when the packet was dropped.
 */
static bool out_layout_in_place(struct ipsec_tun_sa *sa, struct sk_buff *skb,
				const struct esp_out_sizes *sz, struct esp_out_layout *lay)
{
	struct sk_buff *trailer;
	int nfrags;

	nfrags = skb_cow_data(skb, sz->tailen, &trailer);
	if (nfrags < 0) {
		out_drop(sa, skb, IPSEC_TUN_STAT_DROP_NOMEM, "skb_cow_data");
		return false;
	}
	fill_trailer(pskb_put(skb, trailer, sz->tailen), sz->padlen, sz->nexthdr);
	if (skb_cow_head(skb, sz->headroom)) {
		out_drop(sa, skb, IPSEC_TUN_STAT_DROP_NOMEM, "headroom");
		return false;
	}
	lay->ctx = esp_ctx_alloc(sa->crypto.aead, nfrags + 1, &lay->req, &lay->sg);
	if (!lay->ctx) {
		out_drop(sa, skb, IPSEC_TUN_STAT_DROP_NOMEM, "no memory for crypto request");
		return false;
	}
	lay->dsg = lay->sg;
	lay->esph = skb_push(skb, sz->hdr_len);
	skb_reset_transport_header(skb);
	return out_layout_check(sa, skb, lay,
				esp_sgvec(lay->ctx, skb, lay->sg, nfrags + 1, sz->esn));
}

enum out_of_place_result { OOP_DONE, OOP_FALL_BACK, OOP_DROPPED };

/*
 * Out of place (see out_of_place_ok()). Source: head + fragments + a new
 * fragment with the plain trailer. Destination: head (in place) + one new
 * fragment for the ciphertext of everything past the head and the ICV.
 * Falls back to in place while nothing has been changed yet.
 */
static enum out_of_place_result out_layout_out_of_place(struct ipsec_tun_sa *sa,
							struct sk_buff *skb,
							const struct esp_out_sizes *sz,
							struct esp_out_layout *lay)
{
	unsigned int icvlen = sa->crypto.icvlen, plain_tail = sz->tailen - icvlen, off, i;
	struct page *page;
	int nfrags, n;
	u8 *tail;

	tail = out_frag_alloc(plain_tail, &page, &off);
	if (!tail)
		return OOP_FALL_BACK;
	fill_trailer(tail, sz->padlen, sz->nexthdr);
	__skb_fill_page_desc(skb, skb_shinfo(skb)->nr_frags, page, off, plain_tail);
	skb_shinfo(skb)->nr_frags++;
	skb->len += plain_tail;
	skb->data_len += plain_tail;
	nfrags = skb_shinfo(skb)->nr_frags + 1;

	lay->ctx = esp_ctx_alloc(sa->crypto.aead, nfrags + 1 + 3, &lay->req, &lay->sg);
	if (!lay->ctx) {
		out_drop(sa, skb, IPSEC_TUN_STAT_DROP_NOMEM, "no memory for crypto request");
		return OOP_DROPPED;
	}
	lay->dsg = lay->sg + nfrags + 1;
	lay->esph = skb_push(skb, sz->hdr_len);
	skb_reset_transport_header(skb);
	n = esp_sgvec(lay->ctx, skb, lay->sg, nfrags + 1, sz->esn);
	tail = n < 0 ? NULL : out_frag_alloc(skb->data_len + icvlen, &page, &off);
	if (!tail) {
		kfree(lay->ctx);
		out_drop(sa, skb, IPSEC_TUN_STAT_DROP_NOMEM, "no memory for ciphertext");
		return OOP_DROPPED;
	}
	/*
	 * The source entries now own the old fragments' references
	 * (skb_to_sgvec() maps none of the empty ones: release those).
	 */
	for (i = 0; i < skb_shinfo(skb)->nr_frags; i++)
		if (!skb_frag_size(&skb_shinfo(skb)->frags[i]))
			put_page(skb_frag_page(&skb_shinfo(skb)->frags[i]));
	lay->ctx->src = lay->sg;
	lay->ctx->src_n = n;
	lay->ctx->src_first = sz->esn ? 2 : 1;
	skb->data_len += icvlen;
	skb->len += icvlen;
	skb_shinfo(skb)->nr_frags = 1;
	__skb_fill_page_desc(skb, 0, page, off, skb->data_len);
	n = esp_sgvec(lay->ctx, skb, lay->dsg, 3, sz->esn);
	return out_layout_check(sa, skb, lay, n) ? OOP_DONE : OOP_DROPPED;
}

/* Trailer, ESP header room and scatterlists. Returns false when dropped. */
static bool out_layout(struct ipsec_tun_sa *sa, struct sk_buff *skb,
		       const struct esp_out_sizes *sz, struct esp_out_layout *lay)
{
	if (out_of_place_ok(skb, sz->tailen)) {
		enum out_of_place_result r = out_layout_out_of_place(sa, skb, sz, lay);

		if (r != OOP_FALL_BACK)
			return r == OOP_DONE;
	}
	return out_layout_in_place(sa, skb, sz, lay);
}

/*
 * SPI, sequence number and IV into the header; with ESN the high half of
 * the sequence number goes into the associated data (RFC 4303 2.2.1,
 * RFC 4106 5). Returns the associated data's length.
 */
static unsigned int out_fill_header(struct ipsec_tun_sa *sa, struct esp_out_ctx *ctx,
				    __be32 *esph, u64 seq, bool esn)
{
	const struct ipsec_tun_crypto *c = &sa->crypto;

	esph[0] = htonl(sa->spi);
	esph[1] = htonl((u32)seq);
	if (c->iv_from_seq)
		put_unaligned_be64(seq, ctx->iv);
	else
		get_random_bytes(ctx->iv, c->ivlen);
	memcpy(esph + 2, ctx->iv, c->ivlen);
	if (!esn)
		return IPSEC_TUN_ESP_HDR_LEN + c->ivlen;
	memcpy(ctx->aad, esph, 4);
	put_unaligned_be32(seq >> 32, ctx->aad + 4);
	memcpy(ctx->aad + 8, esph + 1, 4);
	return 12 + c->ivlen;
}

/* Encrypt and send one (non-GSO) packet. Consumes skb and the SA reference. */
static void esp_output_one(struct ipsec_tun_sa *sa, struct sk_buff *skb, struct net *net,
			   struct dst_entry *dst, const struct ipsec_tun_endpoints *ep, bool df)
{
	struct ipsec_tun_crypto *c = &sa->crypto;
	struct esp_out_sizes sz = {
		.hdr_len = IPSEC_TUN_ESP_HDR_LEN + c->ivlen,
		.esn = sa->flags & IPSEC_TUN_SA_F_ESN,
	};
	unsigned int inner_len = skb->len, assoclen;
	struct esp_out_layout lay;
	struct esp_out_ctx *ctx;
	u64 seq;
	u8 tos;
	int err;

	sz.nexthdr = out_inner_proto(skb, &tos);
	if (skb->ip_summed == CHECKSUM_PARTIAL && skb_checksum_help(skb)) {
		dst_release(dst);
		out_drop(sa, skb, IPSEC_TUN_STAT_DROP_HEADER, "checksum");
		goto put;
	}
	skb_scrub_packet(skb, !net_eq(net, dev_net(sa->itd->dev)));
	skb_dst_set(skb, dst);
	if (!out_take_seq(sa, skb, inner_len, &seq))
		goto put;

	sz.padlen = ALIGN(inner_len + 2, c->align) - (inner_len + 2);
	sz.tailen = sz.padlen + 2 + c->icvlen;
	sz.headroom = sz.hdr_len + sizeof(struct ipv6hdr) + sizeof(struct udphdr) +
		      LL_RESERVED_SPACE(skb_dst(skb)->dev);
	/* Unshares a cloned head (TCP keeps a clone), the fragments stay shared. */
	if (skb_cow_head(skb, sz.headroom)) {
		out_drop(sa, skb, IPSEC_TUN_STAT_DROP_NOMEM, "headroom");
		goto put;
	}
	if (!out_layout(sa, skb, &sz, &lay))
		goto put;

	ctx = lay.ctx;
	assoclen = out_fill_header(sa, ctx, lay.esph, seq, sz.esn);
	ctx->sa = sa;
	ctx->skb = skb;
	ctx->net = net;
	ctx->ep = *ep;
	ctx->inner_len = inner_len;
	ctx->df = df;
	ctx->tos = INET_ECN_encapsulate(tos, tos);
	aead_request_set_tfm(lay.req, c->aead);
	aead_request_set_callback(lay.req, 0, esp_output_done, ctx);
	aead_request_set_crypt(lay.req, lay.sg, lay.dsg, skb->len - sz.hdr_len - c->icvlen, ctx->iv);
	aead_request_set_ad(lay.req, assoclen);
	tx_order_add(ctx);
	err = crypto_aead_encrypt(lay.req);
	if (err == -EINPROGRESS)
		return;
	tx_order_done(ctx, err);	/* sends, drops the SA reference */
	return;
put:
	ipsec_tun_sa_put(sa);
}

/* Route, check the size, segment GSO packets; consumes skb and sa reference. */
static void esp_output(struct ipsec_tun_sa *sa, struct sk_buff *skb, struct net *net)
{
	struct ipsec_tun_endpoints ep;
	struct sk_buff *segs, *next;
	struct dst_entry *dst;
	unsigned int mtu, ep_seq;
	bool df;

	ep_seq = ipsec_tun_sa_endpoints(sa, &ep);
	dst = route_outer(sa, net, &ep, ep_seq);
	if (!dst) {
		out_drop(sa, skb, IPSEC_TUN_STAT_DROP_HEADER, "no route to the peer");
		goto put;
	}
	if (dst->dev == sa->itd->dev) {
		dst_release(dst);
		out_drop(sa, skb, IPSEC_TUN_STAT_DROP_HEADER, "peer routed into the tunnel itself");
		goto put;
	}
	mtu = inner_mtu(sa, dst_mtu(dst), ep.encap_dport);
	if (too_big(sa, skb, mtu, &df)) {
		dst_release(dst);
		goto put;
	}
	if (!skb_is_gso(skb)) {
		esp_output_one(sa, skb, net, dst, &ep, df);
		return;
	}
	/*
	 * Segments keep the payload in the GSO packet's page fragments (no
	 * copy; the checksum is computed on the way), and are then encrypted
	 * out of place.
	 */
	segs = skb_gso_segment(skb, NETIF_F_SG);
	if (IS_ERR_OR_NULL(segs)) {
		dst_release(dst);
		out_drop(sa, skb, IPSEC_TUN_STAT_DROP_HEADER, "GSO segmentation failed");
		goto put;
	}
	consume_skb(skb);
	skb_list_walk_safe(segs, skb, next) {
		skb_mark_not_on_list(skb);
		ipsec_tun_sa_get(sa);
		dst_hold(dst);
		esp_output_one(sa, skb, net, dst, &ep, df);
	}
	dst_release(dst);
put:
	ipsec_tun_sa_put(sa);
}

/* The transmit queues' NAPI poll (BH): encrypt and send in the order sent. */
int ipsec_tun_txq_poll(struct napi_struct *napi, int budget)
{
	struct ipsec_tun_sa *sa;
	struct sk_buff *skb;
	bool unused;
	int done = 0;

	while (done < budget && (skb = ipsec_tun_cryptq_next(napi, &sa, &unused))) {
		struct net *net = READ_ONCE(sa->itd->underlay);

		done++;
		if (unlikely(!net)) {	/* the underlay netns has gone */
			out_drop(sa, skb, IPSEC_TUN_STAT_DROP_NO_SA, "underlay netns gone");
			ipsec_tun_sa_put(sa);
			continue;
		}
		esp_output(sa, skb, net);
	}
	if (done < budget)
		napi_complete_done(napi, done);
	return done;
}

netdev_tx_t ipsec_tun_xmit(struct sk_buff *skb, struct net_device *dev)
{
	struct ipsec_tun_dev *itd = netdev_priv(dev);
	const struct ipsec_tun_policy *pol;
	struct ipsec_tun_flow fl;
	struct ipsec_tun_sa *sa;
	struct net *net;

	skb_reset_network_header(skb);
	if (ipsec_tun_skb_flow(skb, &fl) ||
	    !pskb_may_pull(skb, fl.family == AF_INET ? sizeof(struct iphdr) :
			   sizeof(struct ipv6hdr))) {
		ipsec_tun_drop(itd, NULL, IPSEC_TUN_STAT_DROP_HEADER, false);
		net_dbg_ratelimited("%s: tx drop: not an IP packet\n", dev->name);
		goto drop;
	}
	net = READ_ONCE(itd->underlay);
	rcu_read_lock();
	pol = ipsec_tun_policy_lookup(itd, &fl);
	if (!pol) {
		ipsec_tun_drop(itd, NULL, IPSEC_TUN_STAT_DROP_NO_POLICY, false);
		net_dbg_ratelimited("%s: tx drop: no policy\n", dev->name);
		if (net && __ratelimit(&itd->acquire_rs))
			ipsec_tun_event_acquire(itd, NULL, &fl);
		goto drop_unlock;
	}
	sa = net ? ipsec_tun_sa_lookup_out(itd, pol->reqid) : NULL;
	if (!sa) {
		ipsec_tun_drop(itd, NULL, IPSEC_TUN_STAT_DROP_NO_SA, false);
		net_dbg_ratelimited("%s: tx drop: no SA for reqid %u\n", dev->name, pol->reqid);
		if (net && __ratelimit(&itd->acquire_rs))
			ipsec_tun_event_acquire(itd, &pol->reqid, &fl);
		goto drop_unlock;
	}
	rcu_read_unlock();
	ipsec_tun_mss_clamp(itd, skb);
	ipsec_tun_txq_enqueue(sa, skb);
	return NETDEV_TX_OK;

drop_unlock:
	rcu_read_unlock();
drop:
	kfree_skb(skb);
	return NETDEV_TX_OK;
}
