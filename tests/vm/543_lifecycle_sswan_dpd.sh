#!/bin/bash
# vm-timeout: 480
# Lifecycle: dead peer detection against strongSwan 5.9. ipsecd initiates
# (auto=start) with dpddelay=2s dpdtimeout=6s dpdaction=restart
# keyingtries=%forever. strongSwan's charon is SIGKILLed: ipsecd declares it
# dead about dpddelay + dpdtimeout later (not after its 31 s retransmit
# schedule), then keeps trying with back-off. strongSwan is started again
# with its state lost (XFRM flushed): the tunnel comes back by itself.
#
#   [lan1] h1 -- [gw1 ipsecd, ipsec0] ==== underlay ==== [gw2 strongSwan, XFRM] -- h2 [lan2]
. "$(dirname "$0")/lib.sh" sswan lifecycle || exit 1

ss_setup v4
ss_conf ours "dpddelay=2s dpdtimeout=6s dpdaction=restart keyingtries=%forever" ""
ss_start
ss_up ours
ss_traffic 5
lc_sswan_dies_and_returns 'is dead'
echo "ok: DPD: dead in ${LC_DEAD_S} s, revived by itself"
