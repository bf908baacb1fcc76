/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Anti-replay window with 64-bit extended sequence numbers (RFC 4303 3.4.3,
 * Appendix A). Pure logic shared by the kernel (replay.c, under the SA's
 * replay lock) and the host unit tests (tests/unit/kmod/).
 *
 * The bitmap is a ring of IPSEC_TUN_REPLAY_RING_WORDS 64-bit words, one word
 * more than the largest window so that the word holding the top sequence
 * number may be partly in the future (the WireGuard counter's layout). Bit
 * (seq mod ring bits) says whether seq was seen, for seq inside the window.
 */
#ifndef IPSEC_TUN_REPLAY_WINDOW_H
#define IPSEC_TUN_REPLAY_WINDOW_H

#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/string.h>
#else
#include "kshim.h"
#endif

#define IPSEC_TUN_REPLAY_MAX 4096	/* == IPSEC_TUN_REPLAY_WINDOW_MAX */
#define IPSEC_TUN_REPLAY_RING_WORDS (IPSEC_TUN_REPLAY_MAX / 64 + 1)
#define IPSEC_TUN_REPLAY_RING_BITS (IPSEC_TUN_REPLAY_RING_WORDS * 64)

struct ipsec_tun_replay {
	u64 top;	/* highest authenticated sequence number, 0 = none */
	u32 window;	/* packets; 0 = no replay check (top still kept for ESN) */
	bool esn;
	u64 ring[IPSEC_TUN_REPLAY_RING_WORDS];
};

static inline void ipsec_tun_replay_init(struct ipsec_tun_replay *r, u32 window, bool esn)
{
	memset(r, 0, sizeof(*r));
	r->window = window;
	r->esn = esn;
}

/*
 * Start an inbound SA at a known point (NEW_SA with SEQ, e.g. an SA moved
 * from another host): seq counts as received, nothing below it does.
 */
static inline void ipsec_tun_replay_start(struct ipsec_tun_replay *r, u64 seq)
{
	u64 bit = seq % IPSEC_TUN_REPLAY_RING_BITS;

	r->top = seq;
	if (r->window && seq)
		r->ring[bit / 64] |= (u64)1 << (bit % 64);
}

/*
 * Reconstruct the full 64-bit sequence number from the 32 bits on the wire
 * (RFC 4303 A2.2). Returns 0 when seq_lo can only belong to an epoch before
 * the first one, which the caller treats as too old.
 */
static inline u64 ipsec_tun_replay_infer(const struct ipsec_tun_replay *r, u32 seq_lo)
{
	u32 tl = (u32)r->top, th = (u32)(r->top >> 32);
	u32 w = r->window ? r->window : 0x80000000u;

	if (!r->esn)
		return seq_lo;
	if (tl >= w - 1) {		/* case A: window within one epoch */
		if (seq_lo >= tl - w + 1)
			return ((u64)th << 32) | seq_lo;
		if (th == 0xffffffffu)
			return 0;	/* would wrap the 64-bit space */
		return ((u64)(th + 1) << 32) | seq_lo;
	}
	/* case B: window spans the epoch boundary */
	if (seq_lo >= tl - w + 1) {
		if (th == 0)
			return 0;
		return ((u64)(th - 1) << 32) | seq_lo;
	}
	return ((u64)th << 32) | seq_lo;
}

/* May seq be accepted (not seen, not older than the window)? No change. */
static inline bool ipsec_tun_replay_check(const struct ipsec_tun_replay *r, u64 seq)
{
	u64 bit;

	if (seq == 0)
		return false;	/* never sent (RFC 4303 3.3.3: first is 1) */
	if (seq > r->top || r->window == 0)
		return true;
	if (r->top - seq >= r->window)
		return false;
	bit = seq % IPSEC_TUN_REPLAY_RING_BITS;
	return !((r->ring[bit / 64] >> (bit % 64)) & 1);
}

/*
 * Record seq after its ICV was verified. Checks again, since another CPU
 * may have recorded the same number while this packet was being decrypted.
 */
static inline bool ipsec_tun_replay_advance(struct ipsec_tun_replay *r, u64 seq)
{
	u64 bit;

	if (!ipsec_tun_replay_check(r, seq))
		return false;
	if (seq > r->top) {
		if (r->window) {
			u64 cur = r->top / 64, next = seq / 64, i, diff = next - cur;

			if (diff >= IPSEC_TUN_REPLAY_RING_WORDS)
				diff = IPSEC_TUN_REPLAY_RING_WORDS;
			for (i = 1; i <= diff; i++)
				r->ring[(cur + i) % IPSEC_TUN_REPLAY_RING_WORDS] = 0;
		}
		r->top = seq;
	}
	if (r->window) {
		bit = seq % IPSEC_TUN_REPLAY_RING_BITS;
		r->ring[bit / 64] |= (u64)1 << (bit % 64);
	}
	return true;
}

#endif /* IPSEC_TUN_REPLAY_WINDOW_H */
