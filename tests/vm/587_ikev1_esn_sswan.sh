#!/bin/bash
# vm-timeout: 600
# vm-suite: full
# ESN in IKEv1 (RFC 4304: the Extended Sequence Number attribute of quick
# mode, ike/v1/quick_mode_proposal.cc) against strongSwan 5.9 in IKEv1
# mode, both with esp=aes128-sha1-modp1024-esn (strongSwan insists on it),
# both roles:
#
#   [lan1] h1 -- [gw1 ipsecd, ipsec0] ==== underlay ==== [gw2 strongSwan, XFRM] -- h2 [lan2]
#
# Each time: ipsecd's child is AES_CBC_128/HMAC_SHA1_96/MODP_1024/ESN, both
# of its SAs in our module have esn, strongSwan's XFRM states have the esn
# flag, and 10 pings cross as ESP only.
. "$(dirname "$0")/lib.sh" sswan || exit 1

ss_setup v4
ss_conf ikev1 ours esp=aes128-sha1-modp1024-esn 'esp=aes128-sha1-modp1024-esn!' ikev1-esn-psk-2r7n
ss_start

esn_ok() { # ROLE: initiator true/false
	local st n
	st=$(ictl "$NS_GW1" status --json)
	assert_eq "$(jq '[.ike_sas[] | select(.state == "ESTABLISHED" and .version == 1)] | length' <<<"$st")" 1 \
		"established IKEv1 SAs"
	assert_eq "$(jq -r '.ike_sas[0].initiator' <<<"$st")" "$1" "ipsecd IKEv1 SA initiator"
	assert_eq "$(jq -r '.ike_sas[0].children[0].algorithms' <<<"$st")" \
		"AES_CBC_128/HMAC_SHA1_96/MODP_1024/ESN" "IKEv1 child SA algorithms"
	n=$(in_ns "$NS_GW1" "$IPSECCTL" sa list dev ipsec0 --json | jq '[.[] | select(.esn == true)] | length')
	assert_eq "$n" 2 "SAs with esn in our module"
	n=$(in_ns "$NS_GW2" ip xfrm state | grep -c 'flag.*esn' || true)
	assert_eq "$n" 2 "XFRM states with the esn flag at strongSwan"
}

ss_up ours
esn_ok true
ss_traffic 10
echo "ok: ipsecd initiated IKEv1 with ESN, 10 pings as ESP"
ictl "$NS_GW1" down sswan >/dev/null
wait_or_dump 30 "ipsecd_log $NS_GW1 | tail -n 60" _no_tunnels "$NS_GW1"
# shellcheck disable=SC2016 # expanded by eval
wait_or_dump 30 "_sswan_dump $NS_GW2 | tail -n 60" eval '! _sswan_child_installed "$NS_GW2" ours'

ss_up sswan
esn_ok false
ss_traffic 10
echo "ok: strongSwan initiated IKEv1 with ESN, ipsecd answered, 10 pings as ESP"
ipsecd_stop "$NS_GW1"
