#!/bin/bash
# NAT rebinding seen by the kernel (issue 18): ESP-in-UDP that passes the
# ICV and replay checks of an inbound SA but comes from another source
# port than the SA's peer makes the module send one MAPPING event (old and
# new endpoint) a second at most, and move nothing itself. a's outbound SA
# is switched to source port 4501 (what a NAT's new mapping looks like from
# b): b's monitor must show "from 192.0.2.1:4500 to 192.0.2.1:4501", at
# most one a second under a 3 s ping, b's inbound SA still names 4500, and
# traffic keeps flowing. Forged ESP-in-UDP from a new port (bad ICV) makes
# no event. Once b's SA is moved (UPD_SA, as the daemon would), no more.
# vm-timeout: 300
#
#   [ns a] ipsec0, ul0 192.0.2.1:4500 (then 4501) ===== ul0 192.0.2.2:4500, ipsec0 [ns b]
. "$(dirname "$0")/lib.sh" sites || exit 1

SPI_AB=$((0x5481)) SPI_BA=$((0x5482))
sites_create
tunnel_manual aes-gcm-128 4 $SPI_AB $SPI_BA encap 4500:4500
for ns in a b; do spawn $ns "$IPSECCTL" encap attach dev ipsec0 port 4500; done
wait_until 10 sh -c "ip netns exec b $IPSECCTL dev list dev ipsec0 | grep -q 'encap-port 4500'"
wait_until 10 sh -c "ip netns exec a $IPSECCTL dev list dev ipsec0 | grep -q 'encap-port 4500'"
monitor_start b

mappings() {
	grep -c "mapping ipsec0 in spi $(printf '0x%08x' $SPI_AB) reqid 0 from $OUT_A4:4500 to $OUT_A4:4501" \
		"$MON_LOG" || true
}
ping_ab() { # ping_ab COUNT: every request answered
	in_ns a ping -c "$1" -i 0.1 -W 3 -I $PRIV_A4 $PRIV_B4 >/dev/null || fail "ping a -> b"
}

ping_ab 5
assert_eq "$(mappings)" 0 "MAPPING events before the rebinding"
! mon_has mapping || fail "a MAPPING event without a rebinding: $(cat "$MON_LOG")"

# ---- the mapping changes: a's ESP now comes from port 4501 ----
ctl a sa update dev ipsec0 dir out spi $SPI_AB encap 4501:4500
t0=$(date +%s)
ping_ab 30
t1=$(date +%s)
wait_until 5 sh -c "[ \$(grep -c 'mapping ipsec0' '$MON_LOG') -ge 1 ]"
n=$(mappings)
assert_ge "$n" 1 "MAPPING events after the rebinding"
assert_ge $((t1 - t0 + 1)) "$n" "MAPPING events at most one a second ($n in $((t1 - t0)) s)"
assert_eq "$(grep -c mapping "$MON_LOG")" "$n" "MAPPING events of another shape: $(cat "$MON_LOG")"
assert_eq "$(sa_stat b in $SPI_AB rx_packets)" 35 "b's inbound SA took every request"
encap=$(ctl b sa list dev ipsec0 --json | jq -r ".[] | select(.dir == \"in\") | .encap.sport")
assert_eq "$encap" 4500 "b's inbound SA's peer port (the module moves nothing)"
progress "ok: $n MAPPING event(s) for 30 authenticated packets from the new port, SA not moved"

# ---- forged ESP-in-UDP from another port: no event ----
sleep 1.2	# past the rate limit
n0=$(grep -c mapping "$MON_LOG")
auth0=$(sa_stat b in $SPI_AB drop_auth)
in_ns a python3 -c '
import socket, struct, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("0.0.0.0", 4777))
for seq in range(100, 110):
    s.sendto(struct.pack("!II", int(sys.argv[1]), seq) + bytes(64), (sys.argv[2], 4500))
' $SPI_AB $OUT_B4
wait_until 10 sh -c "[ \$(ip netns exec b $IPSECCTL sa list dev ipsec0 --json | jq '.[] | select(.dir == \"in\") | .stats.drop_auth') -ge $((auth0 + 10)) ]"
sleep 0.5
assert_eq "$(grep -c mapping "$MON_LOG")" "$n0" "MAPPING events for forged ESP-in-UDP"
progress "ok: forged ESP-in-UDP from a new port: 10 ICV failures, no event"

# ---- b's SA moved (what ipsecd does on MAPPING behind a NAT): quiet ----
ctl b sa update dev ipsec0 dir in spi $SPI_AB encap 4501:4500
sleep 1.2
n0=$(grep -c mapping "$MON_LOG")
ping_ab 10
sleep 0.5
assert_eq "$(grep -c mapping "$MON_LOG")" "$n0" "MAPPING events once the SA names the new port"
ip -n a link del ipsec0
ip -n b link del ipsec0
ipsec_unload
echo "ok: MAPPING events for authenticated ESP-in-UDP from a new port, rate-limited, nothing moved"
