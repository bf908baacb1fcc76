# shellcheck shell=bash
# BIRD 2 (Debian's bird2) as a BGP speaker inside a netns. The subject
# "bird" of lib.sh (`. lib.sh bird`).
#
#   bird_start NS CONF   runs bird -f with config file CONF in NS, its
#                        control socket beside CONF (one per instance),
#                        waits until birdc answers. Sets BIRD_PID.
#   birdc_ns NS ARGS...  birdc on that instance's socket ("show route").
#   bird_bgp_up NS NAME  true when BGP protocol NAME is Established.
#   bird_dump NS         protocols and routes, for failure messages.
#   ecmp_flow_dev GW SRC DST  pings DST from netns SRC 30 times and prints
#                        N of the ipsecN (1 or 2) on GW that carried them
#                        (the one whose tx_packets grew by >= 25 more: both
#                        also carry BGP keepalives).
#   failover_ping SRC DST SECS CMD...  pings DST from SRC every 0.1 s for
#                        SECS s, runs CMD 2 s in; sets FO_SENT, FO_GOT,
#                        FO_LOST.

declare -gA _bird_sock

bird_start() {
	local ns=$1 conf=$2
	_bird_sock[$ns]=${conf%.conf}.ctl
	spawn "$ns" /usr/sbin/bird -f -c "$conf" -s "${_bird_sock[$ns]}" -P "${conf%.conf}.pid"
	BIRD_PID=$SPAWNED_PID
	wait_or_dump 30 "spawn_log $BIRD_PID" birdc_ns "$ns" show status
}

birdc_ns() {
	local ns=$1
	shift
	in_ns "$ns" /usr/sbin/birdc -s "${_bird_sock[$ns]}" "$@"
}

bird_bgp_up() {
	birdc_ns "$1" show protocols "$2" | has_match Established
}

bird_dump() {
	echo "--- bird ($1):"
	birdc_ns "$1" show protocols all 2>&1
	birdc_ns "$1" show route all 2>&1
}

ecmp_flow_dev() {
	local gw=$1 src=$2 dst=$3 t1 t2 d1 d2
	t1=$(link_counter "$gw" ipsec1 tx_packets) t2=$(link_counter "$gw" ipsec2 tx_packets)
	in_ns "$src" ping -c30 -i0.1 -W3 "$dst" >/dev/null || fail "no traffic over the ECMP route"
	d1=$(($(link_counter "$gw" ipsec1 tx_packets) - t1)) d2=$(($(link_counter "$gw" ipsec2 tx_packets) - t2))
	assert_ge "$((d1 > d2 ? d1 - d2 : d2 - d1))" 25 "pings into one tunnel beyond the keepalives (ipsec1 +$d1, ipsec2 +$d2)" >&2
	echo "the flow runs over ipsec$((d1 > d2 ? 1 : 2)) (ipsec1 +$d1, ipsec2 +$d2)" >&2
	echo "$((d1 > d2 ? 1 : 2))"
}

failover_ping() {
	local src=$1 dst=$2 secs=$3 pid
	shift 3
	spawn "$src" ping -i0.1 -w"$secs" -W1 "$dst"
	pid=$SPAWNED_PID
	sleep 2
	"$@"
	wait "$pid" || true
	FO_SENT=$(sed -n 's/^\([0-9]*\) packets transmitted.*/\1/p' "/tmp/spawn.$pid.log")
	FO_GOT=$(sed -n 's/.* \([0-9]*\) received.*/\1/p' "/tmp/spawn.$pid.log")
	[ -n "$FO_SENT" ] && [ -n "$FO_GOT" ] || fail "no ping summary: $(spawn_log "$pid")"
	FO_LOST=$((FO_SENT - FO_GOT))
}
