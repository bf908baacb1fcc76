// SPDX-License-Identifier: GPL-2.0
/*
 * Reserved inbound SPIs, and the ESP held for them until their SA exists.
 *
 * Why: the inbound SA of a new child SA can only be added once its keys are
 * known, i.e. once the CREATE_CHILD_SA (or IKE_AUTH) response is processed,
 * but the responder may send ESP on it as soon as it has answered. That ESP
 * can arrive first; without a hold it goes to XFRM and is lost (counted as
 * XfrmInNoStates). So ALLOC_SPI with a device reserves the SPI there (a
 * larval SA, as XFRM's ALLOCSPI state), and ESP for a reserved (SPI,
 * destination) is held for a moment; NEW_SA of that SPI on that device puts
 * the held packets through the normal input path (replay window, ICV,
 * selectors), after packets that found the new SA directly.
 *
 * ESP for a reservation is unauthenticated: anyone can send it. It costs
 * bounded memory (SPI_HOLD_PACKETS per SPI, SPI_HOLD_DEV_PACKETS and
 * SPI_HOLD_DEV_BYTES of truesize per device; beyond them it is dropped,
 * STAT_DROP_HOLD_FULL) and bounded time (spi_hold_ms per packet, then
 * STAT_DROP_HOLD_EXPIRED), and never touches an established SA: those are
 * found in sa.c's in_table first, and this file's lock is per device and
 * taken only for reserved SPIs. A reservation ends with its SA (NEW_SA),
 * DEL_SA of its SPI, FLUSH, the device's or underlay netns's end, or
 * SPI_RESERVE_SECS after ALLOC_SPI; its held packets are dropped
 * (STAT_DROP_HOLD_EXPIRED) unless its SA takes them.
 *
 * Locking: reservations are created under the config mutex, in hold_table
 * (RCU readers: the packet path) and on their device's list. Everything
 * else - unlinking, the queues, the counters - is under the device's
 * holds->lock (BH-safe), so that expire_work, which never takes the config
 * mutex, can end reservations while the mutex holder waits for it. An
 * unlinked reservation is marked dead under that lock and freed after a
 * grace period.
 */
#include <linux/moduleparam.h>
#include <linux/rhashtable.h>
#include <linux/slab.h>
#include <net/netfilter/nf_conntrack.h>
#include "spi_hold.h"
#include "cryptq.h"
#include "device.h"
#include "sa.h"

#define SPI_RESERVE_SECS	60
#define SPI_RESERVE_MAX		4096	/* reservations per device */
#define SPI_HOLD_PACKETS	32	/* per reserved SPI */
#define SPI_HOLD_DEV_PACKETS	256
#define SPI_HOLD_DEV_BYTES	(1U << 20)	/* truesize */
#define SPI_HOLD_MS_MAX		10000

static unsigned int spi_hold_ms = 1000;
module_param(spi_hold_ms, uint, 0644);
MODULE_PARM_DESC(spi_hold_ms,
		 "ms ESP for a reserved SPI waits for its SA (default 1000, at most 10000, 0: no hold)");

atomic_t ipsec_tun_live_held = ATOMIC_INIT(0);

struct ipsec_tun_spi_hold {
	struct rhash_head node;		/* hold_table */
	struct ipsec_tun_sad_key key;
	struct list_head dev_node;	/* itd->holds.list */
	struct ipsec_tun_dev *itd;
	struct sk_buff_head queue;	/* oldest first; holds->lock, not queue.lock */
	unsigned long expires;		/* jiffies: the reservation ends */
	bool dead;			/* unlinked (holds->lock) */
	struct rcu_head rcu;
};

/* skb->cb of a held packet (cryptq.c's takes over when it is queued). */
struct spi_hold_cb {
	unsigned long arrived;		/* jiffies */
	bool outer_v4;
};

static struct spi_hold_cb *hold_cb(struct sk_buff *skb)
{
	BUILD_BUG_ON(sizeof(struct spi_hold_cb) > sizeof_field(struct sk_buff, cb));
	return (struct spi_hold_cb *)skb->cb;
}

static struct rhashtable hold_table;

static const struct rhashtable_params hold_ht_params = {
	.key_len = sizeof(struct ipsec_tun_sad_key),
	.key_offset = offsetof(struct ipsec_tun_spi_hold, key),
	.head_offset = offsetof(struct ipsec_tun_spi_hold, node),
	.automatic_shrinking = true,
};

static unsigned long hold_jiffies(void)
{
	return msecs_to_jiffies(min_t(unsigned int, READ_ONCE(spi_hold_ms), SPI_HOLD_MS_MAX));
}

/* holds->lock held: have expire_work run by @when (it may run earlier). */
static void holds_arm(struct ipsec_tun_spi_holds *h, unsigned long when)
{
	unsigned long now = jiffies;

	if (h->next_run && !time_before(when, h->next_run))
		return;
	h->next_run = when ?: 1;
	mod_delayed_work(system_wq, &h->expire_work, time_after(when, now) ? when - now : 0);
}

/* holds->lock held: take one held packet off the books into @out. */
static void unaccount(struct ipsec_tun_spi_holds *h, struct sk_buff *skb, struct sk_buff_head *out)
{
	h->packets--;
	h->bytes -= skb->truesize;
	atomic_dec(&ipsec_tun_live_held);
	__skb_queue_tail(out, skb);
}

/* holds->lock held: move the packets held longer than @hold into @out. */
static void expire_packets(struct ipsec_tun_spi_holds *h, struct ipsec_tun_spi_hold *hold,
			   unsigned long hold_j, struct sk_buff_head *out)
{
	struct sk_buff *skb;

	while ((skb = skb_peek(&hold->queue)) &&
	       !time_before(jiffies, hold_cb(skb)->arrived + hold_j)) {
		__skb_unlink(skb, &hold->queue);
		unaccount(h, skb, out);
	}
}

/* holds->lock held: end the reservation; its packets go to @out. */
static void hold_unlink(struct ipsec_tun_spi_holds *h, struct ipsec_tun_spi_hold *hold,
			struct sk_buff_head *out)
{
	struct sk_buff *skb;

	hold->dead = true;
	rhashtable_remove_fast(&hold_table, &hold->node, hold_ht_params);
	list_del(&hold->dev_node);
	h->count--;
	while ((skb = __skb_dequeue(&hold->queue)))
		unaccount(h, skb, out);
	/* The packet path may have found it under RCU: it sees dead. */
	kfree_rcu(hold, rcu);
}

/* Any context, no lock: drop and count what a hold gave up. */
static void drop_held(struct ipsec_tun_dev *itd, struct sk_buff_head *list, unsigned int why,
		      const char *what)
{
	struct sk_buff *skb;

	if (skb_queue_empty(list))
		return;
	net_dbg_ratelimited("%s: %u held ESP packet(s) dropped: %s\n", itd->dev->name,
			    skb_queue_len(list), what);
	while ((skb = __skb_dequeue(list))) {
		ipsec_tun_drop(itd, NULL, why, true);
		kfree_skb(skb);
	}
}

/*
 * The device's timer: packets past spi_hold_ms and reservations past
 * SPI_RESERVE_SECS go; then it is queued again for the next deadline.
 */
static void holds_expire_work(struct work_struct *work)
{
	struct ipsec_tun_spi_holds *h = container_of(to_delayed_work(work),
						     struct ipsec_tun_spi_holds, expire_work);
	struct ipsec_tun_dev *itd = container_of(h, struct ipsec_tun_dev, holds);
	unsigned long hold_j = hold_jiffies(), next = 0, when;
	struct ipsec_tun_spi_hold *hold, *tmp;
	struct sk_buff_head drops;
	struct sk_buff *skb;

	__skb_queue_head_init(&drops);
	spin_lock_bh(&h->lock);
	h->next_run = 0;
	list_for_each_entry_safe(hold, tmp, &h->list, dev_node) {
		if (!time_before(jiffies, hold->expires)) {
			hold_unlink(h, hold, &drops);
			continue;
		}
		expire_packets(h, hold, hold_j, &drops);
		when = hold->expires;
		skb = skb_peek(&hold->queue);
		if (skb && time_before(hold_cb(skb)->arrived + hold_j, when))
			when = hold_cb(skb)->arrived + hold_j;
		if (!next || time_before(when, next))
			next = when;
	}
	if (next)
		holds_arm(h, next);
	spin_unlock_bh(&h->lock);
	drop_held(itd, &drops, IPSEC_TUN_STAT_DROP_HOLD_EXPIRED, "hold expired");
}

void ipsec_tun_spi_holds_setup(struct ipsec_tun_dev *itd)
{
	struct ipsec_tun_spi_holds *h = &itd->holds;

	spin_lock_init(&h->lock);
	INIT_LIST_HEAD(&h->list);
	INIT_DELAYED_WORK(&h->expire_work, holds_expire_work);
}

int ipsec_tun_spi_reserve(struct ipsec_tun_dev *itd, const struct ipsec_tun_sad_key *key,
			  struct netlink_ext_ack *extack)
{
	struct ipsec_tun_spi_holds *h = &itd->holds;
	struct ipsec_tun_spi_hold *hold;
	int ret;

	lockdep_assert_held(&ipsec_tun_config_mutex);
	if (itd->dead)
		return -ENODEV;
	if (READ_ONCE(h->count) >= SPI_RESERVE_MAX) {
		NL_SET_ERR_MSG(extack, "too many SPIs reserved on the device");
		return -ENOSPC;
	}
	hold = kzalloc(sizeof(*hold), GFP_KERNEL_ACCOUNT);
	if (!hold)
		return -ENOMEM;
	hold->key = *key;
	hold->itd = itd;
	__skb_queue_head_init(&hold->queue);
	hold->expires = jiffies + SPI_RESERVE_SECS * HZ;
	spin_lock_bh(&h->lock);
	ret = rhashtable_lookup_insert_fast(&hold_table, &hold->node, hold_ht_params);
	if (!ret) {
		list_add_tail(&hold->dev_node, &h->list);
		h->count++;
		holds_arm(h, hold->expires);
	}
	spin_unlock_bh(&h->lock);
	if (ret)
		kfree(hold);
	return ret;
}

bool ipsec_tun_spi_is_reserved(const struct ipsec_tun_sad_key *key)
{
	lockdep_assert_held(&ipsec_tun_config_mutex);
	return rhashtable_lookup_fast(&hold_table, key, hold_ht_params);
}

/* DEL_SA of an inbound SPI with no SA: a reservation the daemon gives up. */
bool ipsec_tun_spi_release(struct ipsec_tun_dev *itd, u32 spi)
{
	struct ipsec_tun_spi_holds *h = &itd->holds;
	struct ipsec_tun_spi_hold *hold;
	struct sk_buff_head drops;
	bool found = false;

	lockdep_assert_held(&ipsec_tun_config_mutex);
	__skb_queue_head_init(&drops);
	spin_lock_bh(&h->lock);
	list_for_each_entry(hold, &h->list, dev_node) {
		if (hold->key.spi == spi) {
			hold_unlink(h, hold, &drops);
			found = true;
			break;
		}
	}
	spin_unlock_bh(&h->lock);
	drop_held(itd, &drops, IPSEC_TUN_STAT_DROP_HOLD_EXPIRED, "SPI released");
	return found;
}

/* FLUSH, device teardown, underlay netns exit. */
void ipsec_tun_spi_holds_flush(struct ipsec_tun_dev *itd)
{
	struct ipsec_tun_spi_holds *h = &itd->holds;
	struct ipsec_tun_spi_hold *hold, *tmp;
	struct sk_buff_head drops;

	lockdep_assert_held(&ipsec_tun_config_mutex);
	__skb_queue_head_init(&drops);
	spin_lock_bh(&h->lock);
	list_for_each_entry_safe(hold, tmp, &h->list, dev_node)
		hold_unlink(h, hold, &drops);
	spin_unlock_bh(&h->lock);
	/* Nothing is left to queue it again: no reservation can be found. */
	cancel_delayed_work_sync(&h->expire_work);
	h->next_run = 0;
	drop_held(itd, &drops, IPSEC_TUN_STAT_DROP_HOLD_EXPIRED, "reservations flushed");
}

/* Hand the held packets to the new SA's receive queue, oldest first. */
static void deliver_held(struct ipsec_tun_sa *sa, struct sk_buff_head *held)
{
	struct sk_buff *skb;

	local_bh_disable();	/* ipsec_tun_rxq_enqueue() is a softirq path */
	while ((skb = __skb_dequeue(held))) {
		ipsec_tun_sa_get(sa);
		ipsec_tun_rxq_enqueue(sa, skb, hold_cb(skb)->outer_v4);
	}
	local_bh_enable();
}

void ipsec_tun_spi_hold_deliver(struct ipsec_tun_sa *sa)
{
	struct ipsec_tun_spi_hold *hold;
	struct ipsec_tun_dev *owner = NULL;
	struct sk_buff_head held;

	lockdep_assert_held(&ipsec_tun_config_mutex);
	__skb_queue_head_init(&held);
	rcu_read_lock();
	hold = rhashtable_lookup(&hold_table, &sa->in_key, hold_ht_params);
	if (hold) {
		/* The config mutex keeps the owner device alive. */
		owner = hold->itd;
		spin_lock_bh(&owner->holds.lock);
		if (!hold->dead)
			hold_unlink(&owner->holds, hold, &held);
		spin_unlock_bh(&owner->holds.lock);
	}
	rcu_read_unlock();
	if (owner == sa->itd)
		deliver_held(sa, &held);
	else if (owner)	/* reserved on another device: not this SA's */
		drop_held(owner, &held, IPSEC_TUN_STAT_DROP_HOLD_EXPIRED, "SA on another device");
}

/* holds->lock held: may one more packet of @len truesize be held? */
static bool hold_has_room(struct ipsec_tun_spi_holds *h, struct ipsec_tun_spi_hold *hold,
			  unsigned int len)
{
	return skb_queue_len(&hold->queue) < SPI_HOLD_PACKETS &&
	       h->packets < SPI_HOLD_DEV_PACKETS && h->bytes + len <= SPI_HOLD_DEV_BYTES;
}

/* Softirq, RCU read side: hold @skb for @hold, or drop it over a bound. */
static int hold_packet(struct ipsec_tun_spi_hold *hold, struct sk_buff *skb, bool outer_v4,
		       unsigned long hold_j)
{
	struct ipsec_tun_dev *itd = hold->itd;
	struct ipsec_tun_spi_holds *h = &itd->holds;
	struct sk_buff_head drops;
	bool held = false;

	__skb_queue_head_init(&drops);
	spin_lock_bh(&h->lock);
	if (hold->dead) {
		spin_unlock_bh(&h->lock);
		return -EAGAIN;
	}
	expire_packets(h, hold, hold_j, &drops);
	if (hold_has_room(h, hold, skb->truesize)) {
		/* The route and the underlay device may go while it waits. */
		skb_dst_drop(skb);
		nf_reset_ct(skb);
		skb->dev = itd->dev;
		hold_cb(skb)->arrived = jiffies;
		hold_cb(skb)->outer_v4 = outer_v4;
		__skb_queue_tail(&hold->queue, skb);
		h->packets++;
		h->bytes += skb->truesize;
		atomic_inc(&ipsec_tun_live_held);
		holds_arm(h, jiffies + hold_j);
		held = true;
	}
	spin_unlock_bh(&h->lock);
	drop_held(itd, &drops, IPSEC_TUN_STAT_DROP_HOLD_EXPIRED, "hold expired");
	if (held) {
		ipsec_tun_stat_add(itd->stats, IPSEC_TUN_STAT_RX_HELD, 1);
		return 0;
	}
	ipsec_tun_drop(itd, NULL, IPSEC_TUN_STAT_DROP_HOLD_FULL, true);
	net_dbg_ratelimited("%s: SPI 0x%08x: rx drop: hold full\n", itd->dev->name, hold->key.spi);
	kfree_skb(skb);
	return 0;
}

int ipsec_tun_spi_hold_rcv(const struct ipsec_tun_sad_key *key, struct sk_buff *skb,
			   bool outer_v4)
{
	unsigned long hold_j = hold_jiffies();
	struct ipsec_tun_spi_hold *hold;
	int ret = -ENOENT;

	rcu_read_lock();
	hold = rhashtable_lookup(&hold_table, key, hold_ht_params);
	/* An XFRM state added since with this key is XFRM's to serve. */
	if (hold && hold_j && !ipsec_tun_sad_key_in_xfrm(key))
		ret = hold_packet(hold, skb, outer_v4, hold_j);
	rcu_read_unlock();
	return ret;
}

int ipsec_tun_spi_hold_init(void)
{
	return rhashtable_init(&hold_table, &hold_ht_params);
}

/* Every device is gone, so every reservation was flushed. */
void ipsec_tun_spi_hold_uninit(void)
{
	rcu_barrier();	/* the kfree_rcu()s */
	rhashtable_destroy(&hold_table);
}
