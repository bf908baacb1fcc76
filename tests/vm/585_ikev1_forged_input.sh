#!/bin/bash
# vm-timeout: 600
# Security: forged and replayed IKEv1 against an established ISAKMP SA.
# ipsecd <-> ipsecd with keyexchange=ikev1 (DPD every 2 s both ways), gw2
# also with a "right=%any" IKEv1 conn. Everything the gateways send while
# the tunnel comes up and runs DPD is recorded. Then, with a ping every
# 0.1 s through the tunnel, scapy (tests/vm/peers/ikev1_forge.py) as an
# on-path host that knows the cookies but not the keys sends each gateway,
# from its peer's address:
#   - main-mode messages with the SA's cookies (message 1 shapes, a
#     cleartext KE, encrypted 5/6 of garbage),
#   - INFORMATIONALs with a Delete of the ISAKMP SA and of the child's ESP
#     SPIs and a DPD R-U-THERE, in clear and "encrypted" (garbage once
#     decrypted), encrypted INFORMATIONALs and quick modes of garbage,
#   - every recorded datagram again, once the exchanges are over (QM1, QM3
#     and R-U-THEREs would verify again: IKEv1 has only unique message IDs
#     against replays, engine/v1/v1_sa.h used_message_ids),
# and gw2 a flood of 300 main-mode message 1s from 150 addresses for its
# %any conn plus 5 with the live SA's initiator cookie from another address
# (which took the live SA's place in the table before the fix).
# Then: no ping lost, the same cookies and child SPIs at both ends, one
# child each, the drops counted and the replays logged, gw2's half-open SAs
# bounded, and the SA still works (gw2 follows gw1's Deletes).
#
#   [lan1] 192.168.1.2 -- [gw1 ipsecd] 10.0.0.1 ==ul== 10.0.0.2 [gw2 ipsecd] -- 192.168.2.2 [lan2]
#                          + scapy in each gateway's netns, as the other
. "$(dirname "$0")/lib.sh" topology ipsecd || exit 1

ipsec_load
topo_v4

d1=$(mktemp -d /tmp/gw1.XXXXXX) d2=$(mktemp -d /tmp/gw2.XXXXXX)
kw="keyexchange=ikev1 ike=aes128-sha1-modp2048 esp=aes128-sha1-modp2048 dpddelay=2s dpdtimeout=30s dpdaction=clear"
ours_pair_conf "$d1" "$d2" ikev1-forged-input-psk-6c1x anyone "$kw" "$kw"

capture_start
ipsecd_start "$NS_GW2" "$d2"
ipsecd_start "$NS_GW1" "$d1"
ipsecd_wait_tunnels "$NS_GW1" 1 90
ipsecd_wait_tunnels "$NS_GW2" 1 30
up=$SECONDS
# A few DPD rounds each way go into the recording.
dpd_seen() { [ "$(ictl "$1" status --json | jq .counters.rx_messages)" -ge 12 ]; }
wait_or_dump 30 "ipsecd_log $NS_GW1" dpd_seen "$NS_GW1"
wait_or_dump 30 "ipsecd_log $NS_GW2" dpd_seen "$NS_GW2"
capture_stop
pcap1=${CAPTURE_PCAPS[0]} pcap2=${CAPTURE_PCAPS[1]}

sas() { # NS: "cookie_i cookie_r child_in child_out children" of the only IKEv1 SA
	ictl "$1" status --json | jq -r '.ike_sas | map(select(.state == "ESTABLISHED" and .version == 1)) |
		if length == 1 then .[0] | "\(.spi_i) \(.spi_r) \(.children[0].inbound_spi) \(.children[0].outbound_spi) \(.children | length)"
		else "count=\(length)" end'
}
counter() { ictl "$1" status --json | jq ".counters.$2"; }
drops() { echo $(($(counter "$1" dropped_unauthenticated) + $(counter "$1" dropped_unexpected))); }
before1=$(sas "$NS_GW1") before2=$(sas "$NS_GW2")
drops1=$(drops "$NS_GW1") drops2=$(drops "$NS_GW2")
echo "gw1 before: $before1; gw2 before: $before2"
read -r ci cr in1 out1 _ <<<"$before1"

attack() { # NS ARGS...: ikev1_forge.py in NS
	local ns=$1
	shift
	in_ns "$ns" env PYTHONPATH="$REPO/tests/vm/peers" timeout 120 /usr/bin/python3 \
		"$REPO/tests/vm/peers/ikev1_forge.py" "$@"
}

in_ns "$NS_LAN1" ping -c 700 -i 0.1 -W 2 -q "$H2" >/tmp/585.ping 2>&1 &
ping_pid=$!
sleep 2
# gw1's SPIs: its inbound is gw2's outbound and the other way round.
forged2=$(attack "$NS_GW1" forge "$GW1" "$GW2" "$ci" "$cr" "$in1" "$out1")
forged1=$(attack "$NS_GW2" forge "$GW2" "$GW1" "$ci" "$cr" "$in1" "$out1")
echo "forged: $forged2 to gw2, $forged1 to gw1"
flooded=$(attack "$NS_GW1" flood "$pcap1" "$GW2" 300 "$ci")
n=$(ictl "$NS_GW2" status --json | jq '.ike_sas | length')
echo "flood: $flooded message 1s to gw2, which holds $n IKE SAs"
[ "$n" -le 65 ] || fail "gw2 holds $n IKE SAs after the flood (limit: 64 half-open + 1)"
# Replays once the quick mode's exchange is over (kept 30 s to answer
# retransmits) on both ends.
while [ $((SECONDS - up)) -lt 40 ]; do sleep 1; done
replayed2=$(attack "$NS_GW1" replay "$pcap1" "$GW1" "$GW2")
replayed1=$(attack "$NS_GW2" replay "$pcap2" "$GW2" "$GW1")
echo "replayed: $replayed2 to gw2, $replayed1 to gw1"
wait "$ping_pid" || true
cat /tmp/585.ping
grep -q ' 700 received' /tmp/585.ping || fail "pings lost under forged IKEv1: $(grep received /tmp/585.ping)"

after1=$(sas "$NS_GW1") after2=$(sas "$NS_GW2")
assert_eq "$after1" "$before1" "gw1's cookies and child SPIs after the attack"
assert_eq "$after2" "$before2" "gw2's cookies and child SPIs after the attack"
assert_ge "$(($(drops "$NS_GW1") - drops1))" "$forged1" "forged datagrams gw1 counted as dropped"
assert_ge "$(($(drops "$NS_GW2") - drops2))" "$forged2" "forged datagrams gw2 counted as dropped"
assert_eq "$(counter "$NS_GW2" dropped_init_for_existing_sa)" 5 \
	"message 1s with the live initiator cookie gw2 dropped"
assert_ge "$(counter "$NS_GW2" dropped_half_open_limit)" 1 "message 1s over gw2's half-open limit"
for ns in "$NS_GW1" "$NS_GW2"; do
	ipsecd_log "$ns" | has_match 'dropping a replayed IKEv1 message' || fail "$ns logged no replay"
	# Neither end acted on a forged or replayed Delete.
	if ipsecd_log "$ns" | has_match 'peer deleted'; then fail "$ns followed a forged Delete"; fi
done

# The half-open SAs go after 30 s; the SA itself still works.
few() { [ "$(ictl "$NS_GW2" status --json | jq '.ike_sas | length')" -le 1 ]; }
wait_or_dump 60 "ipsecd_log $NS_GW2 | tail -50" few
ictl "$NS_GW1" down site >/dev/null
wait_or_dump 30 "ipsecd_log $NS_GW2 | tail -50" _no_tunnels "$NS_GW2"
ipsecd_log "$NS_GW2" | has_match 'peer deleted the ISAKMP SA' || fail "gw2 did not follow gw1's Delete"
echo "ok: $forged2/$forged1 forged, $replayed2/$replayed1 replayed, $flooded flooded IKEv1 datagrams: SAs and children unchanged, no ping lost"
