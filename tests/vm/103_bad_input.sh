#!/bin/bash
# Hostile ESP is dropped and counted under its own cause (exactly +1 on the
# device, on the SA when the SA is known, and nothing else moves), never
# warns, and the tunnel keeps working both ways. b plays the attacker: it
# sends hand-made packets to a's underlay address, raw ESP and ESP-in-UDP
# to the NAT-T socket a has attached. Authentic packets are made with a
# second inbound SA (the "forge SA", SPI 0x4100) whose key the attacker
# knows, so that bad insides can be authenticated and the real tunnel's
# replay window is not disturbed; a valid forged packet is accepted first,
# which proves the forging right.
#   valid -> rx_packets        replay -> drop_replay    bad ICV -> drop_auth
#   truncated, misaligned -> drop_header     bad pad bytes, pad length past
#   the payload, next header 17 -> drop_pad  inner source outside the SA's
#   selector -> drop_selector   unknown SPI (raw) -> not ours: XFRM counts it
#   UDP 4500: unknown SPI -> drop_no_sa; keepalive, IKE marker, runt -> the
#   socket's (nothing counted); valid ESP-in-UDP -> rx_packets
# (103 and the former 400 tested the same in two styles: merged here.)
# vm-timeout: 420
#
#        [ns a] ipsec0 (AES-GCM-128 SAs)                  [ns b] ipsec0 + attacker
#   lo 10.1.0.1                                           lo 10.2.0.1
#   ul0 192.0.2.1  ============== veth ==============  ul0 192.0.2.2
. "$(dirname "$0")/lib.sh" sites || exit 1

modprobe esp4 # so that an SPI that is not ours meets XFRM, which counts it
sites_create
tunnel_manual aes-gcm-128 4 $((0x4000)) $((0x4001)) replay-window 64
SPI_F=$((0x4100)) KEY_F=$(rand_hex 20)
ctl a sa add dev ipsec0 dir in spi $SPI_F src $OUT_B4 dst $OUT_A4 enc aes-gcm-128 key $KEY_F \
	replay-window 64 sel $NET_B4-$NET_A4
ping_ok "tunnel before the attack"
spawn a "$CTL" encap attach dev ipsec0 port 4500
attach=$SPAWNED_PID
wait_until 10 grep -q attached "/tmp/spawn.$attach.log"

# The attacker: ESP made by hand (RFC 4106: salt|IV nonce, SPI|seq as AAD).
ATTACK=/tmp/esp_attack.py
cat >"$ATTACK" <<'PY'
import os, socket, struct, sys
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
key, spi_f, src, dst, a_out, kind = sys.argv[1:7]  # kind: the command FIFO
key, spi_f = bytes.fromhex(key[2:]), int(spi_f)
aes, salt = AESGCM(key[:16]), key[16:]

def csum(b):
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    s = (s >> 16) + (s & 0xffff); s += s >> 16
    return ~s & 0xffff

def inner(src=src, dst=dst):  # an IPv4 echo reply, so nobody answers it
    icmp = struct.pack("!BBHHH", 0, 0, 0, 0x4242, 1) + b"x" * 32
    icmp = icmp[:2] + struct.pack("!H", csum(icmp)) + icmp[4:]
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(icmp), 1, 0, 64, 1, 0,
                    socket.inet_aton(src), socket.inet_aton(dst))
    return h[:10] + struct.pack("!H", csum(h)) + h[12:] + icmp

def esp(seq, payload=None, pad=None, padlen=None, nh=4, spi=spi_f, flip=False):
    payload = inner() if payload is None else payload
    if pad is None:
        pad = bytes(range(1, (-(len(payload) + 2)) % 4 + 1))
    padlen = len(pad) if padlen is None else padlen
    hdr = struct.pack("!II", spi, seq)
    iv = struct.pack("!Q", seq)
    ct = bytearray(aes.encrypt(salt + iv, payload + pad + bytes([padlen, nh]), hdr))
    if flip:
        ct[-1] ^= 0x01
    return hdr + iv + bytes(ct)

raw = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ESP)
udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
udp.bind(("", 4500))
kinds = {
    "valid": lambda: raw.sendto(esp(1000), (a_out, 0)),
    "replay": lambda: raw.sendto(esp(1000), (a_out, 0)),
    "bad-icv": lambda: raw.sendto(esp(1001, flip=True), (a_out, 0)),
    "truncated": lambda: raw.sendto(esp(1002)[:11], (a_out, 0)),
    "misaligned": lambda: raw.sendto(struct.pack("!II", spi_f, 1003) + bytes(13), (a_out, 0)),
    "bad-pad-bytes": lambda: raw.sendto(esp(1004, pad=b"\x09\x09"), (a_out, 0)),
    "bad-pad-length": lambda: raw.sendto(esp(1005, padlen=250), (a_out, 0)),
    "bad-next-header": lambda: raw.sendto(esp(1006, nh=17), (a_out, 0)),
    "selector": lambda: raw.sendto(esp(1007, payload=inner(src="10.9.9.9")), (a_out, 0)),
    "unknown-spi": lambda: raw.sendto(esp(1, spi=0xdead0001), (a_out, 0)),
    "udp-unknown-spi": lambda: udp.sendto(b"\x5a" + os.urandom(63), (a_out, 4500)),
    "udp-keepalive": lambda: udp.sendto(b"\xff", (a_out, 4500)),
    "udp-ike-marker": lambda: udp.sendto(bytes(4) + os.urandom(40), (a_out, 4500)),
    "udp-runt": lambda: udp.sendto(b"\x01\x02\x03", (a_out, 4500)),
    "udp-valid": lambda: udp.sendto(esp(1010), (a_out, 4500)),
}
# One process serves every request (under TCG each python start costs seconds):
# a KIND per line on the command FIFO, "sent KIND" back on the answer FIFO.
while True:
    with open(kind) as cmds, open(kind + ".ack", "w") as acks:
        for line in cmds:
            kinds[line.strip()]()
            acks.write("sent " + line); acks.flush()
PY
FIFO=/tmp/esp_attack.fifo
mkfifo $FIFO $FIFO.ack
spawn b /usr/bin/python3 "$ATTACK" "$KEY_F" $SPI_F $PRIV_B4 $PRIV_A4 $OUT_A4 $FIFO
exec 7>$FIFO 8<$FIFO.ack # opened once, in this order, as the attacker opens them
forge() { # forge KIND: the attacker sends KIND and says so
	local ack
	echo "$1" >&7
	read -r -t 30 ack <&8 || fail "attacker did not answer for $1 ($(cat /tmp/spawn.*.log))"
	assert_eq "$ack" "sent $1" "attacker's answer"
}

COUNTERS="rx_packets drop_auth drop_replay drop_pad drop_header drop_no_sa drop_selector drop_nomem"
snapshot() { # snapshot: a's device counters, one "name=value" per line, in one reading
	ctl a dev list dev ipsec0 --json | jq -r --arg c "$COUNTERS" \
		'.[0].stats | to_entries[] | select(.key | IN($c | split(" ")[])) | "\(.key)=\(.value)"'
	echo "rx_crc_errors=$(link_counter a ipsec0 rx_crc_errors)"
}
# expect_only KIND COUNTER: after sending KIND, COUNTER grew by exactly one on
# a's device and no other counter moved ("none": nothing may move).
expect_only() {
	local kind=$1 want=$2 f k v
	local -A before after
	while IFS== read -r k v; do before[$k]=$v; done < <(snapshot)
	forge "$kind"
	if [ "$want" = none ]; then
		sleep 1 # nothing may move: give it the time to (not) happen
	else
		wait_until 10 eval "[ \$(dev_stat a $want) -gt ${before[$want]} ]"
	fi
	while IFS== read -r k v; do after[$k]=$v; done < <(snapshot)
	for f in $COUNTERS rx_crc_errors; do
		[ -n "${before[$f]}" ] && [ -n "${after[$f]}" ] || fail "$kind: no counter $f"
		if [ "$f" = "$want" ] || { [ $f = rx_crc_errors ] && [ "$want" = drop_auth ]; }; then
			assert_eq $((after[$f] - before[$f])) 1 "$kind: $f"
		else
			assert_eq $((after[$f] - before[$f])) 0 "$kind: $f (must not move)"
		fi
	done
	progress "ok: $kind -> $want"
}

expect_only valid rx_packets
assert_eq "$(sa_stat a in $SPI_F rx_packets)" 1 "forge SA rx: the forged valid packet"
expect_only replay drop_replay
assert_eq "$(sa_stat a in $SPI_F drop_replay)" 1 "replay counted on the SA too"
expect_only bad-icv drop_auth
assert_eq "$(sa_stat a in $SPI_F drop_auth)" 1 "ICV failure counted on the SA too"
expect_only truncated drop_header
expect_only misaligned drop_header
expect_only bad-pad-bytes drop_pad
expect_only bad-pad-length drop_pad
expect_only bad-next-header drop_pad
expect_only selector drop_selector
assert_eq "$(sa_stat a in $SPI_F drop_selector)" 1 "selector drop counted on the SA too"

no_states0=$(in_ns a awk '/XfrmInNoStates/ {print $2}' /proc/net/xfrm_stat)
expect_only unknown-spi none
assert_eq "$(in_ns a awk '/XfrmInNoStates/ {print $2}' /proc/net/xfrm_stat)" $((no_states0 + 1)) \
	"unknown SPI passed on to XFRM (XfrmInNoStates)"
expect_only udp-unknown-spi drop_no_sa
expect_only udp-keepalive none
expect_only udp-ike-marker none
expect_only udp-runt none
expect_only udp-valid rx_packets
assert_eq "$(sa_stat a in $SPI_F rx_packets)" 2 "forge SA rx: the valid ESP-in-UDP packet"

# The tunnel still works, both ways, after all that.
in_ns a ping -c3 -i0.2 -W5 -I $PRIV_A4 $PRIV_B4 >/dev/null || fail "tunnel broken after bad input"
tcp_transfer b a $PRIV_A4 200000
stats_agree a
# An attached encap socket holds the module (rmmod: EBUSY) until it detaches.
_lib_kill $attach
wait_until 10 eval "! kill -0 $attach"
ipsec_unload
echo "ok: every kind of bad input dropped and counted under its own cause, nothing else moved"
