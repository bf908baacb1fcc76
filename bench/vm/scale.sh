#!/bin/bash
# Scale inside the VM: many SAs installed through genetlink, and one flow
# measured while they are there.
#
#   [ns bA] ipsec0 ==(veth, ESP AES-GCM-128)== ipsec0 [ns bB]
#           + N other SAs and N/2 policies on each ipsec0
#
# For each N in IPSEC_BENCH_SCALE (default "1 1000 10000 100000", ascending,
# cumulative: going from 1000 to 10000 installs 9000 more), on each end:
#   install-us-per-sa     wall time of the NEW_SA calls / SAs added (bA)
#   policy-us-per-policy  wall time of the NEW_POLICY calls / policies added
#   slab-bytes-per-sa     growth of Slab + Percpu in /proc/meminfo / SAs added,
#                         over bA's install alone (policies included)
#   tcp1                  iperf3 TCP through the benchmark pair (N=0 first)
#   plain1                control: iperf3 TCP between the outer addresses (no ipsec_tun)
# Then, if ipsecd works: IPSEC_BENCH_TUNNELS (default 100) tunnels
# negotiated by ipsecd against one peer (bench/vm/tunnels.sh, a process of
# its own on the test library's topo_v4, after bA and bB are gone).
. "$(dirname "$0")/lib.sh" || exit 1

S=scale
BENCH_GENL=${IPSEC_BENCH_GENL:-$REPO/build/bin/bench_genl}
SCALE_NS=$(tr ' ' '\n' <<<"${IPSEC_BENCH_SCALE:-1 1000 10000 100000}" | grep . | sort -n | uniq)
info scale-ns "$(echo $SCALE_NS)"

# meminfo_kb FIELD
meminfo_kb() {
	awk -v f="$1:" '$1 == f { print $2 }' /proc/meminfo
}

# kernel_mem_kb: Slab + Percpu after dropping reclaimable caches, so that
# dentry/inode churn does not pass for SA memory.
kernel_mem_kb() {
	sync
	echo 2 >/proc/sys/vm/drop_caches
	echo $(($(meminfo_kb Slab) + $(meminfo_kb Percpu)))
}

# tcp_reps NAME: the tunnel flow and, as a control, one TCP flow between the
# outer addresses (never through ipsec_tun) per repetition.
tcp_reps() {
	local c=$1 r v
	for ((r = 1; r <= BENCH_REPS; r++)); do
		if v=$(iperf_tcp_mbits 1); then result $S "$c" tcp1 "$v" Mbit/s
		else na $S "$c" tcp1 "iperf3 run $r failed"; fi
		if v=$(timeout $((BENCH_TIME + 30)) ip netns exec bA iperf3 -c $OUTER_B -p 5202 \
			-t "$BENCH_TIME" -O 1 -J 2>/dev/null |
			jq -e '.end.sum_received.bits_per_second / 1e6 | . * 10 | round / 10'); then
			result $S "$c" plain1 "$v" Mbit/s
		else
			na $S "$c" plain1 "iperf3 run $r between the outer addresses failed"
		fi
	done
}

scale_sas() {
	local why n installed=0 add out m0 m1 sa_us pol_us pols avail_kb need_kb per_sa=0
	if why=$(ipsec_not_ready) && [ -n "$why" ]; then
		na $S all all "$why"
		return 0
	fi
	if [ ! -x "$BENCH_GENL" ]; then
		na $S all all "bench_genl not built (needs userspace/kernel GenlKernel)"
		return 0
	fi
	ipsec_load || { na $S all all "insmod ipsec_tun failed"; return 0; }
	topo_base
	. "$(dirname "$0")/ipsec_manual.sh"
	if ! out=$(ipsec_manual_pair gcm128 2>&1); then
		na $S all all "manual keying failed: $(tail -n1 <<<"$out")"
		return 0
	fi
	topo_routes_via ipsec0 ipsec0
	if ! poll_until 10 inner_ping_ok; then
		na $S all all "no ping through ipsec0 before any other SA"
		return 0
	fi
	iperf_server_start || { na $S all all "iperf3 server did not start"; return 0; }
	ip netns exec bB iperf3 -s -B $OUTER_B -p 5202 >/dev/null 2>&1 &
	progress "N=0 baseline"
	tcp_reps n0

	for n in $SCALE_NS; do
		add=$((n - installed))
		[ "$add" -gt 0 ] || continue
		# Memory guard: the VM has 2 GiB; both ends hold every SA.
		avail_kb=$(meminfo_kb MemAvailable)
		need_kb=$((per_sa * add * 2 / 1024))
		if [ "$per_sa" -gt 0 ] && [ "$need_kb" -gt $((avail_kb * 8 / 10)) ]; then
			na $S "n$n" all "would need ~$((need_kb / 1024)) MiB for $add more SAs per end, VM has $((avail_kb / 1024)) MiB available"
			break
		fi
		progress "installing $add SAs per end (to N=$n)"
		m0=$(kernel_mem_kb)
		if ! out=$(timeout 900 ip netns exec bA "$BENCH_GENL" ipsec0 "$installed" "$add" 2>&1); then
			na $S "n$n" all "bench_genl in bA: $(tail -n1 <<<"$out")"
			break
		fi
		m1=$(kernel_mem_kb)
		sa_us=$(sed -n 's/.*sa_us=\([0-9]*\).*/\1/p' <<<"$out")
		pol_us=$(sed -n 's/.*policy_us=\([0-9]*\).*/\1/p' <<<"$out")
		pols=$(sed -n 's/.*policies=\([0-9]*\).*/\1/p' <<<"$out")
		[ -n "$sa_us" ] || fail "bench_genl printed '$out'"
		result $S "n$n" install-us-per-sa "$(echo "scale=1; $sa_us / $add" | bc)" us
		[ "${pols:-0}" -gt 0 ] &&
			result $S "n$n" policy-us-per-policy "$(echo "scale=1; $pol_us / $pols" | bc)" us
		if [ "$add" -ge 500 ]; then
			per_sa=$(((m1 - m0) * 1024 / add))
			result $S "n$n" slab-bytes-per-sa "$per_sa" bytes
		else
			na $S "n$n" slab-bytes-per-sa "too few SAs added ($add) to see them in Slab"
		fi
		if ! out=$(timeout 900 ip netns exec bB "$BENCH_GENL" ipsec0 "$installed" "$add" 2>&1); then
			na $S "n$n" tcp1 "bench_genl in bB: $(tail -n1 <<<"$out")"
			break
		fi
		installed=$n
		if ! poll_until 10 inner_ping_ok; then
			na $S "n$n" tcp1 "no ping through ipsec0 with $n other SAs"
			break
		fi
		progress "N=$n: throughput"
		tcp_reps "n$n"
	done
	ns_gone bA bB
	rmmod ipsec_tun 2>/dev/null
	return 0
}

command -v iperf3 >/dev/null || fail "iperf3 missing (scripts/setup)"
command -v jq >/dev/null || fail "jq missing"
info kernel "$(uname -r)"
crypto_preload
scale_sas
if [ -x "$(dirname "$0")/tunnels.sh" ]; then
	"$(dirname "$0")/tunnels.sh" || fail "tunnels.sh failed"
else
	na $S tunnels all "bench/vm/tunnels.sh not written yet"
fi
exit 0
