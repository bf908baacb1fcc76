#!/bin/bash
# vm-timeout: 480
# Lifecycle: ipsecd rekeys as the IKE responder (strongSwan 5.9 initiated):
# ipsecd's child lifetime is 30 s and IKE lifetime 60 s (10 s margin, no
# fuzz: rekeymargin/rekeyfuzz reach the engine), strongSwan's are longer, so
# every rekey is ours, each child rekeyed once (soft EXPIRE of both the
# inbound and the outbound SA). A ping every 0.1 s for 70 s must lose
# nothing, and only the live SA pair may be left at the end.
#
#   [lan1] h1 -- [gw1 ipsecd, ipsec0] ==== underlay ==== [gw2 strongSwan, XFRM] -- h2 [lan2]
. "$(dirname "$0")/lib.sh" sswan lifecycle || exit 1

ss_setup v4
ss_conf sswan "lifetime=30s ikelifetime=60s rekeymargin=10s rekeyfuzz=0%" \
	"lifetime=120s ikelifetime=180s margintime=5s rekeyfuzz=0% reauth=no esp=aes256gcm16-curve25519"
ss_start
ss_up sswan
lc_ping_start 700
lc_assert_no_loss
child=$(lc_count "$NS_GW1" 'soft lifetime: rekeying')
ike=$(lc_count "$NS_GW1" 'IKE SA rekeyed')
echo "rekeys by ipsecd: $child child, $ike IKE"
assert_ge "$child" 2 "child SA rekeys started by ipsecd"
assert_ge "$ike" 1 "IKE SA rekeys"
assert_eq "$(lc_count "$NS_GW1" 'child SA rekeyed by peer')" 0 "rekeys started by strongSwan"
lc_live_pair
echo "ok: our rekeys as IKE responder lose nothing"
