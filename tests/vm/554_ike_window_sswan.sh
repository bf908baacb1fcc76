#!/bin/bash
# vm-timeout: 900
# The IKE message window (RFC 7296 2.3) with 100 connections t1..t100 to one
# strongSwan 5.9 responder (55x_many.bash), twice in one run:
#   1. charon.window_size = 1 (strongSwan's default): ipsecd must keep one
#      CREATE_CHILD_SA request outstanding at a time;
#   2. charon.window_size = 8: strongSwan sends SET_WINDOW_SIZE 8 in
#      IKE_AUTH and ipsecd has several requests in flight at once.
# Each time: all 100 children under one IKE SA at both ends, a ping through
# every 10th child, the most requests ipsecd had in flight (from its debug
# log) and the seconds until all were up, printed side by side at the end.
#
#   [lan1] 172.16.0.1..100 -- [gw1 ipsecd] ==== [gw2 strongSwan] -- 172.17.0.1..100 [lan2]
. "$(dirname "$0")/lib.sh" || exit 1
. "$(dirname "$0")/55x_many.bash"
. "$REPO/tests/vm/peers/strongswan.sh"

MANY_N=100
many_setup $MANY_N

# run_with WINDOW: one round; sets SECS and INFLIGHT.
run_with() {
	local ours peer pid
	ours=$(mktemp -d /tmp/ours.XXXXXX) peer=$(mktemp -d /tmp/sswan.XXXXXX)
	many_conf_ours "$ours"
	many_conf_sswan "$peer"
	SSWAN_CHARON_EXTRA="	window_size = $1" sswan_start "$NS_GW2" "$peer"
	wait_or_dump 60 "_sswan_dump $NS_GW2 | tail -n 30" _sswan_has_conn "$NS_GW2" t$MANY_N
	local t0=$SECONDS
	ipsecd_start "$NS_GW1" "$ours"
	many_wait_ours $MANY_N 300
	SECS=$((SECONDS - t0))
	local all
	all=$(sswan "$NS_GW2" statusall)
	assert_eq "$(grep -cE '^ *t[0-9]+\[[0-9]+\]: ESTABLISHED' <<<"$all")" 1 "IKE SAs in strongSwan"
	assert_eq "$(grep -cE '^ *t[0-9]+\{[0-9]+\}: +INSTALLED' <<<"$all")" $MANY_N "child SAs in strongSwan"
	many_ping $MANY_N 10
	INFLIGHT=$(many_inflight)
	echo "window $1: all $MANY_N children up in ${SECS} s, at most $INFLIGHT CREATE_CHILD_SA requests in flight"
	ipsecd_stop "$NS_GW1"
	pid=$SSWAN_PID
	kill -TERM "$pid"
	wait "$pid" 2>/dev/null || true
	ip -n "$NS_GW2" xfrm state flush
	ip -n "$NS_GW2" xfrm policy flush
}

run_with 1
secs1=$SECS
assert_eq "$INFLIGHT" 1 "CREATE_CHILD_SA requests in flight with strongSwan's window of 1"
run_with 8
secs8=$SECS
[ "$INFLIGHT" -gt 1 ] || fail "window 8: never more than $INFLIGHT request in flight"
[ "$INFLIGHT" -le 8 ] || fail "window 8: $INFLIGHT requests in flight, more than the peer allows"
echo "time to all $MANY_N children up: window 1 ${secs1} s, window 8 ${secs8} s"
echo "ok: ipsecd honours strongSwan's IKE window (1 and 8)"
