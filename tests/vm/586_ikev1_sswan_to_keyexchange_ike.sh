#!/bin/bash
# vm-timeout: 600
# vm-suite: full
# A conn allowing both IKE versions (keyexchange=ike as strongSwan means it:
# initiate IKEv2, answer either; config/ike_version.cc) answers a peer that
# starts with IKEv1 in IKEv1, and the same conn answers IKEv2:
#
#   [lan1] h1 -- [gw1 ipsecd, ipsec0] ==== underlay ==== [gw2 strongSwan, XFRM] -- h2 [lan2]
#
# 1. strongSwan 5.9 "ours1" (keyexchange=ikev1, seed 003's aes128-sha1-
#    modp1024) initiates: ipsecd's conn "sswan" (keyexchange=ike, auto=add)
#    answers main mode + quick mode, 10 pings as ESP only, ipsecctl status
#    shows an IKEv1 responder SA; "ipsec down" is followed by ipsecd.
# 2. strongSwan "ours" (keyexchange=ikev2, same subnets) initiates: the same
#    conn answers IKEv2, 10 pings as ESP only.
. "$(dirname "$0")/lib.sh" sswan || exit 1

ss_setup v4
_ss_conn sswan "$GW1" "$NET1" "$GW2" "$NET2" add keyexchange=ike \
	ike=aes128-sha1-modp1024 esp=aes128-sha1-modp1024 >"$SS_OURS_DIR/ipsec.conf"
echo "$GW1 $GW2 : PSK \"ike-either-psk-5t8w\"" >"$SS_OURS_DIR/ipsec.secrets"
{
	_ss_conn ours1 "$GW2" "$NET2" "$GW1" "$NET1" add keyexchange=ikev1 \
		'ike=aes128-sha1-modp1024!' 'esp=aes128-sha1-modp1024!'
	_ss_conn ours "$GW2" "$NET2" "$GW1" "$NET1" add keyexchange=ikev2 \
		'ike=aes128-sha1-modp1024!' 'esp=aes128-sha1-modp1024!'
} >"$SS_SSWAN_DIR/ipsec.conf"
echo "$GW2 $GW1 : PSK \"ike-either-psk-5t8w\"" >"$SS_SSWAN_DIR/ipsec.secrets"
ss_start

# version_ok V: ipsecd has one established IKE SA of version V, as responder.
version_ok() {
	local st
	st=$(ictl "$NS_GW1" status --json)
	assert_eq "$(jq '[.ike_sas[] | select(.state == "ESTABLISHED")] | length' <<<"$st")" 1 "established IKE SAs"
	assert_eq "$(jq '.ike_sas[0].version' <<<"$st")" "$1" "IKE version of ipsecd's SA"
	assert_eq "$(jq -r '.ike_sas[0].initiator' <<<"$st")" false "ipsecd IKE SA initiator"
	assert_eq "$(jq -r '.ike_sas[0].conn' <<<"$st")" sswan "ipsecd's conn"
}

# 1. IKEv1 from strongSwan.
sswan "$NS_GW2" up ours1 >/dev/null || { _ss_dump >&2; fail "strongSwan: 'ipsec up ours1' failed"; }
wait_or_dump 90 _ss_dump _ipsecd_has_tunnels "$NS_GW1" 1
wait_or_dump 30 _ss_dump _sswan_child_installed "$NS_GW2" ours1
version_ok 1
ss_traffic 10
ictl "$NS_GW1" status | has_match ': IKEv1 ESTABLISHED' || fail "ipsecctl status does not say IKEv1"
echo "ok: strongSwan started IKEv1, ipsecd's keyexchange=ike conn answered in IKEv1, 10 pings as ESP"
sswan "$NS_GW2" down ours1 >/dev/null
wait_or_dump 30 "ipsecd_log $NS_GW1 | tail -n 60" _no_tunnels "$NS_GW1"
none() { [ "$(ictl "$NS_GW1" status --json | jq '.ike_sas | length')" = 0 ]; }
wait_or_dump 30 "ipsecd_log $NS_GW1 | tail -n 60" none

# 2. IKEv2 from strongSwan to the same conn.
ss_up sswan
version_ok 2
ss_traffic 10
echo "ok: strongSwan started IKEv2, the same conn answered in IKEv2, 10 pings as ESP"
ipsecd_stop "$NS_GW1"
