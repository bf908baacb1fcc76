#!/bin/bash
# vm-suite: full
# `ip -s link` on ipsec0: outbound packets the policy refuses (no policy, no
# SA for the policy's reqid, an SA past its hard lifetime) are tx_dropped,
# exactly one per packet, and neither tx_errors nor tx_carrier_errors; a real
# fault (no route to the peer) is a tx_error and not tx_dropped. Each step
# also checks the matching ipsecctl drop counter. IPv6 is off on ipsec0 so
# that no autoconf packet adds to the counts.
# vm-timeout: 600
#
#   [ns a] lo 10.1.0.1, ipsec0, ul0 192.0.2.1 ===== veth ===== ul0 192.0.2.2, ipsec0, lo 10.2.0.1 [ns b]
. "$(dirname "$0")/lib.sh" sites || exit 1

sites_underlay
ipsec_load
for side in a b; do
	ctl $side dev add dev ipsec0 >/dev/null
	in_ns $side sysctl -qw net.ipv6.conf.ipsec0.disable_ipv6=1
	ip -n $side link set ipsec0 up
done
ip -n a route add $NET_B4 dev ipsec0 src $PRIV_A4
ip -n b route add $NET_A4 dev ipsec0 src $PRIV_B4

# ip_stat NS FIELD: a tx counter as `ip -s link` shows it (its JSON form).
ip_stat() {
	ip -n "$1" -j -s link show ipsec0 | jq -er ".[0].stats64.tx.$2"
}
# snap: a's tx counters as ip -s link and ipsecctl give them.
snap() {
	S_DROPPED=$(ip_stat a dropped) S_ERRORS=$(ip_stat a errors)
	S_CARRIER=$(ip_stat a carrier_errors) S_PACKETS=$(ip_stat a packets)
	S_NO_POL=$(dev_stat a drop_no_policy) S_NO_SA=$(dev_stat a drop_no_sa)
	S_EXP=$(dev_stat a drop_expired) S_HDR=$(dev_stat a drop_header)
}
# expect WHAT DROPPED ERRORS: the tx counter deltas since the last snap.
expect() {
	local d=$S_DROPPED e=$S_ERRORS c=$S_CARRIER
	snap
	assert_eq $((S_DROPPED - d)) "$2" "$1: tx_dropped delta"
	assert_eq $((S_ERRORS - e)) "$3" "$1: tx_errors delta"
	assert_eq $((S_CARRIER - c)) 0 "$1: tx_carrier_errors delta"
}

# Whatever the stack sent when the device came up is the baseline; from
# here on nothing but our pings may reach ipsec0 (checked over 2 s).
snap
b0=$S_DROPPED$S_ERRORS
echo "baseline: tx_dropped $S_DROPPED tx_errors $S_ERRORS; $(ctl a dev list dev ipsec0 --json | jq -c '.[0].stats')"
sleep 2
snap
assert_eq "$S_DROPPED$S_ERRORS" "$b0" "counters of an idle ipsec0"

# No policy at all.
n0=$S_NO_POL
for i in 1 2 3; do ping_fails "no policy $i"; done
expect "3 packets without policy" 3 0
assert_eq $((S_NO_POL - n0)) 3 "drop_no_policy delta"

# A policy whose reqid has no SA.
ctl a policy add dev ipsec0 src $NET_A4 dst $NET_B4 reqid 1
n0=$S_NO_SA
for i in 1 2; do ping_fails "no SA $i"; done
expect "2 packets without SA" 2 0
assert_eq $((S_NO_SA - n0)) 2 "drop_no_sa delta"

# An SA that lets one packet through, then is dead.
alg_key_args aes-gcm-128
ctl a sa add dev ipsec0 dir out spi 0x5000 reqid 1 src $OUT_A4 dst $OUT_B4 $KEY_ARGS hard-packets 1
ctl b sa add dev ipsec0 dir in spi 0x5000 src $OUT_A4 dst $OUT_B4 $KEY_ARGS
ctl b sa add dev ipsec0 dir out spi 0x5001 reqid 1 src $OUT_B4 dst $OUT_A4 $KEY_ARGS
ctl a sa add dev ipsec0 dir in spi 0x5001 src $OUT_B4 dst $OUT_A4 $KEY_ARGS
ctl b policy add dev ipsec0 src $NET_B4 dst $NET_A4 reqid 1
ping_ok "the one packet the SA allows"
n0=$S_EXP
expect "1 packet through the SA" 0 0
assert_eq "$S_PACKETS" 1 "tx_packets after the allowed packet"
# The packet that finds the limit passed is dropped as expired; after that
# the dead SA is not looked up any more: no SA.
n1=$S_NO_SA
ping_fails "past the hard lifetime"
ping_fails "past the hard lifetime (again)"
expect "2 packets on a hard-expired SA" 2 0
assert_eq $((S_EXP - n0)) 1 "drop_expired delta"
assert_eq $((S_NO_SA - n1)) 1 "drop_no_sa delta (SA dead)"

# A fault, by contrast: the peer of the SA has no route in the underlay.
ctl a sa flush dev ipsec0
ctl a policy add dev ipsec0 src $NET_A4 dst $NET_B4 reqid 2
ctl a sa add dev ipsec0 dir out spi 0x5002 reqid 2 src $OUT_A4 dst 203.0.113.9 $KEY_ARGS
n0=$S_HDR
ping_fails "no route to the SA's peer"
expect "1 packet without a route to the peer" 0 1
assert_eq $((S_HDR - n0)) 1 "drop_header delta (no route)"

# `ip -s link` text output shows the same numbers in its TX "dropped" column.
txt=$(ip -n a -s link show ipsec0 | awk '/TX:/ { getline; print $4 }')
assert_eq "$txt" "$S_DROPPED" "ip -s link TX dropped column"
ip -n a link del ipsec0
ip -n b link del ipsec0
ipsec_unload
echo "ok: policy drops are tx_dropped (not tx_errors/tx_carrier_errors), faults are tx_errors"
