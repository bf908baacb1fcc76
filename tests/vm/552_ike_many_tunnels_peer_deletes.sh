#!/bin/bash
# vm-timeout: 600
# vm-suite: full
# 100 connections to one strongSwan responder share one IKE SA; then
# strongSwan deletes that IKE SA ("ipsec down t1[N]"), taking every child
# with it. ipsecd (auto=start) brings all 100 back under one new IKE SA:
# no connection left behind, each child pinged again (every 5th before the
# delete, all after) (lib/many.sh).
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
ipsecd_start "$NS_GW1" "$ours"
many_wait_ours $MANY_N 120
many_ping $MANY_N 5
spi0=$(ictl "$NS_GW1" status --json | jq -r '.ike_sas[0].spi_i')

ike=$(sswan "$NS_GW2" statusall | sed -n 's/^ *\(t[0-9]*\[[0-9]*\]\): ESTABLISHED.*/\1/p' | head -1)
[ -n "$ike" ] || fail "no IKE SA in strongSwan's statusall"
sswan "$NS_GW2" down "$ike" >/dev/null
echo "${SECONDS}s: strongSwan deleted IKE SA $ike"
wait_or_dump 30 "ipsecd_log $NS_GW1 | tail -n 40" \
	eval "ipsecd_log $NS_GW1 | has_match 'IKE SA deleted by peer: re-establishing'"
# shellcheck disable=SC2016 # expanded by eval
wait_or_dump 60 "ictl $NS_GW1 status | head -n 20" \
	eval '[ "$(ictl "$NS_GW1" status --json | jq -r ".ike_sas[0].spi_i")" != "$spi0" ]'
many_wait_ours $MANY_N 120
all=$(sswan "$NS_GW2" statusall)
assert_eq "$(grep -cE '^ *t[0-9]+\[[0-9]+\]: ESTABLISHED' <<<"$all")" 1 "IKE SAs in strongSwan"
assert_eq "$(grep -cE '^ *t[0-9]+\{[0-9]+\}: +INSTALLED' <<<"$all")" $MANY_N "child SAs in strongSwan"
many_ping $MANY_N 1
echo "ok: the peer deleted the shared IKE SA; all $MANY_N connections came back under one"
