#!/bin/bash
# vm-timeout: 600
# vm-suite: full
# Route-based tunnels with BGP (issue 23, seed 004's shape): two sites, two
# tunnels between them over two independent underlay paths, each tunnel its
# own ipsecN with 0.0.0.0/0 selectors and /30 inside addresses
# (leftinterface-ip=; site B's second tunnel picks its device with
# strongSwan's if_id_in=/if_id_out=). BIRD 2 on each site speaks eBGP over
# both tunnels and installs the far LAN as one ECMP route with a next hop in
# each ipsecN. Then the underlay path of the tunnel carrying the ping flow
# goes down: BGP's hold timer (3 s) withdraws that next hop on both sites and
# the flow moves to the other tunnel. The ping loss during the failover is
# measured, printed, and must stay under a bound; traffic flows afterwards
# over the surviving tunnel only. IPv4 inside and outside.
#
#   [lanA] hA 192.168.1.2 -- lan [gwA ipsecd+bird AS65001] ul1 10.0.1.1 ===== 10.0.1.2 ul1 [gwB ipsecd+bird AS65002] lan -- hB 192.168.2.2 [lanB]
#                                                          ul2 10.0.2.1 ===== 10.0.2.2 ul2
#             ipsec1 169.254.1.1/30 <--- tunnel t1 / BGP t1 ---> 169.254.1.2/30 ipsec1
#             ipsec2 169.254.2.1/30 <--- tunnel t2 / BGP t2 ---> 169.254.2.2/30 ipsec2
. "$(dirname "$0")/lib.sh" topology ipsecd bird || exit 1

ipsec_load
for ns in lanA gwA gwB lanB; do ns_create "$ns"; done
veth_pair lanA eth0 gwA lan
veth_pair gwB lan lanB eth0
veth_pair gwA ul1 gwB ul1
veth_pair gwA ul2 gwB ul2
ip -n lanA addr add 192.168.1.2/24 dev eth0
ip -n lanA route add default via 192.168.1.1
ip -n lanB addr add 192.168.2.2/24 dev eth0
ip -n lanB route add default via 192.168.2.1
ip -n gwA addr add 192.168.1.1/24 dev lan
ip -n gwB addr add 192.168.2.1/24 dev lan
for p in 1 2; do
	ip -n gwA addr add "10.0.$p.1/24" dev "ul$p"
	ip -n gwB addr add "10.0.$p.2/24" dev "ul$p"
done
for ns in gwA gwB; do
	# ECMP with asymmetric returns: no reverse-path filter on the gateways.
	in_ns "$ns" sysctl -qw net.ipv4.ip_forward=1 net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0
done

# ipsecd: gwA (self=1) starts both tunnels, gwB (self=2) answers.
conf() { # conf DIR SELF PEER AUTO
	local dir=$1 me=$2 peer=$3
	cat >"$dir/ipsec.conf" <<-EOC
		conn %default
			authby=secret
			ike=aes256gcm16-prfsha256-ecp256
			esp=aes256gcm16
			leftsubnet=0.0.0.0/0
			rightsubnet=0.0.0.0/0
			auto=$4
		conn t1
			left=10.0.1.$me
			right=10.0.1.$peer
			ipsec-interface=1
			leftinterface-ip=169.254.1.$me/30
		conn t2
			left=10.0.2.$me
			right=10.0.2.$peer
			${5:-ipsec-interface=2}
			leftinterface-ip=169.254.2.$me/30
	EOC
	printf '10.0.1.1 10.0.1.2 : PSK "bird ecmp tunnel one key 0123"\n10.0.2.1 10.0.2.2 : PSK "bird ecmp tunnel two key 4567"\n' >"$dir/ipsec.secrets"
}
dA=$(mktemp -d /tmp/gwA.XXXXXX) dB=$(mktemp -d /tmp/gwB.XXXXXX)
conf "$dA" 1 2 start
conf "$dB" 2 1 add "if_id_in=2
			if_id_out=0x2"
ipsecd_start gwB "$dB"
ipsecd_start gwA "$dA"
ipsecd_wait_tunnels gwA 2 120
ipsecd_wait_tunnels gwB 2 60

# BIRD: the LAN out to both BGP neighbours, their LAN in, ECMP into the kernel.
birdconf() { # birdconf FILE SELF PEER
	cat >"$1" <<-EOC
		router id 10.0.0.$2;
		log stderr all;
		protocol device { scan time 1; }
		protocol direct { ipv4; interface "lan"; }
		protocol kernel { ipv4 { import none; export all; }; merge paths on; }
		template bgp tun {
			local as 6500$2;
			hold time 3;
			keepalive time 1;
			connect retry time 1;
			error wait time 1, 4;
			ipv4 { import all; export where source = RTS_DEVICE; };
		}
		protocol bgp t1 from tun { neighbor 169.254.1.$3 as 6500$3; }
		protocol bgp t2 from tun { neighbor 169.254.2.$3 as 6500$3; }
	EOC
}
birdconf "$dA/bird.conf" 1 2
birdconf "$dB/bird.conf" 2 1
bird_start gwA "$dA/bird.conf"
bird_start gwB "$dB/bird.conf"
dump="bird_dump gwA; bird_dump gwB; ipsecd_log gwA"
for ns in gwA gwB; do
	for t in t1 t2; do wait_or_dump 60 "$dump" bird_bgp_up "$ns" "$t"; done
done

# One route per far LAN, with a next hop in each tunnel, on both sites.
ecmp() { # ecmp NS PREFIX PEER: both next hops present
	local r
	r=$(ip -n "$1" route show "$2")
	grep -q "via 169.254.1.$3 dev ipsec1" <<<"$r" && grep -q "via 169.254.2.$3 dev ipsec2" <<<"$r"
}
wait_or_dump 30 "$dump; ip -n gwA route" ecmp gwA 192.168.2.0/24 2
wait_or_dump 30 "$dump; ip -n gwB route" ecmp gwB 192.168.1.0/24 1
echo "gwA: $(ip -n gwA route show 192.168.2.0/24 | tr -s '\n\t' '  ')"

# Which tunnel the hA -> hB flow hashes to (L3 hash: always the same one).
act=$(ecmp_flow_dev gwA lanA 192.168.2.2)
other=$((3 - act))

# Take its underlay path down while pinging every 0.1 s for 12 s.
failover_ping lanA 192.168.2.2 12 ip -n gwA link set "ul$act" down
sent=$FO_SENT got=$FO_GOT lost=$FO_LOST
echo "failover: ipsec$act's path down; $lost of $sent pings lost (~$((lost * 100)) ms at 0.1 s)"
# Hold time 3 s + BIRD's kernel sync, under a loaded TCG VM: 8 s at most.
[ "$lost" -le 80 ] || fail "$lost pings lost in the failover (bound 80 = 8 s): $(eval "$dump")"
[ "$lost" -ge 1 ] || fail "no ping lost: the path taken down did not carry the flow"
assert_ge "$got" 30 "pings answered over the other tunnel after the failover"

# The withdrawn next hop is gone on both sites; the flow uses ipsec$other.
r=$(ip -n gwA route show 192.168.2.0/24)
! grep -q "dev ipsec$act" <<<"$r" || fail "gwA still routes into ipsec$act: $r"
grep -q "dev ipsec$other" <<<"$r" || fail "gwA lost the route over ipsec$other: $r"
wait_or_dump 15 "$dump; ip -n gwB route" bash -c "! ip -n gwB route show 192.168.1.0/24 | grep -q 'dev ipsec$act'"
before=$(link_counter gwA "ipsec$other" tx_packets)
in_ns lanA ping -c5 -i0.2 -W3 192.168.2.2 >/dev/null || fail "no traffic after the failover"
assert_ge $(($(link_counter gwA "ipsec$other" tx_packets) - before)) 5 "pings into ipsec$other after the failover"

ipsecd_stop gwA
ipsecd_stop gwB
for ns in gwA gwB; do ip -n "$ns" link del ipsec1; ip -n "$ns" link del ipsec2; done
ipsec_unload
echo "ok: BIRD ECMP over ipsec1+ipsec2, path of ipsec$act down: $lost pings lost, flow moved to ipsec$other"
