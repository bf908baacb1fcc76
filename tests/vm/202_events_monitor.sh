#!/bin/bash
# Kernel events as `ipsecctl monitor` shows them: ACQUIRE when a packet
# matches a policy whose reqid has no SA (counted in drop_no_sa), soft then
# hard EXPIRE when an outbound SA reaches its packet lifetimes (the hard
# limit lets exactly that many through, as XFRM), after which the SA
# carries nothing more.
# vm-timeout: 300
#
#   [ns a] lo 10.1.0.1, ipsec0, ul0 192.0.2.1 ===== veth ===== ul0 192.0.2.2, ipsec0, lo 10.2.0.1 [ns b]
. "$(dirname "$0")/lib.sh" sites || exit 1

sites_create
monitor_start a
mon=$MON

# A policy without an SA: the packet is dropped, counted, and ACQUIREd.
# ACQUIREs are rate-limited per device (IPv6 autoconf packets without a
# policy may have used the budget just before): ping once a second until the
# event shows, and count the drops exactly.
ctl a policy add dev ipsec0 src $NET_A4 dst $NET_B4 reqid 7
want="acquire ipsec0 reqid 7 packet $PRIV_A4/32 -> $PRIV_B4/32 proto icmp"
sent=0
until grep -q "$want" "/tmp/spawn.$mon.log"; do
	[ $sent -lt 10 ] || { spawn_log $mon; fail "no '$want' after $sent packets"; }
	in_ns a ping -c1 -W1 -I $PRIV_A4 $PRIV_B4 >/dev/null && fail "ping passed without an SA"
	sent=$((sent + 1))
done
assert_eq "$(dev_stat a drop_no_sa)" $sent "drop_no_sa after $sent packets without SA"
progress "ok: ACQUIRE after $sent packet(s), each counted in drop_no_sa"
ctl a sa flush dev ipsec0

# Lifetimes: soft after 2 packets, hard after 4.
tunnel_manual aes-gcm-128 4 $((0x6000)) $((0x6001))
ctl a sa del dev ipsec0 dir out spi 0x6000
alg_key_args aes-gcm-128
ctl a sa add dev ipsec0 dir out spi 0x6002 reqid 1 src $OUT_A4 dst $OUT_B4 $KEY_ARGS soft-packets 2 hard-packets 4
ctl b sa add dev ipsec0 dir in spi 0x6002 src $OUT_A4 dst $OUT_B4 $KEY_ARGS
for i in 1 2 3 4; do
	in_ns a ping -c1 -W3 -I $PRIV_A4 $PRIV_B4 >/dev/null || fail "ping $i within the lifetime failed"
done
wait_until 10 grep -q "expire soft ipsec0 out spi 0x00006002 reqid 1 reason packets" "/tmp/spawn.$mon.log"
! grep -q "expire hard" "/tmp/spawn.$mon.log" || fail "hard EXPIRE before the limit was passed"
# As XFRM, the hard limit lets exactly 4 packets through: the 5th is refused
# and expires the SA.
in_ns a ping -c1 -W1 -I $PRIV_A4 $PRIV_B4 >/dev/null && fail "a 5th packet passed a 4-packet SA"
wait_until 10 grep -q "expire hard ipsec0 out spi 0x00006002 reqid 1 reason packets" "/tmp/spawn.$mon.log"
in_ns a ping -c1 -W1 -I $PRIV_A4 $PRIV_B4 >/dev/null && fail "ping passed on a hard-expired SA"
assert_eq "$(sa_stat b in $((0x6002)) rx_packets 2>/dev/null || echo gone)" 4 "packets the expired SA carried"
progress "ok: soft and hard EXPIRE after 2 and 4 packets"
ipsec_unload
