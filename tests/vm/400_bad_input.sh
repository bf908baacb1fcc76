#!/bin/bash
# vm-suite: full
# Bad input from the network, crafted with scapy and sent from b to a's
# underlay address: each kind is dropped and counted in its own counter
# (exactly +1, nothing else moves), and the tunnel keeps working. A valid
# forged packet is accepted first, so the forging itself is proven right.
# Forged packets use a second inbound SA (SPI 0x4100, the "forge SA") whose
# key scapy knows, so the real tunnel's replay window is not disturbed.
#   replayed packet -> drop_replay      wrong ICV        -> drop_auth
#   truncated ESP   -> drop_header      bad pad length   -> drop_pad
#   unknown SPI (raw ESP) -> not ours: passed on to XFRM (XfrmInNoStates)
#   random bytes to UDP 4500 (attached socket) -> drop_no_sa
# vm-timeout: 600
#
#        [ns a] ipsec0 (AES-GCM-128 SAs)                  [ns b] ipsec0 + scapy
#   lo 10.1.0.1                                           lo 10.2.0.1
#   ul0 192.0.2.1  ============== veth ==============  ul0 192.0.2.2
. "$(dirname "$0")/lib.sh" || exit 1
. "$(dirname "$0")/2xx_sites.bash"

modprobe esp4 # so that an SPI that is not ours meets XFRM, which counts it
sites_create
SPI_AB=$((0x4000)) SPI_BA=$((0x4001))
tunnel_manual aes-gcm-128 4 $SPI_AB $SPI_BA replay-window 64
SPI_F=$((0x4100)) KEY_F=$(rand_hex 20)
ctl a sa add dev ipsec0 dir in spi $SPI_F src $OUT_B4 dst $OUT_A4 enc aes-gcm-128 key $KEY_F \
	replay-window 64 sel $NET_B4-$NET_A4
in_ns a ping -c2 -W5 -I $PRIV_A4 $PRIV_B4 >/dev/null || fail "tunnel does not work to begin with"
spawn a "$CTL" encap attach dev ipsec0 port 4500
attach=$SPAWNED_PID
wait_until 10 grep -q attached "/tmp/spawn.$attach.log"

# forge KIND...: scapy in b sends the packets named to a's underlay.
forge() {
	in_ns b /usr/bin/python3 - "$@" <<PY
import os, sys
from scapy.all import IP, ICMP, UDP, Raw, send, conf
from scapy.layers.ipsec import ESP, SecurityAssociation
conf.verb = 0
key = bytes.fromhex("${KEY_F#0x}")
sa = SecurityAssociation(ESP, spi=$SPI_F, crypt_algo="AES-GCM", crypt_key=key,
                         auth_algo="NULL", tunnel_header=IP(src="$OUT_B4", dst="$OUT_A4"))
inner = IP(src="$PRIV_B4", dst="$PRIV_A4") / ICMP(type=0, id=4242) / Raw(b"x" * 32)
state = "/tmp/forged-valid.bin"
for kind in sys.argv[1:]:
    if kind == "valid":  # sequence far ahead of the real traffic
        pkt = bytes(sa.encrypt(inner, seq_num=1000))
        open(state, "wb").write(pkt)
    elif kind == "replay":  # the very same packet again
        pkt = open(state, "rb").read()
    elif kind == "bad-icv":
        pkt = bytearray(bytes(sa.encrypt(inner, seq_num=1001)))
        pkt[-1] ^= 0x01
        pkt = bytes(pkt)
    elif kind == "truncated":  # SPI and sequence, then nothing
        pkt = bytes(IP(src="$OUT_B4", dst="$OUT_A4", proto=50) / Raw((($SPI_F).to_bytes(4, "big")) + (1002).to_bytes(4, "big")))
    elif kind == "bad-pad":  # authentic, but the pad length runs past the payload
        orig = sa.crypt_algo.pad
        def pad(esp):
            esp = orig(esp)
            esp.padlen = 250
            return esp
        sa.crypt_algo.pad = pad
        pkt = bytes(sa.encrypt(inner, seq_num=1003))
        sa.crypt_algo.pad = orig
    elif kind == "unknown-spi":
        pkt = bytes(IP(src="$OUT_B4", dst="$OUT_A4", proto=50) / Raw(bytes.fromhex("dead0001") + os.urandom(60)))
    elif kind == "udp-random":
        junk = b"\x5a" + os.urandom(63)
        pkt = bytes(IP(src="$OUT_B4", dst="$OUT_A4") / UDP(sport=4500, dport=4500) / Raw(junk))
    elif kind == "udp-keepalive":
        pkt = bytes(IP(src="$OUT_B4", dst="$OUT_A4") / UDP(sport=4500, dport=4500) / Raw(b"\xff"))
    else:
        sys.exit("unknown kind " + kind)
    send(IP(pkt))
PY
}

COUNTERS="rx_packets drop_auth drop_replay drop_pad drop_header drop_no_sa drop_selector drop_nomem"
snapshot() { # snapshot: device counters of a, one "name=value" per counter
	local f
	for f in $COUNTERS; do echo "$f=$(dev_stat a $f)"; done
}
# expect_only KIND COUNTER: after sending KIND, COUNTER grew by exactly one
# on a's device (and on the SA when the drop is about a known SA) and no
# other counter moved.
expect_only() {
	local kind=$1 want=$2 before after f b a
	before=$(snapshot)
	forge "$kind"
	wait_until 10 eval "[ \$(dev_stat a $want) -gt $(sed -n "s/^$want=//p" <<<"$before") ] || [ $want = none ]"
	[ "$want" != none ] || sleep 1 # nothing may move: give it the time to (not) happen
	after=$(snapshot)
	for f in $COUNTERS; do
		b=$(sed -n "s/^$f=//p" <<<"$before")
		a=$(sed -n "s/^$f=//p" <<<"$after")
		if [ "$f" = "$want" ]; then
			assert_eq $((a - b)) 1 "$kind: $f"
		else
			assert_eq $((a - b)) 0 "$kind: $f (must not move)"
		fi
	done
	progress "ok: $kind -> ${want}"
}

expect_only valid rx_packets
assert_eq "$(sa_stat a in $SPI_F rx_packets)" 1 "forge SA rx: the forged valid packet"
expect_only replay drop_replay
assert_eq "$(sa_stat a in $SPI_F drop_replay)" 1 "replay counted on the SA too"
expect_only bad-icv drop_auth
assert_eq "$(sa_stat a in $SPI_F drop_auth)" 1 "ICV failure counted on the SA too"
expect_only truncated drop_header
expect_only bad-pad drop_pad

no_states0=$(in_ns a awk '/XfrmInNoStates/ {print $2}' /proc/net/xfrm_stat)
expect_only unknown-spi none
assert_eq "$(in_ns a awk '/XfrmInNoStates/ {print $2}' /proc/net/xfrm_stat)" $((no_states0 + 1)) \
	"unknown SPI passed on to XFRM (XfrmInNoStates)"
expect_only udp-random drop_no_sa
expect_only udp-keepalive none

# The tunnel still works, both ways, after all that.
in_ns a ping -c3 -i0.2 -W5 -I $PRIV_A4 $PRIV_B4 >/dev/null || fail "tunnel broken after bad input"
tcp_transfer b a $PRIV_A4 200000
stats_agree a
# An attached encap socket holds the module (rmmod: EBUSY) until it detaches.
_lib_kill $attach
wait_until 10 eval "! kill -0 $attach"
ipsec_unload
