#!/bin/bash
# UPD_SA (`ipsecctl sa update`): an SA follows its peer to a new address
# (MOBIKE) and to a new NAT mapping (UDP port), keeping its counters,
# sequence numbers and replay window; traffic stops when the old endpoint
# goes and resumes only after the update, so it provably follows the new one.
# Lifetimes can be changed on a live SA; bad updates get the kernel's extack
# message and change nothing.
# vm-timeout: 900
#
#   [ns a] lo 10.1.0.1, ipsec0, ul0 192.0.2.1 ===== veth ===== ul0 192.0.2.2 -> .3, ipsec0, lo 10.2.0.1 [ns b]
. "$(dirname "$0")/lib.sh" sites || exit 1

sites_create
monitor_start a
sa_field() { # sa_field NS DIR SPI JQ-PATH
	local spi
	spi=$(printf '0x%08x' "$3")
	ctl "$1" sa list dev ipsec0 --json |
		jq -er --arg d "$2" --arg s "$spi" '.[] | select(.dir == $d and .spi == $s) | '"$4"
}

# ---- the peer moves to a new address (plain ESP) ----
O=$((0x8000)) I=$((0x8001))
tunnel_manual aes-gcm-128 4 $O $I
for i in 1 2 3; do ping_ok "before the move $i"; done
assert_eq "$(sa_field a out $O .stats.tx_packets)" 3 "a out: packets before the move"
assert_eq "$(sa_field a out $O .seq)" 3 "a out: seq before the move"

NEW_B4=192.0.2.3
# (the new address is a secondary of the old one's subnet: keep it when the
# primary goes)
in_ns b sysctl -qw net.ipv4.conf.ul0.promote_secondaries=1
ip -n b addr add $NEW_B4/24 dev ul0
ip -n b addr del $OUT_B4/24 dev ul0
ping_fails "peer's old address gone, SAs not updated"
ctl a sa update dev ipsec0 dir out spi $O dst $NEW_B4
ctl a sa update dev ipsec0 dir in spi $I src $NEW_B4
ctl b sa update dev ipsec0 dir out spi $I src $NEW_B4
ctl b sa update dev ipsec0 dir in spi $O dst $NEW_B4
assert_eq "$(sa_field a out $O .dst)" $NEW_B4 "a out: dst after the update"
assert_eq "$(sa_field b out $I .src)" $NEW_B4 "b out: src after the update"
for i in 1 2 3; do ping_ok "after the move $i"; done
# Same SA: the packet lost during the move counts, the sequence goes on.
assert_eq "$(sa_field a out $O .stats.tx_packets)" 7 "a out: packets kept across the update"
assert_eq "$(sa_field a out $O .seq)" 7 "a out: seq continues across the update"
assert_eq "$(sa_field b in $O .stats.rx_packets)" 6 "b in: packets accepted (window kept)"
assert_eq "$(sa_field b in $O .stats.drop_replay)" 0 "b in: replay drops"
assert_eq "$(sa_field a in $I .stats.rx_packets)" 6 "a in: replies accepted"
progress "ok: peer moved to $NEW_B4, SAs updated, counters and sequence kept"

# ---- the NAT mapping moves: b's UDP port 4500 -> 4501 ----
O=$((0x8100)) I=$((0x8101))
alg_key_args chacha20-poly1305
ctl a sa add dev ipsec0 dir out spi $O reqid 1 src $OUT_A4 dst $NEW_B4 $KEY_ARGS encap 4500:4500
ctl b sa add dev ipsec0 dir in spi $O src $OUT_A4 dst $NEW_B4 $KEY_ARGS encap 4500:4500
alg_key_args chacha20-poly1305
ctl b sa add dev ipsec0 dir out spi $I reqid 1 src $NEW_B4 dst $OUT_A4 $KEY_ARGS encap 4500:4500
ctl a sa add dev ipsec0 dir in spi $I src $NEW_B4 dst $OUT_A4 $KEY_ARGS encap 4500:4500
spawn a "$CTL" encap attach dev ipsec0 port 4500
wait_until 10 grep -q 'attached UDP' "/tmp/spawn.$SPAWNED_PID.log"
spawn b "$CTL" encap attach dev ipsec0 port 4500
b4500=$SPAWNED_PID
wait_until 10 grep -q 'attached UDP' "/tmp/spawn.$b4500.log"
# The plain-ESP pair goes: only the UDP one may carry anything now.
ctl a sa del dev ipsec0 dir out spi 0x8000
ctl b sa del dev ipsec0 dir out spi 0x8001
ping_ok "ESP in UDP 4500"
assert_eq "$(sa_field a out $O .stats.tx_packets)" 1 "a out (encap): the new SA carries the traffic"

# b's side now sends and receives on 4501 (say, its NAT gateway rebooted
# and mapped it anew): a new socket is attached, then the old holder exits
# and must leave the new one attached. Packets to 4500 find nobody.
spawn b "$CTL" encap attach dev ipsec0 port 4501
wait_until 10 grep -q 'attached UDP' "/tmp/spawn.$SPAWNED_PID.log"
_lib_kill $b4500
wait_until 10 eval "! ip netns exec b ss -Huln 'sport = :4500' | has_match ."
assert_eq "$(ctl b dev list dev ipsec0 --json | jq -r '.[0].encap_port')" 4501 "b: encap port after the old holder left"
ping_fails "ESP still sent to the old port 4500"
ctl a sa update dev ipsec0 dir out spi $O encap 4500:4501
ctl a sa update dev ipsec0 dir in spi $I encap 4501:4500
ctl b sa update dev ipsec0 dir out spi $I encap 4501:4500
ctl b sa update dev ipsec0 dir in spi $O encap 4500:4501
assert_eq "$(sa_field a out $O '.encap | "\(.sport):\(.dport)"')" 4500:4501 "a out: encap ports after the update"
for i in 1 2; do ping_ok "ESP in UDP to 4501, $i"; done
assert_eq "$(sa_field a out $O .stats.tx_packets)" 4 "a out (encap): packets kept across the update"
assert_eq "$(sa_field b in $O .stats.rx_packets)" 3 "b in (encap): packets accepted"
assert_eq "$(sa_field a in $I .stats.rx_packets)" 3 "a in (encap): replies from port 4501 accepted"
progress "ok: NAT mapping moved to port 4501, SAs updated, traffic follows"

# ---- lifetimes on a live SA ----
sent=$(sa_field a out $O .stats.tx_packets)
ctl a sa update dev ipsec0 dir out spi $O hard-packets $((sent + 1))
assert_eq "$(sa_field a out $O .hard.packets)" $((sent + 1)) "a out: hard packet limit after the update"
assert_eq "$(sa_field a out $O .dst)" $NEW_B4 "a out: dst untouched by a lifetime update"
ping_ok "the last packet the new lifetime allows"
ping_fails "past the updated hard lifetime"
wait_until 10 mon_has "expire hard ipsec0 out spi 0x00008100 reqid 1 reason packets"
progress "ok: hard-packets set on a live SA expires it at the new limit"

# ---- refused updates name the problem and change nothing ----
err=$(ctl a sa update dev ipsec0 dir out spi 0x9999 dst $NEW_B4 2>&1) && fail "update of a missing SA passed"
grep -q 'no SA with this SPI' <<<"$err" || fail "missing SA: unexpected message: $err"
err=$(ctl a sa update dev ipsec0 dir in spi $I src 2001:db8::9 2>&1) && fail "IPv6 address on an IPv4 SA passed"
grep -q 'address must be 4 bytes for AF_INET' <<<"$err" || fail "family mismatch: unexpected message: $err"
assert_eq "$(sa_field a in $I .src)" $NEW_B4 "a in: src after the refused update"
# Without CAP_NET_ADMIN: EPERM.
err=$(in_ns a setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=-all --bounding-set=-all \
	"$CTL" sa update dev ipsec0 dir in spi $I src $OUT_B4 2>&1) && fail "sa update without CAP_NET_ADMIN passed"
grep -q "Operation not permitted" <<<"$err" || fail "unprivileged sa update: expected EPERM, got: $err"
assert_eq "$(sa_field a in $I .src)" $NEW_B4 "a in: src after the unprivileged update"

ip -n a link del ipsec0
ip -n b link del ipsec0
ipsec_unload
echo "ok: UPD_SA moves SAs to new addresses and NAT ports with counters kept; lifetimes; errors"
