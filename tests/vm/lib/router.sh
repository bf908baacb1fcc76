# shellcheck shell=bash
# Two sites behind gateways a and b, with router r between them whose link
# toward b has a smaller MTU than a's (41x path MTU scenarios). The
# subject "router" of lib.sh; loads "sites" (its PRIV_* and NET_* names;
# OUT_* are redefined for the routed underlay):
#
#  [ns ha] eth0 10.1.0.2                                          [ns hb] eth0 10.2.0.2
#    |                                                              |
#  lan0 10.1.0.254 [ns a] ipsec0     ...ESP...      ipsec0 [ns b] lan0 10.2.0.254
#                  ul0 192.0.2.1, 2001:db8:1::1       ul0 198.51.100.2, 2001:db8:2::2
#                   |  MTU 1500                          |  MTU LINK_MTU
#                  r0 192.0.2.254 ---- [ns r] ---- r1 198.51.100.254 (MTU LINK_MTU)
#                     2001:db8:1::fe                  2001:db8:2::fe

lib_use sites

OUT_A4=192.0.2.1 OUT_B4=198.51.100.2 OUT_A6=2001:db8:1::1 OUT_B6=2001:db8:2::2
HOST_A=10.1.0.2 HOST_B=10.2.0.2
LINK_MTU=1300

# router_sites LINK_MTU: the five netns above, forwarding on, underlay checked
# both families (no module loaded yet).
router_sites() {
	for ns in ha a r b hb; do ns_create $ns; done
	veth_pair ha eth0 a lan0
	veth_pair a ul0 r r0
	veth_pair r r1 b ul0
	veth_pair b lan0 hb eth0
	ip -n r link set r1 mtu "$1"
	ip -n b link set ul0 mtu "$1"
	ip -n ha addr add $HOST_A/24 dev eth0
	ip -n hb addr add $HOST_B/24 dev eth0
	ip -n ha route add default via 10.1.0.254
	ip -n hb route add default via 10.2.0.254
	ip -n a addr add 10.1.0.254/24 dev lan0
	ip -n b addr add 10.2.0.254/24 dev lan0
	ip -n a addr add $PRIV_A4/32 dev lo
	ip -n b addr add $PRIV_B4/32 dev lo
	ip -n a addr add $PRIV_A6/128 dev lo
	ip -n b addr add $PRIV_B6/128 dev lo
	ip -n a addr add $OUT_A4/24 dev ul0
	ip -n a addr add $OUT_A6/64 dev ul0 nodad
	ip -n r addr add 192.0.2.254/24 dev r0
	ip -n r addr add 2001:db8:1::fe/64 dev r0 nodad
	ip -n r addr add 198.51.100.254/24 dev r1
	ip -n r addr add 2001:db8:2::fe/64 dev r1 nodad
	ip -n b addr add $OUT_B4/24 dev ul0
	ip -n b addr add $OUT_B6/64 dev ul0 nodad
	ip -n a route add default via 192.0.2.254
	ip -n a -6 route add default via 2001:db8:1::fe
	ip -n b route add default via 198.51.100.254
	ip -n b -6 route add default via 2001:db8:2::fe
	for ns in a r b; do
		in_ns $ns sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
	done
	wait_until 10 in_ns a ping -c1 -W1 $OUT_B4
	wait_until 10 in_ns a ping -6 -c1 -W1 $OUT_B6
}
