#!/bin/bash
# An ipsec device moved to a private netns keeps sending and receiving its
# ESP in the netns it was created in (the underlay), like VTI/xfrmi. The
# private netns has no route to the underlay at all.
#
#   [ns lpriv] ipsec1 192.168.1.1        [ns right] ipsec1 192.168.2.1
#        (created in ns left, moved)          (created and used in right)
#   [ns left]  veth0 10.0.0.1/24 -------- veth0 10.0.0.2/24 [ns right]
# vm-timeout: 180
. "$(dirname "$0")/lib.sh" || exit 1

KEY_LR=0x0102030405060708090a0b0c0d0e0f1011121314
KEY_RL=0x2122232425262728292a2b2c2d2e2f3031323334

ipsec_load
ns_create left
ns_create right
ns_create lpriv
veth_pair left veth0 right veth0
ip -n left addr add 10.0.0.1/24 dev veth0
ip -n right addr add 10.0.0.2/24 dev veth0

ip -n left link add ipsec1 type ipsec
ip -n left link set ipsec1 netns lpriv
ip -n right link add ipsec1 type ipsec
ip -n lpriv -d link show ipsec1 | has_match 'link-netns left' ||
	fail "moved device does not report its underlay (link-netns left): $(ip -n lpriv -d link show ipsec1)"

ip -n lpriv addr add 192.168.1.1/32 dev ipsec1
ip -n lpriv link set ipsec1 up
ip -n lpriv route add 192.168.2.0/24 dev ipsec1 src 192.168.1.1
ip -n right addr add 192.168.2.1/32 dev ipsec1
ip -n right link set ipsec1 up
ip -n right route add 192.168.1.0/24 dev ipsec1 src 192.168.2.1

# The device lives in lpriv, so it is configured from there.
in_ns lpriv "$IPSECCTL" sa add dev ipsec1 dir out spi 0x1001 reqid 1 src 10.0.0.1 dst 10.0.0.2 \
	enc aes-gcm-128 key $KEY_LR
in_ns lpriv "$IPSECCTL" sa add dev ipsec1 dir in spi 0x2001 src 10.0.0.2 dst 10.0.0.1 \
	enc aes-gcm-128 key $KEY_RL
in_ns lpriv "$IPSECCTL" policy add dev ipsec1 src 192.168.1.0/24 dst 192.168.2.0/24 reqid 1
in_ns right "$IPSECCTL" sa add dev ipsec1 dir out spi 0x2001 reqid 1 src 10.0.0.2 dst 10.0.0.1 \
	enc aes-gcm-128 key $KEY_RL
in_ns right "$IPSECCTL" sa add dev ipsec1 dir in spi 0x1001 src 10.0.0.1 dst 10.0.0.2 \
	enc aes-gcm-128 key $KEY_LR
in_ns right "$IPSECCTL" policy add dev ipsec1 src 192.168.2.0/24 dst 192.168.1.0/24 reqid 1

# lpriv cannot reach the underlay itself.
! in_ns lpriv ping -c1 -W1 10.0.0.2 >/dev/null 2>&1 || fail "lpriv reaches the underlay directly"

esp_before=$(link_counter left veth0 tx_packets)
in_ns lpriv ping -c5 -i0.2 -W3 192.168.2.1
esp_after=$(link_counter left veth0 tx_packets)
assert_ge $((esp_after - esp_before)) 5 "packets sent by left's veth0 (the underlay)"
assert_eq "$(link_counter lpriv ipsec1 tx_packets)" 5 "ipsec1 tx_packets in lpriv"
assert_eq "$(link_counter lpriv ipsec1 rx_packets)" 5 "ipsec1 rx_packets in lpriv"
assert_eq "$(link_counter right ipsec1 rx_packets)" 5 "ipsec1 rx_packets in right"
assert_eq "$(link_counter lpriv ipsec1 rx_errors)" 0 "ipsec1 rx_errors in lpriv"

# Moving it back keeps working too, and the underlay is still left.
ip -n lpriv link set ipsec1 netns left
ip -n left link set ipsec1 up
ip -n left addr add 192.168.1.1/32 dev ipsec1
ip -n left route add 192.168.2.0/24 dev ipsec1 src 192.168.1.1
in_ns left ping -c2 -i0.2 -W3 192.168.2.1

ip -n left link del ipsec1
ip -n right link del ipsec1
ipsec_unload
echo "ok: device moved to a private netns keeps its underlay; traffic both ways; clean unload"
