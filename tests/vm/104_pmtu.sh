#!/bin/bash
# Path MTU through the tunnel: the underlay link has MTU 1400, so with
# AES-GCM-16 over IPv4 the largest inner packet is 1400-20-8-8-16 = 1356,
# 4-aligned with the 2-byte trailer: 1346. A DF ping bigger than that gets
# "fragmentation needed" (IPv6: "packet too big") with mtu 1346, is counted
# as DROP_MTU, and then fits. Without DF the outer packet is fragmented.
#
#   [ns a] ipsec1 192.168.1.1 fd01::1          [ns b] ipsec1 192.168.2.1 fd02::1
#          veth0 10.0.0.1 ---- mtu 1400 ---- veth0 10.0.0.2
# vm-timeout: 240
. "$(dirname "$0")/lib.sh" || exit 1

K1=0x0102030405060708090a0b0c0d0e0f1011121314
K2=0x2122232425262728292a2b2c2d2e2f3031323334

ipsec_load
ns_create a
ns_create b
veth_pair a veth0 b veth0
ip -n a link set veth0 mtu 1400
ip -n b link set veth0 mtu 1400
ip -n a addr add 10.0.0.1/24 dev veth0
ip -n b addr add 10.0.0.2/24 dev veth0
for side in a b; do
	if [ $side = a ]; then me=1 peer=2 kout=$K1 kin=$K2 so=0x1001 si=0x2001; else
		me=2 peer=1 kout=$K2 kin=$K1 so=0x2001 si=0x1001; fi
	ip -n $side link add ipsec1 type ipsec
	ip -n $side link set ipsec1 up
	ip -n $side addr add 192.168.$me.1/32 dev ipsec1
	ip -n $side addr add fd0$me::1/128 dev ipsec1 nodad
	ip -n $side route add 192.168.$peer.0/24 dev ipsec1 src 192.168.$me.1
	ip -n $side route add fd0$peer::/64 dev ipsec1 src fd0$me::1
	in_ns $side "$IPSECCTL" sa add dev ipsec1 dir out spi $so reqid 1 src 10.0.0.$me dst 10.0.0.$peer \
		enc aes-gcm-128 key $kout
	in_ns $side "$IPSECCTL" sa add dev ipsec1 dir in spi $si src 10.0.0.$peer dst 10.0.0.$me \
		enc aes-gcm-128 key $kin
	in_ns $side "$IPSECCTL" policy add dev ipsec1 src 192.168.$me.0/24 dst 192.168.$peer.0/24 reqid 1
	in_ns $side "$IPSECCTL" policy add dev ipsec1 src fd0$me::/64 dst fd0$peer::/64 reqid 1
done
wait_until 10 in_ns a ping -c1 -W1 192.168.2.1

drops() { in_ns a "$IPSECCTL" dev list dev ipsec1 | sed -n "/drops:/s/.* $1 \([0-9][0-9]*\).*/\1/p"; }

# IPv4 with DF: 1400 + 28 = 1428 bytes fits ipsec1 (1438) but not the path.
out=$(in_ns a ping -c1 -W2 -M do -s 1400 192.168.2.1 2>&1) && fail "oversized DF ping passed: $out"
grep -q 'mtu[ =]*1346' <<<"$out" || fail "no 'mtu 1346' in: $out"
assert_eq "$(drops mtu)" 1 "DROP_MTU after the IPv4 DF ping"
in_ns a ip route get 192.168.2.1 | grep -q 'mtu 1346' || fail "route PMTU not 1346: $(in_ns a ip route get 192.168.2.1)"
in_ns a ping -c2 -i0.3 -W2 -M do -s $((1346 - 28)) 192.168.2.1 >/dev/null || fail "ping of exactly 1346 bytes failed"

# IPv6: packet too big with the same MTU.
out=$(in_ns a ping -6 -c1 -W2 -M do -s 1360 fd02::1 2>&1) && fail "oversized IPv6 ping passed: $out"
grep -q 'mtu[ =]*1346' <<<"$out" || fail "no IPv6 'mtu 1346' in: $out"
assert_eq "$(drops mtu)" 2 "DROP_MTU after the IPv6 ping"
in_ns a ping -6 -c2 -i0.3 -W2 -M do -s $((1346 - 48)) fd02::1 >/dev/null || fail "IPv6 ping of 1346 bytes failed"

# IPv4 without DF: the outer packet is fragmented and reassembled by b.
frag0=$(in_ns b nstat -az IpReasmOKs | awk '/IpReasmOKs/{print $2}')
in_ns a ping -c2 -i0.3 -W2 -M dont -s 1400 192.168.2.1 >/dev/null || fail "non-DF big ping failed"
frag1=$(in_ns b nstat -az IpReasmOKs | awk '/IpReasmOKs/{print $2}')
assert_ge $((frag1 - frag0)) 2 "outer packets reassembled by b"

# TCP (GSO through the tunnel): a 2 MB transfer arrives whole.
head -c 2000000 /dev/urandom >/tmp/pmtu.blob
spawn b sh -c 'exec python3 -c "
import socket,hashlib
s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((\"192.168.2.1\",5001)); s.listen(1); c,_=s.accept(); h=hashlib.sha256(); n=0
while True:
    d=c.recv(65536)
    if not d: break
    h.update(d); n+=len(d)
open(\"/tmp/pmtu.recv\",\"w\").write(\"%d %s\" % (n, h.hexdigest()))
"'
wait_until 60 sh -c "ip netns exec b ss -tln | grep -q 192.168.2.1:5001"
in_ns a python3 -c "
import socket
s=socket.create_connection(('192.168.2.1',5001)); s.sendall(open('/tmp/pmtu.blob','rb').read()); s.close()"
wait_until 120 test -s /tmp/pmtu.recv
assert_eq "$(cat /tmp/pmtu.recv)" "2000000 $(sha256sum /tmp/pmtu.blob | cut -d' ' -f1)" "TCP transfer through the tunnel"

ip -n a link del ipsec1
ip -n b link del ipsec1
ipsec_unload
echo "ok: ICMP frag-needed / packet-too-big with mtu 1346, DROP_MTU counted, outer fragmentation, TCP 2 MB"
