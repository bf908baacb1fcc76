#!/bin/bash
# vm-timeout: 600
# vm-suite: full (keeps make check under 45 min; 555 covers the window ours <-> ours)
# The IKE message window (RFC 7296 2.3) against strongSwan 5.9 with 100
# connections t1..t100 to one responder (lib/many.sh), strongswan.conf
# saying charon.window_size = 8: strongSwan's IKEv2 task manager still
# handles one exchange at a time and sends no SET_WINDOW_SIZE (a second
# request would be ignored "already processing"), so ipsecd must keep one
# CREATE_CHILD_SA request in flight (from its debug log) and get all 100
# children up under one IKE SA at both ends; a ping through every 10th
# child. The seconds until all were up are printed: window 1, to compare
# with 555 (ours <-> ours, window 8).
#
#   [lan1] 172.16.0.1..100 -- [gw1 ipsecd] ==== [gw2 strongSwan] -- 172.17.0.1..100 [lan2]
. "$(dirname "$0")/lib.sh" many strongswan || exit 1

MANY_N=100
many_setup $MANY_N
ours=$(mktemp -d /tmp/ours.XXXXXX) peer=$(mktemp -d /tmp/sswan.XXXXXX)
many_conf_ours "$ours"
many_conf_sswan "$peer"
SSWAN_CHARON_EXTRA="	window_size = 8" sswan_start "$NS_GW2" "$peer"
wait_or_dump 60 "_sswan_dump $NS_GW2 | tail -n 30" _sswan_has_conn "$NS_GW2" t$MANY_N
t0=$SECONDS
ipsecd_start "$NS_GW1" "$ours"
many_wait_ours $MANY_N 300
secs=$((SECONDS - t0))
all=$(sswan "$NS_GW2" statusall)
assert_eq "$(grep -cE '^ *t[0-9]+\[[0-9]+\]: ESTABLISHED' <<<"$all")" 1 "IKE SAs in strongSwan"
assert_eq "$(grep -cE '^ *t[0-9]+\{[0-9]+\}: +INSTALLED' <<<"$all")" $MANY_N "child SAs in strongSwan"
many_ping $MANY_N 10
inflight=$(many_inflight)
echo "window 1 (strongSwan advertises none): all $MANY_N children up in ${secs} s, at most $inflight CREATE_CHILD_SA requests in flight"
assert_eq "$inflight" 1 "CREATE_CHILD_SA requests in flight with strongSwan"
echo "ok: ipsecd keeps to strongSwan's window of 1"
