#!/bin/bash
# vm-timeout: 600
# ipsecd with keyexchange=ikev1 (engine/v1/) against strongSwan 5.9 with
# keyexchange=ikev1, seed 003's AWS-era proposals (aes128-sha1-modp1024,
# ESP aes128-sha1 with MODP1024 PFS), PSK by address, both roles:
#
#   [lan1] h1 -- [gw1 ipsecd, ipsec0] ==== underlay ==== [gw2 strongSwan, XFRM] -- h2 [lan2]
#
# 1. ipsecd initiates (auto=start): main mode + quick mode, the child in our
#    module and in strongSwan's XFRM, 10 pings between the LANs as ESP only,
#    "ipsecctl status" shows an IKEv1 SA; "ipsecctl down" sends Deletes and
#    strongSwan removes its child.
# 2. strongSwan initiates ("ipsec up"): ipsecd answers as responder, pings
#    again as ESP only; "ipsec down" on strongSwan: ipsecd honours its
#    Deletes and removes the child.
. "$(dirname "$0")/lib.sh" sswan || exit 1

ss_setup v4
ss_conf ikev1 ours "" "" ikev1-engine-psk-4k2m
ss_start

# v1_status_ok ROLE: ipsecd has one established IKEv1 SA in ROLE
# (initiator true/false) with an installed child of seed 003's algorithms.
v1_status_ok() {
	local st
	st=$(ictl "$NS_GW1" status --json)
	[ "$(jq '[.ike_sas[] | select(.state == "ESTABLISHED" and .version == 1)] | length' <<<"$st")" = 1 ] ||
		{ echo "$st" >&2; fail "ipsecd: no established IKEv1 SA"; }
	assert_eq "$(jq -r '.ike_sas[0].initiator' <<<"$st")" "$1" "ipsecd IKEv1 SA initiator"
	assert_eq "$(jq -r '.ike_sas[0].algorithms' <<<"$st")" "AES_CBC_128/SHA1/MODP_1024" "ISAKMP SA algorithms"
	assert_eq "$(jq -r '.ike_sas[0].children[0].algorithms' <<<"$st")" \
		"AES_CBC_128/HMAC_SHA1_96/MODP_1024" "IKEv1 child SA algorithms"
	ictl "$NS_GW1" status | has_match ': IKEv1 ESTABLISHED' || fail "ipsecctl status does not say IKEv1"
}

# 1. ours initiates.
ss_up ours
v1_status_ok true
ss_traffic 10
grep -q "IKE_SA ours\[[0-9]*\] established" "$SS_SSWAN_DIR/charon.log" ||
	fail "charon.log: no established IKE_SA"
echo "ok: ipsecd initiated IKEv1, 10 pings as ESP"
ictl "$NS_GW1" down sswan >/dev/null
# shellcheck disable=SC2016 # expanded by eval
wait_or_dump 30 "_sswan_dump $NS_GW2 | tail -n 60" eval '! _sswan_child_installed "$NS_GW2" ours'
wait_or_dump 30 "ipsecd_log $NS_GW1 | tail -n 60" _no_tunnels "$NS_GW1"
echo "ok: ipsecctl down: strongSwan removed its child on our Deletes"

# 2. strongSwan initiates.
ss_up sswan
v1_status_ok false
ss_traffic 10
echo "ok: strongSwan initiated IKEv1, ipsecd answered, 10 pings as ESP"
sswan "$NS_GW2" down ours >/dev/null
wait_or_dump 30 "ipsecd_log $NS_GW1 | tail -n 60" _no_tunnels "$NS_GW1"
ipsecd_log "$NS_GW1" | has_match "peer deleted" || fail "ipsecd did not log the peer's Delete"
echo "ok: ipsecd removed its child on strongSwan's Deletes"
ipsecd_stop "$NS_GW1"
