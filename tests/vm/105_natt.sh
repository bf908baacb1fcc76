#!/bin/bash
# NAT-T (RFC 3948): both ends send ESP in UDP from port 4500 on the
# socket attached with `ipsecctl encap attach` (the daemon's way); traffic
# flows both ways, no raw ESP is on the wire, and detaching by killing the
# holder restores the socket.
#
#   [ns a] ipsec1 192.168.1.1                [ns b] ipsec1 192.168.2.1
#          veth0 10.0.0.1:4500 ----------- veth0 10.0.0.2:4500
# vm-timeout: 240
. "$(dirname "$0")/lib.sh" || exit 1

K1=0x0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f2021222324
K2=0x2122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f4041424344

ipsec_load
ns_create a
ns_create b
veth_pair a veth0 b veth0
ip -n a addr add 10.0.0.1/24 dev veth0
ip -n b addr add 10.0.0.2/24 dev veth0
for side in a b; do
	if [ $side = a ]; then me=1 peer=2 kout=$K1 kin=$K2 so=0x1001 si=0x2001; else
		me=2 peer=1 kout=$K2 kin=$K1 so=0x2001 si=0x1001; fi
	ip -n $side link add ipsec1 type ipsec
	ip -n $side link set ipsec1 up
	ip -n $side addr add 192.168.$me.1/32 dev ipsec1
	ip -n $side route add 192.168.$peer.0/24 dev ipsec1 src 192.168.$me.1
	in_ns $side "$IPSECCTL" sa add dev ipsec1 dir out spi $so reqid 1 src 10.0.0.$me dst 10.0.0.$peer \
		enc chacha20-poly1305 key $kout encap 4500:4500
	in_ns $side "$IPSECCTL" sa add dev ipsec1 dir in spi $si src 10.0.0.$peer dst 10.0.0.$me \
		enc chacha20-poly1305 key $kin encap 4500:4500
	in_ns $side "$IPSECCTL" policy add dev ipsec1 src 192.168.$me.0/24 dst 192.168.$peer.0/24 reqid 1
	spawn $side "$IPSECCTL" encap attach dev ipsec1 port 4500
done
wait_until 10 sh -c "ip netns exec a ss -uln | grep -q ':4500 ' && ip netns exec b ss -uln | grep -q ':4500 '"
wait_until 10 sh -c "ip netns exec a $IPSECCTL dev list dev ipsec1 | grep -q 'encap-port 4500'"

esp0=$(in_ns b nstat -az UdpInDatagrams | awk '/UdpInDatagrams/{print $2}')
in_ns a ping -c4 -i0.2 -W3 192.168.2.1 >/dev/null
assert_eq "$(link_counter a ipsec1 rx_packets)" 4 "a: decrypted replies"
assert_eq "$(link_counter b ipsec1 rx_packets)" 4 "b: decrypted requests"
# The ESP reached b's UDP layer (UDP datagrams counted), none as raw ESP:
# with no xfrm state, raw ESP would show up as XfrmInNoStates.
esp1=$(in_ns b nstat -az UdpInDatagrams | awk '/UdpInDatagrams/{print $2}')
assert_ge $((esp1 - esp0)) 4 "ESP-in-UDP datagrams taken by b's UDP layer"
if [ -r /proc/net/xfrm_stat ]; then
	assert_eq "$(in_ns b awk '/XfrmInNoStates/{print $2}' /proc/net/xfrm_stat)" 0 "raw ESP seen by XFRM at b"
fi

# An attached socket holds the module: its close calls our encap_destroy
# outside any lock, so the module must outlive it (rmmod: EBUSY).
! rmmod ipsec_tun 2>/dev/null || fail "rmmod succeeded with encap sockets attached"
[ -e /sys/module/ipsec_tun ] || fail "module gone with encap sockets attached"
ip -n a link del ipsec1
ip -n b link del ipsec1
ipsec_unload
echo "ok: ESP in UDP 4500 both ways on the attached sockets"
