#!/bin/bash
# vm-timeout: 600
# Security: a bounded IKE_SA_INIT flood (600 requests with random SPIi from
# 150 spoofed addresses, scapy, bounded by a 120 s timeout) against gw2, which has a
# "right=%any" connection besides its tunnel to gw1. The half-open limits
# and cookies (Documentation/security.md, "IKE daemon") keep gw2's state
# and memory bounded, and the established tunnel goes on as if nothing
# happened: DPD every 2 s answered, its child SA rekeyed (lifetime 1 min, margin 45 s),
# no ping lost.
#
#   [lan1] 192.168.1.2 -- [gw1 ipsecd] 10.0.0.1 ==ul== 10.0.0.2 [gw2 ipsecd] -- 192.168.2.2 [lan2]
#                          + scapy: IKE_SA_INIT from 10.0.0.100-249 -> 10.0.0.2:500
. "$(dirname "$0")/lib.sh" topology ipsecd || exit 1

ipsec_load
topo_v4

d1=$(mktemp -d /tmp/gw1.XXXXXX) d2=$(mktemp -d /tmp/gw2.XXXXXX)
ours_pair_conf "$d1" "$d2" init-flood-test-psk-4711 anyone \
	"dpddelay=2s dpdtimeout=10s dpdaction=clear lifetime=1m rekeymargin=45s rekeyfuzz=0%" ""
ipsecd_start "$NS_GW2" "$d2"
gw2_pid=$IPSECD_PID
ipsecd_start "$NS_GW1" "$d1"
ipsecd_wait_tunnels "$NS_GW1" 1 90
ipsecd_wait_tunnels "$NS_GW2" 1 30

ike_spis() { ictl "$1" status --json | jq -r '[.ike_sas[] | select(.state == "ESTABLISHED") | "\(.spi_i) \(.spi_r)"] | join(",")'; }
child_in() { ictl "$NS_GW1" status --json | jq -r '[.ike_sas[].children[] | select(.state == "INSTALLED") | .inbound_spi] | join(",")'; }
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$gw2_pid/status"; }
ike_before=$(ike_spis "$NS_GW1") child_before=$(child_in) rss_before=$(rss_kb)
dpd_before=$(ipsecd_log "$NS_GW1" | grep -c 'DPD: peer is alive' || true)
echo "before: IKE $ike_before child $child_before gw2 RSS ${rss_before} kB"

in_ns "$NS_LAN1" ping -c 100 -i 0.2 -W 3 -q "$H2" >/tmp/531.ping 2>&1 &
ping_pid=$!
# 600 IKE_SA_INITs, 4 per source: each a valid request (AES-GCM-256,
# PRF-HMAC-SHA2-256, Curve25519 with a random public value) gw2 would answer.
start=$SECONDS
in_ns "$NS_GW1" env PYTHONPATH="$REPO/tests/vm/peers" timeout 120 /usr/bin/python3 - <<'PY'
import os
from scapy.all import IP, UDP, Raw, conf
from ike_init import ike_sa_init
conf.verb = 0
s = conf.L3socket()
for n in range(600):
    spi_i = int.from_bytes(os.urandom(8), "big")
    src = "10.0.0.%d" % (100 + n % 150)
    s.send(IP(src=src, dst="10.0.0.2") / UDP(sport=500, dport=500) / Raw(ike_sa_init(spi_i, 31, 32)))
PY
echo "flood sent in $((SECONDS - start)) s"
rss_after=$(rss_kb)
wait "$ping_pid" || true
cat /tmp/531.ping

# gw2 held no more than the cookie threshold of half-open SAs (64) plus the
# tunnel, and its memory stayed bounded.
n=$(ictl "$NS_GW2" status --json | jq '.ike_sas | length')
echo "gw2: $n IKE SAs after the flood, RSS ${rss_before} -> ${rss_after} kB"
[ "$n" -le 65 ] || fail "gw2 holds $n IKE SAs after the flood (limit: 64 half-open + 1)"
[ $((rss_after - rss_before)) -lt 20480 ] || fail "gw2's RSS grew by $((rss_after - rss_before)) kB during the flood"
ipsecd_log "$NS_GW2" | has_match 'asking .* for a COOKIE' || fail "gw2 sent no COOKIE during the flood"

# The tunnel: no ping lost, same IKE SA, child SA rekeyed, DPD answered.
grep -q ' 100 received' /tmp/531.ping || fail "pings lost during the flood: $(grep received /tmp/531.ping)"
rekeyed() { [ -n "$(child_in)" ] && [ "$(child_in)" != "$child_before" ]; }
wait_or_dump 60 "ipsecd_log $NS_GW1" rekeyed
assert_eq "$(ike_spis "$NS_GW1")" "$ike_before" "gw1's IKE SA after the flood"
dpd_after=$(ipsecd_log "$NS_GW1" | grep -c 'DPD: peer is alive' || true)
assert_ge "$dpd_after" $((dpd_before + 5)) "DPD exchanges answered during the flood"
ping_lan 5 || fail "tunnel does not carry traffic after the flood"
# The half-open SAs go after 30 s.
few() { [ "$(ictl "$NS_GW2" status --json | jq '.ike_sas | length')" -le 1 ]; }
wait_or_dump 60 "ipsecd_log $NS_GW2 | tail -50" few
echo "ok: 600 forged IKE_SA_INITs: gw2 bounded ($n SAs, RSS +$((rss_after - rss_before)) kB), tunnel rekeyed with DPD, no ping lost"
