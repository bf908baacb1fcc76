#!/bin/bash
# vm-timeout: 600
# Security: a forged IKE_SA_INIT naming a live IKE SA (RFC 7296 2.1 lookup
# by SPIi) must never touch it. With a tunnel up and a ping every 0.1 s
# through it, scapy in gw1's netns sends IKE_SA_INITs carrying the
# established SPIi, from gw1's own address and port 500 (what an on-path
# host can do), with message IDs 0..7, a proposal and a KE value gw2 cannot
# use, to the responder gw2 — and the same with gw2's view reversed to the
# initiator gw1 (where it opens a half-open SA that expires). Before the fix gw2 handed them to the live SA: new keys or
# an error notify that killed it with its child. Now: no ping lost, the
# same IKE and ESP SPIs afterwards, each forgery dropped and logged, and
# the IKE SA still works (gw2 acts on gw1's Delete).
#
#   [lan1] 192.168.1.2 -- [gw1 ipsecd] 10.0.0.1 ==ul== 10.0.0.2 [gw2 ipsecd] -- 192.168.2.2 [lan2]
#                          + scapy (src 10.0.0.1:500 -> 10.0.0.2:500, and back)
. "$(dirname "$0")/lib.sh" topology ipsecd || exit 1

ipsec_load
topo_v4

d1=$(mktemp -d /tmp/gw1.XXXXXX) d2=$(mktemp -d /tmp/gw2.XXXXXX)
ours_pair_conf "$d1" "$d2" forged-init-test-psk-31337 "" ""
ipsecd_start "$NS_GW2" "$d2"
ipsecd_start "$NS_GW1" "$d1"
ipsecd_wait_tunnels "$NS_GW1" 1 90
ipsecd_wait_tunnels "$NS_GW2" 1 30

sas() { # NS: "spi_i spi_r child_in child_out" of the only established IKE SA
	ictl "$1" status --json | jq -r '.ike_sas | map(select(.state == "ESTABLISHED")) | if length == 1 then .[0] | "\(.spi_i) \(.spi_r) \(.children[0].inbound_spi) \(.children[0].outbound_spi)" else "count=\(length)" end'
}
ike_sa_count() { ictl "$1" status --json | jq '.ike_sas | length'; }
before2=$(sas "$NS_GW2") before1=$(sas "$NS_GW1")
read -r spi_i _ <<<"$before2"
echo "gw2 before: $before2"

# forge NS SRC DST: IKE_SA_INITs with the live SPIi, message IDs 0..7.
forge() {
	in_ns "$1" env PYTHONPATH="$REPO/tests/vm/peers" /usr/bin/python3 - "$spi_i" "$2" "$3" <<'PY'
import sys
from scapy.all import IP, UDP, Raw, send, conf
from ike_init import ike_sa_init
conf.verb = 0
spi_i, src, dst = int(sys.argv[1], 16), sys.argv[2], sys.argv[3]
# AES-GCM-16-256 / PRF-HMAC-SHA2-256 / ECP-256 (64-byte KE), message IDs 0..7.
for mid in range(8):
    send(IP(src=src, dst=dst) / UDP(sport=500, dport=500) / Raw(ike_sa_init(spi_i, 19, 64, mid)))
PY
}

# A ping every 0.1 s through the tunnel while the forgeries arrive.
in_ns "$NS_LAN1" ping -c 100 -i 0.1 -W 2 -q "$H2" >/tmp/530.ping 2>&1 &
ping_pid=$!
sleep 2
forge "$NS_GW1" "$GW1" "$GW2"   # to the responder, as its peer
sleep 1
forge "$NS_GW2" "$GW2" "$GW1"   # to the initiator, as its peer
wait "$ping_pid" || true
cat /tmp/530.ping
grep -q ' 100 received' /tmp/530.ping || fail "pings lost while IKE_SA_INITs were forged: $(grep received /tmp/530.ping)"

after2=$(sas "$NS_GW2") after1=$(sas "$NS_GW1")
assert_eq "$after2" "$before2" "gw2's IKE and child SPIs after the forgeries"
assert_eq "$after1" "$before1" "gw1's IKE and child SPIs after the forgeries"
n=$(ipsecd_log "$NS_GW2" | grep -c 'dropping IKE_SA_INIT .*past IKE_SA_INIT')
assert_eq "$n" 8 "forgeries gw2 dropped as naming a live IKE SA"

# To gw1 the SPIi is no SA of its own as responder: the first forgery made
# a new half-open SA there (the rest were dropped as naming it), which
# expires after 30 s.
one_sa() { [ "$(ike_sa_count "$1")" = 1 ]; }
wait_or_dump 60 "ipsecd_log $NS_GW1" one_sa "$NS_GW1"
ipsecd_log "$NS_GW1" | has_match 'half-open for 30 s' || fail "gw1: no half-open expiry in the log"

# The IKE SA itself still works: gw2 decrypts gw1's Delete.
ictl "$NS_GW1" down site
wait_or_dump 30 "ipsecd_log $NS_GW2" _no_tunnels "$NS_GW2"
echo "ok: 16 forged IKE_SA_INITs with a live SPIi, no ping lost, SAs untouched"
