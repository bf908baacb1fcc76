#!/bin/bash
# vm-timeout: 420
# Security / interop: ipsecd with libreswan's "ddos-mode=busy" (config setup)
# answers every IKE_SA_INIT with N(COOKIE) (RFC 7296 2.6) and keeps no state;
# strongSwan 5.9 ("ipsec up") retries with the cookie and gets its tunnel.
# Checked: ipsecd sent a COOKIE (counter and log), strongSwan's log shows the
# retry, and the LANs talk over ESP only.
#
#   [lan1] h1 -- [gw1 ipsecd, ipsec0] ==== underlay ==== [gw2 strongSwan, XFRM] -- h2 [lan2]
. "$(dirname "$0")/lib.sh" sswan || exit 1

ss_setup v4
ss_conf sswan "" ""
sed -i '1i config setup\n\tddos-mode=busy\n' "$SS_OURS_DIR/ipsec.conf"
ss_start
ss_up sswan
ss_traffic 10
cookies=$(ictl "$NS_GW1" status --json | jq -r '.counters.cookies_sent')
assert_ge "$cookies" 1 "COOKIE challenges ipsecd sent"
ipsecd_log "$NS_GW1" | has_match "asking $GW2\[[0-9]*\] for a COOKIE" ||
	{ ipsecd_log "$NS_GW1" | tail -n 30; fail "ipsecd's log does not show the COOKIE challenge"; }
sswan_log "$NS_GW2" | has_match 'COOKIE' ||
	{ sswan_log "$NS_GW2" | tail -n 30; fail "strongSwan's log does not show the COOKIE"; }
sswan "$NS_GW2" down ours >/dev/null
wait_or_dump 30 "ipsecd_log $NS_GW1 | tail -n 60" _no_tunnels "$NS_GW1"
echo "ok: strongSwan answers our COOKIE"
