# shellcheck shell=bash
# Site-to-site topology for the IKE interop scenarios (tests/vm/5*.sh).
# The subject "topology" of lib.sh (`. lib.sh topology`). Two gateways joined by an underlay veth, each with a
# private LAN in its own netns behind it:
#
#   [lan1] h1 ---- [gw1] ==== underlay ==== [gw2] ---- h2 [lan2]
#
# IPv4 (topo_v4):
#   lan1 192.168.1.2/24  gw1 192.168.1.1 | 10.0.0.1/24   gw2 10.0.0.2/24 | 192.168.2.1  lan2 192.168.2.2/24
# IPv6 (topo_v6):
#   lan1 fd01:1::2/64    gw1 fd01:1::1   | fd00::1/64    gw2 fd00::2/64  | fd01:2::1    lan2 fd01:2::2/64
#
# Gateways forward (ip_forward / forwarding on); each LAN host has a default
# route via its gateway. The gateways have NO route to the other LAN except
# the default route on gw*: traffic to the other LAN leaves only through
# IPsec (ipsec0 route on our side, XFRM policy on a strongSwan/libreswan
# side). With TOPO_NO_DEFAULT=1 the gateways get no default route at all.
#
# NAT (topo_nat_v4): gw1 sits behind a NAT router netns doing nftables
# masquerade (source NAT to its outside address, ports remapped) - the
# NAT-T case, RFC 3948:
#
#   [lan1] h1 -- [gw1] 10.1.0.2 ==in== 10.1.0.1 [nat] 10.0.0.1 ==ul== 10.0.0.2 [gw2] -- h2 [lan2]
#
#   GW1=10.1.0.2 (gw1's own, private address: its left=), GW1_PUB=10.0.0.1
#   (what gw2 sees: the NAT's outside address), GW2=10.0.0.2. gw1's default
#   route goes to the NAT, gw2's to the NAT's outside address; the NAT has
#   no route to either LAN. LANs as in topo_v4. capture_start/assert_esp_only
#   work unchanged: gw1's "ul" is its link to the NAT, so the union of what
#   gw1 and gw2 send covers both underlay segments.
#
# Names used by scenarios: NS_LAN1 NS_GW1 NS_GW2 NS_LAN2 (NS_NAT), GW1 GW2
# (underlay addresses), H1 H2 (LAN hosts), NET1 NET2 (LAN prefixes), UL_IF
# (underlay interface name in both gateways: "ul").
#
# Helpers (each documented where defined below):
#   topo_v4  topo_v6  topo_nat_v4  topo_v4_second_subnets
#   capture_start  capture_stop  capture_count FILTER  assert_esp_only MIN
#   conn_ends 1|2            the left/right lines of gw1's or gw2's conn
#   conn_block NAME [KEY=VALUE...]  "conn NAME" and its tab-indented lines;
#                            a KEY given again replaces its earlier value in
#                            the earlier place (defaults, then overrides)
#   psk_secrets FILE LINE... an ipsec.secrets of these lines, mode 600
#   ping_lan COUNT           wait_or_dump TIMEOUT DUMP CMD...
#
# conn_block and psk_secrets need no topology: the benchmarks (bench/vm/)
# write their configs, however many conns, with them too.

NS_LAN1=lan1 NS_GW1=gw1 NS_GW2=gw2 NS_LAN2=lan2 NS_NAT=nat UL_IF=ul

_topo_common() {
	ns_create "$NS_LAN1"
	ns_create "$NS_GW1"
	ns_create "$NS_GW2"
	ns_create "$NS_LAN2"
	veth_pair "$NS_LAN1" eth0 "$NS_GW1" lan
	veth_pair "$NS_GW1" "$UL_IF" "$NS_GW2" "$UL_IF"
	veth_pair "$NS_GW2" lan "$NS_LAN2" eth0
}

topo_v4() {
	_topo_common
	GW1=10.0.0.1 GW2=10.0.0.2 H1=192.168.1.2 H2=192.168.2.2
	NET1=192.168.1.0/24 NET2=192.168.2.0/24 LGW1=192.168.1.1 LGW2=192.168.2.1
	ip -n "$NS_LAN1" addr add 192.168.1.2/24 dev eth0
	ip -n "$NS_GW1" addr add 192.168.1.1/24 dev lan
	ip -n "$NS_GW1" addr add 10.0.0.1/24 dev "$UL_IF"
	ip -n "$NS_GW2" addr add 10.0.0.2/24 dev "$UL_IF"
	ip -n "$NS_GW2" addr add 192.168.2.1/24 dev lan
	ip -n "$NS_LAN2" addr add 192.168.2.2/24 dev eth0
	ip -n "$NS_LAN1" route add default via 192.168.1.1
	ip -n "$NS_LAN2" route add default via 192.168.2.1
	if [ "${TOPO_NO_DEFAULT:-0}" != 1 ]; then
		ip -n "$NS_GW1" route add default via 10.0.0.2
		ip -n "$NS_GW2" route add default via 10.0.0.1
	fi
	in_ns "$NS_GW1" sysctl -qw net.ipv4.ip_forward=1
	in_ns "$NS_GW2" sysctl -qw net.ipv4.ip_forward=1
	wait_until 10 in_ns "$NS_GW1" ping -c1 -W1 10.0.0.2
}

# topo_v4_second_subnets: after topo_v4, a second subnet on each side
# (seed 000's 2x2): 192.168.3.0/24 behind gw1 (lan1 192.168.3.2),
# 192.168.4.0/24 behind gw2 (lan2 192.168.4.2).
topo_v4_second_subnets() {
	ip -n "$NS_LAN1" addr add 192.168.3.2/24 dev eth0
	ip -n "$NS_GW1" addr add 192.168.3.1/24 dev lan
	ip -n "$NS_LAN2" addr add 192.168.4.2/24 dev eth0
	ip -n "$NS_GW2" addr add 192.168.4.1/24 dev lan
}

topo_nat_v4() {
	ns_create "$NS_LAN1"
	ns_create "$NS_GW1"
	ns_create "$NS_NAT"
	ns_create "$NS_GW2"
	ns_create "$NS_LAN2"
	veth_pair "$NS_LAN1" eth0 "$NS_GW1" lan
	veth_pair "$NS_GW1" "$UL_IF" "$NS_NAT" in
	veth_pair "$NS_NAT" "$UL_IF" "$NS_GW2" "$UL_IF"
	veth_pair "$NS_GW2" lan "$NS_LAN2" eth0
	GW1=10.1.0.2 GW1_PUB=10.0.0.1 GW2=10.0.0.2 H1=192.168.1.2 H2=192.168.2.2
	NET1=192.168.1.0/24 NET2=192.168.2.0/24 LGW1=192.168.1.1 LGW2=192.168.2.1
	ip -n "$NS_LAN1" addr add 192.168.1.2/24 dev eth0
	ip -n "$NS_GW1" addr add 192.168.1.1/24 dev lan
	ip -n "$NS_GW1" addr add 10.1.0.2/24 dev "$UL_IF"
	ip -n "$NS_NAT" addr add 10.1.0.1/24 dev in
	ip -n "$NS_NAT" addr add 10.0.0.1/24 dev "$UL_IF"
	ip -n "$NS_GW2" addr add 10.0.0.2/24 dev "$UL_IF"
	ip -n "$NS_GW2" addr add 192.168.2.1/24 dev lan
	ip -n "$NS_LAN2" addr add 192.168.2.2/24 dev eth0
	ip -n "$NS_LAN1" route add default via 192.168.1.1
	ip -n "$NS_LAN2" route add default via 192.168.2.1
	ip -n "$NS_GW1" route add default via 10.1.0.1
	ip -n "$NS_GW2" route add default via 10.0.0.1
	in_ns "$NS_GW1" sysctl -qw net.ipv4.ip_forward=1
	in_ns "$NS_NAT" sysctl -qw net.ipv4.ip_forward=1
	in_ns "$NS_GW2" sysctl -qw net.ipv4.ip_forward=1
	# Masquerade everything leaving on the outside, and forward only what
	# the NAT's conntrack knows from the inside: gw2 cannot open a flow to
	# gw1 (a real NAT, not a router).
	in_ns "$NS_NAT" nft -f - <<-'EONFT'
		table ip nat {
			chain postrouting {
				type nat hook postrouting priority srcnat; policy accept;
				oifname "ul" masquerade random
			}
		}
		table ip filter {
			chain forward {
				type filter hook forward priority filter; policy drop;
				iifname "in" oifname "ul" accept
				iifname "ul" oifname "in" ct state established,related accept
			}
		}
	EONFT
	wait_until 10 in_ns "$NS_GW1" ping -c1 -W1 10.0.0.2
}

topo_v6() {
	_topo_common
	GW1=fd00::1 GW2=fd00::2 H1=fd01:1::2 H2=fd01:2::2
	NET1=fd01:1::/64 NET2=fd01:2::/64 LGW1=fd01:1::1 LGW2=fd01:2::1
	local ns
	for ns in "$NS_LAN1" "$NS_GW1" "$NS_GW2" "$NS_LAN2"; do
		in_ns "$ns" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
	done
	ip -n "$NS_LAN1" addr add fd01:1::2/64 dev eth0 nodad
	ip -n "$NS_GW1" addr add fd01:1::1/64 dev lan nodad
	ip -n "$NS_GW1" addr add fd00::1/64 dev "$UL_IF" nodad
	ip -n "$NS_GW2" addr add fd00::2/64 dev "$UL_IF" nodad
	ip -n "$NS_GW2" addr add fd01:2::1/64 dev lan nodad
	ip -n "$NS_LAN2" addr add fd01:2::2/64 dev eth0 nodad
	ip -n "$NS_LAN1" -6 route add default via fd01:1::1
	ip -n "$NS_LAN2" -6 route add default via fd01:2::1
	if [ "${TOPO_NO_DEFAULT:-0}" != 1 ]; then
		ip -n "$NS_GW1" -6 route add default via fd00::2
		ip -n "$NS_GW2" -6 route add default via fd00::1
	fi
	in_ns "$NS_GW1" sysctl -qw net.ipv6.conf.all.forwarding=1
	in_ns "$NS_GW2" sysctl -qw net.ipv6.conf.all.forwarding=1
	wait_until 10 in_ns "$NS_GW1" ping -c1 -W1 fd00::2
}

# capture_start: tcpdump of what each gateway SENDS on its underlay
# interface (-Q out), into two pcaps, until capture_stop. Outbound only:
# on an XFRM peer the decrypted inner packet is seen again as *received* on
# the underlay interface, which is not on the wire. The union of both
# gateways' output is exactly what crossed the underlay.
CAPTURE_PCAPS=() CAPTURE_PIDS=()
capture_start() {
	local ns pcap
	CAPTURE_PCAPS=() CAPTURE_PIDS=()
	for ns in "$NS_GW1" "$NS_GW2"; do
		pcap=$(mktemp /tmp/capture.XXXXXX.pcap)
		spawn "$ns" tcpdump --immediate-mode -U -n -Q out -i "$UL_IF" -w "$pcap"
		CAPTURE_PCAPS+=("$pcap")
		CAPTURE_PIDS+=("$SPAWNED_PID")
		# tcpdump says "listening on" once the socket is open.
		wait_until 20 grep -q 'listening on' "/tmp/spawn.$SPAWNED_PID.log"
	done
}

capture_stop() {
	local pid
	sleep 0.5
	for pid in "${CAPTURE_PIDS[@]}"; do
		kill -INT "$pid" 2>/dev/null || true
		wait_until 10 _capture_gone "$pid"
	done
}

_capture_gone() {
	! kill -0 "$1" 2>/dev/null
}

# capture_count FILTER: packets in the last capture matching a tcpdump filter.
capture_count() {
	local pcap n=0 c
	for pcap in "${CAPTURE_PCAPS[@]}"; do
		c=$(tcpdump -n -r "$pcap" "$@" 2>/dev/null | wc -l)
		n=$((n + c))
	done
	echo "$n"
}

# assert_esp_only MIN: the underlay capture holds at least MIN ESP packets
# (IP proto 50, or ESP in UDP 4500 with a non-zero SPI) and no ICMP/ICMPv6
# echo in clear between the LAN hosts.
assert_esp_only() {
	local esp clear
	esp=$(($(capture_count 'ip proto 50 or ip6 proto 50') +
		$(capture_count 'udp port 4500 and udp[8:4] != 0 and greater 60')))
	assert_ge "$esp" "$1" "ESP packets on the underlay"
	clear=$(capture_count "(icmp or icmp6) and host $H1")
	assert_eq "$clear" 0 "clear-text ICMP between $H1 and $H2 on the underlay"
}

# conn_ends 1|2: the lines of a conn on gw1 (1) or gw2 (2) naming both
# ends: addresses, FQDN IDs @gw1.example / @gw2.example and the LANs (gw2
# reaches gw1 at GW1_PUB behind topo_nat_v4's NAT), tab-indented.
conn_ends() {
	local l=$GW1 lid=@gw1.example lnet=$NET1 r=$GW2 rid=@gw2.example rnet=$NET2
	[ "$1" = 1 ] || { l=$GW2 lid=@gw2.example lnet=$NET2 r=${GW1_PUB:-$GW1} rid=@gw1.example rnet=$NET1; }
	printf '\tleft=%s\n\tleftid=%s\n\tleftsubnet=%s\n\tright=%s\n\trightid=%s\n\trightsubnet=%s\n' \
		"$l" "$lid" "$lnet" "$r" "$rid" "$rnet"
}

# conn_block NAME [KEY=VALUE...]: "conn NAME" and one tab-indented line
# per KEY=VALUE, in the order given, for ipsec.conf (ipsecd, strongSwan and
# libreswan alike). A KEY given again later in the list replaces its
# earlier value, in the earlier place: defaults first, then the caller's
# overrides.
conn_block() {
	local l i
	local -a kv=()
	printf 'conn %s\n' "$1"
	for l in "${@:2}"; do
		for i in "${!kv[@]}"; do
			[ "${kv[i]%%=*}" != "${l%%=*}" ] || { kv[i]=$l; continue 2; }
		done
		kv+=("$l")
	done
	for l in "${kv[@]}"; do printf '\t%s\n' "$l"; done
}

# psk_secrets FILE LINE...: FILE (an ipsec.secrets) holds the LINEs, one
# each, e.g. '@a @b : PSK "key"'; it is mode 600 before the keys are in it
# (ipsecd_spawn, sswan_start and lsw_start chmod it again anyway).
psk_secrets() {
	install -m 600 /dev/null "$1"
	printf '%s\n' "${@:2}" >"$1"
}

# ping_lan COUNT: COUNT echo requests from H1 to H2 all answered.
ping_lan() {
	in_ns "$NS_LAN1" ping -c "$1" -i 0.2 -W 3 "$H2" >/dev/null
}

# wait_or_dump TIMEOUT DUMP CMD...: as wait_until, but on timeout run DUMP
# (a command printing the logs that explain it) to stderr before failing.
wait_or_dump() {
	local timeout=$1 dump=$2 deadline
	shift 2
	deadline=$(($(date +%s%N) + timeout * 1000000000))
	until "$@" >/dev/null 2>&1; do
		if [ "$(date +%s%N)" -ge "$deadline" ]; then
			echo "--- timed out after ${timeout}s waiting for: $*; logs:" >&2
			eval "$dump" >&2 || true
			fail "timed out after ${timeout}s waiting for: $*"
		fi
		sleep 0.2
	done
}
