#!/bin/bash
# many_one.sh SHAPE N IMPL...: N tunnels brought up by each IMPL (ipsecd |
# strongswan) in turn as initiator against one responder (strongSwan, or
# ipsecd with IPSEC_BENCH_MANY_RESPONDER=ipsecd), loaded
# once (at N=1,000 loading it takes minutes under TCG) and emptied and idle
# before each initiator starts. Run by bench/vm/many.sh, in a process of its
# own (tests/vm/lib.sh: strict mode, cleanup at exit). Prints BENCH lines;
# an initiator that does not bring all N up in time gets a BENCH-NA line
# with the reason, the next one is still measured, and the script fails at
# the end saying how many failed.
#
#   conns: [gw1 IMPL] 10.0.0.1 ==== 10.0.0.2 [gw2 charon]
#          conn tI: 172.16.a.b/32 === 172.17.a.b/32 (I = 1..N), every one
#          with the same hosts and IDs (@gw1.bench, @gw2.bench): one peer,
#          N connections (what issue 25 was about).
#   peers: [gw1 IMPL] 10.0.0.1 ==== 10.1.a.b/16 x N [gw2 charon]
#          conn tI: right=10.1.a.b, address IDs, one subnet pair each: N
#          peers with one connection each (gw2 has N addresses on its
#          underlay, one charon answers for all of them).
#
# Both initiators read the same conns (strongSwan syntax; ours adds pfs=no,
# strongSwan's behaviour for an esp= without a DH group): ike=aes128gcm16-
# prfsha256-x25519!, esp=aes128gcm16!, auto=start; the responder has the
# mirror conns, auto=add, loaded (and charon idle) before the clock starts. The clock starts
# when the initiator's process starts (/proc/PID/stat; config loading is
# counted) and stops when it has 2N SAs (ipsecd: N children logged as
# established, or ipsec0's SA count every 2 s, checked against that count
# after; strongSwan: its XFRM states), polled every 0.5 s.
#
#   all-up-seconds   that time
#   peak-rss-kib     VmHWM of the initiating daemon (ipsecd, or charon)
#   children-up      child SAs up at the initiator when the clock stopped
#   peer-children    child SAs at the responder 2 s later (XFRM state pairs,
#                    or ipsec0's SAs / 2 for ipsecd): N unless a connection
#                    was lost
#   responder-peak-rss-kib  VmHWM of the responding daemon so far (its
#                    loading included; across initiators, the highest)
# With the ipsecd responder the configurations are named SHAPE-IMPL-to-ipsecd.
#   initiator-cpu-seconds, responder-cpu-seconds, vm-idle-share: where the
#                    time went (see measure below)
. "$REPO/tests/vm/lib.sh" topology ipsecd strongswan || exit 1

usage="usage: many_one.sh conns|peers N ipsecd|strongswan..."
shape=${1:?$usage}
n=${2:?$usage}
shift 2
impls=("$@")
[ ${#impls[@]} -gt 0 ] || fail "$usage"
deadline_s=${IPSEC_BENCH_MANY_DEADLINE:-900}
responder_impl=${IPSEC_BENCH_MANY_RESPONDER:-strongswan}
case $responder_impl in strongswan | ipsecd) ;; *) fail "unknown responder '$responder_impl'" ;; esac
failed=0
PSK=bench-many-psk-0123456789
S=many
[ -x "$IPSECD" ] || fail "ipsecd not built ($IPSECD)"
case $shape in conns | peers) ;; *) fail "unknown shape '$shape'" ;; esac

# 172.16.a.b from I, and the responder's address of peer I (shape peers).
octets() { echo "$(($1 / 256)).$(($1 % 256))"; }
peer_addr() { if [ "$shape" = peers ]; then echo "10.1.$(octets "$1")"; else echo "$GW2"; fi; }

# conns DIR SIDE AUTO [EXTRA]: conn t1..tN as seen from SIDE (1: gw1, 2: gw2),
# in DIR/conns.conf (conn_block, peers/topology.sh), included by
# DIR/ipsec.conf; the PSK in DIR/ipsec.secrets (psk_secrets).
conns() {
	local i l r ln rn lid rid
	local -a ids
	for ((i = 1; i <= n; i++)); do
		l=$GW1 r=$(peer_addr "$i") ln=172.16.$(octets "$i")/32 rn=172.17.$(octets "$i")/32
		lid=@gw1.bench rid=@gw2.bench
		[ "$2" = 1 ] || { local t=$l; l=$r r=$t t=$ln ln=$rn rn=$t t=$lid lid=$rid rid=$t; }
		ids=()
		[ "$shape" = peers ] || ids=("leftid=$lid" "rightid=$rid")
		conn_block "t$i" keyexchange=ikev2 "left=$l" "leftsubnet=$ln" "right=$r" "rightsubnet=$rn" \
			"${ids[@]}" authby=secret 'ike=aes128gcm16-prfsha256-x25519!' 'esp=aes128gcm16!' \
			"auto=$3" ${4:+"$4"}
	done >"$1/conns.conf"
	printf 'include %s/conns.conf\n' "$1" >"$1/ipsec.conf"
	if [ "$shape" = peers ]; then
		psk_secrets "$1/ipsec.secrets" ": PSK \"$PSK\""
	else
		psk_secrets "$1/ipsec.secrets" "@gw1.bench @gw2.bench : PSK \"$PSK\""
	fi
}

# result CONFIG METRIC VALUE UNIT: one BENCH line (bench/vm/lib.sh's format).
result() { printf 'BENCH\t%s\t%s\t%s\t%s\t%s\n' "$S" "$@"; }

proc_start() {
	echo "scale=2; $(awk '{ print $22 }' "/proc/$1/stat") / $(getconf CLK_TCK)" | bc
}

xfrm_states() { ip -n "$1" xfrm state | grep -c '^src' || true; }

# ours_sas [NS]: ipsec0's SA count in NS (default gw1).
ours_sas() {
	in_ns "${1:-$NS_GW1}" "$IPSECCTL" dev list --json dev ipsec0 2>/dev/null |
		jq -r '[.. | objects | select(has("sa_count")) | .sa_count] | first // 0' 2>/dev/null || echo 0
}

# While the clock runs, ipsecd's children are counted in its log (one
# "CHILD_SA ... established" line each): starting ipsecctl twice a second
# would take a good part of a TCG vCPU from the daemons. The log may leave
# some out, though: its rate limit on repeated lines (daemon/log_rate_limit.h)
# follows at most 1,024 line shapes at once, and 1,000 connections starting
# at once make more, so the rest share one burst for 10 s (at N=1,000 every
# child was up after 188 s and the log never counted them all). So every
# 4th poll (2 s) asks the kernel instead.
ours_logged() { echo $((2 * $(grep -c '} established, SPIs in' "/tmp/spawn.$pid.log" || true))); }
# initiator_sas POLL: SAs at the initiator, at the POLLth poll.
initiator_sas() {
	if [ "$impl" != ipsecd ]; then
		xfrm_states "$NS_GW1"
	elif [ $(($1 % 4)) -ne 0 ]; then
		ours_logged
	else
		ours_sas
	fi
}
final_sas() { if [ "$impl" = ipsecd ]; then ours_sas; else xfrm_states "$NS_GW1"; fi; }
responder_sas() { if [ "$responder_impl" = ipsecd ]; then ours_sas "$NS_GW2"; else xfrm_states "$NS_GW2"; fi; }

topo_v4
if [ "$shape" = peers ]; then
	for ((i = 1; i <= n; i++)); do echo "address add $(peer_addr "$i")/16 dev $UL_IF"; done |
		ip -n "$NS_GW2" -batch -
	ip -n "$NS_GW1" route add 10.1.0.0/16 dev "$UL_IF"
fi

d2=$(mktemp -d /tmp/many-gw2.XXXXXX)
# Both charons log as little as ipsecd does without --debug.
export SSWAN_LOG_LEVEL=${SSWAN_LOG_LEVEL:-0}
progress "$shape: loading the responder's ($responder_impl) $n conns"
# Polled every 2 s: statusall of every conn, back to back, would compete
# with charon digesting them (minutes at N=1,000).
wait_conn() {
	local deadline=$(($(date +%s) + 900))
	until _sswan_has_conn "$NS_GW2" "t$n"; do
		[ "$(date +%s)" -lt "$deadline" ] || fail "responder: conn t$n not loaded after 900 s"
		sleep 2
	done
}
responder_log() {
	if [ "$responder_impl" = ipsecd ]; then cat "/tmp/spawn.$responder.log"; else sswan_log "$NS_GW2"; fi
}
if [ "$responder_impl" = ipsecd ]; then
	# ipsecd has loaded every conn once its control socket answers; it
	# listens on the wildcard address, so on all N of the peers shape.
	[ -e /sys/module/ipsec_tun ] || ipsec_load
	conns "$d2" 2 add pfs=no
	ipsecd_spawn "$NS_GW2" "$d2"
	responder=$IPSECD_PID
	deadline=$(($(date +%s) + 900))
	until ictl "$NS_GW2" status >/dev/null 2>&1; do
		[ "$(date +%s)" -lt "$deadline" ] || fail "responder: ipsecd not answering after 900 s"
		kill -0 "$responder" 2>/dev/null || { tail -n 20 "/tmp/spawn.$responder.log" >&2; fail "responder: ipsecd exited"; }
		sleep 1
	done
else
	conns "$d2" 2 add
	sswan_start "$NS_GW2" "$d2"
	wait_conn
	responder=$(pgrep -P "$SSWAN_PID" -x charon) || fail "no charon under starter $SSWAN_PID"
fi
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
# wait_idle: until the responder has used no CPU over a whole second (it
# goes on digesting the conns after starter has handed them over, and on
# deleting SAs after an initiator has gone): an initiator that starts at
# once would pay for that.
wait_idle() {
	local prev=-1 now s
	for ((s = 0; s < 300; s++)); do
		now=$(cpu_ticks "$responder")
		[ "$now" != "$prev" ] || return 0
		prev=$now
		sleep 1
	done
}
wait_idle
progress "$shape: responder loaded and idle"
hz=$(getconf CLK_TCK)
# idle ticks and all ticks of the VM's CPUs (/proc/stat).
vm_ticks() { awk '/^cpu / { t = 0; for (i = 2; i <= NF; i++) t += $i; print $5 + $6, t }' /proc/stat; }

# measure IMPL: one initiator brings the N conns up; BENCH lines as
# "$shape-$impl". IMPL "ipsecd:KEY=VALUE" adds KEY=VALUE to ipsecd's config
# setup (e.g. ike-init-limit=5), for profiling.
measure() {
	local impl=${1%%:*} setup='' c=$shape-$1 d1 pid t0 t1 end have up=1
	[ "$responder_impl" = strongswan ] || c=$c-to-ipsecd
	[ "$impl" = "$1" ] || setup=${1#*:}
	d1=$(mktemp -d /tmp/many-gw1.XXXXXX)
	local r0 v0 v1
	r0=$(cpu_ticks "$responder")
	v0=$(vm_ticks)
	case $impl in
	ipsecd)
		[ -e /sys/module/ipsec_tun ] || ipsec_load
		conns "$d1" 1 start pfs=no
		[ -z "$setup" ] || printf 'config setup\n\t%s\ninclude %s/conns.conf\n' "$setup" "$d1" >"$d1/ipsec.conf"
		ipsecd_spawn "$NS_GW1" "$d1"
		pid=$IPSECD_PID
		t0=$(proc_start "$pid")
		;;
	strongswan)
		conns "$d1" 1 start
		sswan_start "$NS_GW1" "$d1"
		t0=$(proc_start "$SSWAN_PID")
		pid=$(pgrep -P "$SSWAN_PID" -x charon) || fail "no charon under starter $SSWAN_PID"
		;;
	*) fail "unknown implementation '$impl'" ;;
	esac
	end=$(($(date +%s) + deadline_s))
	local polls=0
	until polls=$((polls + 1)) && [ "$(initiator_sas "$polls")" -ge $((2 * n)) ]; do
		if [ "$(date +%s)" -ge "$end" ] || ! kill -0 "$pid" 2>/dev/null; then
			have=$(($(final_sas) / 2))
			result "$c" children-up "$have" children
			if [ "$impl" = ipsecd ]; then tail -n 20 "/tmp/spawn.$pid.log"; else sswan_log "$NS_GW1" | tail -n 20; fi >&2
			responder_log | tail -n 20 >&2
			local why="$impl: only $have of $n children up after ${deadline_s} s"
			kill -0 "$pid" 2>/dev/null || why="$impl: exited with $have of $n children up"
			printf 'BENCH-NA\t%s\t%s\t%s\t%s\n' "$S" "$c" all-up-seconds "$why"
			echo "FAILED: $why" >&2
			up=0 failed=$((failed + 1))
			break
		fi
		sleep 0.5
	done
	[ "$up" = 1 ] && report_up
	stop_initiator
}

# report_up: the BENCH lines of an initiator that brought all N up (measure's
# locals).
report_up() {
	t1=$(cut -d' ' -f1 /proc/uptime)
	v1=$(vm_ticks)
	result "$c" all-up-seconds "$(echo "$t1 - $t0" | bc)" s
	# Where the time went: CPU seconds of the initiating daemon (all of its
	# life, config loading included) and of the responder's charon, and the
	# share of the VM's CPU time left idle while the clock ran.
	result "$c" initiator-cpu-seconds "$(echo "scale=2; $(cpu_ticks "$pid") / $hz" | bc)" s
	result "$c" responder-cpu-seconds "$(echo "scale=2; ($(cpu_ticks "$responder") - $r0) / $hz" | bc)" s
	result "$c" vm-idle-share "$(echo "$v0 $v1" | awk '{ printf "%.2f", ($3 - $1) / ($4 - $2) }')" ratio
	result "$c" children-up "$(($(final_sas) / 2))" children
	sleep 2
	result "$c" peer-children "$(($(responder_sas) / 2))" children
	result "$c" peak-rss-kib "$(awk '/^VmHWM:/ { print $2 }' "/proc/$pid/status")" KiB
	result "$c" responder-peak-rss-kib "$(awk '/^VmHWM:/ { print $2 }' "/proc/$responder/status")" KiB
	# IPSEC_BENCH_MANY_DUMP=1: the initiator's log on stderr, for profiling.
	if [ "${IPSEC_BENCH_MANY_DUMP:-0}" = 1 ]; then
		if [ "$impl" = ipsecd ]; then cat "/tmp/spawn.$pid.log"; else sswan_log "$NS_GW1"; fi >&2
	fi
}

# stop_initiator: measure's initiator goes.
stop_initiator() {
	# The initiator goes (deleting its SAs at the responder); the next one
	# starts against an empty, idle responder.
	local stop=$pid s
	[ "$impl" = ipsecd ] || stop=$SSWAN_PID
	kill "$stop" 2>/dev/null || true
	# Gone or a zombie (our child, reaped at exit).
	for ((s = 0; s < 600; s++)); do
		[ "$(awk '{ print $3 }' "/proc/$stop/stat" 2>/dev/null || echo Z)" != Z ] || break
		sleep 0.2
	done
	kill -9 "$stop" 2>/dev/null || true
	for ((s = 0; s < 120; s++)); do
		[ "$(responder_sas)" -gt 0 ] || break
		sleep 1
	done
	[ "$(responder_sas)" -eq 0 ] ||
		progress "$c: the responder still has $(responder_sas) SAs after the initiator went"
	wait_idle
}

for impl in "${impls[@]}"; do
	progress "$shape: $impl, $n tunnels"
	measure "$impl"
done
if [ "${IPSEC_BENCH_MANY_DUMP:-0}" = 1 ]; then responder_log >&2; fi
[ "$failed" = 0 ] || fail "$failed of ${#impls[@]} initiators did not bring all $n tunnels up"
