#!/bin/bash
# vm-timeout: 300
# ours <-> ours over IPv6 (outer and inner), PSK, auto=start, the same
# ipsec.conf on both gateways. LAN traffic goes through ipsec0, the underlay
# carries only ESP, counters agree; SIGTERM exits 0 and removes the routes.
#
#   [lan1] fd01:1::2 -- fd01:1::1 [gw1 ipsecd] fd00::1 ==ul== fd00::2 [gw2 ipsecd] fd01:2::1 -- fd01:2::2 [lan2]
. "$(dirname "$0")/lib.sh" topology ipsecd || exit 1

ipsec_load
topo_v6

d1=$(mktemp -d /tmp/gw1.XXXXXX) d2=$(mktemp -d /tmp/gw2.XXXXXX)
for d in "$d1" "$d2"; do
	cat >"$d/ipsec.conf" <<EOC
conn v6
	left=$GW1
	leftsubnet=$NET1
	right=$GW2
	rightsubnet=$NET2
	authby=psk
	auto=start
EOC
	echo "$GW1 $GW2 : PSK \"ours-and-ours-ipv6-psk-4567\"" >"$d/ipsec.secrets"
done

ipsecd_start "$NS_GW2" "$d2"
ipsecd_start "$NS_GW1" "$d1"
r=$(ip -n "$NS_GW1" -6 route show "$NET2")
grep -q "dev ipsec0" <<<"$r" || fail "gw1: no route for $NET2 into ipsec0: $r"

ipsecd_wait_tunnels "$NS_GW1" 1 90
ipsecd_wait_tunnels "$NS_GW2" 1 30
# Both ends started: the duplicate IKE SA goes first (500 says more).
wait_or_dump 60 "ipsecd_log $NS_GW1; ipsecd_log $NS_GW2" ipsecd_one_ike_sa "$NS_GW1"
wait_or_dump 30 "ipsecd_log $NS_GW2" ipsecd_one_ike_sa "$NS_GW2"

capture_start
ping_lan 10
capture_stop
esp=$(capture_count 'ip6 proto 50')
assert_ge "$esp" 20 "ESP over IPv6 on the underlay"
assert_eq "$(capture_count "icmp6 and host $H1")" 0 "clear ICMPv6 between the LANs"

assert_ge "$(link_counter "$NS_GW1" ipsec0 tx_packets)" 10 "gw1 ipsec0 tx_packets"
assert_ge "$(link_counter "$NS_GW2" ipsec0 rx_packets)" 10 "gw2 ipsec0 rx_packets"
# The connection's totals: the pings, whether or not a rekey (of the kept
# child, after the duplicate's Delete) came in between.
assert_ge "$(ipsecd_conn_traffic "$NS_GW1" out_packets)" 10 "gw1 connection out_packets"
assert_ge "$(ipsecd_conn_traffic "$NS_GW2" in_packets)" 10 "gw2 connection in_packets"
ictl "$NS_GW1" status

ipsecd_stop "$NS_GW1"
r=$(ip -n "$NS_GW1" -6 route show "$NET2")
[ -z "$r" ] || fail "gw1: route left after exit: $r"
echo "ok: ours<->ours IPv6: $esp ESP packets"
