// SPDX-License-Identifier: GPL-2.0
/*
 * Anti-replay for inbound SAs: the pure window logic lives in
 * replay_window.h (shared with the host unit tests); this file adds the
 * SA's lock. The check before decryption is only a fast reject: the
 * number is recorded after the ICV verified, under the lock, and checked
 * again there because another CPU may have recorded it meanwhile.
 */
#include "sa.h"

bool ipsec_tun_sa_replay_check(struct ipsec_tun_sa *sa, u32 seq_lo, u64 *seq)
{
	bool ok;

	spin_lock_bh(&sa->replay_lock);
	*seq = ipsec_tun_replay_infer(&sa->replay, seq_lo);
	ok = ipsec_tun_replay_check(&sa->replay, *seq);
	spin_unlock_bh(&sa->replay_lock);
	return ok;
}

bool ipsec_tun_sa_replay_advance(struct ipsec_tun_sa *sa, u64 seq)
{
	bool ok;

	spin_lock_bh(&sa->replay_lock);
	ok = ipsec_tun_replay_advance(&sa->replay, seq);
	spin_unlock_bh(&sa->replay_lock);
	return ok;
}

#ifdef IPSEC_TUN_SELFTEST
#include "selftest/replay.c"
#endif
