#!/bin/bash
# vm-timeout: 600
# vm-suite: full
# IKEv1 lifecycle (engine/v1/, Documentation/ikev1.md "Lifecycle events"):
# ipsecd initiates IKEv1 (keyexchange=ikev1, seed 003's proposals) to
# strongSwan 5.9 in IKEv1 mode with short lifetimes of its own: child 30 s,
# ISAKMP SA 60 s, rekeymargin 10 s, no fuzz; strongSwan's are longer. So
# ipsecd runs a new quick mode for the child every 20 s and a new main mode
# at 50 s (the child moves to the new ISAKMP SA, the old one is deleted;
# no INITIAL-CONTACT in it, so strongSwan adopts its children as well). A
# ping every 0.1 s for 80 s must lose nothing, and only the live SA pair may
# be left at the end.
#
#   [lan1] h1 -- [gw1 ipsecd, ipsec0] ==== underlay ==== [gw2 strongSwan, XFRM] -- h2 [lan2]
. "$(dirname "$0")/lib.sh" sswan lifecycle || exit 1

ss_setup v4
ss_conf ikev1 ours "lifetime=30s ikelifetime=60s rekeymargin=10s rekeyfuzz=0%" \
	"lifetime=120s ikelifetime=180s margintime=5s rekeyfuzz=0%"
ss_start
ss_up ours
lc_ping_start 800
lc_assert_no_loss
child=$(lc_count "$NS_GW1" 'IKEv1 child SA soft lifetime: rekeying')
ike=$(lc_count "$NS_GW1" 'IKEv1 ISAKMP SA rekeyed')
echo "rekeys by ipsecd: $child quick mode, $ike main mode"
assert_ge "$child" 2 "IKEv1 child SA rekeys started by ipsecd"
assert_ge "$ike" 1 "ISAKMP SA rekeys started by ipsecd"
assert_eq "$(lc_count "$NS_GW1" 'INITIAL-CONTACT')" 0 "INITIAL-CONTACT seen by ipsecd"
lc_live_pair
st=$(ictl "$NS_GW1" status --json)
assert_eq "$(jq '[.ike_sas[] | select(.version == 1)] | length' <<<"$st")" 1 "ipsecd IKEv1 SAs at the end"
echo "ok: IKEv1 quick-mode and main-mode rekeys lose nothing"
ipsecd_stop "$NS_GW1"
