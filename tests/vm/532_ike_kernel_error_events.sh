#!/bin/bash
# vm-timeout: 600
# ipsecd acts on the module's ERROR_EVENTs (Documentation/lifecycle.md,
# Documentation/security.md):
#   - ENCAP_CLOSED: another process (`ipsecctl encap attach`) takes gw2's
#     ipsec0 for its own UDP socket: ESP-in-UDP to gw2's port 4500 then
#     reaches ipsecd's IKE socket, not the module, and the tunnel stalls.
#     When that process dies (SIGKILL: no detach) the module reports
#     ENCAP_CLOSED and ipsecd puts its own socket back: the ping flows again
#     and the log says so once.
#   - AUTH_BURST: forged ESP-in-UDP (bad ICV) for gw2's inbound SA, 640
#     packets = 10 bursts: one warning line naming ipsec0, the SPI, the
#     connection and the peer, not ten.
#
#   [lan1] 192.168.1.2 -- [gw1 ipsecd] 10.1.0.2 ==in== 10.1.0.1 [nat] 10.0.0.1 ==ul== 10.0.0.2 [gw2 ipsecd] -- 192.168.2.2 [lan2]
#                                            forged ESP-in-UDP from here ---^        ^--- ipsecctl encap attach :4501
. "$(dirname "$0")/lib.sh" topology ipsecd || exit 1

ipsec_load
topo_nat_v4

d1=$(mktemp -d /tmp/gw1.XXXXXX) d2=$(mktemp -d /tmp/gw2.XXXXXX)
ipsecd_nat_configs "$d1" "$d2"

ipsecd_start "$NS_GW2" "$d2"
ipsecd_start "$NS_GW1" "$d1"
ipsecd_wait_tunnels "$NS_GW1" 1 90
ipsecd_wait_tunnels "$NS_GW2" 1 30
wait_until 20 in_ns "$NS_LAN1" ping -c1 -W1 "$H2"

encap_port() {
	in_ns "$NS_GW2" "$IPSECCTL" dev list dev ipsec0 --json | jq -r '.[0].encap_port'
}
encap_port_is() { [ "$(encap_port)" = "$1" ]; }
assert_eq "$(encap_port)" 4500 "gw2's ipsec0 takes ESP-in-UDP on ipsecd's port"

# --- ENCAP_CLOSED ---
spawn "$NS_GW2" "$IPSECCTL" encap attach dev ipsec0 port 4501
holder=$SPAWNED_PID
wait_until 10 encap_port_is 4501
if in_ns "$NS_LAN1" ping -c 3 -i 0.3 -W 1 "$H2" >/dev/null; then
	fail "the tunnel still works with another socket on gw2's ipsec0: the check below proves nothing"
fi
kill -KILL "$holder"
wait "$holder" 2>/dev/null || true
wait_or_dump 20 "ipsecd_log $NS_GW2" encap_port_is 4500
wait_or_dump 20 "ipsecd_log $NS_GW2" in_ns "$NS_LAN1" ping -c1 -W1 "$H2"
in_ns "$NS_LAN1" ping -c 10 -i 0.1 -W 2 "$H2" >/dev/null || fail "pings lost after ipsecd re-attached"
assert_eq "$(ipsecd_log "$NS_GW2" | grep -c 'ipsec0: ESP-in-UDP socket closed by another process; ours re-attached')" 1 \
	"gw2's log line about the re-attach"

# --- AUTH_BURST ---
st=$(ictl "$NS_GW2" status --json)
peer=$(jq -r '.ike_sas[0].remote' <<<"$st")
spi=$(in_ns "$NS_GW2" "$IPSECCTL" sa list dev ipsec0 --json | jq -r '[.[] | select(.dir == "in")][0].spi')
in_ns "$NS_NAT" python3 - "$spi" <<'PY'
import os, socket, struct, sys, time
spi = int(sys.argv[1], 16)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(640):
    s.sendto(struct.pack("!II", spi, 10_000_000 + i) + os.urandom(72), ("10.0.0.2", 4500))
    if i % 64 == 63:
        time.sleep(0.05)
PY
failures_reach() { [ "$(link_counter "$NS_GW2" ipsec0 rx_crc_errors)" -ge "$1" ]; }
wait_until 20 failures_reach 640
sleep 1
line=$(printf 'ipsec0: repeated ICV failures on inbound SA 0x%08x ("nat", peer %s)' "$spi" "$peer")
echo "expect: $line"
assert_eq "$(ipsecd_log "$NS_GW2" | grep -cF "$line")" 1 "gw2's AUTH_BURST log lines for 10 bursts"
# The tunnel is untouched.
in_ns "$NS_LAN1" ping -c 5 -i 0.1 -W 2 "$H2" >/dev/null || fail "pings lost after the forged ESP"

ipsecd_stop "$NS_GW1"
ipsecd_stop "$NS_GW2"
echo "ok: ENCAP_CLOSED re-attached, AUTH_BURST logged once for SA $spi"
