#!/bin/bash
# vm-timeout: 420
# Lifecycle: ipsecd is SIGKILLed under traffic and started again. The SAs
# and the policy it had installed are still on ipsec0; the new ipsecd
# removes them (they would make every child install fail with EEXIST),
# initiates with INITIAL_CONTACT (strongSwan drops its old IKE SA), and the
# tunnel is back within seconds; only the live SA pair is left.
#
#   [lan1] h1 -- [gw1 ipsecd, ipsec0] ==== underlay ==== [gw2 strongSwan, XFRM] -- h2 [lan2]
. "$(dirname "$0")/lib.sh" || exit 1
. "$(dirname "$0")/51x_sswan.bash"
. "$(dirname "$0")/54x_lifecycle.bash"

ss_setup v4
ss_conf ours "" ""
ss_start
ss_up ours
old_spi=$(ictl "$NS_GW1" status --json | jq '.ike_sas[0].children[0].inbound_spi')
lc_ping_start 300
sleep 5
kill -KILL "$IPSECD_PID"
wait "$IPSECD_PID" 2>/dev/null || true
echo "${SECONDS}s: ipsecd killed; left on ipsec0: $(in_ns "$NS_GW1" "$IPSECCTL" sa list dev ipsec0 --json | jq length) SAs"
t0=$SECONDS
ipsecd_start "$NS_GW1" "$SS_OURS_DIR"
ipsecd_wait_tunnels "$NS_GW1" 1 30
echo "tunnel back $((SECONDS - t0)) s after the restart"
assert_eq "$(lc_count "$NS_GW1" 'EEXIST|File exists')" 0 "EEXIST in the new ipsecd's log"
assert_ge "$(lc_count "$NS_GW1" 'left by a previous ipsecd')" 1 "leftovers removed"
new_spi=$(ictl "$NS_GW1" status --json | jq '.ike_sas[0].children[0].inbound_spi')
[ "$new_spi" != "$old_spi" ] || fail "the child SA is the old one"
lc_ping_result
sent=$LC_SENT received=$LC_RECEIVED
echo "ping: $sent sent, $received answered across the kill and restart"
assert_ge "$received" $((sent - 50)) "pings answered (at most 5 s lost)"
ping_lan 5 || { _ss_dump >&2; fail "no traffic after the restart"; }
wait_or_dump 30 _ss_dump grep -q 'INITIAL_CONTACT\|deleting duplicate\|uniqueness' "$SS_SSWAN_DIR/charon.log"
lc_live_pair
echo "ok: SIGKILL and restart: tunnel back in $((SECONDS - t0)) s, nothing stale"
