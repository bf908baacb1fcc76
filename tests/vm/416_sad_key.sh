#!/bin/bash
# vm-suite: full
# Inbound SAs are found by RFC 4301's SAD key (SPI, destination, ESP), not
# by SPI alone. In a, SPI 0x4160 exists three times: an ipsec_tun SA to
# 192.0.2.1 (ipsec0), a host XFRM SA to 192.0.2.11, and an ipsec_tun SA to
# 192.0.2.12 on ipsec1, a device created in a and moved into netns c (a
# "container" whose root manages it). scapy in b sends ESP for each with that
# SA's own key: each lands in its own stack (counted there, no ICV failure
# anywhere). Duplicates are refused (EEXIST) only for the same (SPI,
# destination): of another device, of XFRM, or moved there by UPD_SA; an
# UPD_SA to a free destination moves the SA and its traffic with it.
# vm-timeout: 900
#
#        [ns c] ipsec1 (underlay a)
#        [ns a] ipsec0, XFRM state                         [ns b] scapy
#   ul0 192.0.2.1 (ipsec0), .11 (XFRM), .12/.13 (ipsec1)
#   ul0 192.0.2.1  ============== veth ==============  ul0 192.0.2.2
. "$(dirname "$0")/lib.sh" sites || exit 1

modprobe xfrm_user
modprobe esp4
sites_create
ns_create c
for a in 11 12 13; do ip -n a addr add 192.0.2.$a/24 dev ul0; done
SPI=$((0x4160))
K0=$(rand_hex 20) KX=$(rand_hex 20) K1=$(rand_hex 20)
ctl a sa add dev ipsec0 dir in spi $SPI src $OUT_B4 dst $OUT_A4 enc aes-gcm-128 key $K0 \
	sel $NET_B4-$NET_A4
ip -n a xfrm state add src $OUT_B4 dst 192.0.2.11 proto esp spi $SPI mode tunnel \
	aead 'rfc4106(gcm(aes))' $KX 128
ctl a dev add dev ipsec1 >/dev/null
ip -n a link set ipsec1 netns c
ip -n c link set ipsec1 up

# refused TEXT ipsecctl-args... (in c): exit 1 with EEXIST and TEXT.
refused() {
	local want=$1 out rc=0
	shift
	out=$(ctl c "$@" 2>&1) || rc=$?
	assert_eq $rc 1 "exit status of: ipsecctl $*"
	grep -qF "File exists" <<<"$out" || fail "ipsecctl $*: expected EEXIST in: $out"
	grep -qF "$want" <<<"$out" || fail "ipsecctl $*: expected '$want' in: $out"
}
SA1="sa add dev ipsec1 dir in spi $SPI src $OUT_B4 enc aes-gcm-128 key $K1"
# shellcheck disable=SC2086
refused "an inbound SA with this SPI and destination exists in the underlay netns" $SA1 dst $OUT_A4
# shellcheck disable=SC2086
refused "XFRM has an SA with this SPI and destination" $SA1 dst 192.0.2.11
# shellcheck disable=SC2086
ctl c $SA1 dst 192.0.2.12 sel $NET_B4-$NET_A4
# shellcheck disable=SC2086
refused "an SA with this SPI and direction exists on the device" $SA1 dst 192.0.2.13
# The same SPI over IPv6 is another SAD key.
# shellcheck disable=SC2086
ctl c sa add dev ipsec1 dir in spi $((SPI + 1)) src $OUT_B6 dst $OUT_A6 enc aes-gcm-128 key $K1
ctl a sa add dev ipsec0 dir in spi $((SPI + 1)) src $OUT_B6 dst 2001:db8::11 enc aes-gcm-128 key $K1
progress "ok: duplicates refused per (SPI, destination), the same SPI accepted for another destination"

# forge DST KEY SEQ N: scapy in b sends N ESP packets (SPI 0x4160, AES-GCM
# with KEY, sequence numbers from SEQ) to DST, inner ICMP 10.2.0.1 -> 10.1.0.1.
forge() {
	in_ns b /usr/bin/python3 - "$@" <<PY
import sys
from scapy.all import IP, ICMP, Raw, send, conf
from scapy.layers.ipsec import ESP, SecurityAssociation
conf.verb = 0
dst, key, seq, n = sys.argv[1], bytes.fromhex(sys.argv[2][2:]), int(sys.argv[3]), int(sys.argv[4])
sa = SecurityAssociation(ESP, spi=$SPI, crypt_algo="AES-GCM", crypt_key=key, auth_algo="NULL",
                         tunnel_header=IP(src="$OUT_B4", dst=dst))
for i in range(n):
    inner = IP(src="$PRIV_B4", dst="$PRIV_A4") / ICMP(type=0, id=4160) / Raw(b"x" * 32)
    send(IP(bytes(sa.encrypt(inner, seq_num=seq + i))))
PY
}
# xfrm_packets: packets the XFRM state to 192.0.2.11 decrypted, and its failures.
xfrm_packets() {
	ip -n a -s xfrm state get src $OUT_B4 dst 192.0.2.11 proto esp spi $SPI |
		awk '/lifetime current:/ { getline; sub(/\(packets\)/, "", $2); p = $2 }
		     /^[ \t]*stats:/ { getline; f = $2 + $4 + $6 } END { print p, f }'
}
sa1_stat() { # sa1_stat FIELD: a counter of ipsec1's SA 0x4160 (read in c)
	ctl c sa list dev ipsec1 --json |
		jq -er --arg s "$(spi_hex $SPI)" '.[] | select(.dir == "in" and .spi == $s) | .stats.'"$1"
}

forge $OUT_A4 $K0 1 3
forge 192.0.2.11 $KX 1 4
forge 192.0.2.12 $K1 1 5
wait_value 10 = 3 sa_stat a in $SPI rx_packets
wait_value 10 = 5 sa1_stat rx_packets
wait_value 10 = "4 0" xfrm_packets
assert_eq "$(dev_stat a drop_auth)" 0 "ipsec0 ICV failures (another stack's packets)"
assert_eq "$(ctl c dev list dev ipsec1 --json | jq -r '.[0].stats.drop_auth')" 0 "ipsec1 ICV failures"
assert_eq "$(in_ns a grep -w XfrmInNoStates /proc/net/xfrm_stat | awk '{print $2}')" 0 "XfrmInNoStates"
progress "ok: one SPI, three destinations: ipsec0 3, XFRM 4, ipsec1 (in netns c) 5 packets, no ICV failure"

# UPD_SA moves ipsec1's SA: not onto a taken key, onto a free one (and its
# traffic follows; the old destination is no longer ours).
out=$(ctl c sa update dev ipsec1 dir in spi $SPI dst $OUT_A4 2>&1) && fail "UPD_SA onto ipsec0's key passed"
grep -qF "this SPI and destination exists" <<<"$out" || fail "UPD_SA onto a taken key: $out"
out=$(ctl c sa update dev ipsec1 dir in spi $SPI dst 192.0.2.11 2>&1) && fail "UPD_SA onto XFRM's key passed"
grep -qF "XFRM has an SA" <<<"$out" || fail "UPD_SA onto XFRM's key: $out"
forge 192.0.2.12 $K1 6 1 # still there after the refusals
wait_value 10 = 6 sa1_stat rx_packets
ctl c sa update dev ipsec1 dir in spi $SPI dst 192.0.2.13
assert_eq "$(ctl c sa list dev ipsec1 --json | jq -r --arg s "$(spi_hex $SPI)" '.[] | select(.spi == $s) | .dst')" \
	192.0.2.13 "ipsec1 SA destination after UPD_SA"
forge 192.0.2.13 $K1 7 2
forge 192.0.2.12 $K1 9 1 # the old destination: XFRM's now, and it has no such state
wait_value 10 = 8 sa1_stat rx_packets
wait_value 10 = 1 in_ns a awk '$1 == "XfrmInNoStates" { print $2 }' /proc/net/xfrm_stat
progress "ok: UPD_SA refuses taken keys, moves the SA to a free one, traffic follows"
ip -n c link del ipsec1
ip -n a xfrm state flush
ipsec_unload
