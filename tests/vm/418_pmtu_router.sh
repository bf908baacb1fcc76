#!/bin/bash
# Path MTU past the first hop: router r's link toward site b has MTU 1300
# while a's own link is 1500, so a's full-size outer ESP is dropped at r,
# which answers with ICMP "fragmentation needed" (ICMPv6 "packet too big")
# quoting it. The module must take that ICMP (the quoted SPI is a's
# outbound SA, sent from a to b), lower the path MTU toward b in a's
# underlay, and refuse the next inner packets that no longer fit with an
# inner ICMP carrying the inner MTU. Then a 4 MB TCP transfer from host ha
# (behind a) to host hb (behind b) completes; without it, TCP black-holes.
# Cases: raw ESP and ESP-in-UDP (NAT-T, port 4500) over IPv4 and IPv6
# underlays (AES-GCM-128; inner MTU over 1300: raw v4 1246, UDP v4 1238,
# raw v6 1226, UDP v6 1218). Against the module without icmp_err.c the raw
# ESP transfer times out; ESP-in-UDP completes there too (the kernel's
# udp_err() lowers the PMTU for the socket) but icmp_pmtu stays 0. Then forged ICMP: our SPI quoted with the wrong peer,
# or an MTU not below the quoted packet's size, is ignored and counted.
# vm-timeout: 600
#
#  [ns ha] eth0 10.1.0.2                                          [ns hb] eth0 10.2.0.2
#    |                                                              |
#  lan0 10.1.0.254 [ns a] ipsec0     ...ESP...      ipsec0 [ns b] lan0 10.2.0.254
#                  ul0 192.0.2.1, 2001:db8:1::1       ul0 198.51.100.2, 2001:db8:2::2
#                   |  MTU 1500                          |  MTU 1300
#                  r0 192.0.2.254 ---- [ns r] ---- r1 198.51.100.254 (MTU 1300)
#                     2001:db8:1::fe                  2001:db8:2::fe
. "$(dirname "$0")/lib.sh" router || exit 1

router_sites $LINK_MTU
ipsec_load

# route_mtu NS DST: the MTU `ip route get` reports for DST (a learnt path
# MTU shows as "mtu N" on the cached route), empty when there is none.
route_mtu() {
	ip -n "$1" route get "$2" | sed -n 's/.* mtu \([0-9]*\).*/\1/p'
}

# pmtu_case NAME OUTER INNER_MTU [EXTRA...]: fresh ipsec0 on a and b, one SA
# pair over OUTER (4|6) with EXTRA words (encap), then the transfer.
pmtu_case() {
	local name=$1 outer=$2 want=$3 peer holders=()
	shift 3
	peer=$OUT_B4
	[ "$outer" = 4 ] || peer=$OUT_B6
	# Forget what the previous case learnt (checked below).
	for ns in a b ha; do
		ip -n $ns route flush cache
		ip -n $ns -6 route flush cache >/dev/null 2>&1 || true
	done
	site_ipsec a $NET_B4 $NET_B6 $PRIV_A4 $PRIV_A6
	site_ipsec b $NET_A4 $NET_A6 $PRIV_B4 $PRIV_B6
	tunnel_manual aes-gcm-128 "$outer" $((0x4160)) $((0x4161)) "$@"
	if [[ " $* " == *" encap "* ]]; then
		for ns in a b; do
			if [ "$outer" = 4 ]; then
				spawn $ns "$IPSECCTL" encap attach dev ipsec0 port 4500
			else
				spawn $ns "$IPSECCTL" encap attach dev ipsec0 port 4500 addr ::
			fi
			holders+=("$SPAWNED_PID")
		done
		wait_until 10 sh -c "ip netns exec a $IPSECCTL dev list dev ipsec0 | grep -q 'encap-port 4500'"
		wait_until 10 sh -c "ip netns exec b $IPSECCTL dev list dev ipsec0 | grep -q 'encap-port 4500'"
	fi
	wait_until 20 in_ns ha ping -c1 -W1 $HOST_B
	[ -z "$(route_mtu a "$peer")" ] || fail "$name: a already has a path MTU toward $peer"
	local icmp0
	icmp0=$(dev_stat a icmp_pmtu)

	tcp_transfer ha hb $HOST_B 4000000

	assert_eq "$(route_mtu a "$peer")" $LINK_MTU "$name: path MTU a learnt toward $peer"
	assert_ge $(($(dev_stat a icmp_pmtu) - icmp0)) 1 "$name: ICMP too-big taken by the module (icmp_pmtu)"
	assert_eq "$(dev_stat a icmp_ignored)" 0 "$name: icmp_ignored"
	assert_ge "$(dev_stat a drop_mtu)" 1 "$name: inner packets refused as too big (drop_mtu)"
	assert_eq "$(route_mtu ha $HOST_B)" "$want" "$name: path MTU ha learnt from the inner ICMP"
	progress "ok: $name: 4 MB through, outer path MTU $LINK_MTU, inner $want"
	for pid in "${holders[@]}"; do _lib_kill "$pid"; done
	ip -n a link del ipsec0
	ip -n b link del ipsec0
}

pmtu_case "raw ESP over IPv4" 4 1246
pmtu_case "ESP-in-UDP over IPv4" 4 1238 encap 4500:4500
pmtu_case "raw ESP over IPv6" 6 1226
pmtu_case "ESP-in-UDP over IPv6" 6 1218 encap 4500:4500

# Hostile ICMP, sent from r to a: frag-needed quoting an ESP packet with
# a's outbound SPI (1) toward another peer, (2) from a to b but claiming
# an MTU (1400) not below the quoted packet's size (1000). Both ignored,
# counted, and no path MTU toward b appears.
ip -n a route flush cache
site_ipsec a $NET_B4 $NET_B6 $PRIV_A4 $PRIV_A6
site_ipsec b $NET_A4 $NET_A6 $PRIV_B4 $PRIV_B6
tunnel_manual aes-gcm-128 4 $((0x4170)) $((0x4171))
ign0=$(dev_stat a icmp_ignored)
in_ns r /usr/bin/python3 -c '
import socket, struct, sys
def csum(b):
    if len(b) % 2: b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    s = (s >> 16) + (s & 0xffff); s += s >> 16
    return ~s & 0xffff
def ip4(src, dst, proto, payload, tot=None):
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, tot or 20 + len(payload), 0, 0x4000, 64, proto, 0,
                    socket.inet_aton(src), socket.inet_aton(dst))
    return h[:10] + struct.pack("!H", csum(h)) + h[12:] + payload
spi = int(sys.argv[1], 0)
esp = struct.pack("!II", spi, 7) + bytes(56)
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
for dst, mtu in (("203.0.113.9", 1300), ("198.51.100.2", 1400)):
    quote = ip4("192.0.2.1", dst, 50, esp, tot=1000)
    icmp = struct.pack("!BBHHH", 3, 4, 0, 0, mtu) + quote
    icmp = icmp[:2] + struct.pack("!H", csum(icmp)) + icmp[4:]
    s.sendto(icmp, ("192.0.2.1", 0))
' $((0x4170))
wait_until 10 sh -c "[ \$(ip netns exec a $IPSECCTL dev list dev ipsec0 --json | jq '.[0].stats.icmp_ignored') -ge $((ign0 + 2)) ]"
assert_eq "$(route_mtu a $OUT_B4)" "" "path MTU toward b after forged ICMP"
assert_eq "$(route_mtu a 203.0.113.9)" "" "path MTU toward the forged peer"
assert_eq "$(sa_stat a out $((0x4170)) icmp_ignored)" 2 "per-SA icmp_ignored"
progress "ok: forged ICMP ignored and counted"
ip -n a link del ipsec0
ip -n b link del ipsec0
ipsec_unload
