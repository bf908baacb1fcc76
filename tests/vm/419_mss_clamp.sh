#!/bin/bash
# TCP MSS clamping on an ipsec device (issue 18), where path MTU discovery
# cannot work: router r's link toward b is 1300 bytes and every ICMP
# "fragmentation needed" / "packet too big" is dropped (on r and on the
# gateways a and b), as on paths that filter ICMP. a's ipsec0 has MTU 1240
# (inner packets of 1240 fit in 1300 as raw ESP with AES-GCM-128) for 1
# and 2, its default 1438 for 3.
#  1. clamping off: a 4 MB TCP transfer ha -> hb stalls (full-size segments
#     vanish silently: the proof that the path needs it);
#  2. `ipsecctl dev set dev ipsec0 mss-clamp on` on a only: hb sees ha's
#     SYN with MSS 1200 (1240 - 40, lowered on transmit), ha sees hb's
#     SYN-ACK with MSS 1200 (lowered on receive, after decapsulation), and
#     the same transfer completes;
#  3. mss-clamp 1100: 1100 for IPv4, 1080 for an IPv6 SYN (a ceiling below
#     the MTU's), and the transfers complete.
# vm-timeout: 600
#
#  [ns ha] eth0 10.1.0.2                                          [ns hb] eth0 10.2.0.2
#    |                                                              |
#  lan0 10.1.0.254 [ns a] ipsec0 (MTU 1240) ...ESP... ipsec0 [ns b] lan0 10.2.0.254
#                  ul0 192.0.2.1                      ul0 198.51.100.2 (MTU 1300)
#                   |                                    |
#                  r0 ---------------- [ns r] ---------- r1 (MTU 1300)
#        ICMP frag-needed / packet-too-big dropped in r, a and b
. "$(dirname "$0")/lib.sh" router || exit 1

router_sites $LINK_MTU
for ns in r a b; do
	ip netns exec $ns nft -f - <<-EOF
		table inet no_pmtud {
			chain no_pmtud_out { type filter hook output priority 0; policy accept;
				icmp type destination-unreachable icmp code frag-needed drop
				icmpv6 type packet-too-big drop
			}
			chain no_pmtud_fwd { type filter hook forward priority 0; policy accept;
				icmp type destination-unreachable icmp code frag-needed drop
				icmpv6 type packet-too-big drop
			}
		}
	EOF
done
ipsec_load
site_ipsec a $NET_B4 $NET_B6 $PRIV_A4 $PRIV_A6
site_ipsec b $NET_A4 $NET_A6 $PRIV_B4 $PRIV_B6
ip -n a link set ipsec0 mtu 1240
tunnel_manual aes-gcm-128 4 $((0x4190)) $((0x4191))
wait_until 20 in_ns ha ping -c1 -W1 $HOST_B

# syn_mss NS DEV FILTER CMD...: run CMD while capturing, in NS on DEV, the
# first packet matching the pcap FILTER; prints the MSS option it carried.
syn_mss() {
	local ns=$1 dev=$2 filter=$3 pid
	shift 3
	spawn "$ns" tcpdump -i "$dev" -nn -l -c1 "$filter"
	pid=$SPAWNED_PID
	wait_until 10 grep -q "listening on" "/tmp/spawn.$pid.log"
	"$@"
	wait_until 10 grep -q "packet captured" "/tmp/spawn.$pid.log"
	grep -o 'mss [0-9]*' "/tmp/spawn.$pid.log" | head -n1 | cut -d' ' -f2
}
SYN='tcp[tcpflags] & (tcp-syn|tcp-ack) == tcp-syn'
SYNACK='tcp[tcpflags] & (tcp-syn|tcp-ack) == (tcp-syn|tcp-ack)'
SYN6='ip6 and ip6[6] == 6 and ip6[53] & 0x12 == 0x02'	# TCP right after the IPv6 header

# ---- 1: off, the transfer stalls ----
( tcp_transfer ha hb $HOST_B 4000000 20 ) 2>/dev/null &&
	fail "the transfer completed without clamping: the path does not need it"
progress "ok: without MSS clamping the TCP transfer stalls (no PMTU discovery)"

# ---- 2: on, from the MTU ----
ctl a dev set dev ipsec0 mss-clamp on
ctl a dev list dev ipsec0 | has_match 'mss-clamp on' || fail "dev list does not show mss-clamp on"
assert_eq "$(syn_mss hb eth0 "$SYN" tcp_transfer ha hb $HOST_B 100000)" 1200 "SYN MSS at hb"
assert_eq "$(syn_mss ha eth0 "$SYNACK" tcp_transfer ha hb $HOST_B 100000)" 1200 "SYN-ACK MSS at ha"
tcp_transfer ha hb $HOST_B 4000000
tcp_transfer hb ha $HOST_A 1000000
progress "ok: mss-clamp on: MSS 1200 both ways, 4 MB through"

# ---- 3: a ceiling below the MTU's, IPv4 and IPv6 ----
# (IPv6 needs an MTU of 1280 or more: the default again, and the route that
# went with IPv6 when the MTU was lowered.)
ip -n a link set ipsec0 mtu 1438
ip -n a -6 route replace $NET_B6 dev ipsec0 src $PRIV_A6
ctl a dev set dev ipsec0 mss-clamp 1100
assert_eq "$(ctl a dev list dev ipsec0 --json | jq -r '.[0].mss_clamp')" 1100 "mss_clamp in dev list --json"
assert_eq "$(syn_mss hb eth0 "$SYN" tcp_transfer ha hb $HOST_B 1000000)" 1100 "SYN MSS at hb, ceiling 1100"
assert_eq "$(syn_mss b ipsec0 "$SYN6" tcp_transfer a b $PRIV_B6 1000000)" 1080 "IPv6 SYN MSS at b, ceiling 1100"
progress "ok: mss-clamp 1100: IPv4 MSS 1100, IPv6 MSS 1080"

# Bad values are refused, off is off again.
! ctl a dev set dev ipsec0 mss-clamp 100 2>/dev/null || fail "mss-clamp 100 accepted"
ctl a dev set dev ipsec0 mss-clamp off
assert_eq "$(ctl a dev list dev ipsec0 --json | jq -r '.[0].mss_clamp')" off "mss_clamp after off"
ip -n a link del ipsec0
ip -n b link del ipsec0
ipsec_unload
echo "ok: TCP MSS clamping per device, both directions, both families"
