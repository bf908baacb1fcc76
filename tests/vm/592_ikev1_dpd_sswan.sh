#!/bin/bash
# vm-timeout: 480
# vm-suite: full
# IKEv1 dead peer detection (RFC 3706) against strongSwan 5.9 (issue 20).
# ipsecd initiates IKEv1 with dpddelay=2s dpdtimeout=6s dpdaction=restart
# keyingtries=%forever. While strongSwan lives, its R-U-THERE-ACKs keep the
# ISAKMP SA up (12 s, no DPD timeout, the same SA). Then charon is
# SIGKILLed: ipsecd declares it dead about dpddelay + dpdtimeout later and
# keeps trying with back-off; strongSwan is started again with its state
# lost (XFRM flushed) and the tunnel comes back by itself, carrying pings.
#
#   [lan1] h1 -- [gw1 ipsecd, ipsec0] ==== underlay ==== [gw2 strongSwan, XFRM] -- h2 [lan2]
. "$(dirname "$0")/lib.sh" sswan lifecycle || exit 1

_isakmp() { ictl "$NS_GW1" status --json | jq -c '[.ike_sas[] | select(.version == 1) | .spi_i]'; }

ss_setup v4
ss_conf ikev1 ours "dpddelay=2s dpdtimeout=6s dpdaction=restart keyingtries=%forever" ""
ss_start
ss_up ours
ss_traffic 5
sa0=$(_isakmp)
capture_start
sleep 12
capture_stop
# Each gateway's outbound IKE (tcpdump -Q out at both): R-U-THERE from
# ipsecd every 2 s, each answered.
ike=$(capture_count 'udp port 500')
echo "IKE datagrams in 12 s of DPD: $ike"
assert_ge "$ike" 6 "IKE datagrams (R-U-THERE and ACKs) in 12 s"
assert_eq "$(lc_count "$NS_GW1" 'IKEv1 DPD: no answer')" 0 "DPD timeouts while strongSwan answers"
assert_eq "$(_isakmp)" "$sa0" "the ISAKMP SA after 12 s of DPD"

lc_sswan_dies_and_returns 'IKEv1 DPD: no answer'
echo "ok: IKEv1 DPD: answered while alive, dead in ${LC_DEAD_S} s, revived by itself"
