#!/bin/bash
# vm-timeout: 900
# vm-suite: full (over 4 min: up to 2 min to converge, then 100 s of pings)
# Lifecycle: both ends auto=start (seeds 000 and 004: the usual site-to-site
# setup) with 2x2 subnets against libreswan 4.10, started at the same
# moment. Both sides initiate, so two IKE SAs are negotiated at once, each
# with children. They must converge to one IKE SA carrying all four child
# SAs, whichever side wins: pluto keeps both IKE SAs, so ipsecd deletes
# the extra one (at once if it initiated it, after a 10 s grace if pluto
# did), and a child made redundant by pluto re-creating its pairs on the
# kept IKE SA is deleted at its soft lifetime instead of being rekeyed,
# and the kept child of a pair both IKE SAs carried is rekeyed, or pluto
# leaves that pair on its trap policy when its newest child dies with the
# extra IKE SA (Documentation/lifecycle.md, "Both ends start at once"). Then it must
# stay converged through child rekeys (pluto's, lifetime 1 min) and an IKE
# rekey (ours, ikelifetime 90 s): a ping every 0.2 s on two pairs for
# 100 s (at most 1 of 500 lost), every pair answering all its pings before
# and after, one IKE SA on each side at the end with four children, and
# four ESP SAs in pluto's trafficstatus.
#
#   [lan1] 192.168.1.2       [gw1 ipsecd]            [gw2 libreswan]       192.168.2.2 [lan2]
#          192.168.3.2 -- 192.168.{1,3}.1  10.0.0.1 ==ul== 10.0.0.2  192.168.{2,4}.1 -- 192.168.4.2
. "$(dirname "$0")/lib.sh" lsw lifecycle || exit 1

ipsec_load
topo_v4
topo_v4_second_subnets
# shellcheck disable=SC2034 # read by lsw_pair_configs
SUBNETS1="{192.168.1.0/24 192.168.3.0/24}" SUBNETS2="{192.168.2.0/24 192.168.4.0/24}" \
	LSW_EXTRA="ike=aes_gcm256-sha2_256;dh19
salifetime=1m
rekeymargin=20s" OURS_EXTRA="ike=aes_gcm256-sha2_256;dh19
lifetime=2m
ikelifetime=90s
rekeymargin=30s"
lsw_pair_configs start start

# Both initiate: pluto as soon as it has loaded, ipsecd right after (while
# pluto's IKE_SA_INIT is still being retransmitted to a closed port).
lsw_start "$NS_GW2" "$LSW_DIR"
ipsecd_start "$NS_GW1" "$OURS_DIR"

# converged: one IKE SA on each side, ours with the four children installed,
# pluto lists four ESP SAs (one per pair), and none of pluto's policies is
# a trap (reqid 0: the pair would carry nothing).
converged() {
	local st
	st=$(ictl "$NS_GW1" status --json) || return 1
	[ "$(jq '[.ike_sas[] | select(.state == "ESTABLISHED")] | length' <<<"$st")" = 1 ] &&
		[ "$(jq '.ike_sas | length' <<<"$st")" = 1 ] &&
		[ "$(jq '[.ike_sas[0].children[] | select(.state == "INSTALLED")] | length' <<<"$st")" = 4 ] &&
		[ "$(lsw_whack "$NS_GW2" --trafficstatus | grep -c 'type=ESP')" = 4 ] &&
		[ "$(lsw_whack "$NS_GW2" --status | grep -c ' STATE_V2_ESTABLISHED_IKE_SA ')" = 1 ] &&
		! in_ns "$NS_GW2" ip xfrm policy | has_match 'reqid 0 '
}
wait_or_dump 300 lsw_pair_dump converged
echo "${SECONDS}s: converged: $(ictl "$NS_GW1" status --json | jq -c '[.ike_sas[] | {initiator, n: (.children | length)}]')"

lc_2x2_all_pairs lsw_pair_dump
# Through the rekeys: 100 s covers pluto's rekey of every pair (every
# 20-40 s; ours would come at 60-90 s) and our IKE rekey (45-60 s). pluto
# starts the child rekeys: as their responder it sends on the new pair at
# once, before our inbound half can exist, so rekeys we start lose up to a
# round trip of replies (Documentation/lifecycle.md); these here must not.
# At most 1 of 500 lost per pair, for ping -W 2 on a loaded TCG host (the
# run on record lost none).
lc_2x2_through_rekeys lsw_pair_dump 1
wait_or_dump 90 lsw_pair_dump converged
lc_2x2_all_pairs lsw_pair_dump
echo "ok: both ends auto=start with libreswan converge to one IKE SA with 4 children, through rekeys"
