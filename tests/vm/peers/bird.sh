# shellcheck shell=bash
# BIRD 2 (Debian's bird2) as a BGP speaker inside a netns. Source after
# lib.sh.
#
#   bird_start NS CONF   runs bird -f with config file CONF in NS, its
#                        control socket beside CONF (one per instance),
#                        waits until birdc answers. Sets BIRD_PID.
#   birdc_ns NS ARGS...  birdc on that instance's socket ("show route").
#   bird_bgp_up NS NAME  true when BGP protocol NAME is Established.
#   bird_dump NS         protocols and routes, for failure messages.

declare -A _bird_sock

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
	birdc_ns "$1" show protocols "$2" | grep -q Established
}

bird_dump() {
	echo "--- bird ($1):"
	birdc_ns "$1" show protocols all 2>&1
	birdc_ns "$1" show route all 2>&1
}
