#!/bin/bash
# vm-suite: full
# Netns destruction with live ipsec devices that were moved out of their
# underlay (the netns they were created in), each time with traffic running:
#  A. the underlay dies, the device lives on in its private netns: its SAs
#     and underlay are gone (no link-netns any more, SA_COUNT 0), packets
#     routed into it are dropped and counted as tx_dropped, no new SA can be
#     added (the extack says why), and it can still be deleted;
#  B. the private netns dies (the reverse): the device is destroyed with it,
#     its SAs too, and its inbound SPI is free again in the underlay, which
#     keeps working;
#  C. both die at once (one cleanup batch).
# Then no warning (the harness checks), and the module unloads with every
# live-object counter at 0.
# vm-timeout: 900
#
#   [ns pN] ipsec1 192.168.1.1 (created in uN, moved)     [ns rN] ipsec1 192.168.2.1
#   [ns uN] veth0 10.0.0.1/24 ------------------------- veth0 10.0.0.2/24 [ns rN]
. "$(dirname "$0")/lib.sh" || exit 1

KEY_LR=0x0102030405060708090a0b0c0d0e0f1011121314
KEY_RL=0x2122232425262728292a2b2c2d2e2f3031323334

live() {
	cat /sys/module/ipsec_tun/parameters/live_$1
}
# lives: "SAS DEVS POLICIES" alive now; lives_are WANT: they are WANT.
lives() {
	echo "$(live sas) $(live devs) $(live policies)"
}
lives_are() {
	[ "$(lives)" = "$1" ]
}
counter_ge() { # counter_ge NS DEV FIELD MIN
	[ "$(link_counter "$1" "$2" "$3")" -ge "$4" ]
}

# pair N: underlay uN and peer rN joined by a veth, ipsec1 created in uN and
# moved to pN, ipsec1 in rN; one SA each way; checks a ping pN -> rN.
pair() {
	local n=$1 u=u$1 p=p$1 r=r$1
	ns_create $u
	ns_create $p
	ns_create $r
	veth_pair $u veth0 $r veth0
	ip -n $u addr add 10.0.0.1/24 dev veth0
	ip -n $r addr add 10.0.0.2/24 dev veth0
	ip -n $u link add ipsec1 type ipsec
	ip -n $u link set ipsec1 netns $p
	ip -n $r link add ipsec1 type ipsec
	ip -n $p addr add 192.168.1.1/32 dev ipsec1
	ip -n $p link set ipsec1 up
	ip -n $p route add 192.168.2.0/24 dev ipsec1 src 192.168.1.1
	ip -n $r addr add 192.168.2.1/32 dev ipsec1
	ip -n $r link set ipsec1 up
	ip -n $r route add 192.168.1.0/24 dev ipsec1 src 192.168.2.1
	ctl $p sa add dev ipsec1 dir out spi 0x1001 reqid 1 src 10.0.0.1 dst 10.0.0.2 enc aes-gcm-128 key $KEY_LR
	ctl $p sa add dev ipsec1 dir in spi 0x2001 src 10.0.0.2 dst 10.0.0.1 enc aes-gcm-128 key $KEY_RL
	ctl $p policy add dev ipsec1 src 192.168.1.0/24 dst 192.168.2.0/24 reqid 1
	ctl $r sa add dev ipsec1 dir out spi 0x2001 reqid 1 src 10.0.0.2 dst 10.0.0.1 enc aes-gcm-128 key $KEY_RL
	ctl $r sa add dev ipsec1 dir in spi 0x1001 src 10.0.0.1 dst 10.0.0.2 enc aes-gcm-128 key $KEY_LR
	ctl $r policy add dev ipsec1 src 192.168.2.0/24 dst 192.168.1.0/24 reqid 1
	ip -n $p -d link show ipsec1 | has_match "link-netns $u" || fail "pair $n: device in $p does not name $u as its underlay"
	in_ns $p ping -c2 -W5 192.168.2.1 >/dev/null || fail "pair $n: tunnel does not work"
}

# flood FROM DST: ping -f from netns FROM to DST, until 200 more packets
# were decrypted by the peer's ipsec1 (PEER_NS).
flood() {
	local rx0
	rx0=$(link_counter "$3" ipsec1 rx_packets)
	spawn "$1" ping -f "$2"
	FLOOD=$SPAWNED_PID
	wait_until 120 counter_ge "$3" ipsec1 rx_packets $((rx0 + 200))
}

# ns_gone NS: delete NS now (its processes first); the cleanup at exit
# then has nothing left to do for it.
ns_gone() {
	local pids
	pids=$(ip netns pids "$1") || true
	[ -z "$pids" ] || kill $pids
	ip netns del "$1"
}

ipsec_load
ip link del ipsec0	# the one made at load: only this scenario's devices count

# ---- A: the underlay dies under the device ----
pair 1
flood p1 192.168.2.1 r1
assert_eq "$(lives)" "4 2 2" "A: live SAs, devices, policies before"
ns_gone u1
# The two SAs of p1's device go with their underlay (r1's two stay); both
# devices and their policies stay.
wait_until 60 lives_are "2 2 2"
ip -n p1 link show ipsec1 >/dev/null || fail "A: device vanished with its underlay"
! ip -n p1 -d link show ipsec1 | has_match link-netns || fail "A: device still names a link-netns: $(ip -n p1 -d link show ipsec1)"
assert_eq "$(ctl p1 dev list dev ipsec1 --json | jq -r '.[0].sa_count')" 0 "A: SA_COUNT after the underlay died"
kill -0 $FLOOD || fail "A: the flood in p1 died with the underlay"
# Routed into it: dropped (no SA, no underlay), counted as tx_dropped.
d0=$(link_counter p1 ipsec1 tx_dropped) e0=$(link_counter p1 ipsec1 tx_errors)
wait_until 30 counter_ge p1 ipsec1 tx_dropped $((d0 + 20))
assert_eq "$(link_counter p1 ipsec1 tx_errors)" "$e0" "A: tx_errors while the underlay is gone"
_lib_kill $FLOOD
err=$(ctl p1 sa add dev ipsec1 dir out spi 0x1002 reqid 1 src 10.0.0.1 dst 10.0.0.2 enc aes-gcm-128 key $KEY_LR 2>&1) &&
	fail "A: SA added to a device whose underlay is gone"
grep -q 'underlay netns is gone' <<<"$err" || fail "A: unexpected message: $err"
assert_eq "$(lives)" "2 2 2" "A: live objects after the refused add"
ip -n p1 link del ipsec1
ip -n r1 link del ipsec1
wait_until 30 lives_are "0 0 0"
progress "ok: A, underlay netns deleted under a flood: SAs freed, device detached and deletable"

# ---- B: the private netns dies, the underlay lives ----
pair 2
# The peer floods towards the device: its ESP arrives in u2 and is
# delivered to the device in p2 while p2 is destroyed.
flood r2 192.168.1.1 p2
ns_gone p2
# p2's device goes with its SAs and policy; r2's stay.
wait_until 60 lives_are "2 1 1"
_lib_kill $FLOOD
ip -n u2 link show veth0 >/dev/null || fail "B: the underlay lost its veth"
! ip -n u2 link show ipsec1 >/dev/null 2>&1 || fail "B: the device came back to its underlay"
# The inbound SPI 0x2001 is free again in u2: a new device there takes it.
ip -n u2 link add ipsec1 type ipsec
ip -n u2 addr add 192.168.1.1/32 dev ipsec1
ip -n u2 link set ipsec1 up
ip -n u2 route add 192.168.2.0/24 dev ipsec1 src 192.168.1.1
ctl u2 sa add dev ipsec1 dir out spi 0x1001 reqid 1 src 10.0.0.1 dst 10.0.0.2 enc aes-gcm-128 key $KEY_LR
ctl u2 sa add dev ipsec1 dir in spi 0x2001 src 10.0.0.2 dst 10.0.0.1 enc aes-gcm-128 key $KEY_RL
ctl u2 policy add dev ipsec1 src 192.168.1.0/24 dst 192.168.2.0/24 reqid 1
# (the peer's inbound SA saw the flood's sequence numbers: start it afresh)
ctl r2 sa del dev ipsec1 dir in spi 0x1001
ctl r2 sa add dev ipsec1 dir in spi 0x1001 src 10.0.0.1 dst 10.0.0.2 enc aes-gcm-128 key $KEY_LR
in_ns u2 ping -c2 -W5 192.168.2.1 >/dev/null || fail "B: the underlay's new device does not work"
assert_eq "$(lives)" "4 2 2" "B: live objects with the underlay's new device"
ns_gone u2
ns_gone r2
wait_until 60 lives_are "0 0 0"
progress "ok: B, private netns deleted under a flood: device and SAs freed, underlay unharmed"

# ---- C: both at once ----
pair 3
flood p3 192.168.2.1 r3
pids=$(ip netns pids p3) || true
[ -z "$pids" ] || kill $pids
ip netns del u3
ip netns del p3
wait_until 60 lives_are "2 1 1"
ns_gone r3
wait_until 60 lives_are "0 0 0"
progress "ok: C, underlay and private netns deleted together"

ipsec_unload
echo "ok: underlay or private netns destroyed with live devices and traffic: no leak, sane devices"
