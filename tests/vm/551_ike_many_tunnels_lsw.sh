#!/bin/bash
# vm-timeout: 720
# vm-suite: full
# 100 connections t1..t100 from ipsecd to one libreswan 4.10 responder
# (uniqueids=yes) with the 100 matching conns: one IKE SA, 100 children, a
# ping through every child (lib/many.sh). pluto answers one
# CREATE_CHILD_SA every ~2 s in a loaded TCG VM (ipsecd keeps as many requests
# outstanding as pluto's window allows, RFC 7296 2.3), hence the long wait.
#
#   [lan1] 172.16.0.1..100 -- [gw1 ipsecd] ==== [gw2 pluto] -- 172.17.0.1..100 [lan2]
. "$(dirname "$0")/lib.sh" many libreswan || exit 1

MANY_N=100
many_setup $MANY_N
ours=$(mktemp -d /tmp/ours.XXXXXX) peer=$(mktemp -d /tmp/lsw.XXXXXX)
many_conf_ours "$ours"
many_conf_lsw "$peer"
lsw_start "$NS_GW2" "$peer"
wait_or_dump 60 "_lsw_dump $NS_GW2 | tail -n 30" _lsw_has_conn "$NS_GW2" t$MANY_N
t0=$SECONDS
ipsecd_start "$NS_GW1" "$ours"
many_wait_ours $MANY_N 420
echo "all $MANY_N children up $((SECONDS - t0)) s after ipsecd started"
tr=$(lsw_whack "$NS_GW2" --trafficstatus)
assert_eq "$(grep -c 'type=ESP' <<<"$tr")" $MANY_N "child SAs in libreswan"
many_ping $MANY_N 1
echo "ok: $MANY_N connections to libreswan under one IKE SA, every child pinged"
