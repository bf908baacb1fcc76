#!/bin/bash
# vm-timeout: 600
# vm-suite: full
# IKEv1 lifecycle with strongSwan 5.9 as the rekeying initiator (issue 20;
# 584 is the other way round). strongSwan starts the tunnel (IKEv1 main
# mode + quick mode, seed 003's proposals) and has the short lifetimes:
# child 30 s, ISAKMP SA 60 s, margin 10 s, no fuzz; ipsecd's are longer, so
# every quick mode after the first and every new main mode (strongSwan
# reauthenticates an IKEv1 SA, make-before-break here) is strongSwan's and
# ipsecd answers them. A ping every 0.1 s for 90 s must lose nothing, ipsecd
# must have answered at least two rekeying quick modes and one new main mode
# without starting one itself, and only the live SA pair may be left at the
# end, under one ISAKMP SA.
#
#   [lan1] h1 -- [gw1 ipsecd, ipsec0] ==== underlay ==== [gw2 strongSwan, XFRM] -- h2 [lan2]
. "$(dirname "$0")/lib.sh" sswan lifecycle || exit 1

ss_setup v4
ss_conf ikev1 sswan "lifetime=300s ikelifetime=600s rekeymargin=10s rekeyfuzz=0%" \
	"lifetime=30s ikelifetime=60s margintime=10s rekeyfuzz=0%"
SSWAN_CHARON_EXTRA='	make_before_break = yes' ss_start
ss_up sswan
lc_ping_start 900
lc_assert_no_loss
qm=$(lc_count "$NS_GW1" 'IKEv1 child SA installed')
mm=$(lc_count "$NS_GW1" 'IKEv1 ISAKMP SA established between')
echo "ipsecd log: $qm IKEv1 child SAs installed, $mm ISAKMP SAs established"
assert_ge "$qm" 3 "child SAs installed (the first and strongSwan's quick-mode rekeys)"
assert_ge "$mm" 2 "ISAKMP SAs (the first and strongSwan's new main mode)"
assert_eq "$(lc_count "$NS_GW1" 'IKEv1 child SA soft lifetime: rekeying')" 0 "quick-mode rekeys started by ipsecd"
assert_eq "$(lc_count "$NS_GW1" 'rekeying the ISAKMP SA')" 0 "main-mode rekeys started by ipsecd"
lc_live_pair
st=$(ictl "$NS_GW1" status --json)
assert_eq "$(jq '[.ike_sas[] | select(.version == 1)] | length' <<<"$st")" 1 "ipsecd IKEv1 SAs at the end"
echo "ok: strongSwan's IKEv1 quick-mode rekeys and reauthentication lose nothing"
ipsecd_stop "$NS_GW1"
