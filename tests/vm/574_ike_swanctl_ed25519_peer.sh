#!/bin/bash
# vm-suite: full
# vm-timeout: 600
# ipsecd verifies a peer's Ed25519 signature (RFC 8420): strongSwan 5.9
# signs with an Ed25519 key, which its ipsec.secrets does not load (572),
# so it is configured the swanctl way: charon with the vici plugin,
# swanctl.conf, the key as PKCS#8 in private/ (lib/certs.sh,
# certs_swanctl_start). ipsecd signs with Ed25519 too.
#
#   [lan1] h1 -- [gw1 ipsecd, ipsec0] ==== underlay ==== [gw2 charon + swanctl, XFRM] -- h2 [lan2]
#             CN=ed-ours (Ed25519)                         CN=ed-sswan (Ed25519)
#                       \______ Ed25519 Root CA (Ed25519) ______/
#
# 1. ipsecd initiates (auto=start): pings across as ESP; ipsecd's status
#    shows it verified strongSwan's AUTH as ed25519 with its certificate's
#    subject, and strongSwan's log shows it signed with Ed25519.
# 2. "ipsecctl down", then strongSwan initiates ("swanctl --initiate"):
#    pings again, ipsecd as responder verified an Ed25519 AUTH again.
. "$(dirname "$0")/lib.sh" certs || exit 1

ss_setup v4
certs_ed25519_setup ed25519
ipsecd_cert_config "$SS_OURS_DIR" sswan start "$pki/ca.pem" "$pki/ours.pem" PKCS8 \
	"$pki/ours.key" "$DN2" "rightca=\"$DN_CA\"" rightauth=ed25519

certs_swanctl_start "$NS_GW2" "$SS_SSWAN_DIR" "$pki/ca.pem" "$pki/sswan.pem" "$pki/sswan.key" "$DN1"
echo "${SECONDS}s: charon answers, swanctl loaded"
certs_swanctl "$NS_GW2" --list-certs | has_match -F "$DN2" ||
	{ _certs_swanctl_dump "$NS_GW2"; fail "strongSwan did not load its certificate"; }
has_match -F "loaded private key from '/etc/swanctl/private/sswan.key'" <"$SS_SSWAN_DIR/load.log" ||
	{ cat "$SS_SSWAN_DIR/load.log"; _certs_swanctl_dump "$NS_GW2"; fail "swanctl did not load strongSwan's Ed25519 key"; }
ipsecd_start "$NS_GW1" "$SS_OURS_DIR"

_dump() {
	_certs_swanctl_dump "$NS_GW2" | tail -n 30
	ictl "$NS_GW1" status || true
	ipsecd_log "$NS_GW1" | tail -n 40
}

# _verified_ed25519 WHO: ipsecd checked strongSwan's Ed25519 AUTH and
# certificate; strongSwan checked ours.
_verified_ed25519() {
	local st
	st=$(ictl "$NS_GW1" status --json)
	assert_eq "$(jq -r '.ike_sas[0].remote_auth' <<<"$st")" ed25519 "strongSwan signed with ($1)"
	assert_eq "$(jq -r '.ike_sas[0].remote_cert' <<<"$st")" "$DN2" "strongSwan's certificate ($1)"
	assert_eq "$(jq -r '.ike_sas[0].local_auth' <<<"$st")" ed25519 "ipsecd signed with ($1)"
	sswan_log "$NS_GW2" | has_match "authentication of '$DN2' (myself) with ED25519 successful" ||
		{ _dump >&2; fail "strongSwan did not sign with Ed25519 ($1)"; }
	sswan_log "$NS_GW2" | has_match "authentication of '$DN1' with ED25519 successful" ||
		{ _dump >&2; fail "strongSwan did not verify ipsecd's Ed25519 signature ($1)"; }
}

# 1. ipsecd initiates.
wait_or_dump 90 _dump _ipsecd_has_tunnels "$NS_GW1" 1
wait_or_dump 30 _dump certs_swanctl_child_installed "$NS_GW2"
ss_traffic 10
_verified_ed25519 "ipsecd initiated"
echo "ok: ipsecd initiated and verified strongSwan's Ed25519 signature"

# 2. strongSwan initiates.
ictl "$NS_GW1" down sswan >/dev/null
wait_or_dump 30 "ipsecd_log $NS_GW1 | tail -n 60" _no_tunnels "$NS_GW1"
# shellcheck disable=SC2016 # expanded by eval
wait_or_dump 30 _dump eval '! certs_swanctl_child_installed "$NS_GW2"'
certs_swanctl "$NS_GW2" --initiate --child ours --timeout 60 >/dev/null ||
	{ _dump >&2; fail "swanctl --initiate failed"; }
wait_or_dump 60 _dump _ipsecd_has_tunnels "$NS_GW1" 1
ss_traffic 10
_verified_ed25519 "strongSwan initiated"
ipsecd_log "$NS_GW1" | has_match "IKE SA established between .* \[$DN1\] and .* \[$DN2\]" ||
	{ _dump >&2; fail "ipsecd did not log the certificate IDs as responder"; }
echo "ok: strongSwan initiated, ipsecd verified its Ed25519 signature as responder"
