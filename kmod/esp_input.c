// SPDX-License-Identifier: GPL-2.0
/*
 * Receive path: ESP (IP protocol 50, or ESP-in-UDP from encap.c) whose SPI
 * and outer destination name one of our inbound SAs in the netns it arrived
 * in (RFC 4301's SAD key, sa.h) is checked against
 * the replay window, decrypted, checked against the SA's selectors and
 * delivered on the SA's device. Other SPIs are left to the kernel's own
 * esp4/esp6 (XFRM): our xfrm4/xfrm6 protocol handlers run first and return
 * -EINVAL for them, which makes the xfrm dispatcher try the next handler.
 *
 * Context: the receive handler (softirq) looks up the SA and queues the
 * packet (cryptq.c); the queue's NAPI poll decrypts and delivers in arrival
 * order. Decryption may complete asynchronously; the context allocated per
 * packet holds the SA reference until esp_input_done_ctx().
 */
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/xfrm.h>
#include <net/inet_ecn.h>
#include <net/dsfield.h>
#include <crypto/aead.h>
#include "compat.h"
#include "esp.h"
#include "sa.h"
#include "policy.h"
#include "events.h"
#include "cryptq.h"
#include "mss_clamp.h"
#include "icmp_err.h"
#include "spi_hold.h"

struct esp_in_ctx {
	struct ipsec_tun_sa *sa;
	struct sk_buff *skb;
	/* The poll that decrypted it (GRO there), NULL after async completion. */
	struct napi_struct *napi;
	u64 seq;
	unsigned int elen;	/* payload + padding + trailer */
	u8 outer_tos;
	/* ESP-in-UDP: where it came from, checked against the SA once authentic. */
	bool encap;
	__be16 sport;
	union ipsec_tun_addr saddr;
	u8 aad[12];
	u8 iv[16];
};

static void in_drop(struct ipsec_tun_sa *sa, struct sk_buff *skb, unsigned int why,
		    const char *msg)
{
	ipsec_tun_drop(sa->itd, sa, why, true);
	net_dbg_ratelimited("%s: SPI 0x%08x: rx drop: %s\n", sa->itd->dev->name, sa->spi, msg);
	kfree_skb(skb);
}

/* Check the inner header and cut the packet to its own length. */
static bool inner_valid(struct sk_buff *skb, u8 nexthdr)
{
	if (nexthdr == IPPROTO_IPIP) {
		const struct iphdr *iph;

		if (!pskb_may_pull(skb, sizeof(*iph)))
			return false;
		iph = ip_hdr(skb);
		if (iph->version != 4 || iph->ihl < 5 || ntohs(iph->tot_len) < iph->ihl * 4 ||
		    ntohs(iph->tot_len) > skb->len || !pskb_may_pull(skb, iph->ihl * 4))
			return false;
		skb->protocol = htons(ETH_P_IP);
		return !pskb_trim(skb, ntohs(ip_hdr(skb)->tot_len));
	}
	if (nexthdr == IPPROTO_IPV6) {
		const struct ipv6hdr *ip6;

		if (!pskb_may_pull(skb, sizeof(*ip6)))
			return false;
		ip6 = ipv6_hdr(skb);
		if (ip6->version != 6 ||
		    sizeof(*ip6) + ntohs(ip6->payload_len) > skb->len)
			return false;
		skb->protocol = htons(ETH_P_IPV6);
		return !pskb_trim(skb, sizeof(*ip6) + ntohs(ip6->payload_len));
	}
	return false;
}

static bool selectors_allow(struct ipsec_tun_sa *sa, struct sk_buff *skb)
{
	struct ipsec_tun_flow fl;
	unsigned int i;

	if (!sa->nsel)
		return true;
	if (ipsec_tun_skb_flow(skb, &fl))
		return false;
	for (i = 0; i < sa->nsel; i++)
		if (ipsec_tun_sel_match(&sa->sel[i], &fl))
			return true;
	return false;
}

/*
 * RFC 6040 4.2 (the normal mode, as ip_tunnel and XFRM): the inner ECN field
 * after decapsulation, or -1 when the packet must be dropped: congestion
 * experienced on the way (outer CE) cannot be passed to a transport that
 * does not do ECN (inner Not-ECT), and passing it on unmarked would hide it.
 * An outer ECT(1) over an inner ECT(0) becomes ECT(1); anything else keeps
 * the inner field.
 */
static int decap_ecn(u8 outer, u8 inner)
{
	outer &= INET_ECN_MASK;
	inner &= INET_ECN_MASK;
	if (outer == INET_ECN_CE)
		return inner == INET_ECN_NOT_ECT ? -1 : INET_ECN_CE;
	if (outer == INET_ECN_ECT_1 && inner == INET_ECN_ECT_0)
		return INET_ECN_ECT_1;
	return inner;
}

/* The inner DS field from the outer one; false: drop (DROP_ECN). */
static bool set_inner_dsfield(struct sk_buff *skb, struct ipsec_tun_sa *sa, u8 outer_tos)
{
	bool v4 = skb->protocol == htons(ETH_P_IP);
	u8 inner = v4 ? ipv4_get_dsfield(ip_hdr(skb)) : ipv6_get_dsfield(ipv6_hdr(skb));
	int ecn = decap_ecn(outer_tos, inner);
	u8 ds = inner;

	if (ecn < 0)
		return false;
	if (sa->flags & IPSEC_TUN_SA_F_DECAP_DSCP)
		ds = outer_tos & ~INET_ECN_MASK;
	ds = (ds & ~INET_ECN_MASK) | ecn;
	if (ds == inner)
		return true;
	/* Mask 0: the whole field is replaced (the IPv4 checksum follows). */
	if (v4)
		ipv4_change_dsfield(ip_hdr(skb), 0, ds);
	else
		ipv6_change_dsfield(ipv6_hdr(skb), 0, ds);
	return true;
}

/* The inner header was checked by inner_valid(); extension headers count as not TCP. */
static bool inner_is_tcp(const struct sk_buff *skb, u8 nexthdr)
{
	if (nexthdr == IPPROTO_IPIP)
		return ip_hdr(skb)->protocol == IPPROTO_TCP;
	return ipv6_hdr(skb)->nexthdr == IPPROTO_TCP;
}

/* Decryption failed: a forged or damaged packet, or no memory. */
static void in_crypto_failed(struct ipsec_tun_sa *sa, struct sk_buff *skb, int err)
{
	if (err != -EBADMSG) {
		in_drop(sa, skb, IPSEC_TUN_STAT_DROP_NOMEM, "decryption error");
		return;
	}
	in_drop(sa, skb, IPSEC_TUN_STAT_DROP_AUTH, "ICV check failed");
	if (!(atomic_inc_return(&sa->auth_failures) & 63))
		ipsec_tun_event_error(sa->itd, sa, IPSEC_TUN_ERR_AUTH_BURST);
}

/*
 * Check the padding (RFC 4303 2.4: 1, 2, 3, ...) and the next header, and
 * cut trailer, ICV and ESP header: skb->data at the inner packet. Returns
 * the next header, or 0 when the packet is gone (dropped, or a dummy
 * packet, RFC 4303 2.6, discarded).
 */
static u8 in_strip_esp(struct ipsec_tun_sa *sa, struct sk_buff *skb, unsigned int elen)
{
	unsigned int icvlen = sa->crypto.icvlen, hdr_len, i;
	u8 trailer[2], pad[255], padlen, nexthdr;

	if (skb_copy_bits(skb, skb->len - icvlen - 2, trailer, 2))
		goto bad_pad;
	padlen = trailer[0];
	nexthdr = trailer[1];
	if (padlen + 2 > elen || skb_copy_bits(skb, skb->len - icvlen - 2 - padlen, pad, padlen))
		goto bad_pad;
	for (i = 0; i < padlen; i++)
		if (pad[i] != i + 1)
			goto bad_pad;
	if (nexthdr == IPPROTO_NONE) {
		consume_skb(skb);
		return 0;
	}
	if (nexthdr != IPPROTO_IPIP && nexthdr != IPPROTO_IPV6)
		goto bad_pad;
	hdr_len = IPSEC_TUN_ESP_HDR_LEN + sa->crypto.ivlen;
	if (pskb_trim(skb, skb->len - icvlen - 2 - padlen) || !pskb_may_pull(skb, hdr_len)) {
		in_drop(sa, skb, IPSEC_TUN_STAT_DROP_NOMEM, "trim");
		return 0;
	}
	__skb_pull(skb, hdr_len);
	skb_reset_network_header(skb);
	return nexthdr;

bad_pad:
	in_drop(sa, skb, IPSEC_TUN_STAT_DROP_PAD, "bad padding or next header");
	return 0;
}

/* The inner packet against its header rules, the SA's selectors and ECN. */
static bool in_inner_ok(struct ipsec_tun_sa *sa, struct sk_buff *skb, u8 nexthdr, u8 outer_tos)
{
	if (!inner_valid(skb, nexthdr)) {
		in_drop(sa, skb, IPSEC_TUN_STAT_DROP_HEADER, "malformed inner packet");
		return false;
	}
	if (!selectors_allow(sa, skb)) {
		in_drop(sa, skb, IPSEC_TUN_STAT_DROP_SELECTOR, "inner packet outside the SA's selectors");
		return false;
	}
	if (!set_inner_dsfield(skb, sa, outer_tos)) {
		in_drop(sa, skb, IPSEC_TUN_STAT_DROP_ECN, "outer CE over a Not-ECT inner packet");
		return false;
	}
	return true;
}

/* Hand the inner packet to ipsecN's stack, counted. */
static void in_deliver(struct ipsec_tun_sa *sa, struct sk_buff *skb, u8 nexthdr,
		       struct napi_struct *napi)
{
	struct ipsec_tun_dev *itd = sa->itd;
	unsigned int len = skb->len;

	ipsec_tun_sa_account(sa, len);
	skb_scrub_packet(skb, !net_eq(sa->net, dev_net(itd->dev)));
	skb->dev = itd->dev;
	skb->pkt_type = PACKET_HOST;
	skb->ip_summed = CHECKSUM_NONE;
	ipsec_tun_mss_clamp(itd, skb);
	skb_reset_mac_header(skb);
	skb_reset_transport_header(skb);
	ipsec_tun_stat_add(itd->stats, IPSEC_TUN_STAT_RX_PACKETS, 1);
	ipsec_tun_stat_add(itd->stats, IPSEC_TUN_STAT_RX_BYTES, len);
	ipsec_tun_stat_add(sa->stats, IPSEC_TUN_STAT_RX_PACKETS, 1);
	ipsec_tun_stat_add(sa->stats, IPSEC_TUN_STAT_RX_BYTES, len);
	/*
	 * GRO only pays for TCP, where it merges segments; anything else is
	 * delivered at once (performance.md, "GRO for TCP only"). After an
	 * asynchronous completion (rare: the CPU's SIMD unit was busy) we are
	 * outside the poll: the backlog.
	 */
	if (!napi)
		netif_rx(skb);
	else if (inner_is_tcp(skb, nexthdr))
		napi_gro_receive(napi, skb);
	else
		netif_receive_skb(skb);
}

/* After decryption, inline or from the crypto callback. Frees ctx, puts the SA. */
static void esp_input_done_ctx(struct esp_in_ctx *ctx, int err)
{
	struct sk_buff *skb = ctx->skb;
	struct ipsec_tun_sa *sa = ctx->sa;
	u8 nexthdr;

	if (unlikely(err)) {
		in_crypto_failed(sa, skb, err);
		goto out;
	}
	if (!ipsec_tun_sa_replay_advance(sa, ctx->seq)) {
		in_drop(sa, skb, IPSEC_TUN_STAT_DROP_REPLAY, "replayed packet");
		goto out;
	}
	if (ctx->encap)
		ipsec_tun_event_mapping(sa, &ctx->saddr, ctx->sport);
	nexthdr = in_strip_esp(sa, skb, ctx->elen);
	if (!nexthdr || !in_inner_ok(sa, skb, nexthdr, ctx->outer_tos))
		goto out;
	atomic_set(&sa->auth_failures, 0);
	in_deliver(sa, skb, nexthdr, ctx->napi);
out:
	kfree(ctx);
	ipsec_tun_sa_put(sa);
}

static IPSEC_TUN_CRYPTO_DONE(esp_input_done)
{
	struct esp_in_ctx *ctx = ipsec_tun_crypto_cb_data();

	if (err == -EINPROGRESS)
		return;
	ctx->napi = NULL;
	/*
	 * From the crypto driver's context (cryptd's worker): the events this
	 * may send go to the underlay netns, which pre_exit's
	 * synchronize_net() keeps alive only for RCU-bh readers.
	 */
	rcu_read_lock_bh();
	esp_input_done_ctx(ctx, err);
	rcu_read_unlock_bh();
}

/*
 * ESP-in-UDP (encap.c pulled the UDP header just before the ESP header):
 * the outer source address and UDP source port, for MAPPING events.
 */
static void outer_udp_source(struct sk_buff *skb, bool outer_v4, struct esp_in_ctx *ctx)
{
	const struct udphdr *uh = (const struct udphdr *)(skb->data - sizeof(*uh));
	int l3 = outer_v4 ? ip_hdrlen(skb) : sizeof(struct ipv6hdr);

	memset(&ctx->saddr, 0, sizeof(ctx->saddr));
	/* The outer header, then the UDP header, then ESP at skb->data. */
	ctx->encap = (outer_v4 ? ip_hdr(skb)->protocol : ipv6_hdr(skb)->nexthdr) == IPPROTO_UDP &&
		     skb_network_offset(skb) + l3 + (int)sizeof(*uh) == 0;
	if (!ctx->encap)
		return;
	ctx->sport = uh->source;
	if (outer_v4)
		ctx->saddr.w[0] = ip_hdr(skb)->saddr;
	else
		memcpy(ctx->saddr.b, &ipv6_hdr(skb)->saddr, sizeof(ctx->saddr.b));
}

/*
 * Before any crypto: the SA is alive, the packet is long enough and
 * aligned, its sequence number is in the replay window. Sets *elen
 * (payload + padding + trailer) and *seq. Returns false when dropped.
 */
static bool in_precheck(struct ipsec_tun_sa *sa, struct sk_buff *skb, int *elen, u64 *seq)
{
	const struct ipsec_tun_crypto *c = &sa->crypto;

	if (READ_ONCE(sa->dead)) {
		in_drop(sa, skb, IPSEC_TUN_STAT_DROP_EXPIRED, "SA expired");
		return false;
	}
	*elen = skb->len - IPSEC_TUN_ESP_HDR_LEN - c->ivlen - c->icvlen;
	if (*elen <= 0 || *elen % c->align ||
	    !pskb_may_pull(skb, IPSEC_TUN_ESP_HDR_LEN + c->ivlen)) {
		in_drop(sa, skb, IPSEC_TUN_STAT_DROP_HEADER, "truncated or misaligned ESP");
		return false;
	}
	if (!ipsec_tun_sa_replay_check(sa, get_unaligned_be32(skb->data + 4), seq)) {
		in_drop(sa, skb, IPSEC_TUN_STAT_DROP_REPLAY, "replayed or too old");
		return false;
	}
	return true;
}

/*
 * Map the packet for the cipher, decrypted in place: associated data
 * (SPI, [seq hi,] seq lo; with ESN the high half from ctx->aad, RFC 4303
 * 2.2.1), IV, payload, ICV. Sets *assoclen. Returns the entries used or < 0.
 */
static int in_sgvec(struct esp_in_ctx *ctx, struct sk_buff *skb, struct scatterlist *sg,
		    unsigned int nsg, bool esn, unsigned int *assoclen)
{
	unsigned int ivlen = ctx->sa->crypto.ivlen;
	int n;

	sg_init_table(sg, nsg);
	if (!esn) {
		*assoclen = IPSEC_TUN_ESP_HDR_LEN + ivlen;
		return skb_to_sgvec(skb, sg, 0, skb->len);
	}
	memcpy(ctx->aad, skb->data, 4);
	put_unaligned_be32(ctx->seq >> 32, ctx->aad + 4);
	memcpy(ctx->aad + 8, skb->data + 4, 4);
	sg_set_buf(sg, ctx->aad, 12);
	*assoclen = 12 + ivlen;
	n = skb_to_sgvec(skb, sg + 1, IPSEC_TUN_ESP_HDR_LEN, skb->len - IPSEC_TUN_ESP_HDR_LEN);
	return n < 0 ? n : n + 1;
}

/* Consumes skb and the SA reference. skb->data at the ESP header. */
static void esp_input(struct ipsec_tun_sa *sa, struct sk_buff *skb, bool outer_v4,
			 struct napi_struct *napi)
{
	struct ipsec_tun_crypto *c = &sa->crypto;
	unsigned int assoclen;
	struct aead_request *req;
	struct esp_in_ctx *ctx;
	struct scatterlist *sg;
	struct sk_buff *trailer;
	int elen, nfrags, err;
	u64 seq;

	if (!in_precheck(sa, skb, &elen, &seq))
		goto put;
	/*
	 * Decrypted in place. Page fragments of a packet that is only ours
	 * (not cloned, not spliced from the page cache or user memory) may be
	 * written; anything else is copied first.
	 */
	if (!skb_cloned(skb) && !skb_has_frag_list(skb) && !skb_has_shared_frag(skb) &&
	    !skb_zcopy(skb))
		nfrags = skb_shinfo(skb)->nr_frags + 1;
	else
		nfrags = skb_cow_data(skb, 0, &trailer);
	if (nfrags < 0) {
		in_drop(sa, skb, IPSEC_TUN_STAT_DROP_NOMEM, "skb_cow_data");
		goto put;
	}
	ctx = ipsec_tun_crypto_req_alloc(c->aead, sizeof(*ctx), nfrags + 1, &req, &sg);
	if (!ctx) {
		in_drop(sa, skb, IPSEC_TUN_STAT_DROP_NOMEM, "no memory for crypto request");
		goto put;
	}
	ctx->sa = sa;
	ctx->skb = skb;
	ctx->napi = napi;
	ctx->seq = seq;
	ctx->elen = elen;
	ctx->outer_tos = outer_v4 ? ipv4_get_dsfield(ip_hdr(skb)) :
				    ipv6_get_dsfield(ipv6_hdr(skb));
	outer_udp_source(skb, outer_v4, ctx);
	memcpy(ctx->iv, skb->data + IPSEC_TUN_ESP_HDR_LEN, c->ivlen);
	if (unlikely(in_sgvec(ctx, skb, sg, nfrags + 1, sa->flags & IPSEC_TUN_SA_F_ESN,
			      &assoclen) < 0)) {
		kfree(ctx);
		in_drop(sa, skb, IPSEC_TUN_STAT_DROP_NOMEM, "skb_to_sgvec");
		goto put;
	}
	aead_request_set_tfm(req, c->aead);
	aead_request_set_callback(req, 0, esp_input_done, ctx);
	aead_request_set_crypt(req, sg, sg, elen + c->icvlen, ctx->iv);
	aead_request_set_ad(req, assoclen);
	err = crypto_aead_decrypt(req);
	if (err == -EINPROGRESS)
		return;
	esp_input_done_ctx(ctx, err);
	return;
put:
	ipsec_tun_sa_put(sa);
}

/* The receive queues' NAPI poll: decrypt and deliver in arrival order (GRO). */
int ipsec_tun_rxq_poll(struct napi_struct *napi, int budget)
{
	struct ipsec_tun_sa *sa;
	struct sk_buff *skb;
	bool outer_v4;
	int done = 0;

	while (done < budget && (skb = ipsec_tun_cryptq_next(napi, &sa, &outer_v4))) {
		esp_input(sa, skb, outer_v4, napi);
		done++;
	}
	if (done < budget)
		napi_complete_done(napi, done);
	return done;
}

/*
 * The inbound SA for the SAD key, referenced, into *sa: 0. With none, ESP
 * for an SPI the daemon reserved is held until its SA is added
 * (spi_hold.c): 0 and *sa NULL when held or dropped there; -ENOENT when
 * the packet is not ours.
 */
static int esp_rcv_sa(const struct ipsec_tun_sad_key *key, struct sk_buff *skb, bool outer_v4,
		      struct ipsec_tun_sa **sa)
{
	int ret;

	rcu_read_lock();
	*sa = ipsec_tun_sa_lookup_in((struct net *)key->net, key->spi, key->family, &key->daddr);
	rcu_read_unlock();
	if (*sa)
		return 0;
	ret = ipsec_tun_spi_hold_rcv(key, skb, outer_v4);
	if (ret != -EAGAIN)
		return ret;
	/* The reservation became an SA since the first lookup. */
	rcu_read_lock();
	*sa = ipsec_tun_sa_lookup_in((struct net *)key->net, key->spi, key->family, &key->daddr);
	rcu_read_unlock();
	return *sa ? 0 : -ENOENT;
}

int ipsec_tun_esp_rcv(struct net *net, struct sk_buff *skb)
{
	bool outer_v4 = skb->protocol == htons(ETH_P_IP);
	struct ipsec_tun_sad_key key = {
		.net = net, .family = outer_v4 ? AF_INET : AF_INET6,
	};
	struct ipsec_tun_sa *sa;
	int ret;

	if (!pskb_may_pull(skb, IPSEC_TUN_ESP_HDR_LEN))
		return -ENOENT;
	/* The SAD key (RFC 4301 4.4.2.1): SPI and the outer destination. */
	key.spi = get_unaligned_be32(skb->data);
	if (outer_v4)
		key.daddr.w[0] = ip_hdr(skb)->daddr;
	else
		memcpy(key.daddr.b, &ipv6_hdr(skb)->daddr, sizeof(key.daddr.b));
	ret = esp_rcv_sa(&key, skb, outer_v4, &sa);
	if (!ret && sa)
		ipsec_tun_rxq_enqueue(sa, skb, outer_v4);
	return ret;
}

/* xfrm protocol handlers: first in the chain for IPPROTO_ESP. */
static int esp_rcv(struct sk_buff *skb)
{
	return ipsec_tun_esp_rcv(dev_net(skb->dev), skb) == -ENOENT ? -EINVAL : 0;
}

/* ESP-in-UDP decapsulated by the kernel's own NAT-T sockets: XFRM's. */
static int esp_input_handler(struct sk_buff *skb, int nexthdr, __be32 spi, int encap_type)
{
	return -EINVAL;
}

/* Called for packets XFRM decrypted: never ours, let the next handler see it. */
static int esp_cb_handler(struct sk_buff *skb, int err)
{
	return 1;
}

/* Above esp4/esp6 (0), xfrm interfaces (10) and vti (100). */
#define IPSEC_TUN_XFRM_PRIORITY 200

static struct xfrm4_protocol esp4_handler = {
	.handler = esp_rcv,
	.input_handler = esp_input_handler,
	.cb_handler = esp_cb_handler,
	.err_handler = ipsec_tun_esp4_err,	/* icmp_err.c */
	.priority = IPSEC_TUN_XFRM_PRIORITY,
};

static struct xfrm6_protocol esp6_handler = {
	.handler = esp_rcv,
	.input_handler = esp_input_handler,
	.cb_handler = esp_cb_handler,
	.err_handler = ipsec_tun_esp6_err,
	.priority = IPSEC_TUN_XFRM_PRIORITY,
};

int ipsec_tun_input_init(void)
{
	int ret;

	ret = xfrm4_protocol_register(&esp4_handler, IPPROTO_ESP);
	if (ret)
		return ret;
	ret = xfrm6_protocol_register(&esp6_handler, IPPROTO_ESP);
	if (ret)
		xfrm4_protocol_deregister(&esp4_handler, IPPROTO_ESP);
	return ret;
}

void ipsec_tun_input_uninit(void)
{
	xfrm6_protocol_deregister(&esp6_handler, IPPROTO_ESP);
	xfrm4_protocol_deregister(&esp4_handler, IPPROTO_ESP);
}
