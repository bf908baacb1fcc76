#!/bin/bash
# ECN on decapsulation, RFC 6040 4.2 (normal mode): ESP packets forged with
# scapy in b (an inbound SA on a whose key scapy knows) carry every
# interesting pair of outer and inner ECN fields; a UDP socket in a reads the
# DS field (IP_RECVTOS / IPV6_RECVTCLASS) of each inner packet delivered.
#   outer CE     over inner Not-ECT -> dropped, drop_ecn +1 (v4 and v6 inner)
#   outer CE     over ECT(0), ECT(1), CE -> CE
#   outer ECT(1) over ECT(0) -> ECT(1) (DSCP bits of the inner kept)
#   outer ECT(0) over Not-ECT, outer Not-ECT over ECT(1) -> inner unchanged
# vm-timeout: 600
#
#        [ns a] ipsec0, forge SA 0x4150                   [ns b] scapy
#   lo 10.1.0.1, fd01::1 (UDP socket reads the DS field)
#   ul0 192.0.2.1  ============== veth ==============  ul0 192.0.2.2
. "$(dirname "$0")/lib.sh" sites || exit 1

sites_create
SPI_F=$((0x4150)) KEY_F=$(rand_hex 20)
ctl a sa add dev ipsec0 dir in spi $SPI_F src $OUT_B4 dst $OUT_A4 enc aes-gcm-128 key $KEY_F \
	replay-window 64 sel $NET_B4-$NET_A4 sel $NET_B6-$NET_A6

# Cases: tag inner-family outer-DS inner-DS expected-DS ("drop": never delivered).
CASES="1 4 0x03 0x00 drop
2 6 0x03 0x00 drop
3 4 0x03 0x02 0x03
4 6 0x03 0x01 0x03
5 4 0x03 0x03 0x03
6 6 0x01 0x02 0x01
7 4 0x01 0xba 0xb9
8 4 0x02 0x00 0x00
9 6 0x00 0x01 0x01"

out=$(timeout 120 /usr/bin/python3 -c "$PY_SETNS"'
spi, key, cases = int(sys.argv[1]), bytes.fromhex(sys.argv[2][2:]), sys.argv[3]
enter("a")
socks = []
for fam, addr, lvl, opt in ((socket.AF_INET, "10.1.0.1", socket.IPPROTO_IP, socket.IP_RECVTOS),
                            (socket.AF_INET6, "fd01::1", socket.IPPROTO_IPV6, socket.IPV6_RECVTCLASS)):
    s = socket.socket(fam, socket.SOCK_DGRAM)
    s.setsockopt(lvl, opt, 1)
    s.bind((addr, 5151))
    s.settimeout(0.2)
    socks.append(s)
enter("b")
# Imported in b: scapy reads the routing table of the netns it starts in.
from scapy.all import IP, IPv6, UDP, Raw, send, conf
from scapy.layers.ipsec import ESP, SecurityAssociation
conf.verb = 0
sa = SecurityAssociation(ESP, spi=spi, crypt_algo="AES-GCM", crypt_key=key, auth_algo="NULL",
                         tunnel_header=IP(src="192.0.2.2", dst="192.0.2.1"))
want = {}
for seq, line in enumerate(cases.splitlines(), start=1):
    tag, fam, outer, inner, exp = line.split()
    if fam == "4":
        pkt = IP(src="10.2.0.1", dst="10.1.0.1", tos=int(inner, 16))
    else:
        pkt = IPv6(src="fd02::1", dst="fd01::1", tc=int(inner, 16))
    pkt = pkt / UDP(sport=5151, dport=5151) / Raw(tag.encode())
    sa.tunnel_header.tos = int(outer, 16)
    send(IP(bytes(sa.encrypt(pkt, seq_num=seq))))
    want[tag] = exp
got = {}
deadline = time.time() + 10
while time.time() < deadline and len(got) < sum(1 for e in want.values() if e != "drop"):
    for s in socks:
        try:
            data, anc, _, _ = s.recvmsg(64, 64)
        except socket.timeout:
            continue
        ds = [c[2][0] for c in anc if c[1] in (socket.IP_TOS, socket.IPV6_TCLASS)]
        got[data.decode()] = "0x%02x" % ds[0] if ds else "none"
time.sleep(0.5)  # a dropped packet would have arrived by now: look once more
for s in socks:
    try:
        data, anc, _, _ = s.recvmsg(64, 64)
        ds = [c[2][0] for c in anc if c[1] in (socket.IP_TOS, socket.IPV6_TCLASS)]
        got[data.decode()] = "0x%02x" % ds[0] if ds else "none"
    except socket.timeout:
        pass
for tag in sorted(want, key=int):
    print("case", tag, want[tag], got.get(tag, "drop"))' "$SPI_F" "$KEY_F" "$CASES" 2>&1) || fail "forging: $out"

bad=
n=0
while read -r word tag want got; do
	[ "$word" = case ] || continue
	n=$((n + 1))
	[ "$want" = "$got" ] || bad+=" case $tag: expected $want, got $got;"
done <<<"$out"
[ -z "$bad" ] || fail "inner DS field after decapsulation:$bad"
assert_eq $n 9 "cases checked (python output: $out)"
progress "ok: inner ECN per RFC 6040 for all $(wc -l <<<"$CASES") cases"

# The two drops are counted as ECN drops (device and SA), nothing else moved.
assert_eq "$(dev_stat a drop_ecn)" 2 "a ipsec0 drop_ecn"
assert_eq "$(sa_stat a in $SPI_F drop_ecn)" 2 "forge SA drop_ecn"
assert_eq "$(sa_stat a in $SPI_F rx_packets)" 7 "forge SA rx_packets"
for f in drop_auth drop_replay drop_pad drop_header drop_selector drop_nomem; do
	assert_eq "$(dev_stat a $f)" 0 "a ipsec0 $f"
done
# ip -s link: ECN drops are receive (frame) errors, as ip_tunnel counts them.
assert_eq "$(link_counter a ipsec0 rx_errors)" 2 "a ipsec0 rx_errors"
assert_eq "$(in_ns a cat /sys/class/net/ipsec0/statistics/rx_frame_errors)" 2 "a ipsec0 rx_frame_errors"
ctl a dev list dev ipsec0 | has_match "drops:.* ecn 2" || fail "ipsecctl dev list (text) does not print the ECN drops"
progress "ok: 2 ECN drops counted (drop_ecn, rx_errors, rx_frame_errors), 7 delivered"
ipsec_unload
