#!/bin/bash
# vm-timeout: 900
# vm-suite: full (keeps make check under 45 min; 544/540/541 cover lifecycle against strongSwan in make check)
# Lifecycle: both ends auto=start with 2x2 subnets against strongSwan 5.9
# (547 is the same against libreswan). strongSwan has one conn per subnet
# pair (ours-1x1 .. ours-2x2, which it puts under one IKE SA), ipsecd one
# conn with leftsubnets/rightsubnets; both start at once. strongSwan keeps
# both IKE SAs of the crossing, so ipsecd deletes the extra one and the
# redundant children (Documentation/lifecycle.md, "Both ends start at
# once"). Converged: one IKE SA on each side, four children each, eight
# XFRM states at strongSwan. Then through child rekeys (lifetime 1 min) and
# our IKE rekey (ikelifetime 90 s) a ping every 0.2 s on two pairs for
# 100 s loses nothing, and it is converged again at the end.
#
#   [lan1] 192.168.1.2       [gw1 ipsecd]            [gw2 strongSwan]      192.168.2.2 [lan2]
#          192.168.3.2 -- 192.168.{1,3}.1  10.0.0.1 ==ul== 10.0.0.2  192.168.{2,4}.1 -- 192.168.4.2
. "$(dirname "$0")/lib.sh" sswan lifecycle || exit 1

ss_setup v4
topo_v4_second_subnets
cat >"$SS_OURS_DIR/ipsec.conf" <<EOC
conn sswan
	left=$GW1
	leftsubnets={192.168.1.0/24 192.168.3.0/24}
	right=$GW2
	rightsubnets={192.168.2.0/24 192.168.4.0/24}
	authby=secret
	auto=start
	ike=aes256gcm16-prfsha256-ecp256
	lifetime=1m
	ikelifetime=90s
	rekeymargin=30s
EOC
echo "$GW1 $GW2 : PSK \"both-start-psk-5c2e\"" >"$SS_OURS_DIR/ipsec.secrets"
: >"$SS_SSWAN_DIR/ipsec.conf"
for l in 1 2; do
	for r in 1 2; do
		cat >>"$SS_SSWAN_DIR/ipsec.conf" <<EOC
conn ours-${r}x$l
	keyexchange=ikev2
	left=$GW2
	leftsubnet=192.168.$((2 * l)).0/24
	right=$GW1
	rightsubnet=192.168.$((2 * r - 1)).0/24
	authby=secret
	auto=start
	ike=aes256gcm16-prfsha256-ecp256!
	lifetime=60s
	margintime=20s
EOC
	done
done
echo "$GW2 $GW1 : PSK \"both-start-psk-5c2e\"" >"$SS_SSWAN_DIR/ipsec.secrets"
# strongSwan initiates as soon as its conns are loaded, ipsecd right after.
ss_start

_counts() {
	local st ss
	st=$(ictl "$NS_GW1" status --json) || return 1
	ss=$(sswan "$NS_GW2" status) || return 1
	echo "ipsecd IKE SAs $(jq '.ike_sas | length' <<<"$st"), children" \
		"$(jq '[.ike_sas[].children[] | select(.state == "INSTALLED")] | length' <<<"$st");" \
		"strongSwan IKE SAs $(grep -cE '\[[0-9]+\]: ESTABLISHED' <<<"$ss")," \
		"children $(grep -cE '\{[0-9]+\}: +INSTALLED' <<<"$ss"), XFRM states" \
		"$(in_ns "$NS_GW2" ip xfrm state | grep -c '^src')"
}
converged() {
	[ "$(_counts)" = "ipsecd IKE SAs 1, children 4; strongSwan IKE SAs 1, children 4, XFRM states 8" ]
}
wait_or_dump 300 "_ss_dump; _counts" converged
echo "${SECONDS}s: converged: $(ictl "$NS_GW1" status --json | jq -c '[.ike_sas[] | {initiator, n: (.children | length)}]')"

lc_2x2_all_pairs _ss_dump
lc_2x2_through_rekeys _ss_dump 0
wait_or_dump 90 "_ss_dump; _counts" converged
lc_2x2_all_pairs _ss_dump
echo "ok: both ends auto=start with strongSwan converge to one IKE SA with 4 children, through rekeys"
