#!/bin/bash
# vm-timeout: 600
# 100 connections t1..t100 (same left/right/IDs/PSK, one host pair each,
# auto=start) from ipsecd to one strongSwan 5.9 responder with the 100
# matching conns: one IKE SA, 100 children (CREATE_CHILD_SA on it), a ping
# through every child. Before issue 25 strongSwan's uniqueids deleted each
# older IKE SA and 3 of 100 children were left (lib/many.sh).
#
#   [lan1] 172.16.0.1..100 -- [gw1 ipsecd] ==== [gw2 strongSwan] -- 172.17.0.1..100 [lan2]
. "$(dirname "$0")/lib.sh" many strongswan || exit 1

MANY_N=100
many_setup $MANY_N
ours=$(mktemp -d /tmp/ours.XXXXXX) peer=$(mktemp -d /tmp/sswan.XXXXXX)
many_conf_ours "$ours"
many_conf_sswan "$peer"
sswan_start "$NS_GW2" "$peer"
wait_or_dump 60 "_sswan_dump $NS_GW2 | tail -n 30" _sswan_has_conn "$NS_GW2" t$MANY_N
t0=$SECONDS
ipsecd_start "$NS_GW1" "$ours"
many_wait_ours $MANY_N 120
echo "all $MANY_N children up $((SECONDS - t0)) s after ipsecd started"
all=$(sswan "$NS_GW2" statusall)
assert_eq "$(grep -cE '^ *t[0-9]+\[[0-9]+\]: ESTABLISHED' <<<"$all")" 1 "IKE SAs in strongSwan"
assert_eq "$(grep -cE '^ *t[0-9]+\{[0-9]+\}: +INSTALLED' <<<"$all")" $MANY_N "child SAs in strongSwan"
# Whichever conn's IKE SA came up first (t1 usually, not always) the
# others joined it.
ipsecd_log "$NS_GW1" | has_match -E "joining the IKE SA of 't[0-9]+'" ||
	{ ipsecd_log "$NS_GW1" | head -n 60 >&2; fail "ipsecd did not log the join"; }
# (strongSwan's default esp= has no DH group: all children after the first
# came up on ipsecd's fallback proposals without PFS, configuration.md.)
many_ping $MANY_N 1
echo "ok: $MANY_N connections to strongSwan under one IKE SA, every child pinged"
