#!/bin/bash
# vm-timeout: 600
# vm-suite: full
# IKEv1 lifecycle against libreswan 4.10 (issue 20; 584 is the same against
# strongSwan): ipsecd initiates IKEv1 (lsw_v1_configs: PSK, FQDN IDs,
# aes128-sha1 MODP2048, PFS) with short lifetimes of its own - child 30 s,
# ISAKMP SA 60 s, rekeymargin 10 s, no fuzz - and pluto's are longer. So
# ipsecd runs a new quick mode every 20 s and a new main mode at 50 s (the
# child moves to the new ISAKMP SA, the old one is deleted). A ping every
# 0.1 s for 80 s must lose nothing, and at the end ipsecd must hold one
# ISAKMP SA with one child and pluto's XFRM only that child's pair.
#
#   [lan1] h1 -- [gw1 ipsecd, ipsec0] ==== underlay ==== [gw2 pluto, XFRM] -- h2 [lan2]
. "$(dirname "$0")/lib.sh" lsw lifecycle || exit 1

_live_pair() {
	local ours theirs st
	ours=$(in_ns "$NS_GW1" "$IPSECCTL" sa list dev ipsec0 --json | jq length) || return 1
	theirs=$(in_ns "$NS_GW2" ip xfrm state | grep -c '^src') || true
	st=$(ictl "$NS_GW1" status --json) || return 1
	echo "ipsecd SAs $ours, pluto's XFRM SAs $theirs, ipsecd ISAKMP SAs / children:" \
		"$(jq -c '[(.ike_sas | length), ([.ike_sas[].children[]] | length)]' <<<"$st")"
	[ "$ours" = 2 ] && [ "$theirs" = 2 ] &&
		[ "$(jq -c '[(.ike_sas | length), ([.ike_sas[].children[]] | length)]' <<<"$st")" = '[1,1]' ]
}

ipsec_load
topo_v4
OURS_EXTRA=$'lifetime=30s\nikelifetime=60s\nrekeymargin=10s\nrekeyfuzz=0%' \
	LSW_EXTRA=$'salifetime=120s\nikelifetime=180s\nrekeymargin=5s\nrekeyfuzz=0%' \
	lsw_v1_configs start
lsw_start "$NS_GW2" "$LSW_DIR"
ipsecd_start "$NS_GW1" "$OURS_DIR"
wait_or_dump 120 lsw_pair_dump _ipsecd_has_tunnels "$NS_GW1" 1
lsw_wait_established "$NS_GW2" ours 30
lsw_traffic_check 5
lc_ping_start 800
lc_ping_result
echo "ping: $LC_SENT sent, $LC_RECEIVED answered"
[ "$LC_RECEIVED" = "$LC_SENT" ] || { lsw_pair_dump | tail -n 80 >&2; fail "$((LC_SENT - LC_RECEIVED)) of $LC_SENT pings lost"; }
child=$(lc_count "$NS_GW1" 'IKEv1 child SA soft lifetime: rekeying')
ike=$(lc_count "$NS_GW1" 'IKEv1 ISAKMP SA rekeyed')
echo "rekeys by ipsecd: $child quick mode, $ike main mode"
assert_ge "$child" 2 "IKEv1 child SA rekeys started by ipsecd"
assert_ge "$ike" 1 "ISAKMP SA rekeys started by ipsecd"
wait_or_dump 30 "lsw_pair_dump; _live_pair" _live_pair
_live_pair
assert_eq "$(ictl "$NS_GW1" status --json | jq '.ike_sas[0].version')" 1 "ipsecd's SA is IKEv1"
echo "ok: IKEv1 quick-mode and main-mode rekeys against libreswan lose nothing"
ipsecd_stop "$NS_GW1"
