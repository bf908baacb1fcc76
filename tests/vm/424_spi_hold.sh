#!/bin/bash
# ESP for a reserved SPI is held until its SA exists (kmod/spi_hold.c). The
# responder of a CREATE_CHILD_SA may send on the new child before the
# initiator has added its inbound SA; that ESP used to go to XFRM and be
# lost (XfrmInNoStates). ALLOC_SPI with a device reserves the SPI:
#  - held packets go through the normal input path when NEW_SA adds the SA:
#    5 valid ones delivered, a replayed one and one with a wrong key dropped
#    (drop_replay, drop_auth on the SA), nothing in XfrmInNoStates;
#  - held longer than spi_hold_ms (1 s; 10 s in the other steps, for a slow
#    VM): dropped, drop_hold_expired;
#  - DEL_SA of the SPI releases the reservation and drops what it held;
#  - bounds: 32 packets per SPI, 256 per device (drop_hold_full for the
#    rest, live_held never above 256) while an established SA on the same
#    device passes every ping of a 0.05 s ping;
#  - FLUSH, device deletion and rmmod with packets held free them
#    (live_held 0, no leak, no splat).
# vm-timeout: 420
#
#   [ns a] ipsec0 (reservations; SA pair 0x4240/0x4241 to b), ipsec1
#   ul0 192.0.2.1  ============== veth ==============  ul0 192.0.2.2  [ns b]
#                                                      ipsec0, scapy + raw ESP
. "$(dirname "$0")/lib.sh" sites || exit 1

modprobe xfrm_user
modprobe esp4
sites_create
tunnel_manual aes-gcm-128 4 $((0x4240)) $((0x4241))
ping_ok "established tunnel"
S_OK=$((0x4250)) S_OLD=$((0x4251)) S_REL=$((0x4252)) S_SPI=$((0x4253)) S_DEV1=$((0x4254))
S_FLOOD=$((0x4260)) # 0x4260..0x4269
K_OK=$(rand_hex 20) K_BAD=$(rand_hex 20)
PKT=$(mktemp -d /tmp/424.XXXXXX)
on_exit rm -rf "$PKT"
HELD=/sys/module/ipsec_tun/parameters/live_held

# reserve DEV SPI...: ALLOC_SPI on DEV in a for exactly each SPI (for
# 192.0.2.1), one "ERRNO SPI" line each.
reserve() {
	in_ns a env PYTHONPATH="$REPO/tests/vm/tools" python3 - "$@" <<'PY'
import socket, struct, sys
import genl
g = genl.Genl()
for spi in sys.argv[2:]:
    spi = int(spi, 0)
    err, text, msgs = g.request(genl.ALLOC_SPI, genl.string(genl.A_IFNAME, sys.argv[1]) +
                                genl.u32(genl.A_SPI_MIN, spi) + genl.u32(genl.A_SPI_MAX, spi) +
                                genl.nest(genl.A_SA, genl.u16(genl.SA_FAMILY, socket.AF_INET),
                                          genl.attr(genl.SA_DST, socket.inet_aton("192.0.2.1"))))
    got = "-" if err else "0x%08x" % struct.unpack(
        "I", genl.parse_attrs(genl.parse_attrs(msgs[0][4:])[genl.A_SA])[genl.SA_SPI])[0]
    print(genl.errname(err), got)
PY
}

# The packets, built once in b, one file each, one hex line per packet of
# ESP without its outer IP header. Those delivered are real (scapy, inner
# ICMP 10.2.0.1 -> 10.1.0.1, in the SA's selectors); the others only need
# the SPI: a hold never looks further (and scapy's crypto is slow in TCG).
in_ns b /usr/bin/python3 - "$PKT" "$K_OK" "$K_BAD" <<PY
import os, struct, sys
from scapy.all import IP, ICMP, Raw
from scapy.layers.ipsec import ESP, SecurityAssociation
out, k_ok, k_bad = sys.argv[1], bytes.fromhex(sys.argv[2][2:]), bytes.fromhex(sys.argv[3][2:])
def esp(key, seqs):
    sa = SecurityAssociation(ESP, spi=$S_OK, crypt_algo="AES-GCM", crypt_key=key, auth_algo="NULL",
                             tunnel_header=IP(src="$OUT_B4", dst="$OUT_A4"))
    inner = IP(src="$PRIV_B4", dst="$PRIV_A4") / ICMP(type=0, id=424) / Raw(b"x" * 32)
    return [bytes(sa.encrypt(inner, seq_num=s))[20:].hex() for s in seqs]
def junk(spi, n):
    return [(struct.pack("!II", spi, s) + os.urandom(72)).hex() for s in range(1, n + 1)]
def write(name, pkts):
    open(os.path.join(out, name), "w").write("\n".join(pkts) + "\n")
# 1..5, 3 again (replayed), 6 with the wrong key (ICV failure)
write("ok", esp(k_ok, (1, 2, 3, 4, 5, 3)) + esp(k_bad, (6,)))
write("old", junk($S_OLD, 3))
write("rel", junk($S_REL, 2))
write("spi", junk($S_SPI, 40))
write("dev1", junk($S_DEV1, 4))
write("flood", sum((junk($S_FLOOD + i, 40) for i in range(10)), []))
PY

# send NAME: b sends the packets of file NAME to 192.0.2.1 (raw ESP).
send() {
	in_ns b python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, 50)
for line in open(sys.argv[1]):
    s.sendto(bytes.fromhex(line.strip()), ("192.0.2.1", 0))' "$PKT/$1"
}
no_states() {
	in_ns a awk '$1 == "XfrmInNoStates" { print $2 }' /proc/net/xfrm_stat
}

# A slow VM takes seconds between two checks: hold for 10 s, except in 2.
HOLD_MS=/sys/module/ipsec_tun/parameters/spi_hold_ms
echo 10000 >$HOLD_MS

# 1. Held, then delivered through the normal path when the SA is added.
assert_eq "$(reserve ipsec0 $S_OK)" "OK $(spi_hex $S_OK)" "reserve $(spi_hex $S_OK)"
assert_eq "$(reserve ipsec0 $S_OK)" "ENOSPC -" "a reserved SPI is not allocated again"
send ok
wait_value 10 = 7 dev_stat a rx_held
assert_eq "$(cat $HELD)" 7 "live_held"
ctl a sa add dev ipsec0 dir in spi $S_OK src $OUT_B4 dst $OUT_A4 enc aes-gcm-128 key $K_OK \
	sel $NET_B4-$NET_A4
wait_value 10 = 5 sa_stat a in $S_OK rx_packets
wait_value 10 = 1 sa_stat a in $S_OK drop_auth
assert_eq "$(sa_stat a in $S_OK drop_replay)" 1 "replayed held packet"
assert_eq "$(cat $HELD)" 0 "live_held after NEW_SA"
assert_eq "$(no_states)" 0 "XfrmInNoStates"
progress "ok: 7 packets held for a reserved SPI, NEW_SA delivered 5, replay and ICV checks dropped 2"

# 2. Held too long: dropped after spi_hold_ms, the SA added later gets none.
assert_eq "$(reserve ipsec0 $S_OLD)" "OK $(spi_hex $S_OLD)" "reserve $(spi_hex $S_OLD)"
echo 1000 >$HOLD_MS
send old
wait_value 10 = 3 dev_stat a drop_hold_expired
echo 10000 >$HOLD_MS
assert_eq "$(cat $HELD)" 0 "live_held after expiry"
ctl a sa add dev ipsec0 dir in spi $S_OLD src $OUT_B4 dst $OUT_A4 enc aes-gcm-128 key $K_OK
sleep 0.5
assert_eq "$(sa_stat a in $S_OLD rx_packets)" 0 "expired packets delivered"
progress "ok: packets held past spi_hold_ms dropped (drop_hold_expired 3)"

# 3. DEL_SA releases a reservation and drops what it held.
assert_eq "$(reserve ipsec0 $S_REL)" "OK $(spi_hex $S_REL)" "reserve $(spi_hex $S_REL)"
send rel
wait_value 10 = 12 dev_stat a rx_held
ctl a sa del dev ipsec0 dir in spi $S_REL
assert_eq "$(dev_stat a drop_hold_expired)" 5 "drop_hold_expired after DEL_SA"
out=$(ctl a sa del dev ipsec0 dir in spi $S_REL 2>&1) && fail "second DEL_SA of a released SPI passed"
send rel # not reserved any more: XFRM's, which has no such state
wait_value 10 = 2 no_states
assert_eq "$(dev_stat a rx_held)" 12 "rx_held after release"
progress "ok: DEL_SA released the reservation (2 held packets dropped), its SPI is not ours any more"

# 4. Bounds, while an established SA of the same device carries a ping.
# shellcheck disable=SC2046
reserve ipsec0 $S_SPI $(seq $S_FLOOD $((S_FLOOD + 9))) | has_match -v '^OK' && fail "reserving the flood SPIs"
spawn a ping -c 40 -i 0.05 -W 5 -I $PRIV_A4 $PRIV_B4
PING=$SPAWNED_PID
send spi
wait_value 10 = 8 dev_stat a drop_hold_full
assert_eq "$(cat $HELD)" 32 "held for one SPI (32 per SPI)"
send flood
wait_value 10 = $((8 + 400 - (256 - 32))) dev_stat a drop_hold_full
# (The 32 may have expired since: a slow VM takes seconds per check.)
assert_eq "$(dev_stat a rx_held)" $((12 + 256)) "held in all (256 per device)"
held=$(cat $HELD)
[ "$held" -le 256 ] && [ "$held" -ge 224 ] || fail "live_held $held, not 224..256"
wait "$PING" || fail "ping over the established SA during the flood: $(spawn_log $PING)"
assert_eq "$(sa_stat a in $((0x4241)) rx_packets)" "$(sa_stat a out $((0x4240)) tx_packets)" \
	"established SA: every ping answered"
progress "ok: 32 per SPI, 256 per device held, 184 more dropped (drop_hold_full), the established SA unharmed"

# 5. Teardown with packets held: FLUSH, device deletion, rmmod.
ctl a sa flush dev ipsec0
assert_eq "$(cat $HELD)" 0 "live_held after FLUSH"
assert_eq "$(dev_stat a drop_hold_expired)" $((5 + 256)) "drop_hold_expired after FLUSH"
ctl a dev add dev ipsec1 >/dev/null
ip -n a link set ipsec1 up
assert_eq "$(reserve ipsec1 $S_DEV1)" "OK $(spi_hex $S_DEV1)" "reserve $(spi_hex $S_DEV1) on ipsec1"
send dev1
wait_value 10 = 4 cat $HELD
ip -n a link del ipsec1
assert_eq "$(cat $HELD)" 0 "live_held after deleting ipsec1"
assert_eq "$(reserve ipsec0 $S_DEV1)" "OK $(spi_hex $S_DEV1)" "reserve $(spi_hex $S_DEV1) on ipsec0"
send dev1
wait_value 10 = 4 cat $HELD
progress "ok: FLUSH and device deletion free held packets; unloading with 4 held"
ipsec_unload
