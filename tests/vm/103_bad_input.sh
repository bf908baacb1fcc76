#!/bin/bash
# Hostile ESP is dropped and counted under the right cause, never warns,
# and the tunnel keeps working. ns b plays the attacker with the real keys
# (so it can also make correctly authenticated packets with bad insides),
# crafting ESP by hand with Python's "cryptography" (AES-GCM, RFC 4106).
#
#   [ns a] ipsec1 192.168.1.1 (ipsec_tun, inbound SA 0x2001 from 10.0.0.2,
#          selector 192.168.2.0/24 -> 192.168.1.0/24, NAT-T socket on 4500)
#          veth0 10.0.0.1 --------------- veth0 10.0.0.2 [ns b] raw sockets
# vm-timeout: 300
. "$(dirname "$0")/lib.sh" || exit 1

KEY=0x000102030405060708090a0b0c0d0e0f10111213	# 16-byte AES key + 4-byte salt

ipsec_load
ns_create a
ns_create b
veth_pair a veth0 b veth0
ip -n a addr add 10.0.0.1/24 dev veth0
ip -n b addr add 10.0.0.2/24 dev veth0
ip -n a link add ipsec1 type ipsec
ip -n a link set ipsec1 up
ip -n a addr add 192.168.1.1/32 dev ipsec1
in_ns a "$IPSECCTL" sa add dev ipsec1 dir in spi 0x2001 src 10.0.0.2 dst 10.0.0.1 \
	enc aes-gcm-128 key $KEY replay-window 64 sel 192.168.2.0/24-192.168.1.0/24
spawn a "$IPSECCTL" encap attach dev ipsec1 port 4500
wait_until 10 sh -c "ip netns exec a ss -uln | grep -q ':4500 '"
wait_until 5 in_ns b ping -c1 -W1 10.0.0.1

cat >/tmp/esp_attack.py <<'PY'
import socket, struct, sys, os
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
key = bytes.fromhex(sys.argv[1][2:])
aes, salt = AESGCM(key[:16]), key[16:]

def csum(b):
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    s = (s >> 16) + (s & 0xffff); s += s >> 16
    return ~s & 0xffff

def inner(src="192.168.2.1", dst="192.168.1.1"):
    icmp = struct.pack("!BBHHH", 8, 0, 0, 0x1234, 1) + b"x" * 16
    icmp = icmp[:2] + struct.pack("!H", csum(icmp)) + icmp[4:]
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(icmp), 1, 0, 64, 1, 0,
                    socket.inet_aton(src), socket.inet_aton(dst))
    return h[:10] + struct.pack("!H", csum(h)) + h[12:] + icmp

def esp(seq, payload=None, pad=None, nh=4, spi=0x2001, flip=False):
    payload = inner() if payload is None else payload
    if pad is None:
        n = (-(len(payload) + 2)) % 4
        pad = bytes(range(1, n + 1))
    hdr = struct.pack("!II", spi, seq)
    iv = struct.pack("!Q", seq)
    ct = aes.encrypt(salt + iv, payload + pad + bytes([len(pad), nh]), hdr)
    pkt = bytearray(hdr + iv + ct)
    if flip:
        pkt[-1] ^= 0x40
    return bytes(pkt)

raw = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ESP)
udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
def send(p): raw.sendto(p, ("10.0.0.1", 0))
case = sys.argv[2]
if case == "valid":
    send(esp(int(sys.argv[3])))
elif case == "replay":
    send(esp(1))
elif case == "icv":
    send(esp(2, flip=True))
elif case == "truncated":
    send(esp(3)[:11])              # header + 3 bytes
    send(struct.pack("!II", 0x2001, 4) + b"\0" * 13)  # misaligned body
elif case == "pad":
    send(esp(5, pad=b"\x09\x09"))   # pad bytes must be 1, 2, ...
    send(esp(6, nh=17))             # next header must be 4 or 41
elif case == "selector":
    send(esp(7, payload=inner(src="10.9.9.9")))
elif case == "unknown_spi":
    send(esp(8, spi=0x9999))
elif case == "udp_garbage":
    for n in (0, 1, 3, 4, 7, 8, 20, 200):
        udp.sendto(b"\xff" if n == 1 else os.urandom(n), ("10.0.0.1", 4500))
    udp.sendto(b"\0\0\0\0" + os.urandom(40), ("10.0.0.1", 4500))   # non-ESP marker: IKE
    udp.sendto(struct.pack("!II", 0x7777, 1) + os.urandom(40), ("10.0.0.1", 4500))
elif case == "udp_valid":
    udp.sendto(esp(int(sys.argv[3])), ("10.0.0.1", 4500))
PY

drops() { # drops CAUSE: the device counter for that drop cause
	in_ns a "$IPSECCTL" dev list dev ipsec1 | sed -n "/drops:/s/.* $1 \([0-9][0-9]*\).*/\1/p"
}
rx() { link_counter a ipsec1 rx_packets; }
attack() { in_ns b python3 /tmp/esp_attack.py $KEY "$@"; }

attack valid 1
wait_until 5 eval '[ "$(rx)" = 1 ]'
attack replay
wait_until 5 eval '[ "$(drops replay)" = 1 ]'
attack icv
wait_until 5 eval '[ "$(drops auth)" = 1 ]'
attack truncated
wait_until 5 eval '[ "$(drops header)" = 2 ]'
attack pad
wait_until 5 eval '[ "$(drops pad)" = 2 ]'
attack selector
wait_until 5 eval '[ "$(drops selector)" = 1 ]'
attack unknown_spi
attack udp_garbage
# Datagrams of 8+ bytes with a non-zero first word and an unknown SPI.
wait_until 5 eval '[ "$(drops no_sa)" -ge 2 ]'
attack valid 20
wait_until 5 eval '[ "$(rx)" = 2 ]'
attack udp_valid 21
wait_until 5 eval '[ "$(rx)" = 3 ]'
assert_eq "$(drops replay)" 1 "replay drops"
assert_eq "$(drops auth)" 1 "auth drops"
assert_eq "$(drops header)" 2 "header drops"
assert_eq "$(drops pad)" 2 "padding drops"
assert_eq "$(drops selector)" 1 "selector drops"
assert_eq "$(link_counter a ipsec1 rx_crc_errors)" 1 "ip -s link rx_crc_errors (ICV)"
ip -n a link del ipsec1
ipsec_unload
echo "ok: replay, bad ICV, truncated, bad padding/next header, selector, unknown SPI, UDP garbage: all dropped and counted"
