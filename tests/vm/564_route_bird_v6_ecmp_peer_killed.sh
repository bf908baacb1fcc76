#!/bin/bash
# vm-timeout: 600
# vm-suite: full
# IPv6 route-based tunnels with BGP to two peers (issue 23, seed 004): gwA
# has one tunnel to gwB (ipsec1) and one to gwC (ipsec2), IPv6 underlay,
# ::/0 selectors, /126 inside addresses (leftinterface-ip=). gwB and gwC
# both announce 2001:db8:2::/64 (an anycast service prefix, the address
# 2001:db8:2::1 on each), so BIRD 2 on gwA installs it as one ECMP route
# with a next hop in each ipsecN. Then the peer whose tunnel carries the
# ping flow is killed (SIGKILL: no Delete, no BGP Notification): BGP's
# hold timer (3 s) withdraws that next hop, gwA's DPD (2 s / 6 s) clears
# the dead tunnel, and the flow moves to the other tunnel. The ping loss is
# measured, printed and bounded.
#
#   [lanA] hA 2001:db8:1::2 -- lan [gwA ipsecd+bird AS65001] ul1 fd00:1::1 ==== fd00:1::2 [gwB AS65002] lan 2001:db8:2::1
#                                                            ul2 fd00:2::1 ==== fd00:2::2 [gwC AS65003] lan 2001:db8:2::1
#          ipsec1 fd00:a:1::1/126 <--- tunnel t1 / BGP ---> fd00:a:1::2/126 ipsec1 (gwB)
#          ipsec2 fd00:a:2::1/126 <--- tunnel t2 / BGP ---> fd00:a:2::2/126 ipsec1 (gwC)
. "$(dirname "$0")/lib.sh" topology ipsecd bird || exit 1

ipsec_load
for ns in lanA gwA gwB gwC; do
	ns_create "$ns"
	# No DAD: addresses usable at once (on the ipsecN devices too).
	in_ns "$ns" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
done
veth_pair lanA eth0 gwA lan
veth_pair gwA ul1 gwB ul
veth_pair gwA ul2 gwC ul
ip -n lanA addr add 2001:db8:1::2/64 dev eth0 nodad
ip -n lanA route add default via 2001:db8:1::1
ip -n gwA addr add 2001:db8:1::1/64 dev lan nodad
in_ns gwA sysctl -qw net.ipv6.conf.all.forwarding=1
for p in 1 2; do ip -n gwA addr add "fd00:$p::1/64" dev "ul$p" nodad; done
ip -n gwB addr add fd00:1::2/64 dev ul nodad
ip -n gwC addr add fd00:2::2/64 dev ul nodad
for ns in gwB gwC; do
	ip -n "$ns" link add lan type dummy
	ip -n "$ns" addr add 2001:db8:2::1/64 dev lan nodad
	ip -n "$ns" link set lan up
done

conf() { # conf DIR NAME P SELF PEER AUTO DEV [EXTRA]: one conn over path P
	cat >>"$1/ipsec.conf" <<-EOC
		conn $2
			authby=secret
			ike=aes256gcm16-prfsha256-ecp256
			esp=aes256gcm16
			left=fd00:$3::$4
			right=fd00:$3::$5
			leftsubnet=::/0
			rightsubnet=::/0
			ipsec-interface=$7
			leftinterface-ip=fd00:a:$3::$4/126
			auto=$6
			${8:-}
	EOC
	printf 'fd00:%s::1 fd00:%s::2 : PSK "bird v6 ecmp tunnel %s key 0123"\n' "$3" "$3" "$3" >>"$1/ipsec.secrets"
}
dA=$(mktemp -d /tmp/gwA.XXXXXX) dB=$(mktemp -d /tmp/gwB.XXXXXX) dC=$(mktemp -d /tmp/gwC.XXXXXX)
dpd="dpddelay=2s
			dpdtimeout=6s
			dpdaction=clear"
conf "$dA" t1 1 1 2 start 1 "$dpd"
conf "$dA" t2 2 1 2 start 2 "$dpd"
conf "$dB" t1 1 2 1 add 1
conf "$dC" t2 2 2 1 add 1
ipsecd_start gwB "$dB"
ipsecd_start gwC "$dC"
ipsecd_start gwA "$dA"
ipsecd_wait_tunnels gwA 2 120

# BIRD: gwB and gwC announce their "lan" prefix; gwA merges the two paths.
birdconf() { # birdconf FILE SELF NEIGHBOR...   (NEIGHBOR: name,address,as)
	local f=$1 me=$2 n
	shift 2
	cat >"$f" <<-EOC
		router id 10.0.0.$me;
		log stderr all;
		protocol device { scan time 1; }
		protocol direct { ipv6; interface "lan"; }
		protocol kernel { ipv6 { import none; export all; }; merge paths on; }
		template bgp tun {
			local as 6500$me;
			hold time 3;
			keepalive time 1;
			connect retry time 1;
			error wait time 1, 4;
			ipv6 { import all; export where source = RTS_DEVICE; };
		}
	EOC
	for n in "$@"; do
		IFS=, read -r name addr as <<<"$n"
		echo "protocol bgp $name from tun { neighbor $addr as $as; }" >>"$f"
	done
}
birdconf "$dA/bird.conf" 1 t1,fd00:a:1::2,65002 t2,fd00:a:2::2,65003
birdconf "$dB/bird.conf" 2 t1,fd00:a:1::1,65001
birdconf "$dC/bird.conf" 3 t2,fd00:a:2::1,65001
bird_start gwA "$dA/bird.conf"
bird_start gwB "$dB/bird.conf"
bird_start gwC "$dC/bird.conf"
dump="bird_dump gwA; bird_dump gwB; bird_dump gwC; ipsecd_log gwA; ip -n gwA -6 route"
for t in t1 t2; do wait_or_dump 60 "$dump" bird_bgp_up gwA "$t"; done

ecmp() { # both next hops present on gwA
	local r
	r=$(ip -n gwA -6 route show 2001:db8:2::/64)
	grep -q "via fd00:a:1::2 dev ipsec1" <<<"$r" && grep -q "via fd00:a:2::2 dev ipsec2" <<<"$r"
}
wait_or_dump 30 "$dump" ecmp
echo "gwA: $(ip -n gwA -6 route show 2001:db8:2::/64 | tr -s '\n\t' '  ')"

act=$(ecmp_flow_dev gwA lanA 2001:db8:2::1)
other=$((3 - act))
peers=(- gwB gwC)
victim=${peers[$act]}

# Kill the peer behind the flow's tunnel while pinging every 0.1 s for 16 s.
failover_ping lanA 2001:db8:2::1 16 ipsecd_kill "$victim"
echo "failover: $victim's ipsecd killed; $FO_LOST of $FO_SENT pings lost (~$((FO_LOST * 100)) ms at 0.1 s)"
# Hold time 3 s + BIRD's kernel sync, under a loaded TCG VM: 8 s at most.
[ "$FO_LOST" -le 80 ] || fail "$FO_LOST pings lost in the failover (bound 80 = 8 s): $(eval "$dump")"
[ "$FO_LOST" -ge 1 ] || fail "no ping lost: the killed peer did not carry the flow"
assert_ge "$FO_GOT" 40 "pings answered over the other tunnel after the failover"

# The dead next hop is withdrawn, the flow uses ipsec$other, and DPD has
# cleared the dead tunnel (only t$other left in gwA's trafficstatus).
r=$(ip -n gwA -6 route show 2001:db8:2::/64)
! grep -q "dev ipsec$act" <<<"$r" || fail "gwA still routes into ipsec$act: $r"
grep -q "dev ipsec$other" <<<"$r" || fail "gwA lost the route over ipsec$other: $r"
! bird_bgp_up gwA "t$act" || fail "BGP t$act still Established after its peer was killed"
only_other() { [ "$(ictl gwA trafficstatus --json | jq -c "[.tunnels[].conn] | unique")" = "[\"t$other\"]" ]; }
wait_or_dump 30 "$dump; ictl gwA trafficstatus" only_other
before=$(link_counter gwA "ipsec$other" tx_packets)
in_ns lanA ping -c5 -i0.2 -W3 2001:db8:2::1 >/dev/null || fail "no traffic after the failover"
assert_ge $(($(link_counter gwA "ipsec$other" tx_packets) - before)) 5 "pings into ipsec$other after the failover"

ipsecd_stop gwA
for ns in gwB gwC; do [ "$ns" = "$victim" ] || ipsecd_stop "$ns"; done
for ns in gwA gwB gwC; do ip -n "$ns" link del ipsec1; done
ip -n gwA link del ipsec2
ipsec_unload
echo "ok: BIRD IPv6 ECMP over ipsec1+ipsec2 to two peers, $victim killed: $FO_LOST pings lost, flow moved to ipsec$other"
