// SPDX-License-Identifier: GPL-2.0
/*
 * Inbound ordering queues.
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
 * Lifetime: a queued packet holds an SA reference (so the SA, its device
 * and the device's queues outlive it). The queues are emptied at ndo_stop,
 * after napi_disable() and a grace period that waits for every producer
 * that saw the device running.
 */
#include <linux/hash.h>
#include <linux/slab.h>
#include "rxq.h"
#include "device.h"
#include "sa.h"

struct rxq_cb {
	struct ipsec_tun_sa *sa;
	bool outer_v4;
};

static struct rxq_cb *rxq_cb(struct sk_buff *skb)
{
	BUILD_BUG_ON(sizeof(struct rxq_cb) > sizeof_field(struct sk_buff, cb));
	return (struct rxq_cb *)skb->cb;
}

static int rxq_poll(struct napi_struct *napi, int budget)
{
	struct ipsec_tun_rxq *q = container_of(napi, struct ipsec_tun_rxq, napi);
	struct sk_buff *skb;
	int done = 0;

	while (done < budget && (skb = skb_dequeue(&q->queue))) {
		struct rxq_cb *cb = rxq_cb(skb);

		ipsec_tun_esp_input(cb->sa, skb, cb->outer_v4, napi);
		done++;
	}
	if (done < budget)
		napi_complete_done(napi, done);
	return done;
}

int ipsec_tun_rxq_init(struct ipsec_tun_dev *itd)
{
	unsigned int i, n = min_t(unsigned int, num_possible_cpus(), 16);

	itd->rxq = kcalloc(n, sizeof(*itd->rxq), GFP_KERNEL);
	if (!itd->rxq)
		return -ENOMEM;
	itd->nrxq = n;
	for (i = 0; i < n; i++) {
		skb_queue_head_init(&itd->rxq[i].queue);
		netif_napi_add(itd->dev, &itd->rxq[i].napi, rxq_poll);
	}
	return 0;
}

void ipsec_tun_rxq_destroy(struct ipsec_tun_dev *itd)
{
	unsigned int i;

	for (i = 0; i < itd->nrxq; i++)
		netif_napi_del(&itd->rxq[i].napi);
	kfree(itd->rxq);
	itd->rxq = NULL;
	itd->nrxq = 0;
}

void ipsec_tun_rxq_start(struct ipsec_tun_dev *itd)
{
	unsigned int i;

	for (i = 0; i < itd->nrxq; i++)
		napi_enable(&itd->rxq[i].napi);
}

void ipsec_tun_rxq_stop(struct ipsec_tun_dev *itd)
{
	struct sk_buff *skb;
	unsigned int i;

	for (i = 0; i < itd->nrxq; i++)
		napi_disable(&itd->rxq[i].napi);
	/* netif_running() is false now: wait for producers that saw it true. */
	synchronize_net();
	for (i = 0; i < itd->nrxq; i++) {
		while ((skb = skb_dequeue(&itd->rxq[i].queue))) {
			struct ipsec_tun_sa *sa = rxq_cb(skb)->sa;

			ipsec_tun_drop(itd, sa, IPSEC_TUN_STAT_DROP_NOMEM, true);
			kfree_skb(skb);
			ipsec_tun_sa_put(sa);
		}
	}
}

void ipsec_tun_rxq_enqueue(struct ipsec_tun_sa *sa, struct sk_buff *skb, bool outer_v4)
{
	struct ipsec_tun_dev *itd = sa->itd;
	struct ipsec_tun_rxq *q = &itd->rxq[hash_32(sa->spi, 32) % itd->nrxq];
	struct rxq_cb *cb;

	/* The input route and the underlay device may go while we queue. */
	skb_dst_drop(skb);
	skb->dev = itd->dev;
	cb = rxq_cb(skb);
	cb->sa = sa;
	cb->outer_v4 = outer_v4;
	rcu_read_lock();
	if (unlikely(!netif_running(itd->dev))) {
		rcu_read_unlock();
		ipsec_tun_drop(itd, sa, IPSEC_TUN_STAT_DROP_NOMEM, true);
		net_dbg_ratelimited("%s: SPI 0x%08x: rx drop: device down\n", itd->dev->name,
				    sa->spi);
		goto drop;
	}
	spin_lock(&q->queue.lock);
	if (unlikely(skb_queue_len(&q->queue) >= IPSEC_TUN_RXQ_LIMIT)) {
		spin_unlock(&q->queue.lock);
		rcu_read_unlock();
		ipsec_tun_drop(itd, sa, IPSEC_TUN_STAT_DROP_NOMEM, true);
		net_dbg_ratelimited("%s: SPI 0x%08x: rx drop: receive queue full\n",
				    itd->dev->name, sa->spi);
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
