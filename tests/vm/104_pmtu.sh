#!/bin/bash
# Path MTU when the gateway's own link toward the peer is narrower than
# ipsec0: ul0 is shrunk to 1300 bytes while ipsec0 keeps its MTU, so a DF
# packet that fits ipsec0 but not the ESP path must be refused by the
# module with ICMP "frag needed" (IPv6: "packet too big") carrying the
# inner MTU that fits (AES-GCM-128 over IPv4: 1300 - 20 IP - 8 ESP - 8 IV
# - 16 ICV = 1248, 4-aligned with the 2-byte trailer: 1246), counted in
# drop_mtu; a packet of exactly that size then goes through, one byte more
# does not (forwarded from host h behind a). Without DF the packet is
# fragmented and reassembled at b; TCP from h to b completes. IPv6 inside
# (sent by a): below IPv6's minimum MTU (1280) the outer packet is
# fragmented instead; at 1400 (inner 1346) "packet too big" with 1346.
# (104 and the former 401 tested this in two styles: merged. A router past
# the first hop is 418's.)
# vm-timeout: 300
#
#   [ns h] eth0 10.1.0.2 ---- lan0 10.1.0.254 [ns a] ipsec0 ... ul0 192.0.2.1
#                                                   ===== veth, MTU 1300 =====
#                                  [ns b] lo 10.2.0.1, ipsec0 ... ul0 192.0.2.2
. "$(dirname "$0")/lib.sh" sites || exit 1

sites_create
ns_create h
veth_pair a lan0 h eth0
ip -n a addr add 10.1.0.254/24 dev lan0
ip -n h addr add 10.1.0.2/24 dev eth0
ip -n h route add default via 10.1.0.254
in_ns a sysctl -qw net.ipv4.ip_forward=1
tunnel_manual aes-gcm-128 4 $((0x5000)) $((0x5001))
wait_until 10 in_ns h ping -c1 -W1 $PRIV_B4

ip -n a link set ul0 mtu 1300
ip -n b link set ul0 mtu 1300
WANT=1246
dev_mtu=$(ip -n a -j link show ipsec0 | jq -r '.[0].mtu')
assert_ge "$dev_mtu" $((WANT + 1)) "ipsec0 MTU (must exceed the path's, or the module is never asked)"
drops0=$(dev_stat a drop_mtu)

# Forwarded, fits ipsec0 but not the path: ICMP frag needed with the inner MTU.
out=$(in_ns h ping -M do -s 1300 -c 1 -W 3 $PRIV_B4 2>&1) && fail "oversized DF ping passed: $out"
grep -q "mtu = $WANT" <<<"$out" || fail "no ICMP frag-needed with mtu = $WANT: $out"
assert_eq $(($(dev_stat a drop_mtu) - drops0)) 1 "drop_mtu after one oversized packet"

# h learnt the path MTU: exactly WANT bytes of IP packet pass, one more does not.
in_ns h ping -M do -s $((WANT - 28)) -c 2 -W 3 $PRIV_B4 >/dev/null || fail "a ping of exactly $WANT bytes did not pass"
out=$(in_ns h ping -M do -s $((WANT - 27)) -c 1 -W 3 $PRIV_B4 2>&1) && fail "ping of $((WANT + 1)) bytes passed: $out"
grep -q "mtu.*$WANT" <<<"$out" || fail "no MTU $WANT reported for $((WANT + 1)) bytes: $out"
progress "ok: IPv4 forwarded: frag-needed mtu $WANT, then $WANT bytes fit"

# Without DF the packet is fragmented (outside or inside) and b reassembles it.
reasm() { in_ns b nstat -az IpReasmOKs Ip6ReasmOKs | awk '/ReasmOKs/{n += $2} END {print n}'; }
reasm0=$(reasm)
in_ns h ping -M dont -s 1300 -c 2 -i0.3 -W 3 $PRIV_B4 >/dev/null || fail "non-DF 1300-byte ping did not pass"
assert_ge $(($(reasm) - reasm0)) 2 "fragmented IPv4 packets reassembled by b"

# TCP from the host behind a: full-size segments adapt to the path MTU.
tcp_transfer h b $PRIV_B4 2000000

# IPv6 inside, sent by a itself. An inner MTU of 1246 is below IPv6's
# minimum (1280): the packet cannot be refused, so the outer one is
# fragmented and b reassembles it.
reasm0=$(reasm)
in_ns a ping -6 -c1 -W3 -M do -s 1300 -I $PRIV_A6 $PRIV_B6 >/dev/null ||
	fail "IPv6 packet over a path below 1280 was not fragmented outside"
assert_ge $(($(reasm) - reasm0)) 1 "outer fragments of the IPv6 packet reassembled by b"
# With ul0 at 1400 (inner MTU 1346): packet too big with that MTU.
ip -n a link set ul0 mtu 1400
ip -n b link set ul0 mtu 1400
WANT6=1346
drops0=$(dev_stat a drop_mtu)
out=$(in_ns a ping -6 -c1 -W2 -M do -s 1360 -I $PRIV_A6 $PRIV_B6 2>&1) && fail "oversized IPv6 ping passed: $out"
grep -q "mtu[ =]*$WANT6" <<<"$out" || fail "no IPv6 'mtu $WANT6' in: $out"
assert_eq $(($(dev_stat a drop_mtu) - drops0)) 1 "drop_mtu after the IPv6 ping"
in_ns a ping -6 -c2 -i0.3 -W2 -M do -s $((WANT6 - 48)) -I $PRIV_A6 $PRIV_B6 >/dev/null ||
	fail "IPv6 ping of exactly $WANT6 bytes failed"
progress "ok: IPv6 local: outer fragments below 1280, packet too big mtu $WANT6 above"
ipsec_unload
echo "ok: frag-needed / packet-too-big with mtu $WANT, drop_mtu counted, DF-less fragmentation, TCP 2 MB"
