#!/bin/bash
# many_one.sh IMPL SHAPE N: one measurement of N tunnels brought up by IMPL
# (ipsecd | strongswan) as initiator against one strongSwan responder. Run
# by bench/vm/many.sh, in a process of its own (tests/vm/lib.sh: strict
# mode, cleanup at exit). Prints BENCH lines, or fails with the reason as
# its last line on stderr.
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
# established, checked against ipsec0's SA count after; strongSwan: its
# XFRM states), polled every 0.5 s.
#
#   all-up-seconds   that time
#   peak-rss-kib     VmHWM of the initiating daemon (ipsecd, or charon)
#   children-up      child SAs up at the initiator when the clock stopped
#   peer-children    child SAs (XFRM state pairs) at the responder 2 s later:
#                    N unless a connection was lost
. "$REPO/tests/vm/lib.sh" || exit 1
. "$REPO/tests/vm/peers/topology.sh"
. "$REPO/tests/vm/peers/strongswan.sh"

impl=${1:?usage: many_one.sh ipsecd|strongswan conns|peers N}
shape=${2:?usage: many_one.sh ipsecd|strongswan conns|peers N}
n=${3:?usage: many_one.sh ipsecd|strongswan conns|peers N}
deadline_s=${IPSEC_BENCH_MANY_DEADLINE:-900}
PSK=bench-many-psk-0123456789
S=many
[ "$impl" != ipsecd ] || [ -x "$IPSECD" ] || fail "ipsecd not built ($IPSECD)"
case $shape in conns | peers) ;; *) fail "unknown shape '$shape'" ;; esac

# 172.16.a.b from I, and the responder's address of peer I (shape peers).
octets() { echo "$(($1 / 256)).$(($1 % 256))"; }
peer_addr() { if [ "$shape" = peers ]; then echo "10.1.$(octets "$1")"; else echo "$GW2"; fi; }

# conns DIR SIDE AUTO [EXTRA]: conn t1..tN as seen from SIDE (1: gw1, 2: gw2).
conns() {
	local i l r ln rn lid rid
	for ((i = 1; i <= n; i++)); do
		l=$GW1 r=$(peer_addr "$i") ln=172.16.$(octets "$i")/32 rn=172.17.$(octets "$i")/32
		lid=@gw1.bench rid=@gw2.bench
		[ "$2" = 1 ] || { local t=$l; l=$r r=$t t=$ln ln=$rn rn=$t t=$lid lid=$rid rid=$t; }
		printf 'conn t%s\n\tkeyexchange=ikev2\n\tleft=%s\n\tleftsubnet=%s\n\tright=%s\n\trightsubnet=%s\n' \
			"$i" "$l" "$ln" "$r" "$rn"
		[ "$shape" = peers ] || printf '\tleftid=%s\n\trightid=%s\n' "$lid" "$rid"
		printf '\tauthby=secret\n\tike=aes128gcm16-prfsha256-x25519!\n\tesp=aes128gcm16!\n\tauto=%s\n' "$3"
		[ -z "${4:-}" ] || printf '\t%s\n' "$4"
	done >"$1/conns.conf"
	printf 'include %s/conns.conf\n' "$1" >"$1/ipsec.conf"
	if [ "$shape" = peers ]; then
		echo ": PSK \"$PSK\""
	else
		echo "@gw1.bench @gw2.bench : PSK \"$PSK\""
	fi >"$1/ipsec.secrets"
	chmod 600 "$1/ipsec.secrets"
}

# result CONFIG METRIC VALUE UNIT: one BENCH line (bench/vm/lib.sh's format).
result() { printf 'BENCH\t%s\t%s\t%s\t%s\t%s\n' "$S" "$@"; }

proc_start() {
	echo "scale=2; $(awk '{ print $22 }' "/proc/$1/stat") / $(getconf CLK_TCK)" | bc
}

xfrm_states() { ip -n "$1" xfrm state | grep -c '^src' || true; }

ours_sas() {
	in_ns "$NS_GW1" "$IPSECCTL" dev list --json dev ipsec0 2>/dev/null |
		jq -r '[.. | objects | select(has("sa_count")) | .sa_count] | first // 0' 2>/dev/null || echo 0
}

# While the clock runs, ipsecd's children are counted in its log (one
# "CHILD_SA ... established" line each): starting ipsecctl twice a second
# would take a good part of a TCG vCPU from the daemons. The kernel's count
# is checked once the clock has stopped.
ours_logged() { echo $((2 * $(grep -c '} established, SPIs in' "/tmp/spawn.$pid.log" || true))); }
initiator_sas() { if [ "$impl" = ipsecd ]; then ours_logged; else xfrm_states "$NS_GW1"; fi; }
final_sas() { if [ "$impl" = ipsecd ]; then ours_sas; else xfrm_states "$NS_GW1"; fi; }

topo_v4
if [ "$shape" = peers ]; then
	for ((i = 1; i <= n; i++)); do echo "address add $(peer_addr "$i")/16 dev $UL_IF"; done |
		ip -n "$NS_GW2" -batch -
	ip -n "$NS_GW1" route add 10.1.0.0/16 dev "$UL_IF"
fi

d1=$(mktemp -d /tmp/many-gw1.XXXXXX) d2=$(mktemp -d /tmp/many-gw2.XXXXXX)
conns "$d2" 2 add
# Both charons log as little as ipsecd does without --debug.
export SSWAN_LOG_LEVEL=${SSWAN_LOG_LEVEL:-0}
sswan_start "$NS_GW2" "$d2"
wait_or_dump 900 "_sswan_dump $NS_GW2 | tail -n 20" _sswan_has_conn "$NS_GW2" "t$n"
# ... and idle: charon goes on digesting the conns after starter has handed
# them over (seconds under TCG), and an initiator that starts at once pays
# for it while one that starts slowly does not. Idle: no CPU time used
# over a whole second.
responder=$(pgrep -P "$SSWAN_PID" -x charon) || fail "no charon under starter $SSWAN_PID"
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
prev=-1
for ((s = 0; s < 300; s++)); do
	now=$(cpu_ticks "$responder")
	[ "$now" != "$prev" ] || break
	prev=$now
	sleep 1
done

case $impl in
ipsecd)
	ipsec_load
	conns "$d1" 1 start pfs=no
	spawn "$NS_GW1" "$IPSECD" -f "$d1/ipsec.conf" --secrets "$d1/ipsec.secrets" --ctl "$d1/ctl"
	pid=$SPAWNED_PID
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
until [ "$(initiator_sas)" -ge $((2 * n)) ]; do
	if [ "$(date +%s)" -ge "$end" ] || ! kill -0 "$pid" 2>/dev/null; then
		have=$(($(final_sas) / 2))
		result "$shape-$impl" children-up "$have" children
		if [ "$impl" = ipsecd ]; then tail -n 20 "/tmp/spawn.$pid.log"; else sswan_log "$NS_GW1" | tail -n 20; fi >&2
		sswan_log "$NS_GW2" | tail -n 20 >&2
		fail "$impl: only $have of $n children up after ${deadline_s} s"
	fi
	sleep 0.5
done
t1=$(cut -d' ' -f1 /proc/uptime)
result "$shape-$impl" all-up-seconds "$(echo "$t1 - $t0" | bc)" s
result "$shape-$impl" children-up "$(($(final_sas) / 2))" children
sleep 2
result "$shape-$impl" peer-children "$(($(xfrm_states "$NS_GW2") / 2))" children
result "$shape-$impl" peak-rss-kib "$(awk '/^VmHWM:/ { print $2 }' "/proc/$pid/status")" KiB
# IPSEC_BENCH_MANY_DUMP=1: the initiator's log on stderr, for profiling.
if [ "${IPSEC_BENCH_MANY_DUMP:-0}" = 1 ]; then
	if [ "$impl" = ipsecd ]; then cat "/tmp/spawn.$pid.log"; else sswan_log "$NS_GW1"; fi >&2
	sswan_log "$NS_GW2" >&2
fi
