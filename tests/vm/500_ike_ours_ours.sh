#!/bin/bash
# vm-timeout: 600
# ours <-> ours, IPv4, PSK, auto=start on both ends, the same ipsec.conf on
# both gateways (each daemon finds which end is local from its addresses).
# Traffic between the LANs flows through ipsec0 on both sides, the underlay
# carries only ESP, and counters agree between ipsecctl and the devices.
# `ipsecctl down` leaves the route in place: LAN traffic is dropped in
# ipsec0, never sent in clear. SIGTERM removes routes and SAs and exits 0,
# and the peer hears the Delete. mtu= sets ipsec0's MTU on both ends.
#
#   [lan1] 192.168.1.2 -- 192.168.1.1 [gw1 ipsecd] 10.0.0.1 ==ul== 10.0.0.2 [gw2 ipsecd] 192.168.2.1 -- 192.168.2.2 [lan2]
#                                      ipsec0: 192.168.2.0/24     ipsec0: 192.168.1.0/24
. "$(dirname "$0")/lib.sh" topology ipsecd || exit 1

ipsec_load
topo_v4

conf=$(mktemp -d /tmp/ours.XXXXXX)
cat >"$conf/ipsec.conf" <<EOC
conn site
	left=$GW1
	leftsubnet=$NET1
	right=$GW2
	rightsubnet=$NET2
	authby=secret
	ike=aes256gcm16-prfsha256-ecp256
	esp=aes256gcm16
	mtu=1400
	auto=start
EOC
echo "$GW1 $GW2 : PSK \"ours-and-ours-test-psk-0123\"" >"$conf/ipsec.secrets"
d1=$(mktemp -d /tmp/gw1.XXXXXX) d2=$(mktemp -d /tmp/gw2.XXXXXX)
cp "$conf"/* "$d1/"
cp "$conf"/* "$d2/"

ipsecd_start "$NS_GW2" "$d2"
ipsecd_start "$NS_GW1" "$d1"

# Routes are in place as soon as the connection is loaded.
r=$(ip -n "$NS_GW1" route show "$NET2")
grep -q "dev ipsec0" <<<"$r" || fail "gw1: no route for $NET2 into ipsec0: $r"
grep -q "src $LGW1" <<<"$r" || fail "gw1: route for $NET2 lacks src $LGW1: $r"
# mtu=1400 is the device's MTU (the module's default is 1438).
for ns in "$NS_GW1" "$NS_GW2"; do
	assert_eq "$(ip -n "$ns" -j link show ipsec0 | jq '.[0].mtu')" 1400 "$ns: ipsec0 MTU from mtu="
done

ipsecd_wait_tunnels "$NS_GW1" 1 90
ipsecd_wait_tunnels "$NS_GW2" 1 30
# Both ends initiated: each keeps the same one IKE SA (with one child), the
# duplicate is deleted by its initiator.
wait_or_dump 60 "ipsecd_log $NS_GW1; ipsecd_log $NS_GW2" ipsecd_one_ike_sa "$NS_GW1"
wait_or_dump 30 "ipsecd_log $NS_GW2" ipsecd_one_ike_sa "$NS_GW2"
spi1=$(ictl "$NS_GW1" status --json | jq -r '.ike_sas[0].spi_i')
spi2=$(ictl "$NS_GW2" status --json | jq -r '.ike_sas[0].spi_i')
assert_eq "$spi1" "$spi2" "both ends kept the same IKE SA"

capture_start
ping_lan 10
capture_stop
assert_esp_only 20

# Counters: the devices' on both sides, and the daemon's per-connection
# view (kernel SA counters). Deleting the duplicate IKE SA rekeys the kept
# child (pluto needs it, lifecycle.md): the live child may hold only the
# pings after that rekey, the connection's totals hold them all.
assert_ge "$(link_counter "$NS_GW1" ipsec0 rx_packets)" 10 "gw1 ipsec0 rx_packets"
assert_ge "$(link_counter "$NS_GW2" ipsec0 rx_packets)" 10 "gw2 ipsec0 rx_packets"
assert_ge "$(ipsecd_conn_traffic "$NS_GW1" out_packets)" 10 "gw1 connection out_packets"
assert_ge "$(ipsecd_conn_traffic "$NS_GW1" in_packets)" 10 "gw1 connection in_packets"
assert_ge "$(ipsecd_conn_traffic "$NS_GW2" in_packets)" 10 "gw2 connection in_packets"
assert_ge "$(ipsecd_conn_traffic "$NS_GW2" out_packets)" 10 "gw2 connection out_packets"
assert_ge "$(link_counter "$NS_GW1" ipsec0 tx_packets)" 10 "gw1 ipsec0 tx_packets"
st=$(ictl "$NS_GW1" status --json)
assert_eq "$(jq -r '.ike_sas[0].state' <<<"$st")" ESTABLISHED "gw1 IKE SA state"
alg=$(jq -r ".ike_sas[0].children[0].algorithms" <<<"$st")
[[ $alg == AES_GCM_16_256* ]] || fail "gw1 child algorithms: expected AES_GCM_16_256, got $alg"
ictl "$NS_GW1" status
ictl "$NS_GW1" trafficstatus

# ipsecctl metrics: Prometheus text with the connection up, the child's
# traffic and the device's counters (the pings above went through).
metrics=$(ictl "$NS_GW1" metrics) || fail "ipsecctl metrics failed"
sample() { awk -v m="$1" 'index($0, m) == 1 { print $NF; exit }' <<<"$metrics"; }
assert_eq "$(sample 'ipsec_tun_daemon_up ')" 1 "metrics: daemon up"
assert_eq "$(sample 'ipsec_tun_connection_up{conn="site",interface="ipsec0"}')" 1 "metrics: site up"
[ "$(sample 'ipsec_tun_device_rx_packets_total{dev="ipsec0"}')" -gt 0 ] || fail "metrics: no rx packets on ipsec0: $metrics"
[ "$(sample 'ipsec_tun_child_sa_packets_total{conn="site",spi=')" -gt 0 ] || fail "metrics: child SA without packets: $metrics"
grep -q '^# TYPE ipsec_tun_device_drops_total counter$' <<<"$metrics" || fail "metrics: no drops_total TYPE line"

# Down: the route stays, so LAN traffic is dropped in ipsec0, never in clear.
# Both ends: gw2's connection is auto=start too, and an auto=start
# connection comes back by itself 2 s after the peer deletes it
# (Documentation/lifecycle.md); `down` on gw2 cancels that.
ictl "$NS_GW1" down site
ictl "$NS_GW2" down site
wait_or_dump 30 "ipsecd_log $NS_GW1; ipsecd_log $NS_GW2" _no_tunnels "$NS_GW1"
capture_start
! in_ns "$NS_LAN1" ping -c 3 -i 0.2 -W 1 "$H2" >/dev/null || fail "ping went through a downed tunnel"
capture_stop
assert_eq "$(capture_count "icmp and host $H1")" 0 "clear ICMP on the underlay while the tunnel is down"

# Up again from the control socket, then SIGTERM: routes and SAs removed,
# exit 0, the peer deletes its side on our Delete.
ictl "$NS_GW1" up site
ipsecd_wait_tunnels "$NS_GW1" 1 60
ipsecd_wait_tunnels "$NS_GW2" 1 30
ping_lan 3
ipsecd_stop "$NS_GW1"
r=$(ip -n "$NS_GW1" route show "$NET2")
[ -z "$r" ] || fail "gw1: route left after exit: $r"
sas=$(in_ns "$NS_GW1" "$IPSECCTL" sa list --json | jq 'length')
assert_eq "$sas" 0 "SAs left in gw1's kernel after exit"
wait_or_dump 30 "ipsecd_log $NS_GW2" _no_tunnels "$NS_GW2"
grep -q 'SIGTERM' "/tmp/spawn.${_ipsecd_pid[$NS_GW1]}.log" || fail "no SIGTERM line in gw1's log"
echo "ok: ours<->ours IPv4: $(capture_count 'ip proto 50') ESP packets, counters match, clean exit"
