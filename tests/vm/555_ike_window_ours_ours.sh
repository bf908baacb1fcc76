#!/bin/bash
# vm-timeout: 600
# The IKE message window between two ipsecd (RFC 7296 2.3): both advertise 8
# with SET_WINDOW_SIZE, so the 99 CREATE_CHILD_SA exchanges for 100
# connections t1..t100 to one peer run up to 8 at a time. All 100 children
# under one IKE SA at both ends, a ping through every 10th, and the most
# requests the initiator had in flight (from its debug log) and the seconds
# until all were up printed (554: the same against strongSwan, window 1).
#
#   [lan1] 172.16.0.1..100 -- [gw1 ipsecd] ==== [gw2 ipsecd] -- 172.17.0.1..100 [lan2]
. "$(dirname "$0")/lib.sh" many || exit 1

MANY_N=100
many_setup $MANY_N
ours=$(mktemp -d /tmp/ours.XXXXXX) peer=$(mktemp -d /tmp/peer.XXXXXX)
many_conf_ours "$ours"
# The responder: the mirror conns, auto=add.
_many_conns "$MANY_N" "$GW2" @gw2.example 172.17.0 "$GW1" @gw1.example 172.16.0 add \
	"esp=aes128gcm16" >"$peer/ipsec.conf"
echo "@gw2.example @gw1.example : PSK \"$MANY_PSK\"" >"$peer/ipsec.secrets"
ipsecd_start "$NS_GW2" "$peer"
t0=$SECONDS
ipsecd_start "$NS_GW1" "$ours"
many_wait_ours $MANY_N 300
secs=$((SECONDS - t0))
st=$(ictl "$NS_GW2" status --json)
assert_eq "$(jq '.ike_sas | length' <<<"$st")" 1 "IKE SAs in the responding ipsecd"
assert_eq "$(jq '[.ike_sas[].children[] | select(.state == "INSTALLED")] | length' <<<"$st")" \
	$MANY_N "child SAs in the responding ipsecd"
many_ping $MANY_N 10
inflight=$(many_inflight)
echo "window 8 (ours <-> ours): all $MANY_N children up in ${secs} s, at most $inflight CREATE_CHILD_SA requests in flight"
[ "$inflight" -gt 1 ] || fail "never more than $inflight request in flight"
[ "$inflight" -le 8 ] || fail "$inflight requests in flight, more than the window of 8"
# The responder answered each request once: no duplicate was processed.
dups=$(ictl "$NS_GW2" status --json | jq '.counters.duplicate_requests // 0')
echo "responder: $dups duplicate requests answered from its cache"
echo "ok: 100 connections ours <-> ours with an IKE window of 8"
