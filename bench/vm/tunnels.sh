#!/bin/bash
# IPSEC_BENCH_TUNNELS (default 100) tunnels negotiated at once by ipsecd
# against one peer (ipsecd too), inside the VM. Run by bench/vm/scale.sh.
#
#   [ns bA] ipsecd, N conns auto=start  10.0.0.1 ==veth== 10.0.0.2  [ns bB] ipsecd, N conns auto=add
#   conn tI: 10.100.x.y/32 <-> 10.200.x.y/32, IDs @aI.bench / @bI.bench
#   (I = 0..N-1; no hosts behind them). Each tunnel has IDs of its own so the
#   responder can pick the conn by ID: with one ID pair for all, ipsecd
#   (at the time of writing) picks the first conn and answers the others
#   with TS_UNACCEPTABLE.
#
# setup-seconds    from the initiator process's start (/proc/PID/stat) until
#                  its ipsec0 holds 2N SAs (one pair per tunnel)
# daemon-rss-kib   VmRSS of the initiating ipsecd with all tunnels up
# peer-rss-kib     VmRSS of the responding ipsecd
. "$(dirname "$0")/lib.sh" || exit 1

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

# conf DIR LEFT RIGHT LNET_OCTET RNET_OCTET LID RID AUTO
conf() {
	local dir=$1 i
	{
		for ((i = 0; i < N; i++)); do
			cat <<EOC
conn t$i
	keyexchange=ikev2
	left=$2
	leftid=@$6$i
	leftsubnet=10.$4.$((i / 256)).$((i % 256))/32
	right=$3
	rightid=@$7$i
	rightsubnet=10.$5.$((i / 256)).$((i % 256))/32
	authby=secret
	ike=aes128gcm16-prfsha256-x25519!
	esp=aes128gcm16!
	auto=$8

EOC
		done
	} >"$dir/ipsec.conf"
	for ((i = 0; i < N; i++)); do
		echo "@$6$i @$7$i : PSK \"$PSK\""
	done >"$dir/ipsec.secrets"
	chmod 600 "$dir/ipsec.secrets"
}

sa_count() {
	ip netns exec bA "$IPSECCTL" dev list --json dev ipsec0 2>/dev/null |
		jq -r '[.. | objects | select(has("sa_count")) | .sa_count] | first // 0'
}

rss_kib() {
	awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"
}

topo_base
dA=$(mktemp -d /tmp/tun-a.XXXXXX) dB=$(mktemp -d /tmp/tun-b.XXXXXX)
conf "$dB" $OUTER_B $OUTER_A 200 100 b.bench a.bench add
conf "$dA" $OUTER_A $OUTER_B 100 200 a.bench b.bench start

ip netns exec bB "$IPSECD" -f "$dB/ipsec.conf" --secrets "$dB/ipsec.secrets" --ctl "$dB/ctl" \
	>"$dB/log" 2>&1 &
pidB=$!
if ! poll_until 120 ip netns exec bB "$IPSECCTL" --ctl "$dB/ctl" status; then
	na $S tunnels all "responder ipsecd not ready in 120 s: $(tail -n1 "$dB/log")"
	exit 0
fi
ip netns exec bA "$IPSECD" -f "$dA/ipsec.conf" --secrets "$dA/ipsec.secrets" --ctl "$dA/ctl" \
	>"$dA/log" 2>&1 &
pidA=$!
t0=$(echo "scale=2; $(awk '{ print $22 }' /proc/$pidA/stat) / $(getconf CLK_TCK)" | bc)

deadline=$(($(date +%s) + 300))
until [ "$(sa_count)" -ge $((2 * N)) ]; do
	if [ "$(date +%s)" -ge "$deadline" ] || ! kill -0 $pidA 2>/dev/null; then
		na $S tunnels all "only $(sa_count) of $((2 * N)) SAs after 300 s (initiator log: $(tail -n1 "$dA/log"))"
		exit 0
	fi
	sleep 0.2
done
t1=$(cut -d' ' -f1 /proc/uptime)
result $S tunnels setup-seconds "$(echo "$t1 - $t0" | bc)" s
result $S tunnels daemon-rss-kib "$(rss_kib $pidA)" KiB
result $S tunnels peer-rss-kib "$(rss_kib $pidB)" KiB
ns_gone bA bB
rmmod ipsec_tun 2>/dev/null
exit 0
