// SPDX-License-Identifier: GPL-2.0
/*
 * Ordering queues: inbound ESP to decrypt, outbound packets to encrypt.
 *
 * Why: the underlay hands one SA's packets to whichever CPU received them
 * (a veth pair delivers on the sending CPU, and TCP sends from process
 * context on one CPU and from ACK processing on another). Decrypting on
 * the receiving CPU lets two bursts of the same flow be decrypted at the
 * same time on two CPUs and reach TCP interleaved: reordering, spurious
 * retransmissions and a halved window. So the receive handler only looks
 * up the SA and appends the packet to a FIFO; a NAPI context per FIFO
 * decrypts and delivers in FIFO order (as WireGuard's per-peer NAPI does)
 * and feeds TCP through GRO. The NAPIs may be threaded (the standard
 * /sys/class/net/ipsecN/threaded switch), which lets the scheduler run
 * decryption on another CPU than the one that received the packet.
 *
 * Outbound the same way: ndo_start_xmit only finds the SA and queues the
 * packet; the queue's NAPI routes, segments, encrypts and sends. A sender
 * flooding small packets was otherwise bound by one CPU doing its syscalls
 * and all the encryption, with the other CPU half idle (the figures are in
 * Documentation/performance.md, "Design choices"). One consumer per
 * queue keeps the SA's sequence numbers in the order packets were sent.
 * A full queue drops (counted) rather than stopping the device: ipsecN has
 * no qdisc (IFF_NO_QUEUE, as WireGuard's devices), and TCP's small-queue
 * limit keeps one flow far below the queue length.
 *
 * Layout: itd->cryptq holds ncryptq receive queues, then ncryptq transmit
 * queues; an SA hashes by SPI to one of each.
 *
 * Lifetime: a queued packet holds an SA reference (so the SA, its device
 * and the device's queues outlive it). The queues are emptied at ndo_stop,
 * after napi_disable() and a grace period that waits for every producer
 * that saw the device running.
 */
#include <linux/hash.h>
#include <linux/slab.h>
#include "cryptq.h"
#include "device.h"
#include "sa.h"

struct cryptq_cb {
	struct ipsec_tun_sa *sa;
	bool outer_v4;
};

static struct cryptq_cb *cryptq_cb(struct sk_buff *skb)
{
	BUILD_BUG_ON(sizeof(struct cryptq_cb) > sizeof_field(struct sk_buff, cb));
	return (struct cryptq_cb *)skb->cb;
}

struct sk_buff *ipsec_tun_cryptq_next(struct napi_struct *napi, struct ipsec_tun_sa **sa,
				      bool *outer_v4)
{
	struct ipsec_tun_cryptq *q = container_of(napi, struct ipsec_tun_cryptq, napi);
	struct sk_buff *skb = skb_dequeue(&q->queue);

	if (skb) {
		*sa = cryptq_cb(skb)->sa;
		*outer_v4 = cryptq_cb(skb)->outer_v4;
	}
	return skb;
}

int ipsec_tun_cryptq_init(struct ipsec_tun_dev *itd, int (*rx_poll)(struct napi_struct *, int),
			  int (*tx_poll)(struct napi_struct *, int))
{
	unsigned int i, n = min_t(unsigned int, num_possible_cpus(), 16);

	itd->cryptq = kcalloc(2 * n, sizeof(*itd->cryptq), GFP_KERNEL_ACCOUNT);
	if (!itd->cryptq)
		return -ENOMEM;
	itd->ncryptq = n;
	for (i = 0; i < 2 * n; i++) {
		itd->cryptq[i].tx = i >= n;
		skb_queue_head_init(&itd->cryptq[i].queue);
		netif_napi_add(itd->dev, &itd->cryptq[i].napi, i >= n ? tx_poll : rx_poll);
	}
	return 0;
}

void ipsec_tun_cryptq_destroy(struct ipsec_tun_dev *itd)
{
	unsigned int i;

	for (i = 0; i < 2 * itd->ncryptq; i++)
		netif_napi_del(&itd->cryptq[i].napi);
	kfree(itd->cryptq);
	itd->cryptq = NULL;
	itd->ncryptq = 0;
}

void ipsec_tun_cryptq_start(struct ipsec_tun_dev *itd)
{
	unsigned int i;

	for (i = 0; i < 2 * itd->ncryptq; i++)
		napi_enable(&itd->cryptq[i].napi);
}

void ipsec_tun_cryptq_stop(struct ipsec_tun_dev *itd)
{
	struct sk_buff *skb;
	unsigned int i;

	for (i = 0; i < 2 * itd->ncryptq; i++)
		napi_disable(&itd->cryptq[i].napi);
	/* netif_running() is false now: wait for producers that saw it true. */
	synchronize_net();
	for (i = 0; i < 2 * itd->ncryptq; i++) {
		while ((skb = skb_dequeue(&itd->cryptq[i].queue))) {
			struct ipsec_tun_sa *sa = cryptq_cb(skb)->sa;

			ipsec_tun_drop(itd, sa, IPSEC_TUN_STAT_DROP_NOMEM, !itd->cryptq[i].tx);
			kfree_skb(skb);
			ipsec_tun_sa_put(sa);
		}
	}
}

/* Append to q, unless the device is down or q is full; consumes both. */
static void queue_add(struct ipsec_tun_cryptq *q, struct ipsec_tun_sa *sa, struct sk_buff *skb,
		      bool outer_v4)
{
	struct ipsec_tun_dev *itd = sa->itd;
	const char *dir = q->tx ? "tx" : "rx";
	struct cryptq_cb *cb;

	cb = cryptq_cb(skb);
	cb->sa = sa;
	cb->outer_v4 = outer_v4;
	rcu_read_lock();
	if (unlikely(!netif_running(itd->dev))) {
		rcu_read_unlock();
		ipsec_tun_drop(itd, sa, IPSEC_TUN_STAT_DROP_NOMEM, !q->tx);
		net_dbg_ratelimited("%s: SPI 0x%08x: %s drop: device down\n", itd->dev->name,
				    sa->spi, dir);
		goto drop;
	}
	spin_lock(&q->queue.lock);
	if (unlikely(skb_queue_len(&q->queue) >= IPSEC_TUN_CRYPTQ_LIMIT)) {
		spin_unlock(&q->queue.lock);
		rcu_read_unlock();
		ipsec_tun_drop(itd, sa, IPSEC_TUN_STAT_DROP_NOMEM, !q->tx);
		net_dbg_ratelimited("%s: SPI 0x%08x: %s drop: queue full\n",
				    itd->dev->name, sa->spi, dir);
		goto drop;
	}
	__skb_queue_tail(&q->queue, skb);
	spin_unlock(&q->queue.lock);
	napi_schedule(&q->napi);
	rcu_read_unlock();
	return;
drop:
	kfree_skb(skb);
	ipsec_tun_sa_put(sa);
}

void ipsec_tun_rxq_enqueue(struct ipsec_tun_sa *sa, struct sk_buff *skb, bool outer_v4)
{
	struct ipsec_tun_dev *itd = sa->itd;

	/* The input route and the underlay device may go while we queue. */
	skb_dst_drop(skb);
	skb->dev = itd->dev;
	queue_add(&itd->cryptq[hash_32(sa->spi, 32) % itd->ncryptq], sa, skb, outer_v4);
}

void ipsec_tun_txq_enqueue(struct ipsec_tun_sa *sa, struct sk_buff *skb)
{
	struct ipsec_tun_dev *itd = sa->itd;

	queue_add(&itd->cryptq[itd->ncryptq + hash_32(sa->spi, 32) % itd->ncryptq], sa, skb, false);
}
