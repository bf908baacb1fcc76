#!/bin/bash
# vm-suite: full
# Outbound sequence numbers never wrap (RFC 4303 3.3.3), so no nonce is
# ever used twice: SAs started near the end of their sequence space with
# `ipsecctl sa add ... seq N` (NEW_SA SEQ) send up to the last number,
# then the SA hard-EXPIREs (reason sequence-number, after a soft one) and
# nothing more leaves: tcpdump on the peer's underlay sees exactly the
# sequence numbers below the limit, never a wrapped one.
#   non-ESN:  last sent 2^32 - 3 -> 2^32 - 2, 2^32 - 1 go out, then EXPIRE
#   ESN:      2^32 - 2 -> 2^32 - 1, 2^32, 2^32 + 1 go out (no EXPIRE: the
#             64-bit number goes on, only its low half wraps on the wire)
#   ESN:      last sent 2^63 - 3 -> 2^63 - 2, 2^63 - 1, then EXPIRE
#             (AES-CBC + HMAC-SHA-256 here: authencesn puts the high half
#             in the ICV, so delivery proves it was right)
# vm-timeout: 900
#
#   [ns a] lo 10.1.0.1, ipsec0, ul0 192.0.2.1 ===== veth ===== ul0 192.0.2.2, ipsec0, lo 10.2.0.1 [ns b]
. "$(dirname "$0")/lib.sh" sites || exit 1

sites_create
monitor_start a
spawn b tcpdump -nn -l --immediate-mode -i ul0 "esp and src $OUT_A4"
dump=$SPAWNED_PID
wait_until 20 grep -q 'listening on' "/tmp/spawn.$dump.log"

# Replies b -> a: one ordinary SA pair direction.
alg_key_args aes-gcm-128
ctl b sa add dev ipsec0 dir out spi 0x7001 reqid 1 src $OUT_B4 dst $OUT_A4 $KEY_ARGS
ctl a sa add dev ipsec0 dir in spi 0x7001 src $OUT_B4 dst $OUT_A4 $KEY_ARGS
policies_both

# sa_json NS DIR SPI FIELD: a field of one SA from `ipsecctl sa list --json`
# (python: jq would round 64-bit numbers).
sa_json() {
	ctl "$1" sa list dev ipsec0 --json | /usr/bin/python3 -c '
import json, sys
d, spi, path = sys.argv[1], int(sys.argv[2], 0), sys.argv[3].split(".")
for sa in json.load(sys.stdin):
    if sa["dir"] == d and int(sa["spi"], 16) == spi:
        v = sa
        for p in path:
            v = v[p]
        print(v)
        sys.exit(0)
sys.exit("no SA " + sys.argv[1] + " " + sys.argv[2])' "$2" "$3" "$4"
}
# wire_seqs SPI: the sequence numbers tcpdump saw for SPI, one per line.
wire_seqs() {
	grep -o "ESP(spi=$(printf '0x%08x' "$1"),seq=0x[0-9a-f]*)" "/tmp/spawn.$dump.log" |
		sed 's/.*seq=//; s/)//'
}
# wait_wire SPI N: until tcpdump has printed N packets of SPI.
wait_wire() {
	wait_until 20 eval "[ \"\$(wire_seqs $1 | wc -l)\" -ge $2 ]"
}

# ---- non-ESN: the last number is 2^32 - 1 ----
spi=$((0x7000))
alg_key_args aes-gcm-128
ctl a sa add dev ipsec0 dir out spi $spi reqid 1 src $OUT_A4 dst $OUT_B4 $KEY_ARGS seq 0xfffffffd
ctl b sa add dev ipsec0 dir in spi $spi src $OUT_A4 dst $OUT_B4 $KEY_ARGS
assert_eq "$(sa_json a out $spi seq)" 4294967293 "non-ESN: SEQ as given"
ping_ok "non-ESN seq 2^32-2"
ping_ok "non-ESN seq 2^32-1"
wait_until 10 mon_has "expire soft ipsec0 out spi 0x00007000 reqid 1 reason sequence-number"
! mon_has "expire hard ipsec0 out spi 0x00007000" || fail "non-ESN: hard EXPIRE before the space was used up"
ping_fails "non-ESN: past 2^32-1"
wait_until 10 mon_has "expire hard ipsec0 out spi 0x00007000 reqid 1 reason sequence-number"
ping_fails "non-ESN: on the expired SA"
wait_wire $spi 2
assert_eq "$(wire_seqs $spi | tr '\n' ' ')" "0xfffffffe 0xffffffff " "non-ESN: sequence numbers on the wire"
assert_eq "$(sa_json a out $spi stats.tx_packets)" 2 "non-ESN: packets the SA sent"
assert_eq "$(sa_json a out $spi stats.drop_expired)" 1 "non-ESN: the packet refused at the limit"
assert_eq "$(sa_json a out $spi seq)" 4294967295 "non-ESN: SEQ stays at the last number sent"
assert_eq "$(sa_json b in $spi stats.rx_packets)" 2 "non-ESN: packets b accepted"
assert_eq "$(sa_json b in $spi stats.drop_replay)" 0 "non-ESN: replays at b (a wrapped seq would be one)"
assert_eq "$(sa_json b in $spi stats.drop_auth)" 0 "non-ESN: ICV failures at b"
progress "ok: non-ESN SA sent 2^32-2 and 2^32-1, then hard EXPIRE (sequence-number), nothing wrapped"

# ---- ESN across 2^32: goes on ----
spi=$((0x7100))
alg_key_args aes-gcm-128
ctl a sa add dev ipsec0 dir out spi $spi reqid 1 src $OUT_A4 dst $OUT_B4 $KEY_ARGS esn seq 0xfffffffe
ctl b sa add dev ipsec0 dir in spi $spi src $OUT_A4 dst $OUT_B4 $KEY_ARGS esn seq 0xfffffffd
for i in 1 2 3; do ping_ok "ESN across 2^32, packet $i"; done
wait_wire $spi 3
assert_eq "$(wire_seqs $spi | tr '\n' ' ')" "0xffffffff 0x0 0x1 " "ESN: low 32 bits on the wire"
assert_eq "$(sa_json a out $spi seq)" 4294967297 "ESN: 64-bit number after 2^32 + 1"
assert_eq "$(sa_json b in $spi seq)" 4294967297 "ESN: b's highest received"
assert_eq "$(sa_json b in $spi stats.rx_packets)" 3 "ESN: packets b accepted across 2^32"
! mon_has "spi 0x00007100" || fail "ESN: EXPIRE at 2^32 (the space is 64-bit)"
progress "ok: ESN SA crossed 2^32 without EXPIRE, b inferred the high half"

# ---- ESN: the last number is 2^63 - 1 ----
ctl a sa del dev ipsec0 dir out spi 0x7100	# else it would carry on once 0x7200 dies
spi=$((0x7200))
alg_key_args aes-cbc-128:hmac-sha256
ctl a sa add dev ipsec0 dir out spi $spi reqid 1 src $OUT_A4 dst $OUT_B4 $KEY_ARGS esn seq 0x7ffffffffffffffd
ctl b sa add dev ipsec0 dir in spi $spi src $OUT_A4 dst $OUT_B4 $KEY_ARGS esn seq 0x7ffffffffffffffc
ping_ok "ESN seq 2^63-2"
ping_ok "ESN seq 2^63-1"
wait_until 10 mon_has "expire soft ipsec0 out spi 0x00007200 reqid 1 reason sequence-number"
! mon_has "expire hard ipsec0 out spi 0x00007200" || fail "ESN: hard EXPIRE before the space was used up"
ping_fails "ESN: past 2^63-1"
wait_until 10 mon_has "expire hard ipsec0 out spi 0x00007200 reqid 1 reason sequence-number"
ping_fails "ESN: on the expired SA"
wait_wire $spi 2
assert_eq "$(wire_seqs $spi | tr '\n' ' ')" "0xfffffffe 0xffffffff " "ESN end: low 32 bits on the wire"
assert_eq "$(sa_json a out $spi seq)" 9223372036854775807 "ESN end: SEQ stays at 2^63 - 1"
assert_eq "$(sa_json a out $spi stats.drop_expired)" 1 "ESN end: the packet refused at the limit"
assert_eq "$(sa_json b in $spi seq)" 9223372036854775807 "ESN end: b's highest received"
assert_eq "$(sa_json b in $spi stats.rx_packets)" 2 "ESN end: packets b accepted"
assert_eq "$(sa_json b in $spi stats.drop_auth)" 0 "ESN end: ICV failures at b"
progress "ok: ESN SA sent 2^63-2 and 2^63-1, then hard EXPIRE (sequence-number)"

# The module refuses a start past the space (ipsecctl checks first: it must
# say so, and nothing may be installed).
! ctl a sa add dev ipsec0 dir out spi 0x7300 reqid 1 src $OUT_A4 dst $OUT_B4 $KEY_ARGS seq 0x100000000 2>/tmp/seq.err ||
	fail "seq 2^32 accepted without ESN"
grep -q 'seq' /tmp/seq.err || fail "no message naming seq: $(cat /tmp/seq.err)"
! sa_json a out $((0x7300)) seq 2>/dev/null || fail "an SA was installed after the refusal"
! ctl a sa update dev ipsec0 dir out spi 0x7200 seq 1 2>/dev/null || fail "sa update changed SEQ"

# Nothing else got out of the dead SAs while the ESN ones ran.
assert_eq "$(wire_seqs $((0x7000)) | wc -l)" 2 "non-ESN SA packets on the wire at the end"
ip -n a link del ipsec0
ip -n b link del ipsec0
ipsec_unload
echo "ok: sequence-number exhaustion stops the SA with a hard EXPIRE, never a wrapped sequence"
