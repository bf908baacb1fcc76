#!/bin/bash
# vm-timeout: 420
# Lifecycle, on demand: ipsecd's connection is auto=route. At load it
# installs the policy and negotiates nothing; the first packet from lan1 to
# lan2 makes the module send an ACQUIRE, ipsecd negotiates with strongSwan
# (auto=add), and from then on the ping is answered. Before the tunnel is
# up the packets are dropped, never sent in clear (only IKE and ESP on the
# underlay). When strongSwan deletes the tunnel the policy stays, and the
# next packet brings the tunnel up again.
#
#   [lan1] h1 -- [gw1 ipsecd, ipsec0] ==== underlay ==== [gw2 strongSwan, XFRM] -- h2 [lan2]
. "$(dirname "$0")/lib.sh" sswan lifecycle || exit 1

ss_setup v4
ss_conf ours "" ""
sed -i 's/^\tauto=start$/\tauto=route/' "$SS_OURS_DIR/ipsec.conf"
grep -q 'auto=route' "$SS_OURS_DIR/ipsec.conf" || fail "auto=route not in ipsecd's config"
ss_start
sleep 3
assert_eq "$(ictl "$NS_GW1" status --json | jq '.ike_sas | length')" 0 "IKE SAs before any traffic"
npol=$(in_ns "$NS_GW1" "$IPSECCTL" policy list dev ipsec0 --json | jq length)
assert_ge "$npol" 1 "policies installed at load (auto=route)"

# on_demand_up: ping until answered; nothing in clear meanwhile.
on_demand_up() {
	local t0=$SECONDS
	capture_start
	in_ns "$NS_LAN1" ping -i 0.5 -W 1 "$H2" >/tmp/546.ping 2>&1 &
	local pid=$!
	wait_or_dump 60 _ss_dump _ipsecd_has_tunnels "$NS_GW1" 1
	wait_or_dump 30 _ss_dump in_ns "$NS_LAN1" ping -c1 -W1 "$H2"
	echo "tunnel up on demand in $((SECONDS - t0)) s"
	kill "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	ipsecd_log "$NS_GW1" | grep -E 'acquire|initiating|established|auto=route' | tail -n 6
	capture_stop
	assert_eq "$(capture_count "icmp and host $H1 and host $H2")" 0 \
		"clear ICMP between the LANs on the underlay"
	assert_ge "$(capture_count 'ip proto 50')" 2 "ESP packets on the underlay"
	assert_ge "$(lc_count "$NS_GW1" 'kernel acquire for')" 1 "ACQUIREs acted on"
}
on_demand_up
ss_traffic 10
lc_live_pair

# The peer deletes the tunnel: our policy stays, the next packet revives it.
child_spi() { ictl "$NS_GW1" status --json | jq -r '[.ike_sas[].children[].inbound_spi] | join(",")'; }
old_spi=$(child_spi)
# gone: the child is gone, or already replaced (a packet in flight can
# trigger the ACQUIRE at once).
gone() { [ "$(child_spi)" != "$old_spi" ]; }
sswan "$NS_GW2" down ours >/dev/null
wait_or_dump 30 "ipsecd_log $NS_GW1 | tail -n 60" gone
npol=$(in_ns "$NS_GW1" "$IPSECCTL" policy list dev ipsec0 --json | jq length)
assert_ge "$npol" 1 "policies left after the peer's Delete (auto=route keeps them)"
on_demand_up
ss_traffic 10
lc_live_pair
echo "ok: auto=route negotiates on the first packet, nothing in clear, again after a Delete"
