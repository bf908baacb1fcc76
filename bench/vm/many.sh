#!/bin/bash
# Many tunnels to one strongSwan responder (issue 25), ipsecd against
# strongSwan as initiator of the same conns, in the same VM boot: shape
# "conns" (N connections to one peer) and "peers" (N peers, one connection
# each), N = IPSEC_BENCH_MANY (default 1000; e.g. 100 for a quick run),
# IPSEC_BENCH_MANY_REPS repetitions (default 1), ours and theirs taking
# turns. Each measurement is bench/vm/many_one.sh in a process of its own;
# one that fails becomes "n/a (its reason)".
# Arguments: the shapes to run (default both).
. "$(dirname "$0")/lib.sh" || exit 1

S=many
n=${IPSEC_BENCH_MANY:-1000}
reps=${IPSEC_BENCH_MANY_REPS:-1}
info kernel "$(uname -r)"
info many-n "$n"
info many-reps "$reps"
crypto_preload
# Warm-up, not measured: the first SA through XFRM and through ipsec0
# instantiates the kernel's crypto transforms (with their self-tests, seconds
# under TCG). Without it the first measurement pays for that: the responder
# sat 13 s in its first CHILD_SA install when ipsecd ran first.
for impl in ipsecd strongswan; do
	progress "warm-up: $impl, 2 tunnels"
	timeout 600 "$(dirname "$0")/many_one.sh" "$impl" conns 2 >/dev/null 2>&1 ||
		progress "warm-up with $impl failed (measuring anyway)"
	[ ! -e /sys/module/ipsec_tun ] || rmmod ipsec_tun 2>/dev/null
done
shapes=("$@")
[ ${#shapes[@]} -gt 0 ] || shapes=(conns peers)
for shape in "${shapes[@]}"; do
	for ((r = 1; r <= reps; r++)); do
		for impl in ipsecd strongswan; do
			progress "$shape: $impl, $n tunnels, run $r/$reps"
			err=$(mktemp /tmp/many-err.XXXXXX)
			if ! timeout $((${IPSEC_BENCH_MANY_DEADLINE:-900} + 1200)) \
				"$(dirname "$0")/many_one.sh" "$impl" "$shape" "$n" 2>"$err"; then
				why=$(grep -v '^FAILED (exit' "$err" | grep . | tail -n1)
				na $S "$shape-$impl" all-up-seconds "${why:-many_one.sh $impl $shape failed or timed out}"
				sed 's/^/    /' "$err" | tail -n 15 >&2
			fi
			[ ! -e /sys/module/ipsec_tun ] || rmmod ipsec_tun 2>/dev/null
		done
	done
done
exit 0
