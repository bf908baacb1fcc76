/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Ordering queues: ESP packets of one SA are decrypted and delivered in
 * the order they arrived, whichever CPUs received them; packets routed into
 * ipsecN are encrypted and sent in the order they were sent, in a NAPI
 * context the scheduler may run on another CPU than the sender's.
 */
#ifndef IPSEC_TUN_CRYPTQ_H
#define IPSEC_TUN_CRYPTQ_H

#include <linux/netdevice.h>
#include <linux/skbuff.h>

struct ipsec_tun_dev;
struct ipsec_tun_sa;

/*
 * One NAPI context and its FIFO. Every SA hashes to one queue of its
 * device, so a NAPI poll (one CPU at a time) sees the SA's packets in
 * arrival order. The queue lock orders producers (softirq or
 * ndo_start_xmit on any CPU).
 */
struct ipsec_tun_cryptq {
	struct napi_struct napi;
	struct sk_buff_head queue;
	bool tx;	/* holds inner packets to encrypt, not ESP to decrypt */
};

/* Packets waiting in one queue before new ones are dropped. */
#define IPSEC_TUN_CRYPTQ_LIMIT 1024

/*
 * ndo_init / priv_destructor. Each direction brings its NAPI poll
 * (esp_input.c, esp_output.c), which takes its packets with
 * ipsec_tun_cryptq_next(): the queues call no direction themselves.
 */
int ipsec_tun_cryptq_init(struct ipsec_tun_dev *itd, int (*rx_poll)(struct napi_struct *, int),
			  int (*tx_poll)(struct napi_struct *, int));
void ipsec_tun_cryptq_destroy(struct ipsec_tun_dev *itd);
/* ndo_open / ndo_stop: the NAPIs run only while the device is up. */
void ipsec_tun_cryptq_start(struct ipsec_tun_dev *itd);
void ipsec_tun_cryptq_stop(struct ipsec_tun_dev *itd);

/*
 * Softirq. Queue an ESP packet (skb->data at the ESP header) for the SA,
 * whose reference moves to the queue. Drops (counted) when the device is
 * down or the queue is full.
 */
void ipsec_tun_rxq_enqueue(struct ipsec_tun_sa *sa, struct sk_buff *skb, bool outer_v4);

/*
 * ndo_start_xmit. Queue an inner packet for the outbound SA, whose
 * reference moves to the queue; dropped (counted) when the queue is full.
 */
void ipsec_tun_txq_enqueue(struct ipsec_tun_sa *sa, struct sk_buff *skb);

/*
 * NAPI poll of one queue: its next packet, with the SA reference that came
 * with it (and, inbound, the outer family), or NULL when the queue is empty.
 */
struct sk_buff *ipsec_tun_cryptq_next(struct napi_struct *napi, struct ipsec_tun_sa **sa,
				      bool *outer_v4);

#endif /* IPSEC_TUN_CRYPTQ_H */
