/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Security associations: the table, reference counting and lifetimes.
 */
#ifndef IPSEC_TUN_SA_H
#define IPSEC_TUN_SA_H

#include <linux/rhashtable-types.h>
#include <linux/seqlock.h>
#include <linux/workqueue.h>
#include <net/dst_cache.h>
#include "device.h"
#include "crypto.h"
#include "selector.h"
#include "replay_window.h"

/*
 * Hash keys, compared as bytes (so no implicit padding). Every SA is in
 * dev_table by (device, SPI, direction): what netlink names an SA by.
 * Outbound SAs are also in reqid_table by (device, reqid, 0).
 */
struct ipsec_tun_sa_key {
	const void *owner;	/* struct ipsec_tun_dev * */
	u32 spi;		/* SPI (dev_table) or reqid (reqid_table) */
	u32 dir;		/* IPSEC_TUN_DIR_* (dev_table), 0 (reqid_table) */
};

/*
 * Inbound SAs are also in in_table by RFC 4301's SAD key (4.4.2.1): SPI,
 * destination (our outer address, ep.dst) and protocol (always ESP, be it
 * plain or in UDP), in the underlay netns the packet arrived in. A packet
 * whose (SPI, destination) is not ours goes on to XFRM.
 */
struct ipsec_tun_sad_key {
	const struct net *net;
	u32 spi;
	u16 family;		/* outer */
	u16 zero;
	union ipsec_tun_addr daddr;
};

/* Outer endpoints; changed by UPD_SA, read under the SA's endpoint seqlock. */
struct ipsec_tun_endpoints {
	union ipsec_tun_addr src, dst;
	__be16 encap_sport, encap_dport;	/* both 0: plain ESP */
};

struct ipsec_tun_lifetime {
	u64 soft_bytes, hard_bytes;
	u64 soft_packets, hard_packets;
	u64 soft_seconds, hard_seconds;
};

enum {
	IPSEC_TUN_SA_SOFT_SENT,		/* bits in expire_flags */
	IPSEC_TUN_SA_HARD_SENT,
};

struct ipsec_tun_sa {
	struct rhash_head table_node;	/* dev_table */
	struct ipsec_tun_sa_key key;
	struct rhash_head in_node;	/* in_table, inbound only */
	struct ipsec_tun_sad_key in_key;	/* changes with ep.dst (UPD_SA) */
	struct rhlist_head reqid_node;	/* reqid_table, outbound only */
	struct ipsec_tun_sa_key reqid_key;	/* (device, reqid) */
	struct rhlist_head peer_node;	/* peer_table, outbound only */
	struct ipsec_tun_sa_key peer_key;	/* (underlay netns, SPI) */
	struct list_head dev_node;	/* itd->sas */
	struct ipsec_tun_dev *itd;	/* holds a net_device reference */
	struct net *net;		/* underlay netns at creation */
	refcount_t ref;
	struct rcu_work free_work;
	struct delayed_work life_work;	/* seconds-based lifetimes */

	u32 spi;
	u8 dir;
	u32 reqid;
	u16 family;			/* outer */
	u32 flags;
	u16 encr_id, encr_keylen, integ_id;

	seqlock_t ep_lock;
	struct ipsec_tun_endpoints ep;
	/* Outbound: route to ep.dst per CPU, tagged with the ep_lock sequence. */
	struct dst_cache dst_cache;

	struct ipsec_tun_lifetime life;	/* config mutex writes, READ_ONCE reads */
	u64 add_time;			/* boottime seconds */
	unsigned long expire_flags;
	bool dead;			/* unlinked or hard-expired: no more traffic */

	struct ipsec_tun_crypto crypto;

	atomic64_t seq_out;		/* last sequence number sent */
	atomic64_t life_bytes, life_packets;
	atomic_t auth_failures;
	unsigned long mapping_sent;	/* jiffies of the last MAPPING event (cmpxchg) */

	spinlock_t replay_lock;		/* protects replay */
	struct ipsec_tun_replay replay;

	/*
	 * Outbound: packets whose encryption has started, in sequence-number
	 * order, each sent once it and every earlier one are done
	 * (esp_output.c). Asynchronous completions (cryptd's per-CPU workers,
	 * crypto engines) finish out of order; a peer's replay window would
	 * drop what came too late.
	 */
	spinlock_t tx_order_lock;	/* protects the three below */
	struct list_head tx_order;	/* struct esp_out_ctx.order_node */
	bool tx_order_sending;		/* a CPU is sending the done head */

	unsigned int nsel;		/* inbound: allowed inner traffic, 0 = any */
	struct ipsec_tun_selector *sel;

	struct ipsec_tun_stats __percpu *stats;
};

/* Everything NEW_SA needs, parsed from netlink. */
struct ipsec_tun_sa_params {
	u32 spi;
	u8 dir;
	u32 reqid;
	u16 family;
	u32 flags;
	u32 replay_window;
	u64 seq;			/* SEQ: last sent (out), highest received (in) */
	struct ipsec_tun_endpoints ep;
	struct ipsec_tun_lifetime life;
	struct ipsec_tun_crypto_params crypto;
	unsigned int nsel;
	struct ipsec_tun_selector *sel;	/* kmalloc'd, ownership moves to the SA */
};

/*
 * Highest outbound sequence number an SA may send (RFC 4303 3.3.3: it never
 * wraps; the SA hard-expires instead). With ESN the 64-bit counter is an
 * atomic64_t, so the space ends at 2^63 - 1.
 */
static inline u64 ipsec_tun_seq_limit(u32 flags)
{
	return (flags & IPSEC_TUN_SA_F_ESN) ? S64_MAX : U32_MAX;
}

extern atomic_t ipsec_tun_live_sas;

int ipsec_tun_sa_init(void);
void ipsec_tun_sa_uninit(void);

/* Config mutex held. An inbound SA takes the packets held for its SPI. */
int ipsec_tun_sa_add(struct ipsec_tun_dev *itd, struct ipsec_tun_sa_params *p,
		     struct netlink_ext_ack *extack);
struct ipsec_tun_sa *ipsec_tun_sa_find(struct ipsec_tun_dev *itd, u8 dir, u32 spi);
void ipsec_tun_sa_remove(struct ipsec_tun_sa *sa);
/* Every SA and SPI reservation of the device. */
void ipsec_tun_sa_flush_dev(struct ipsec_tun_dev *itd);
void ipsec_tun_sa_set_lifetime(struct ipsec_tun_sa *sa, const struct ipsec_tun_lifetime *life);
int ipsec_tun_sa_set_endpoints(struct ipsec_tun_sa *sa, const struct ipsec_tun_endpoints *ep,
			       struct netlink_ext_ack *extack);

bool ipsec_tun_sa_spi_taken(struct net *net, u32 spi, u16 family,
			    const union ipsec_tun_addr *daddr);
/* Does XFRM have an SA (unmarked) with this key? Any context. */
bool ipsec_tun_sad_key_in_xfrm(const struct ipsec_tun_sad_key *k);

/* RCU read side; return a referenced SA or NULL. */
struct ipsec_tun_sa *ipsec_tun_sa_lookup_in(struct net *net, u32 spi, u16 family,
					    const union ipsec_tun_addr *daddr);
struct ipsec_tun_sa *ipsec_tun_sa_lookup_out(struct ipsec_tun_dev *itd, u32 reqid);
/*
 * RCU read side, no reference taken: an outbound SA sending with this SPI
 * from net, for ICMP errors about the packets it sent. Prefers one whose
 * family and endpoints (addresses and UDP ports, 0 for raw ESP) are those
 * quoted; *match says whether it has them.
 */
struct ipsec_tun_sa *ipsec_tun_sa_lookup_peer(struct net *net, u32 spi, u16 family,
					      const struct ipsec_tun_endpoints *quoted,
					      bool *match);

static inline void ipsec_tun_sa_get(struct ipsec_tun_sa *sa)
{
	refcount_inc(&sa->ref);
}

void ipsec_tun_sa_put(struct ipsec_tun_sa *sa);

/* Returns the ep_lock sequence the copy was read at: it changes with ep. */
static inline unsigned int ipsec_tun_sa_endpoints(struct ipsec_tun_sa *sa,
						  struct ipsec_tun_endpoints *ep)
{
	unsigned int seq;

	do {
		seq = read_seqbegin(&sa->ep_lock);
		*ep = sa->ep;
	} while (read_seqretry(&sa->ep_lock, seq));
	return seq;
}

/* Account a packet against the SA's byte/packet lifetimes (any context). */
void ipsec_tun_sa_account(struct ipsec_tun_sa *sa, unsigned int bytes);
void ipsec_tun_sa_hard_expire(struct ipsec_tun_sa *sa, u8 reason);

/* replay.c */
int ipsec_tun_replay_selftest(void);
bool ipsec_tun_sa_replay_check(struct ipsec_tun_sa *sa, u32 seq_lo, u64 *seq);
bool ipsec_tun_sa_replay_advance(struct ipsec_tun_sa *sa, u64 seq);

#endif /* IPSEC_TUN_SA_H */
