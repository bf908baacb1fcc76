/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Inbound ordering queues: ESP packets of one SA are decrypted and
 * delivered in the order they arrived, whichever CPUs received them.
 */
#ifndef IPSEC_TUN_RXQ_H
#define IPSEC_TUN_RXQ_H

#include <linux/netdevice.h>
#include <linux/skbuff.h>

struct ipsec_tun_dev;
struct ipsec_tun_sa;

/*
 * One NAPI context and its FIFO. Every SA hashes to one queue of its
 * device, so a NAPI poll (one CPU at a time) sees the SA's packets in
 * arrival order. The queue lock orders producers (softirq on any CPU).
 */
struct ipsec_tun_rxq {
	struct napi_struct napi;
	struct sk_buff_head queue;
};

/* Packets waiting in one queue before new ones are dropped. */
#define IPSEC_TUN_RXQ_LIMIT 1024

/* ndo_init / priv_destructor. */
int ipsec_tun_rxq_init(struct ipsec_tun_dev *itd);
void ipsec_tun_rxq_destroy(struct ipsec_tun_dev *itd);
/* ndo_open / ndo_stop: the NAPIs run only while the device is up. */
void ipsec_tun_rxq_start(struct ipsec_tun_dev *itd);
void ipsec_tun_rxq_stop(struct ipsec_tun_dev *itd);

/*
 * Softirq. Queue an ESP packet (skb->data at the ESP header) for the SA,
 * whose reference moves to the queue. Drops (counted) when the device is
 * down or the queue is full.
 */
void ipsec_tun_rxq_enqueue(struct ipsec_tun_sa *sa, struct sk_buff *skb, bool outer_v4);

/* esp_input.c: decrypt and deliver; napi is the poll's (GRO), consumes both. */
void ipsec_tun_esp_input(struct ipsec_tun_sa *sa, struct sk_buff *skb, bool outer_v4,
			 struct napi_struct *napi);

#endif /* IPSEC_TUN_RXQ_H */
