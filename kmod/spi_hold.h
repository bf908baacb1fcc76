/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reserved inbound SPIs and the ESP held for them until their SA exists
 * (spi_hold.c).
 */
#ifndef IPSEC_TUN_SPI_HOLD_H
#define IPSEC_TUN_SPI_HOLD_H

#include <linux/list.h>
#include <linux/skbuff.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>

struct ipsec_tun_dev;
struct ipsec_tun_sa;
struct ipsec_tun_sad_key;
struct netlink_ext_ack;

/* Per device (struct ipsec_tun_dev): its reservations and what they hold. */
struct ipsec_tun_spi_holds {
	/*
	 * Protects list, the counters, next_run and every reservation's
	 * queue and dead flag. Taken by the packet path only for ESP to a
	 * reserved SPI, never for established SAs.
	 */
	spinlock_t lock;
	struct list_head list;		/* struct ipsec_tun_spi_hold */
	unsigned int count;		/* reservations */
	unsigned int packets;		/* held now */
	unsigned int bytes;		/* truesize held now */
	unsigned long next_run;		/* jiffies expire_work is due, 0: not queued */
	struct delayed_work expire_work;	/* never takes the config mutex */
};

/* Packets held now, all devices (leak check, parameters/live_held). */
extern atomic_t ipsec_tun_live_held;

int ipsec_tun_spi_hold_init(void);
void ipsec_tun_spi_hold_uninit(void);
/* The device's setup (alloc_netdev). */
void ipsec_tun_spi_holds_setup(struct ipsec_tun_dev *itd);

/* Config mutex held. */
int ipsec_tun_spi_reserve(struct ipsec_tun_dev *itd, const struct ipsec_tun_sad_key *key,
			  struct netlink_ext_ack *extack);
bool ipsec_tun_spi_is_reserved(const struct ipsec_tun_sad_key *key);
bool ipsec_tun_spi_release(struct ipsec_tun_dev *itd, u32 spi);
void ipsec_tun_spi_holds_flush(struct ipsec_tun_dev *itd);
/* An inbound SA was added: its reservation's packets go to it. */
void ipsec_tun_spi_hold_deliver(struct ipsec_tun_sa *sa);

/*
 * Softirq, for ESP no inbound SA took (skb->data at the ESP header). 0:
 * consumed (held, or dropped over a bound); -ENOENT: no reservation, the
 * packet is not ours; -EAGAIN: the reservation just became an SA, look
 * the SA up again.
 */
int ipsec_tun_spi_hold_rcv(const struct ipsec_tun_sad_key *key, struct sk_buff *skb,
			   bool outer_v4);

#endif /* IPSEC_TUN_SPI_HOLD_H */
