#!/bin/bash
# vm-timeout: 480
# Lifecycle: strongSwan 5.9 rekeys while ipsecd holds the IKE SA as its
# initiator (so the peer, the IKE responder, starts every CREATE_CHILD_SA:
# the child keys follow the exchange's initiator, RFC 7296 2.17, and our
# responder side is make-before-break). strongSwan: child lifetime 30 s and
# IKE lifetime 60 s with a 10 s margin and no fuzz; ipsecd's own lifetimes are
# longer, so every rekey is the peer's. A ping every 0.1 s for 70 s must lose
# nothing, and only the live SA pair may be left at the end.
#
#   [lan1] h1 -- [gw1 ipsecd, ipsec0] ==== underlay ==== [gw2 strongSwan, XFRM] -- h2 [lan2]
. "$(dirname "$0")/lib.sh" sswan lifecycle || exit 1

ss_setup v4
ss_conf ours "lifetime=120s ikelifetime=180s rekeymargin=5s rekeyfuzz=0%" \
	"lifetime=30s ikelifetime=60s margintime=10s rekeyfuzz=0% reauth=no esp=aes256gcm16-curve25519"
ss_start
ss_up ours
lc_ping_start 700
lc_assert_no_loss
child=$(lc_count "$NS_GW1" 'child SA rekeyed by peer')
ike=$(lc_count "$NS_GW1" 'IKE SA rekeyed')
echo "rekeys by strongSwan: $child child, $ike IKE"
assert_ge "$child" 2 "child SA rekeys started by strongSwan"
assert_ge "$ike" 1 "IKE SA rekeys started by strongSwan"
assert_eq "$(lc_count "$NS_GW1" 'soft lifetime: rekeying')" 0 "rekeys started by ipsecd"
lc_live_pair
echo "ok: strongSwan's rekeys lose nothing"
