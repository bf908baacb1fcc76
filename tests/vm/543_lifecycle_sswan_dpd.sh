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
. "$(dirname "$0")/lib.sh" || exit 1
. "$(dirname "$0")/51x_sswan.bash"
. "$(dirname "$0")/54x_lifecycle.bash"

_dead() { ipsecd_log "$NS_GW1" | has_match 'is dead'; }

ss_setup v4
ss_conf ours "dpddelay=2s dpdtimeout=6s dpdaction=restart keyingtries=%forever" ""
ss_start
ss_up ours
ss_traffic 5
charon=$(pgrep -P "$SSWAN_PID" charon) || fail "no charon under starter $SSWAN_PID"
kill -KILL "$charon" "$SSWAN_PID"
t0=$SECONDS
wait_or_dump 40 "ipsecd_log $NS_GW1 | tail -n 40" _dead
dead_after=$((SECONDS - t0))
echo "peer declared dead ${dead_after} s after the kill"
assert_eq "$((dead_after <= 16))" 1 "dead within dpddelay + dpdtimeout (+ slack under TCG): ${dead_after} s"
ip -n "$NS_GW2" xfrm state flush
ip -n "$NS_GW2" xfrm policy flush
sswan_start "$NS_GW2" "$SS_SSWAN_DIR"
t1=$SECONDS
ipsecd_wait_tunnels "$NS_GW1" 1 90
sswan_wait_child "$NS_GW2" ours 30
echo "tunnel back $((SECONDS - t1)) s after strongSwan restarted"
ss_traffic 5
echo "ok: DPD: dead in ${dead_after} s, revived by itself"
