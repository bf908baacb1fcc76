#!/bin/bash
# IPSEC_BENCH_TUNNELS (default 100) tunnels negotiated at once by ipsecd
# against one peer (ipsecd too), inside the VM. Run by bench/vm/scale.sh.
#
#   [gw1] ipsecd, N conns auto=start  10.0.0.1 ==ul== 10.0.0.2  [gw2] ipsecd, N conns auto=add
#   conn tI: 10.100.x.y/32 <-> 10.200.x.y/32, IDs @aI.bench / @bI.bench
#   (I = 0..N-1; no hosts behind them). Each tunnel has IDs of its own so the
#   responder can pick the conn by ID: with one ID pair for all, ipsecd
#   (at the time of writing) picks the first conn and answers the others
#   with TS_UNACCEPTABLE.
#
# The test library does the work: topo_v4 and conn_block, psk_secrets
# (peers/topology.sh), ipsecd_spawn, ictl, ipsecd_log (peers/ipsecd.sh);
# everything goes at exit (tests/vm/lib.sh's cleanups).
#
# setup-seconds    from the initiator process's start (/proc/PID/stat) until
#                  its ipsec0 holds 2N SAs (one pair per tunnel)
# daemon-rss-kib   VmRSS of the initiating ipsecd with all tunnels up
# peer-rss-kib     VmRSS of the responding ipsecd
. "$(dirname "$0")/lib.sh" || exit 1
lib_use topology ipsecd

S=scale
N=${IPSEC_BENCH_TUNNELS:-100}
PSK=bench-tunnels-psk-0123456789
info tunnels-n "$N"

why=$(ipsec_not_ready) || true
[ -n "$why" ] || [ -x "$IPSECD" ] || why="ipsecd not built ($IPSECD)"
if [ -n "$why" ]; then
	na $S tunnels all "$why"
	exit 0
fi
ipsec_load || { na $S tunnels all "insmod ipsec_tun failed"; exit 0; }

# conf DIR 1|2 AUTO: conn t0..tN-1 as gw1 (1) or gw2 (2) sees them, with
# their PSKs.
conf() {
	local dir=$1 i x l=$GW1 r=$GW2 ln=100 rn=200 lid=a rid=b
	local -a psks=()
	[ "$2" = 1 ] || { l=$GW2 r=$GW1 ln=200 rn=100 lid=b rid=a; }
	for ((i = 0; i < N; i++)); do
		x=$((i / 256)).$((i % 256))
		conn_block "t$i" keyexchange=ikev2 "left=$l" "leftid=@$lid$i.bench" "leftsubnet=10.$ln.$x/32" \
			"right=$r" "rightid=@$rid$i.bench" "rightsubnet=10.$rn.$x/32" authby=secret \
			'ike=aes128gcm16-prfsha256-x25519!' 'esp=aes128gcm16!' "auto=$3"
		psks+=("@$lid$i.bench @$rid$i.bench : PSK \"$PSK\"")
	done >"$dir/ipsec.conf"
	psk_secrets "$dir/ipsec.secrets" "${psks[@]}"
}

sa_count() {
	ctl "$NS_GW1" dev list --json dev ipsec0 2>/dev/null |
		jq -r '[.. | objects | select(has("sa_count")) | .sa_count] | first // 0'
}

rss_kib() {
	awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"
}

topo_v4
d1=$(mktemp -d /tmp/tun-gw1.XXXXXX) d2=$(mktemp -d /tmp/tun-gw2.XXXXXX)
conf "$d2" 2 add
conf "$d1" 1 start

ipsecd_spawn "$NS_GW2" "$d2"
pid2=$IPSECD_PID
if ! poll_until 120 ictl "$NS_GW2" status; then
	na $S tunnels all "responder ipsecd not ready in 120 s: $(ipsecd_log "$NS_GW2" | tail -n1)"
	exit 0
fi
ipsecd_spawn "$NS_GW1" "$d1"
pid1=$IPSECD_PID
t0=$(echo "scale=2; $(awk '{ print $22 }' "/proc/$pid1/stat") / $(getconf CLK_TCK)" | bc)

deadline=$(($(date +%s) + 300))
until [ "$(sa_count)" -ge $((2 * N)) ]; do
	if [ "$(date +%s)" -ge "$deadline" ] || ! kill -0 "$pid1" 2>/dev/null; then
		na $S tunnels all "only $(sa_count) of $((2 * N)) SAs after 300 s (initiator log: $(ipsecd_log "$NS_GW1" | tail -n1))"
		exit 0
	fi
	sleep 0.2
done
t1=$(cut -d' ' -f1 /proc/uptime)
result $S tunnels setup-seconds "$(echo "$t1 - $t0" | bc)" s
result $S tunnels daemon-rss-kib "$(rss_kib "$pid1")" KiB
result $S tunnels peer-rss-kib "$(rss_kib "$pid2")" KiB
exit 0
