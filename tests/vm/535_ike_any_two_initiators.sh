#!/bin/bash
# vm-timeout: 420
# Security: two initiators on one "right=%any" responder connection never get
# each other's traffic. gw2's "anyone" connection accepts any peer with a
# subnet inside 192.168.0.0/16; gw1 and gw3 each bring up a child for their
# own LAN. Each child must have its own reqid on gw2 (a reqid shared per
# connection makes the module pick one outbound SA for both policies, and
# the traffic for lan3 goes to gw1). Checked: gw2 holds two children with
# distinct reqids; h2 pings h1 and h3 at the same time with no loss; each
# initiator decrypts the replies meant for it and nothing else (its inbound
# packet counter grows by its own ping count, not by both); when gw1 leaves,
# gw3's child stays and carries traffic.
#
#   [lan1] 192.168.1.2 -- [gw1 ipsecd] 10.0.0.1 ==ul== 10.0.0.2 [gw2 ipsecd] -- 192.168.2.2 [lan2]
#   [lan3] 192.168.3.2 -- [gw3 ipsecd] 10.0.3.1 ==ul3== 10.0.3.2 [gw2]
. "$(dirname "$0")/lib.sh" topology ipsecd || exit 1

ipsec_load
topo_v4
NS_GW3=gw3 NS_LAN3=lan3 GW3=10.0.3.1 H3=192.168.3.2 NET3=192.168.3.0/24
ns_create "$NS_GW3"
ns_create "$NS_LAN3"
veth_pair "$NS_GW3" ul3 "$NS_GW2" ul3
veth_pair "$NS_LAN3" eth0 "$NS_GW3" lan
ip -n "$NS_GW3" addr add $GW3/24 dev ul3
ip -n "$NS_GW2" addr add 10.0.3.2/24 dev ul3
ip -n "$NS_GW3" addr add 192.168.3.1/24 dev lan
ip -n "$NS_LAN3" addr add $H3/24 dev eth0
ip -n "$NS_LAN3" route add default via 192.168.3.1
ip -n "$NS_GW3" route add default via 10.0.3.2
in_ns "$NS_GW3" sysctl -qw net.ipv4.ip_forward=1
wait_until 10 in_ns "$NS_GW3" ping -c1 -W1 "$GW2"

PSK='any-two-initiators-psk-0815'
d2=$(mktemp -d /tmp/gw2.XXXXXX)
cat >"$d2/ipsec.conf" <<EOC
conn anyone
	left=$GW2
	leftsubnet=$NET2
	right=%any
	rightsubnet=192.168.0.0/16
	authby=secret
	auto=add
EOC
echo "$GW2 %any : PSK \"$PSK\"" >"$d2/ipsec.secrets"
ipsecd_start "$NS_GW2" "$d2"

# initiator_dir ADDR NET: an initiator's config directory (printed).
initiator_dir() {
	local d
	d=$(mktemp -d /tmp/init.XXXXXX)
	cat >"$d/ipsec.conf" <<-EOC
		conn site
			left=$1
			leftsubnet=$2
			right=$GW2
			rightsubnet=$NET2
			authby=secret
			auto=start
	EOC
	echo "$1 $GW2 : PSK \"$PSK\"" >"$d/ipsec.secrets"
	echo "$d"
}
ipsecd_start "$NS_GW1" "$(initiator_dir "$GW1" "$NET1")"
ipsecd_start "$NS_GW3" "$(initiator_dir "$GW3" "$NET3")"
ipsecd_wait_tunnels "$NS_GW1" 1 90
ipsecd_wait_tunnels "$NS_GW3" 1 90
ipsecd_wait_tunnels "$NS_GW2" 2 30

reqids=$(ictl "$NS_GW2" status --json |
	jq -r '[.ike_sas[].children[] | select(.state == "INSTALLED") | .reqid] | unique | length')
nchild=$(ictl "$NS_GW2" status --json |
	jq -r '[.ike_sas[].children[] | select(.state == "INSTALLED")] | length')
assert_eq "$nchild" 2 "children on gw2"
assert_eq "$reqids" 2 "distinct reqids among gw2's two children"

in_pkts() { ipsecd_traffic "$1" in_packets; }
before1=$(in_pkts "$NS_GW1") before3=$(in_pkts "$NS_GW3")
in_ns "$NS_LAN2" ping -c 40 -i 0.1 -W 2 -q "$H1" >/tmp/535.p1 2>&1 &
p1=$!
in_ns "$NS_LAN2" ping -c 40 -i 0.1 -W 2 -q "$H3" >/tmp/535.p3 2>&1 &
p3=$!
wait "$p1" || { cat /tmp/535.p1; ictl "$NS_GW2" status; fail "h2 -> h1: pings lost"; }
wait "$p3" || { cat /tmp/535.p3; ictl "$NS_GW2" status; fail "h2 -> h3: pings lost"; }
grep -q ' 0% packet loss' /tmp/535.p1 || fail "h2 -> h1: $(cat /tmp/535.p1)"
grep -q ' 0% packet loss' /tmp/535.p3 || fail "h2 -> h3: $(cat /tmp/535.p3)"
got1=$(($(in_pkts "$NS_GW1") - before1)) got3=$(($(in_pkts "$NS_GW3") - before3))
echo "gw1 decrypted $got1, gw3 decrypted $got3 (40 echo requests each)"
assert_ge "$got1" 40 "packets gw1 decrypted"
assert_ge "$got3" 40 "packets gw3 decrypted"
# Each initiator gets only its own 40 requests: a shared reqid would send
# all 80 to one of them.
[ "$got1" -lt 60 ] || fail "gw1 decrypted $got1 packets: it got gw3's traffic too"
[ "$got3" -lt 60 ] || fail "gw3 decrypted $got3 packets: it got gw1's traffic too"

# gw1 and gw3 leave one at a time: gw3's child survives gw1's departure.
ipsecd_stop "$NS_GW1"
wait_or_dump 30 "ipsecd_log $NS_GW2" \
	test "$(ictl "$NS_GW2" status --json | jq '[.ike_sas[].children[]] | length')" = 1
in_ns "$NS_LAN2" ping -c 10 -i 0.1 -W 2 -q "$H3" >/dev/null || fail "h2 -> h3 after gw1 left"
ipsecd_stop "$NS_GW3"
ipsecd_stop "$NS_GW2"
echo "PASS: two initiators on one %any connection, reqids apart, traffic apart"
