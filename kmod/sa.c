// SPDX-License-Identifier: GPL-2.0
/*
 * The SA tables, SA lifetime (references, removal, freeing) and the
 * byte/packet/seconds lifetimes that produce EXPIRE events.
 *
 * Three hash tables give O(1) lookups with any number of SAs:
 *  - in_table, key (underlay netns, SPI, outer family, destination address),
 *    RFC 4301's SAD key (sa.h): the inbound packet path. A device moved
 *    into a container cannot claim another (SPI, destination) than its own
 *    SAs' and so cannot take the host's XFRM traffic; NEW_SA also refuses
 *    a (SPI, destination) XFRM already has in the underlay netns;
 *  - dev_table, key (device, SPI, direction): netlink;
 *  - reqid_table, key (device, reqid), an rhltable: outbound packets. SAs
 *    of one reqid share a list, newest first (rhltable inserts at the
 *    head), so a rekeyed SA takes over as soon as it is added;
 *  - peer_table, key (underlay netns, SPI), an rhltable of outbound SAs:
 *    ICMP errors about the ESP we sent (icmp_err.c). The peer picks
 *    outbound SPIs, so two devices of a netns may share one.
 *
 * Writers hold ipsec_tun_config_mutex; packet paths run under RCU and take a
 * reference with refcount_inc_not_zero(). Removal is WireGuard's peer removal:
 * mark dead, unlink from every table, drop the tables' reference; the memory
 * goes after an RCU grace period (queue_rcu_work), once every packet still
 * in flight (including in async crypto) has dropped its reference.
 */
#include <linux/rhashtable.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include <net/xfrm.h>
#include "sa.h"
#include "events.h"

atomic_t ipsec_tun_live_sas = ATOMIC_INIT(0);

static struct rhashtable in_table, dev_table;
static struct rhltable reqid_table, peer_table;
static struct workqueue_struct *ipsec_tun_wq;

static const struct rhashtable_params sa_ht_params = {
	.key_len = sizeof(struct ipsec_tun_sa_key),
	.key_offset = offsetof(struct ipsec_tun_sa, key),
	.head_offset = offsetof(struct ipsec_tun_sa, table_node),
	.automatic_shrinking = true,
};

static const struct rhashtable_params sad_ht_params = {
	.key_len = sizeof(struct ipsec_tun_sad_key),
	.key_offset = offsetof(struct ipsec_tun_sa, in_key),
	.head_offset = offsetof(struct ipsec_tun_sa, in_node),
	.automatic_shrinking = true,
};

static const struct rhashtable_params reqid_ht_params = {
	.key_len = sizeof(struct ipsec_tun_sa_key),
	.key_offset = offsetof(struct ipsec_tun_sa, reqid_key),
	.head_offset = offsetof(struct ipsec_tun_sa, reqid_node),
	.automatic_shrinking = true,
};

static const struct rhashtable_params peer_ht_params = {
	.key_len = sizeof(struct ipsec_tun_sa_key),
	.key_offset = offsetof(struct ipsec_tun_sa, peer_key),
	.head_offset = offsetof(struct ipsec_tun_sa, peer_node),
	.automatic_shrinking = true,
};

static void sa_free_work(struct work_struct *work)
{
	struct ipsec_tun_sa *sa = container_of(to_rcu_work(work), struct ipsec_tun_sa, free_work);
	struct net_device *dev = sa->itd->dev;

	/* The tfm's key schedule is zeroed by crypto_free_aead (kfree_sensitive). */
	ipsec_tun_crypto_free(&sa->crypto);
	dst_cache_destroy(&sa->dst_cache);
	free_percpu(sa->stats);
	kfree(sa->sel);
	pr_debug("ipsec_tun: SA spi 0x%08x dir %u destroyed\n", sa->spi, sa->dir);
	kfree_sensitive(sa);
	atomic_dec(&ipsec_tun_live_sas);
	dev_put(dev);
}

void ipsec_tun_sa_put(struct ipsec_tun_sa *sa)
{
	if (refcount_dec_and_test(&sa->ref))
		queue_rcu_work(ipsec_tun_wq, &sa->free_work);
}

void ipsec_tun_sa_hard_expire(struct ipsec_tun_sa *sa, u8 reason)
{
	if (test_and_set_bit(IPSEC_TUN_SA_HARD_SENT, &sa->expire_flags))
		return;
	WRITE_ONCE(sa->dead, true);
	ipsec_tun_event_expire(sa, true, reason);
}

static void sa_soft_expire(struct ipsec_tun_sa *sa, u8 reason)
{
	if (!test_and_set_bit(IPSEC_TUN_SA_SOFT_SENT, &sa->expire_flags))
		ipsec_tun_event_expire(sa, false, reason);
}

void ipsec_tun_sa_account(struct ipsec_tun_sa *sa, unsigned int bytes)
{
	u64 packets = atomic64_inc_return(&sa->life_packets);
	u64 total = atomic64_add_return(bytes, &sa->life_bytes);
	u64 hard_p = READ_ONCE(sa->life.hard_packets), hard_b = READ_ONCE(sa->life.hard_bytes);
	u64 soft_p = READ_ONCE(sa->life.soft_packets), soft_b = READ_ONCE(sa->life.soft_bytes);

	/* As XFRM: the hard limit lets exactly that many packets/bytes through. */
	if (hard_p && packets > hard_p)
		ipsec_tun_sa_hard_expire(sa, IPSEC_TUN_EXPIRE_PACKETS);
	else if (hard_b && total > hard_b)
		ipsec_tun_sa_hard_expire(sa, IPSEC_TUN_EXPIRE_BYTES);
	if (soft_p && packets >= soft_p)
		sa_soft_expire(sa, IPSEC_TUN_EXPIRE_PACKETS);
	else if (soft_b && total >= soft_b)
		sa_soft_expire(sa, IPSEC_TUN_EXPIRE_BYTES);
}

/*
 * Seconds-based lifetimes. Never takes the config mutex: removal cancels
 * this work synchronously while holding it.
 */
static void sa_life_work(struct work_struct *work)
{
	struct ipsec_tun_sa *sa = container_of(to_delayed_work(work), struct ipsec_tun_sa,
					       life_work);
	u64 age = ktime_get_boottime_seconds() - sa->add_time;
	u64 soft = READ_ONCE(sa->life.soft_seconds), hard = READ_ONCE(sa->life.hard_seconds);
	u64 next = 0;

	if (hard && age >= hard) {
		ipsec_tun_sa_hard_expire(sa, IPSEC_TUN_EXPIRE_SECONDS);
		return;
	}
	if (soft && age >= soft)
		sa_soft_expire(sa, IPSEC_TUN_EXPIRE_SECONDS);
	else if (soft)
		next = soft;
	if (hard && (!next || hard < next))
		next = hard;
	if (next)
		queue_delayed_work(ipsec_tun_wq, &sa->life_work,
				   (unsigned long)min_t(u64, next - age, 86400) * HZ);
}

void ipsec_tun_sa_set_lifetime(struct ipsec_tun_sa *sa, const struct ipsec_tun_lifetime *life)
{
	lockdep_assert_held(&ipsec_tun_config_mutex);
	WRITE_ONCE(sa->life.soft_bytes, life->soft_bytes);
	WRITE_ONCE(sa->life.hard_bytes, life->hard_bytes);
	WRITE_ONCE(sa->life.soft_packets, life->soft_packets);
	WRITE_ONCE(sa->life.hard_packets, life->hard_packets);
	WRITE_ONCE(sa->life.soft_seconds, life->soft_seconds);
	WRITE_ONCE(sa->life.hard_seconds, life->hard_seconds);
	if (life->soft_seconds || life->hard_seconds)
		mod_delayed_work(ipsec_tun_wq, &sa->life_work, 0);
}

static void sad_key_set(struct ipsec_tun_sa *sa, const union ipsec_tun_addr *daddr)
{
	memset(&sa->in_key, 0, sizeof(sa->in_key));
	sa->in_key.net = sa->net;
	sa->in_key.spi = sa->spi;
	sa->in_key.family = sa->family;
	sa->in_key.daddr = *daddr;
}

/* Is (SPI, destination) an XFRM SA of the underlay netns (unmarked states)? RCU-safe. */
bool ipsec_tun_sad_key_in_xfrm(const struct ipsec_tun_sad_key *k)
{
	struct xfrm_state *x;

	x = xfrm_state_lookup((struct net *)k->net, 0, (const xfrm_address_t *)&k->daddr,
			      htonl(k->spi), IPPROTO_ESP, k->family);
	if (!x)
		return false;
	xfrm_state_put(x);
	return true;
}

/*
 * Config mutex held (no SA can be added meanwhile): does an inbound SA of
 * ours or an XFRM state have (SPI, daddr) in net? For ALLOC_SPI.
 */
bool ipsec_tun_sa_spi_taken(struct net *net, u32 spi, u16 family,
			    const union ipsec_tun_addr *daddr)
{
	struct ipsec_tun_sad_key key = {
		.net = net, .spi = spi, .family = family, .daddr = *daddr,
	};

	lockdep_assert_held(&ipsec_tun_config_mutex);
	return rhashtable_lookup_fast(&in_table, &key, sad_ht_params) || ipsec_tun_sad_key_in_xfrm(&key);
}

/* Config mutex held. Puts an inbound SA in in_table under its in_key. */
static int sad_insert(struct ipsec_tun_sa *sa, struct netlink_ext_ack *extack)
{
	int ret;

	if (ipsec_tun_sad_key_in_xfrm(&sa->in_key)) {
		NL_SET_ERR_MSG(extack, "XFRM has an SA with this SPI and destination in the underlay netns");
		return -EEXIST;
	}
	ret = rhashtable_lookup_insert_fast(&in_table, &sa->in_node, sad_ht_params);
	if (ret == -EEXIST)
		NL_SET_ERR_MSG(extack, "an inbound SA with this SPI and destination exists in the underlay netns");
	return ret;
}

int ipsec_tun_sa_add(struct ipsec_tun_dev *itd, struct ipsec_tun_sa_params *p,
		     struct netlink_ext_ack *extack)
{
	struct ipsec_tun_sa *sa;
	int ret;

	lockdep_assert_held(&ipsec_tun_config_mutex);
	if (itd->dead || !itd->underlay) {
		NL_SET_ERR_MSG(extack, "device is going away or its underlay netns is gone");
		return -ENODEV;
	}
	sa = kzalloc(sizeof(*sa), GFP_KERNEL_ACCOUNT);
	if (!sa)
		return -ENOMEM;
	sa->stats = alloc_percpu_gfp(struct ipsec_tun_stats, GFP_KERNEL_ACCOUNT);
	if (!sa->stats) {
		ret = -ENOMEM;
		goto err_free;
	}
	if (p->dir == IPSEC_TUN_DIR_OUT && dst_cache_init(&sa->dst_cache, GFP_KERNEL)) {
		ret = -ENOMEM;
		goto err_free;
	}
	ret = ipsec_tun_crypto_init(&sa->crypto, &p->crypto, extack);
	if (ret)
		goto err_free;

	sa->itd = itd;
	sa->net = itd->underlay;
	refcount_set(&sa->ref, 1);	/* the tables' reference */
	sa->mapping_sent = jiffies - HZ;	/* the first MAPPING is never held back */
	INIT_RCU_WORK(&sa->free_work, sa_free_work);
	INIT_DELAYED_WORK(&sa->life_work, sa_life_work);
	sa->spi = p->spi;
	sa->dir = p->dir;
	sa->reqid = p->reqid;
	sa->family = p->family;
	sa->flags = p->flags;
	sa->encr_id = p->crypto.encr_id;
	sa->encr_keylen = p->crypto.encr_keylen;
	sa->integ_id = p->crypto.integ_id;
	seqlock_init(&sa->ep_lock);
	sa->ep = p->ep;
	sa->life = p->life;
	sa->add_time = ktime_get_boottime_seconds();
	spin_lock_init(&sa->replay_lock);
	spin_lock_init(&sa->tx_order_lock);
	INIT_LIST_HEAD(&sa->tx_order);
	ipsec_tun_replay_init(&sa->replay, p->replay_window, p->flags & IPSEC_TUN_SA_F_ESN);
	if (sa->dir == IPSEC_TUN_DIR_OUT)
		atomic64_set(&sa->seq_out, p->seq);
	else
		ipsec_tun_replay_start(&sa->replay, p->seq);
	sa->nsel = p->nsel;
	sa->sel = p->sel;
	p->sel = NULL;

	sa->key.owner = itd;
	sa->key.spi = sa->spi;
	sa->key.dir = sa->dir;
	ret = rhashtable_lookup_insert_fast(&dev_table, &sa->table_node, sa_ht_params);
	if (ret) {
		if (ret == -EEXIST)
			NL_SET_ERR_MSG(extack, "an SA with this SPI and direction exists on the device");
		goto err_crypto;
	}
	if (sa->dir == IPSEC_TUN_DIR_IN) {
		sad_key_set(sa, &p->ep.dst);
		ret = sad_insert(sa, extack);
	} else {
		sa->reqid_key.owner = itd;
		sa->reqid_key.spi = sa->reqid;
		ret = rhltable_insert(&reqid_table, &sa->reqid_node, reqid_ht_params);
		if (ret) {
			NL_SET_ERR_MSG(extack, "no memory for the reqid table");
		} else {
			sa->peer_key.owner = sa->net;
			sa->peer_key.spi = sa->spi;
			ret = rhltable_insert(&peer_table, &sa->peer_node, peer_ht_params);
			if (ret) {
				rhltable_remove(&reqid_table, &sa->reqid_node, reqid_ht_params);
				NL_SET_ERR_MSG(extack, "no memory for the peer table");
			}
		}
	}
	if (ret) {
		rhashtable_remove_fast(&dev_table, &sa->table_node, sa_ht_params);
		goto err_crypto;
	}
	list_add_tail(&sa->dev_node, &itd->sas);
	itd->sa_count++;
	dev_hold(itd->dev);
	atomic_inc(&ipsec_tun_live_sas);
	atomic_inc(&ipsec_tun_generation);
	if (sa->life.soft_seconds || sa->life.hard_seconds)
		queue_delayed_work(ipsec_tun_wq, &sa->life_work, 0);
	netdev_dbg(itd->dev, "SA spi 0x%08x dir %u created\n", sa->spi, sa->dir);
	return 0;

err_crypto:
	ipsec_tun_crypto_free(&sa->crypto);
err_free:
	dst_cache_destroy(&sa->dst_cache);
	free_percpu(sa->stats);
	kfree(sa->sel);
	kfree_sensitive(sa);
	return ret;
}

struct ipsec_tun_sa *ipsec_tun_sa_find(struct ipsec_tun_dev *itd, u8 dir, u32 spi)
{
	struct ipsec_tun_sa_key key = { .owner = itd, .spi = spi, .dir = dir };

	lockdep_assert_held(&ipsec_tun_config_mutex);
	return rhashtable_lookup_fast(&dev_table, &key, sa_ht_params);
}

/*
 * Config mutex held. A new destination moves an inbound SA in in_table:
 * refused if the new key is taken; packets that arrive while the SA is out
 * of the table go to XFRM (dropped there, as for any unknown SPI).
 */
int ipsec_tun_sa_set_endpoints(struct ipsec_tun_sa *sa, const struct ipsec_tun_endpoints *ep,
			       struct netlink_ext_ack *extack)
{
	struct ipsec_tun_sad_key old = sa->in_key;
	int ret;

	lockdep_assert_held(&ipsec_tun_config_mutex);
	if (sa->dir == IPSEC_TUN_DIR_IN && memcmp(&ep->dst, &sa->ep.dst, sizeof(ep->dst))) {
		rhashtable_remove_fast(&in_table, &sa->in_node, sad_ht_params);
		sad_key_set(sa, &ep->dst);
		ret = sad_insert(sa, extack);
		if (ret) {
			sa->in_key = old;
			/* Back under the key it just left: there is room. */
			if (rhashtable_lookup_insert_fast(&in_table, &sa->in_node, sad_ht_params))
				net_warn_ratelimited("ipsec_tun: SPI 0x%08x lost its inbound key\n",
						     sa->spi);
			return ret;
		}
	}
	write_seqlock_bh(&sa->ep_lock);
	sa->ep = *ep;
	write_sequnlock_bh(&sa->ep_lock);
	return 0;
}

/* Config mutex held. The caller's pointer is invalid after this. */
void ipsec_tun_sa_remove(struct ipsec_tun_sa *sa)
{
	struct ipsec_tun_dev *itd = sa->itd;

	lockdep_assert_held(&ipsec_tun_config_mutex);
	WRITE_ONCE(sa->dead, true);
	rhashtable_remove_fast(&dev_table, &sa->table_node, sa_ht_params);
	if (sa->dir == IPSEC_TUN_DIR_IN) {
		rhashtable_remove_fast(&in_table, &sa->in_node, sad_ht_params);
	} else {
		rhltable_remove(&reqid_table, &sa->reqid_node, reqid_ht_params);
		rhltable_remove(&peer_table, &sa->peer_node, peer_ht_params);
	}
	list_del(&sa->dev_node);
	itd->sa_count--;
	atomic_inc(&ipsec_tun_generation);
	/* The life work never takes the config mutex, so waiting here is safe. */
	cancel_delayed_work_sync(&sa->life_work);
	/*
	 * Who may still hold the SA: packets between lookup and send/deliver,
	 * including those inside async crypto. They drop their references
	 * when done; the last one frees the SA after a grace period.
	 */
	ipsec_tun_sa_put(sa);
}

void ipsec_tun_sa_flush_dev(struct ipsec_tun_dev *itd)
{
	struct ipsec_tun_sa *sa, *tmp;

	lockdep_assert_held(&ipsec_tun_config_mutex);
	list_for_each_entry_safe(sa, tmp, &itd->sas, dev_node)
		ipsec_tun_sa_remove(sa);
}

struct ipsec_tun_sa *ipsec_tun_sa_lookup_in(struct net *net, u32 spi, u16 family,
					    const union ipsec_tun_addr *daddr)
{
	struct ipsec_tun_sad_key key = {
		.net = net, .spi = spi, .family = family, .daddr = *daddr,
	};
	struct ipsec_tun_sa *sa;

	sa = rhashtable_lookup(&in_table, &key, sad_ht_params);
	if (sa && refcount_inc_not_zero(&sa->ref))
		return sa;
	return NULL;
}

/* RCU read side held by the caller. */
struct ipsec_tun_sa *ipsec_tun_sa_lookup_out(struct ipsec_tun_dev *itd, u32 reqid)
{
	struct ipsec_tun_sa_key key = { .owner = itd, .spi = reqid };
	struct rhlist_head *list, *pos;
	struct ipsec_tun_sa *sa;

	list = rhltable_lookup(&reqid_table, &key, reqid_ht_params);
	rhl_for_each_entry_rcu(sa, pos, list, reqid_node) {
		if (READ_ONCE(sa->dead))
			continue;
		if (refcount_inc_not_zero(&sa->ref))
			return sa;
	}
	return NULL;
}

/* RCU read side held by the caller (ICMP error handlers run under it). */
struct ipsec_tun_sa *ipsec_tun_sa_lookup_peer(struct net *net, u32 spi, u16 family,
					      const struct ipsec_tun_endpoints *quoted,
					      bool *match)
{
	struct ipsec_tun_sa_key key = { .owner = net, .spi = spi };
	unsigned int alen = family == AF_INET ? 4 : 16;
	struct ipsec_tun_sa *sa, *found = NULL;
	struct ipsec_tun_endpoints ep;
	struct rhlist_head *list, *pos;

	list = rhltable_lookup(&peer_table, &key, peer_ht_params);
	rhl_for_each_entry_rcu(sa, pos, list, peer_node) {
		found = sa;
		if (sa->family != family)
			continue;
		ipsec_tun_sa_endpoints(sa, &ep);
		if (!memcmp(ep.src.b, quoted->src.b, alen) &&
		    !memcmp(ep.dst.b, quoted->dst.b, alen) &&
		    ep.encap_sport == quoted->encap_sport && ep.encap_dport == quoted->encap_dport) {
			*match = true;
			return sa;
		}
	}
	*match = false;
	return found;
}

int ipsec_tun_sa_init(void)
{
	int ret;

	ipsec_tun_wq = alloc_workqueue("ipsec_tun", 0, 0);
	if (!ipsec_tun_wq)
		return -ENOMEM;
	ret = rhashtable_init(&in_table, &sad_ht_params);
	if (ret)
		goto err_wq;
	ret = rhashtable_init(&dev_table, &sa_ht_params);
	if (ret)
		goto err_in;
	ret = rhltable_init(&reqid_table, &reqid_ht_params);
	if (ret)
		goto err_out;
	ret = rhltable_init(&peer_table, &peer_ht_params);
	if (ret)
		goto err_reqid;
	return 0;

err_reqid:
	rhltable_destroy(&reqid_table);
err_out:
	rhashtable_destroy(&dev_table);
err_in:
	rhashtable_destroy(&in_table);
err_wq:
	destroy_workqueue(ipsec_tun_wq);
	return ret;
}

void ipsec_tun_sa_uninit(void)
{
	/* Every device is gone, so every SA was removed; let the frees run. */
	rcu_barrier();
	destroy_workqueue(ipsec_tun_wq);
	rhltable_destroy(&peer_table);
	rhltable_destroy(&reqid_table);
	rhashtable_destroy(&dev_table);
	rhashtable_destroy(&in_table);
	if (atomic_read(&ipsec_tun_live_sas))
		pr_err("ipsec_tun: %d SAs leaked\n", atomic_read(&ipsec_tun_live_sas));
}
