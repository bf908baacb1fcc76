#!/bin/bash
# vm-timeout: 600
# AWS Site-to-Site VPN, two tunnels: Documentation/examples/aws-two-tunnels.conf
# used verbatim on the customer gateway (ipsecd), against two strongSwan
# peers set up as AWS's endpoints are (route-based: a VTI with a mark per
# tunnel, 0.0.0.0/0 selectors, the /30 inside address .1, DPD,
# aes128-sha1-modp1024). Both tunnels come up, each on its own ipsecN with
# its inside address from leftinterface-ip=; static routes send one VPC
# prefix over each; the inside addresses answer over their tunnel. The
# outer traffic to the peers never loops into the tunnels: each ipsecN's
# tx counter grows by exactly the pings routed into it, no outer packet
# was dropped as routed into its own tunnel, and the peers' addresses
# route via the underlay.
#
#   [lan1] h1 192.168.1.2 -- lan 192.168.1.1 [cgw ipsecd] ul 10.0.0.1 --+-- [inet br0]
#      ipsec1 169.254.10.2/30 -> 10.100.1.0/24, ipsec2 169.254.11.2/30 -> 10.100.2.0/24
#                                    +-- ul 10.0.0.2 [aws1 charon] vti100 169.254.10.1/30, lo 10.100.1.1
#                                    +-- ul 10.0.0.3 [aws2 charon] vti100 169.254.11.1/30, lo 10.100.2.1
. "$(dirname "$0")/lib.sh" topology ipsecd strongswan || exit 1

ipsec_load
ns_create lan1
ns_create cgw
ns_create inet
ip -n inet link add br0 type bridge
ip -n inet link set br0 up
veth_pair lan1 eth0 cgw lan
ip -n lan1 addr add 192.168.1.2/24 dev eth0
ip -n lan1 route add default via 192.168.1.1
ip -n cgw addr add 192.168.1.1/24 dev lan
in_ns cgw sysctl -qw net.ipv4.ip_forward=1
i=1
for ns in cgw aws1 aws2; do
	[ "$ns" = cgw ] || ns_create "$ns"
	veth_pair "$ns" ul inet "p$i"
	ip -n inet link set "p$i" master br0
	ip -n "$ns" addr add "10.0.0.$i/24" dev ul
	i=$((i + 1))
done

# The AWS endpoints: aws$n is 10.0.0.$((n+1)), VPC prefix 10.100.$n.0/24,
# inside 169.254.$((9+n)).1/30 on a VTI keyed 100 (charon's mark=100).
for n in 1 2; do
	ns=aws$n addr=10.0.0.$((n + 1))
	ip -n "$ns" addr add "10.100.$n.1/24" dev lo
	ip -n "$ns" link add vti100 type vti local "$addr" remote 10.0.0.1 key 100
	in_ns "$ns" sysctl -qw net.ipv4.conf.vti100.disable_policy=1
	ip -n "$ns" addr add "169.254.$((9 + n)).1/30" dev vti100
	ip -n "$ns" link set vti100 up
	ip -n "$ns" route add 192.168.1.0/24 dev vti100
	d=$(mktemp -d "/tmp/$ns.XXXXXX")
	# (<<- strips tabs: the conn body is indented with spaces, as starter wants.)
	cat >"$d/ipsec.conf" <<-EOC
		conn aws
		  left=$addr
		  leftsubnet=0.0.0.0/0
		  right=10.0.0.1
		  rightsubnet=0.0.0.0/0
		  authby=secret
		  keyexchange=ikev2
		  ike=aes128-sha1-modp1024!
		  esp=aes128-sha1-modp1024!
		  ikelifetime=8h
		  lifetime=1h
		  dpddelay=10s
		  dpdtimeout=30s
		  dpdaction=clear
		  mark=100
		  auto=add
	EOC
	grep "10.0.0.1 $addr " "$REPO/Documentation/examples/aws-two-tunnels.secrets" >"$d/ipsec.secrets"
	sswan_start "$ns" "$d"
done

d=$(mktemp -d /tmp/cgw.XXXXXX)
cp "$REPO/Documentation/examples/aws-two-tunnels.conf" "$d/ipsec.conf"
cp "$REPO/Documentation/examples/aws-two-tunnels.secrets" "$d/ipsec.secrets"
ipsecd_start cgw "$d"
ipsecd_wait_tunnels cgw 2 120
sswan_wait_child aws1 aws
sswan_wait_child aws2 aws

# leftinterface-ip= on each device; AWS's inside address answers over it.
ip -n cgw -4 addr show dev ipsec1 | has_match "inet 169.254.10.2/30" || fail "ipsec1 lacks 169.254.10.2/30: $(ip -n cgw addr show dev ipsec1)"
ip -n cgw -4 addr show dev ipsec2 | has_match "inet 169.254.11.2/30" || fail "ipsec2 lacks 169.254.11.2/30: $(ip -n cgw addr show dev ipsec2)"
in_ns cgw ping -c3 -i0.3 -W3 169.254.10.1 >/dev/null || fail "tunnel 1's inside address does not answer: $(ipsecd_log cgw)"
in_ns cgw ping -c3 -i0.3 -W3 169.254.11.1 >/dev/null || fail "tunnel 2's inside address does not answer"

# ipsecd routed no 0.0.0.0/0 into the devices (it holds the peers): the
# peers route via the underlay, and the operator's static routes pick the
# tunnel per VPC prefix.
for peer in 10.0.0.2 10.0.0.3; do
	in_ns cgw ip route get "$peer" | has_match "dev ul" || fail "$peer does not route via the underlay: $(in_ns cgw ip route get "$peer")"
done
ipsecd_log cgw | has_match "not routing 0.0.0.0/0 into ipsec1" || fail "no warning about the 0/0 route"
ip -n cgw route add 10.100.1.0/24 dev ipsec1
ip -n cgw route add 10.100.2.0/24 dev ipsec2

ctr() { link_counter cgw "$1" tx_packets; }
drops() { in_ns cgw "$IPSECCTL" dev list dev "$1" --json | jq '.[0].stats.drop_header'; }
t1=$(ctr ipsec1) t2=$(ctr ipsec2) r1=$(link_counter aws1 vti100 rx_packets) r2=$(link_counter aws2 vti100 rx_packets)
in_ns lan1 ping -c10 -i0.2 -W3 10.100.1.1 >/dev/null || fail "no traffic over tunnel 1"
in_ns lan1 ping -c7 -i0.2 -W3 10.100.2.1 >/dev/null || fail "no traffic over tunnel 2"
assert_eq $(($(ctr ipsec1) - t1)) 10 "packets into ipsec1 (exactly the pings to 10.100.1.0/24: nothing looped)"
assert_eq $(($(ctr ipsec2) - t2)) 7 "packets into ipsec2 (exactly the pings to 10.100.2.0/24)"
assert_eq $(($(link_counter aws1 vti100 rx_packets) - r1)) 10 "packets aws1's VTI decrypted"
assert_eq $(($(link_counter aws2 vti100 rx_packets) - r2)) 7 "packets aws2's VTI decrypted"
assert_eq "$(drops ipsec1)" 0 "outer packets routed into ipsec1 itself"
assert_eq "$(drops ipsec2)" 0 "outer packets routed into ipsec2 itself"

ipsecd_stop cgw
! ip -n cgw addr show dev ipsec1 | has_match 169.254.10.2 || fail "169.254.10.2 left on ipsec1 after ipsecd stopped"
ip -n cgw link del ipsec1
ip -n cgw link del ipsec2
ipsec_unload
echo "ok: AWS two tunnels from the example file: inside addresses, one VPC prefix per tunnel, no loop"
