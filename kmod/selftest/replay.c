// SPDX-License-Identifier: GPL-2.0
/*
 * Replay window self-test, run at module load in debug builds (make DEBUG=1).
 * Included at the bottom of replay.c. A failure refuses the load.
 */
#include <linux/slab.h>

struct replay_case {
	u64 seq;
	bool accept;
};

/* Window 64, no ESN: numbered sequence/expected-result cases. */
static const struct replay_case replay_cases_64[] = {
	/*  0 */ { 0, false },	/* sequence number 0 is never sent */
	/*  1 */ { 1, true },
	/*  2 */ { 1, false },
	/*  3 */ { 2, true },
	/*  4 */ { 64, true },
	/*  5 */ { 3, true },	/* still inside the window */
	/*  6 */ { 3, false },
	/*  7 */ { 65, true },	/* window now 2..65 */
	/*  8 */ { 1, false },	/* fell out */
	/*  9 */ { 2, false },	/* seen */
	/* 10 */ { 4, true },
	/* 11 */ { 1000, true },
	/* 12 */ { 937, true },	/* 1000 - 63: oldest in window */
	/* 13 */ { 936, false },	/* one too old */
	/* 14 */ { 999, true },
	/* 15 */ { 999, false },
	/* 16 */ { 0xffffffffULL, true },
	/* 17 */ { 0xffffffffULL, false },
};

static int replay_run_cases(struct ipsec_tun_replay *r, const struct replay_case *cases,
			    unsigned int n, const char *name)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (ipsec_tun_replay_advance(r, cases[i].seq) != cases[i].accept) {
			pr_err("ipsec_tun selftest: replay %s case %u (seq %llu) failed\n", name, i,
			       cases[i].seq);
			return -EINVAL;
		}
	}
	return 0;
}

/* Every window size edge: after top T, T-w+1..T-1 pass once, T-w fails. */
static int replay_sweep(struct ipsec_tun_replay *r, u32 window, u64 base)
{
	u64 top = base + window + 100, s;

	ipsec_tun_replay_init(r, window, true);
	r->top = base;
	if (!ipsec_tun_replay_advance(r, top))
		return -EINVAL;
	for (s = top - 1; s > top - window; s--)
		if (!ipsec_tun_replay_advance(r, s) || ipsec_tun_replay_advance(r, s))
			return -EINVAL;
	if (ipsec_tun_replay_advance(r, top - window))
		return -EINVAL;
	/* Jump beyond the whole ring: everything behind is forgotten. */
	if (!ipsec_tun_replay_advance(r, top + 10 * IPSEC_TUN_REPLAY_RING_BITS) ||
	    ipsec_tun_replay_advance(r, top))
		return -EINVAL;
	return 0;
}

/* ESN: inference across the 2^32 boundary (RFC 4303 A2.2). */
static int replay_esn(struct ipsec_tun_replay *r)
{
	u64 seq;

	ipsec_tun_replay_init(r, 64, true);
	r->top = 0xfffffff0ULL;
	seq = ipsec_tun_replay_infer(r, 0x5);	/* next epoch */
	if (seq != 0x100000005ULL || !ipsec_tun_replay_advance(r, seq))
		return -EINVAL;
	seq = ipsec_tun_replay_infer(r, 0xfffffff8);	/* previous epoch, in window */
	if (seq != 0xfffffff8ULL || !ipsec_tun_replay_advance(r, seq))
		return -EINVAL;
	seq = ipsec_tun_replay_infer(r, 0xfffffff8);	/* seen */
	if (seq != 0xfffffff8ULL || ipsec_tun_replay_check(r, seq))
		return -EINVAL;
	/* Below the window in the old epoch reads as the next epoch (A2.2). */
	if (ipsec_tun_replay_infer(r, 0xffffff00) != 0x1ffffff00ULL)
		return -EINVAL;
	seq = ipsec_tun_replay_infer(r, 0x40);	/* case A again */
	if (seq != 0x100000040ULL)
		return -EINVAL;
	/* Without ESN the high half is always 0. */
	ipsec_tun_replay_init(r, 64, false);
	r->top = 0xfffffff0ULL;
	if (ipsec_tun_replay_infer(r, 5) != 5 || ipsec_tun_replay_check(r, 5))
		return -EINVAL;
	return 0;
}

int ipsec_tun_replay_selftest(void)
{
	static const u32 windows[] = { 1, 32, 63, 64, 65, 128, 1000, 4095, 4096 };
	struct ipsec_tun_replay *r = kmalloc(sizeof(*r), GFP_KERNEL);
	unsigned int i;
	int ret;

	if (!r)
		return -ENOMEM;
	ipsec_tun_replay_init(r, 64, false);
	ret = replay_run_cases(r, replay_cases_64, ARRAY_SIZE(replay_cases_64), "window-64");
	for (i = 0; !ret && i < ARRAY_SIZE(windows); i++) {
		ret = replay_sweep(r, windows[i], 0) ?: replay_sweep(r, windows[i], 0xffffff00ULL);
		if (ret)
			pr_err("ipsec_tun selftest: replay sweep window %u failed\n", windows[i]);
	}
	if (!ret) {
		ret = replay_esn(r);
		if (ret)
			pr_err("ipsec_tun selftest: replay ESN cases failed\n");
	}
	kfree(r);
	if (!ret)
		pr_info("ipsec_tun selftest: replay window: pass\n");
	return ret;
}
