#!/bin/bash
# Many tunnels to one strongSwan responder (issue 25), ipsecd against
# strongSwan as initiator of the same conns, in the same VM boot: shape
# "conns" (N connections to one peer) and "peers" (N peers, one connection
# each), N = IPSEC_BENCH_MANY (default 1000; e.g. 100 for a quick run),
# IPSEC_BENCH_MANY_REPS repetitions (default 1), ours and theirs taking
# turns against one responder load (bench/vm/many_one.sh, in a process of
# its own per shape and repetition); a measurement that fails becomes
# "n/a (its reason)".
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
progress "warm-up: ipsecd and strongswan, 2 tunnels"
timeout 900 "$(dirname "$0")/many_one.sh" conns 2 ipsecd strongswan >/dev/null ||
	progress "warm-up failed (measuring anyway)"
[ ! -e /sys/module/ipsec_tun ] || rmmod ipsec_tun 2>/dev/null
shapes=("$@")
[ ${#shapes[@]} -gt 0 ] || shapes=(conns peers)
# IPSEC_BENCH_MANY_IMPLS: the initiators, in turn against one responder
# load (default "ipsecd strongswan"; "ipsecd:ike-init-limit=5" adds that
# line to ipsecd's config setup, for profiling).
# IPSEC_BENCH_MANY_RESPONDER=ipsecd: ipsecd answers instead of strongSwan
# (configurations SHAPE-IMPL-to-ipsecd; with IPSEC_BENCH_MANY_IMPLS=strongswan,
# ours as responder to strongSwan).
read -r -a impls <<<"${IPSEC_BENCH_MANY_IMPLS:-ipsecd strongswan}"
for shape in "${shapes[@]}"; do
	for ((r = 1; r <= reps; r++)); do
		progress "$shape: ${impls[*]}, $n tunnels, run $r/$reps"
		err=$(mktemp /tmp/many-err.XXXXXX)
		out=$(mktemp /tmp/many-out.XXXXXX)
		timeout $((2 * ${#impls[@]} * ${IPSEC_BENCH_MANY_DEADLINE:-900} + 1800)) \
			"$(dirname "$0")/many_one.sh" "$shape" "$n" "${impls[@]}" 2> >(tee "$err" >&2) | tee "$out"
		for impl in "${impls[@]}"; do
			grep -qE "^BENCH(-NA)?	$S	$shape-$impl(-to-ipsecd)?	all-up-seconds" "$out" && continue
			why=$(grep -v '^FAILED (exit' "$err" | grep -v '^\[' | grep . | tail -n1)
			c=$shape-$impl
			[ "${IPSEC_BENCH_MANY_RESPONDER:-strongswan}" = strongswan ] || c=$c-to-ipsecd
			na $S "$c" all-up-seconds "${why:-many_one.sh $shape failed or timed out}"
		done
		[ ! -e /sys/module/ipsec_tun ] || rmmod ipsec_tun 2>/dev/null
	done
done
exit 0
