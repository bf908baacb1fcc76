#!/bin/bash
# vm-timeout: 420
# A wrong PSK, both roles, IPv4: ipsecd and strongSwan 5.9 hold different
# secrets for the same pair of addresses.
#  1. ipsecd initiates (auto=start, keyingtries=1): strongSwan answers
#     AUTHENTICATION_FAILED; ipsecd logs one error line saying so, then
#     that it gives up (keyingtries=1) for that reason.
#  2. strongSwan initiates: ipsecd's check of the peer's AUTH fails; it logs
#     one error line saying so and answers AUTHENTICATION_FAILED.
# No tunnel comes up at either end, no ESP crosses the underlay, LAN
# traffic does not get through, and neither secret appears in the log.
. "$(dirname "$0")/lib.sh" sswan || exit 1

psk_ours=ours-psk-wrong-Zq81vT psk_sswan=sswan-psk-right-Hc40pN
ss_setup v4
ss_conf ours "keyingtries=1" "" "$psk_ours" "$psk_sswan"
ss_start

# _err_lines TEXT: error lines of ipsecd's log containing TEXT, but for the
# "giving up after N keying tries: TEXT" summary.
_err_lines() {
	ipsecd_log "$NS_GW1" | grep -F ' error ' | grep -F "$1" | grep -vcF 'giving up after' || true
}
_has_err() {
	[ "$(_err_lines "$1")" -ge 1 ]
}
_has_line() {
	ipsecd_log "$NS_GW1" | grep -F ' error ' | has_match -F "$1"
}

# 1. ours -> strongSwan.
m1='AUTHENTICATION_FAILED: peer rejected our PSK'
wait_or_dump 90 _ss_dump _has_err "$m1"
ipsecd_log "$NS_GW1" | grep -F ' error '
assert_eq "$(_err_lines "$m1")" 1 "error lines '$m1' for one keying try"
wait_or_dump 10 _ss_dump _has_line "giving up after 1 keying tries: $m1"
st=$(ictl "$NS_GW1" status --json)
assert_eq "$(jq -r '.connections[0].last_error' <<<"$st")" \
	"$(ipsecd_log "$NS_GW1" | grep -F "$m1" | tail -n 1 | sed 's/.* error "sswan" //')" "status last_error"
assert_ge "$(jq '.counters.auth_failures' <<<"$st")" 1 "auth_failures counter"
grep -q "MAC mismatched" <<<"$(sswan_log "$NS_GW2")" || { sswan_log "$NS_GW2" | tail -n 40; fail "strongSwan did not see our AUTH fail"; }

# 2. strongSwan -> ours.
m2="PSK mismatch: peer's AUTH did not verify (peer ID '$GW2')"
out=$(sswan "$NS_GW2" up ours 2>&1) || true
grep -q "AUTHENTICATION_FAILED" <<<"$out" || { echo "$out" | tail -n 30; fail "strongSwan did not get AUTHENTICATION_FAILED from ipsecd"; }
wait_or_dump 30 _ss_dump _has_err "$m2"
assert_eq "$(_err_lines "$m2")" 1 "error lines '$m2' for one attempt"
assert_ge "$(ictl "$NS_GW1" status --json | jq '.counters.auth_failures')" 2 "auth_failures counter"

# Nothing came up, nothing gets through, nothing in clear or as ESP.
_no_tunnels "$NS_GW1" || fail "ipsecd installed a child SA with a wrong PSK"
! _sswan_child_installed "$NS_GW2" ours || fail "strongSwan installed a child SA with a wrong PSK"
capture_start
! in_ns "$NS_LAN1" ping -c 3 -i 0.2 -W 1 "$H2" >/dev/null 2>&1 || fail "ping got through without a tunnel"
capture_stop
assert_eq "$(capture_count 'ip proto 50')" 0 "ESP packets without a tunnel"
assert_eq "$(capture_count "icmp and host $H1")" 0 "clear ICMP on the underlay"
for s in "$psk_ours" "$psk_sswan"; do
	! ipsecd_log "$NS_GW1" | has_match -F "$s" || fail "a PSK appears in ipsecd's log"
done
echo "ok: wrong PSK refused both ways with one clear error line each"
