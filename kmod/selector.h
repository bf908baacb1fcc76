/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Traffic selectors: the pure matching logic, shared by the kernel (policy.c,
 * esp_input.c) and the host unit tests (tests/unit/kmod/), which compile this
 * same header in userspace through a tiny type shim. No kernel calls here.
 *
 * Addresses are in network byte order, as on the wire and in the uapi.
 */
#ifndef IPSEC_TUN_SELECTOR_H
#define IPSEC_TUN_SELECTOR_H

#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/string.h>
#else
#include "kshim.h"
#endif

#define IPSEC_TUN_AF_INET 2
#define IPSEC_TUN_AF_INET6 10

union ipsec_tun_addr {
	u8 b[16];
	u32 w[4];	/* network byte order words; w[0] is the IPv4 address */
};

/* One selector (RFC 4301 4.4.1): prefixes, protocol, port ranges. */
struct ipsec_tun_selector {
	u16 family;		/* inner AF_INET or AF_INET6 */
	u8 proto;		/* 0 = any */
	u8 src_plen;
	u8 dst_plen;
	union ipsec_tun_addr src;
	union ipsec_tun_addr dst;
	u16 sport_min, sport_max;
	u16 dport_min, dport_max;
};

/* What one packet looks like to the selectors. */
struct ipsec_tun_flow {
	u16 family;
	u8 proto;
	union ipsec_tun_addr src;
	union ipsec_tun_addr dst;
	u16 sport, dport;	/* 0 when the protocol has no ports or a fragment */
};

static inline unsigned int ipsec_tun_addr_bits(u16 family)
{
	return family == IPSEC_TUN_AF_INET ? 32 : 128;
}

/* Do the first plen bits of a and prefix agree? */
static inline bool ipsec_tun_prefix_match(const union ipsec_tun_addr *a,
					  const union ipsec_tun_addr *prefix,
					  unsigned int plen)
{
	unsigned int full = plen / 8, rest = plen % 8;

	if (memcmp(a->b, prefix->b, full))
		return false;
	if (rest) {
		u8 mask = (u8)(0xff << (8 - rest));

		if ((a->b[full] ^ prefix->b[full]) & mask)
			return false;
	}
	return true;
}

/*
 * out = the first plen bits of a, the rest zero: what a flow address looks
 * like as a selector of that prefix length (policy.c hashes on it).
 */
static inline void ipsec_tun_addr_mask(union ipsec_tun_addr *out,
				       const union ipsec_tun_addr *a, unsigned int plen)
{
	unsigned int full = plen / 8, rest = plen % 8;

	memset(out, 0, sizeof(*out));
	memcpy(out->b, a->b, full);
	if (rest)
		out->b[full] = a->b[full] & (u8)(0xff << (8 - rest));
}

static inline bool ipsec_tun_sel_match(const struct ipsec_tun_selector *sel,
				       const struct ipsec_tun_flow *fl)
{
	if (sel->family != fl->family)
		return false;
	if (sel->proto && sel->proto != fl->proto)
		return false;
	if (!ipsec_tun_prefix_match(&fl->dst, &sel->dst, sel->dst_plen) ||
	    !ipsec_tun_prefix_match(&fl->src, &sel->src, sel->src_plen))
		return false;
	if (fl->sport < sel->sport_min || fl->sport > sel->sport_max)
		return false;
	if (fl->dport < sel->dport_min || fl->dport > sel->dport_max)
		return false;
	return true;
}

/*
 * A selector is well formed when its prefix lengths fit the family, its
 * port ranges are ordered and its addresses have no bits past the prefix
 * (so that two spellings of one prefix cannot both be installed).
 */
static inline bool ipsec_tun_sel_valid(const struct ipsec_tun_selector *sel)
{
	unsigned int bits, i;

	if (sel->family != IPSEC_TUN_AF_INET && sel->family != IPSEC_TUN_AF_INET6)
		return false;
	bits = ipsec_tun_addr_bits(sel->family);
	if (sel->src_plen > bits || sel->dst_plen > bits)
		return false;
	if (sel->sport_min > sel->sport_max || sel->dport_min > sel->dport_max)
		return false;
	for (i = 0; i < 16; i++) {
		unsigned int lo = i * 8;
		u8 smask = 0, dmask = 0;

		if (lo >= bits) {
			if (sel->src.b[i] || sel->dst.b[i])
				return false;
			continue;
		}
		if (sel->src_plen < lo + 8)
			smask = sel->src_plen <= lo ? 0xff :
				(u8)(0xff >> (sel->src_plen - lo));
		if (sel->dst_plen < lo + 8)
			dmask = sel->dst_plen <= lo ? 0xff :
				(u8)(0xff >> (sel->dst_plen - lo));
		if ((sel->src.b[i] & smask) || (sel->dst.b[i] & dmask))
			return false;
	}
	return true;
}

/* Same traffic description (used to find a policy to delete). */
static inline bool ipsec_tun_sel_equal(const struct ipsec_tun_selector *a,
				       const struct ipsec_tun_selector *b)
{
	return a->family == b->family && a->proto == b->proto &&
	       a->src_plen == b->src_plen && a->dst_plen == b->dst_plen &&
	       !memcmp(a->src.b, b->src.b, 16) && !memcmp(a->dst.b, b->dst.b, 16) &&
	       a->sport_min == b->sport_min && a->sport_max == b->sport_max &&
	       a->dport_min == b->dport_min && a->dport_max == b->dport_max;
}

/*
 * Lookup order of policies: lower priority value first, then longer
 * destination prefix, then longer source prefix, then the one installed
 * first. Returns <0 when a goes before b (0: same class in policy.c).
 */
static inline int ipsec_tun_sel_order(u32 prio_a, const struct ipsec_tun_selector *a,
				      u32 prio_b, const struct ipsec_tun_selector *b)
{
	if (prio_a != prio_b)
		return prio_a < prio_b ? -1 : 1;
	if (a->dst_plen != b->dst_plen)
		return a->dst_plen > b->dst_plen ? -1 : 1;
	if (a->src_plen != b->src_plen)
		return a->src_plen > b->src_plen ? -1 : 1;
	return 0;
}

#endif /* IPSEC_TUN_SELECTOR_H */
