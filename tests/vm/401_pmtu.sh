#!/bin/bash
# Path MTU through the tunnel: the underlay between the sites is shrunk to
# 1300 bytes while ipsec0 keeps its MTU, so a DF packet that fits ipsec0
# but not the ESP path must be refused by the module with ICMP "frag
# needed" carrying the inner MTU that fits (AES-GCM-128 over IPv4:
# 1300 - 20 IP - 8 ESP - 8 IV - 16 ICV = 1248, 4-aligned, - 2 trailer = 1246),
# counted in drop_mtu; a packet of exactly that size then goes through.
# vm-timeout: 300
#
#   [ns h] eth0 10.1.0.2 ---- lan0 10.1.0.254 [ns a] ipsec0 ... ul0 192.0.2.1
#                                                   ===== veth, MTU 1300 =====
#                                  [ns b] lo 10.2.0.1, ipsec0 ... ul0 192.0.2.2
. "$(dirname "$0")/lib.sh" || exit 1
. "$(dirname "$0")/2xx_sites.bash"

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
dev_mtu=$(link_counter a ipsec0 ../mtu 2>/dev/null || ip -n a -j link show ipsec0 | jq -r '.[0].mtu')
assert_ge "$dev_mtu" $((WANT + 1)) "ipsec0 MTU (must exceed the path's, or the module is never asked)"
drops0=$(dev_stat a drop_mtu)

# Fits ipsec0, not the path: ICMP frag needed with the inner MTU.
out=$(in_ns h ping -M do -s 1300 -c 1 -W 3 $PRIV_B4 2>&1) && fail "oversized DF ping passed: $out"
grep -q "mtu = $WANT" <<<"$out" || fail "no ICMP frag-needed with mtu = $WANT: $out"
assert_eq $(($(dev_stat a drop_mtu) - drops0)) 1 "drop_mtu after one oversized packet"

# h learnt the path MTU: exactly WANT bytes of IP packet pass, one more does not.
in_ns h ping -M do -s $((WANT - 28)) -c 2 -W 3 $PRIV_B4 >/dev/null || fail "a ping of exactly $WANT bytes did not pass"
out=$(in_ns h ping -M do -s $((WANT - 27)) -c 1 -W 3 $PRIV_B4 2>&1) && fail "ping of $((WANT + 1)) bytes passed: $out"
grep -q "mtu.*$WANT" <<<"$out" || fail "no MTU $WANT reported for $((WANT + 1)) bytes: $out"

# Without DF the inner sender lets the packet be fragmented: it gets through.
in_ns h ping -M dont -s 1300 -c 2 -W 3 $PRIV_B4 >/dev/null || fail "non-DF 1300-byte ping did not pass"
progress "ok: frag-needed mtu $WANT, then $WANT bytes fit"
ipsec_unload
