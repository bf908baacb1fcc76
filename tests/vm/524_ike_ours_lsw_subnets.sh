#!/bin/bash
# vm-timeout: 480
# Seed 000's 2x2 subnets (leftsubnets={a b} rightsubnets={c d}) between
# ipsecd (initiator) and libreswan 4.10: one IKE SA, the first child SA in
# IKE_AUTH and three more by CREATE_CHILD_SA (with PFS, both sides' default
# pfs=yes), one per subnet pair. Traffic on all four pairs goes through its
# own child SA (counted on both sides), ESP only on the underlay.
#
#   [lan1] 192.168.1.2       [gw1 ipsecd]            [gw2 libreswan]       192.168.2.2 [lan2]
#          192.168.3.2 -- 192.168.{1,3}.1  10.0.0.1 ==ul== 10.0.0.2  192.168.{2,4}.1 -- 192.168.4.2
#
#   ours: lsw/1x1 1.0/24<->2.0/24  1x2 1.0<->4.0  2x1 3.0<->2.0  2x2 3.0<->4.0
#   pluto (its left is gw2): ours/1x1 ours/2x1 ours/1x2 ours/2x2 for the same pairs
. "$(dirname "$0")/lib.sh" lsw || exit 1

ipsec_load
topo_v4
topo_v4_second_subnets
# ipsecd keeps its defaults (x25519, ecp256 and modp2048 offered for IKE and,
# pfs=yes, for the child SAs); pluto takes ecp256 only, which is fast under
# TCG, so the IKE SA's group is not the first one we offer.
# shellcheck disable=SC2034 # read by lsw_pair_configs
SUBNETS1="{192.168.1.0/24 192.168.3.0/24}" SUBNETS2="{192.168.2.0/24 192.168.4.0/24}" \
	LSW_EXTRA="ike=aes_gcm256-sha2_256;dh19"
lsw_pair_configs start add

lsw_start "$NS_GW2" "$LSW_DIR"
for c in 1x1 1x2 2x1 2x2; do
	wait_or_dump 30 lsw_pair_dump _lsw_has_conn "$NS_GW2" "ours/$c"
done
ipsecd_start "$NS_GW1" "$OURS_DIR"
wait_or_dump 120 lsw_pair_dump _ipsecd_has_tunnels "$NS_GW1" 4
for c in 1x1 1x2 2x1 2x2; do
	lsw_wait_established "$NS_GW2" "ours/$c" 30
done

st=$(ictl "$NS_GW1" status --json)
assert_eq "$(jq '.ike_sas | length' <<<"$st")" 1 "IKE SAs in gw1"
assert_eq "$(jq '.ike_sas[0].children | length' <<<"$st")" 4 "child SAs of gw1's IKE SA"
assert_eq "$(jq -r '.ike_sas[0].initiator' <<<"$st")" true "gw1 initiated the IKE SA"
assert_eq "$(jq -r '.ike_sas[0].algorithms' <<<"$st")" AES_GCM_16_256/PRF_HMAC_SHA2_256/ECP_256 "gw1 IKE SA algorithms"
# The three CREATE_CHILD_SA children did PFS in the IKE SA's group.
assert_eq "$(jq '[.ike_sas[0].children[] | select(.algorithms | contains("ECP_256"))] | length' <<<"$st")" 3 "child SAs with PFS in ECP_256"
assert_eq "$(lsw_whack "$NS_GW2" --trafficstatus | grep -c 'type=ESP')" 4 "child SAs in pluto"
ictl "$NS_GW1" status

# ours_pair FIELD LOCAL REMOTE: FIELD of our child SA for that subnet pair.
ours_pair() {
	ictl "$NS_GW1" trafficstatus --json |
		jq "[.tunnels[] | select(.local_ts[0] == \"$2\" and .remote_ts[0] == \"$3\") | .$1] | add // 0"
}

# pair OURS_NAME LSW_NAME SRC DST: 5 pings SRC -> DST, ESP only, and that
# pair's child SA (and no other) carried them on both sides.
pair() {
	local src=$3 dst=$4 lnet rnet
	lnet=${src%.*}.0/24 rnet=${dst%.*}.0/24
	lsw_traffic_check 5 "$src" "$dst"
	assert_ge "$(ours_pair out_packets "$lnet" "$rnet")" 5 "gw1 out_packets of lsw/$1 ($lnet === $rnet)"
	assert_ge "$(ours_pair in_packets "$lnet" "$rnet")" 5 "gw1 in_packets of lsw/$1"
	assert_ge "$(lsw_in_bytes "ours/$2")" 400 "pluto's inBytes of ours/$2"
	echo "pair lsw/$1 = ours/$2: $src -> $dst ok"
}
pair 1x1 1x1 192.168.1.2 192.168.2.2
pair 1x2 2x1 192.168.1.2 192.168.4.2
pair 2x1 1x2 192.168.3.2 192.168.2.2
pair 2x2 2x2 192.168.3.2 192.168.4.2
# Every child SA carried exactly its own pair: 4 x 5 echo requests in all.
assert_eq "$(ipsecd_traffic "$NS_GW1" out_packets)" 20 "gw1 out_packets over all child SAs"

ictl "$NS_GW1" down lsw
wait_or_dump 30 "lsw_pair_dump" _no_tunnels "$NS_GW1"
wait_or_dump 30 "lsw_pair_dump" _lsw_no_traffic "$NS_GW2"
ipsecd_stop "$NS_GW1"
echo "ok: 2x2 subnets ipsecd -> libreswan, four child SAs on one IKE SA"
