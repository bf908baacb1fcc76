#!/bin/bash
# Time from daemon start to the first ping through the tunnel: ipsecd
# (ipsec0) against strongSwan and libreswan (XFRM), same configuration,
# IPSEC_BENCH_STARTUP_REPS times each (default 2: one run is a daemon pair
# starting under TCG, about a minute on a loaded host). Each measurement is bench/vm/startup_one.sh
# in a process of its own; one that fails becomes "n/a (its reason)".
# Arguments: the implementations to run (default all three).
. "$(dirname "$0")/lib.sh" || exit 1

S=startup
info kernel "$(uname -r)"
crypto_preload
reps=${IPSEC_BENCH_STARTUP_REPS:-2}
info startup-reps "$reps"
impls=("$@")
[ ${#impls[@]} -gt 0 ] || impls=(ipsecd libreswan strongswan)
for impl in "${impls[@]}"; do
	for ((r = 1; r <= reps; r++)); do
		progress "$impl run $r/$reps"
		err=$(mktemp /tmp/startup-err.XXXXXX)
		if ! timeout 420 "$(dirname "$0")/startup_one.sh" "$impl" 2>"$err"; then
			why=$(grep -v '^FAILED (exit' "$err" | grep . | tail -n1)
			na $S "$impl" first-ping "${why:-startup_one.sh $impl failed or timed out}"
			sed 's/^/    /' "$err" | tail -n 15 >&2
			break
		fi
	done
	[ ! -e /sys/module/ipsec_tun ] || rmmod ipsec_tun 2>/dev/null
done
exit 0
