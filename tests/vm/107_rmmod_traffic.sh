#!/bin/bash
# vm-suite: full
# The module goes away while traffic is in flight, and comes back:
#  1. a ping flood (IPv4) and a TCP stream (IPv6, GSO segments) run through
#     ipsec0 both ways; rmmod with live devices, SAs, policies and packets:
#     it must succeed, every live-object counter must be 0 at unload, and
#     the kernel must not warn (the harness fails the run on any warning);
#  2. loaded again, a fresh tunnel carries traffic; under the same flood the
#     devices are deleted (`ip link del`) on both sides, the SAs and devices
#     are freed while packets are still being sent, and rmmod is clean;
#  3. loaded a third time, it still carries traffic, and unloads clean.
# vm-timeout: 900
#
#   [ns a] lo 10.1.0.1, ipsec0, ul0 192.0.2.1 ===== veth ===== ul0 192.0.2.2, ipsec0, lo 10.2.0.1 [ns b]
. "$(dirname "$0")/lib.sh" sites || exit 1

live() {
	cat /sys/module/ipsec_tun/parameters/live_$1
}
# lives: "SAS DEVS POLICIES" alive now.
lives() {
	echo "$(live sas) $(live devs) $(live policies)"
}
rx_ge() { # rx_ge NS MIN: ipsec0 in NS has decrypted at least MIN packets
	[ "$(link_counter "$1" ipsec0 rx_packets)" -ge "$2" ]
}

# tunnel SPI_BASE: ipsec0 on both sides, AES-GCM-128 SAs over IPv4 and
# policies for both inner families; checks it carries a ping.
tunnel() {
	site_ipsec a $NET_B4 $NET_B6 $PRIV_A4 $PRIV_A6
	site_ipsec b $NET_A4 $NET_A6 $PRIV_B4 $PRIV_B6
	tunnel_manual aes-gcm-128 4 $(($1)) $(($1 + 1))
	in_ns a ping -c2 -W5 -I $PRIV_A4 $PRIV_B4 >/dev/null || fail "tunnel $1 does not carry a ping"
	in_ns a ping -6 -c2 -W5 -I $PRIV_A6 $PRIV_B6 >/dev/null || fail "tunnel $1 does not carry an IPv6 ping"
}

# flood: ping -f a -> b (IPv4) and an iperf3 TCP stream a -> b (IPv6) that
# outlive the module; returns once b has decrypted 300 more packets.
flood() {
	local rx0
	rx0=$(link_counter b ipsec0 rx_packets)
	spawn b iperf3 -s -B $PRIV_B6
	FLOOD_PIDS=$SPAWNED_PID
	wait_until 30 eval "ip netns exec b ss -Hltn 'sport = :5201' | has_match ."
	spawn a iperf3 -c $PRIV_B6 -B $PRIV_A6 -t 600 -l 16K
	FLOOD_PIDS+=" $SPAWNED_PID"
	spawn a ping -f -I $PRIV_A4 $PRIV_B4
	FLOOD_PIDS+=" $SPAWNED_PID"
	wait_until 120 rx_ge b $((rx0 + 300))
	# Still running: the traffic is in flight when the module goes.
	for p in $FLOOD_PIDS; do
		kill -0 "$p" 2>/dev/null || { spawn_log "$p"; fail "flood process $p ended early"; }
	done
	# Both streams made it through the tunnel (the TCP one in GSO batches).
	assert_ge "$(sa_stat b in $(($1)) rx_packets)" 300 "b: packets decrypted under the flood"
	assert_ge "$(link_counter a ipsec0 rx_packets)" 100 "a: replies and ACKs decrypted under the flood"
}

flood_stop() {
	local p
	for p in $FLOOD_PIDS; do _lib_kill "$p"; done
}

# ---- 1: rmmod with everything live ----
sites_underlay
ipsec_load
tunnel 0x3000
flood 0x3000
# 4 SAs, ipsec0 of the root netns (made at load) + a's + b's, 4 policies.
assert_eq "$(lives)" "4 3 4" "live SAs, devices, policies before rmmod"
progress "rmmod with a flood in flight ($(link_counter b ipsec0 rx_packets) packets so far)"
ipsec_unload
! ip -n a link show ipsec0 >/dev/null 2>&1 || fail "ipsec0 still in a after rmmod"
flood_stop
progress "ok: rmmod under a flood, nothing leaked"

# ---- 2: again, and ip link del under the flood ----
ipsec_load
tunnel 0x3100
flood 0x3100
progress "ip link del on both sides with a flood in flight"
ip -n a link del ipsec0
ip -n b link del ipsec0
wait_until 60 eval '[ "$(lives)" = "0 1 0" ]'	# the root netns's ipsec0 is left
flood_stop
ipsec_unload
progress "ok: ip link del under a flood, then rmmod, nothing leaked"

# ---- 3: the module still works after all that ----
ipsec_load
tunnel 0x3200
tcp_transfer a b $PRIV_B6 2000000
stats_agree a
ipsec_unload
echo "ok: rmmod and ip link del with traffic in flight: no leak, no warning, module reloads and works"
