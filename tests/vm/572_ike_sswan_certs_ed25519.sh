#!/bin/bash
# vm-suite: full
# vm-timeout: 600
# IKEv2 with Ed25519 certificates against strongSwan 5.9, both directions
# (RFC 8420: AUTH method 14 with id-Ed25519, hash "Identity" announced in
# SIGNATURE_HASH_ALGORITHMS). The test makes an Ed25519 root CA, ipsecd's
# Ed25519 end-entity and strongSwan's ECDSA P-256 one with the openssl CLI
# (lib/certs.sh: strongSwan 5.9.8's ipsec.secrets loads no Ed25519 key);
# ipsecd's key is read as PKCS#8 from ipsec.secrets (": PKCS8 file").
# strongSwan checks ipsecd's Ed25519 certificate and AUTH, ipsecd an
# Ed25519-signed chain. CERT goes out as each end's default
# (leftsendcert=ifasked): both send CERTREQ, so both send CERT.
#
#   [lan1] h1 -- [gw1 ipsecd, ipsec0] ==== underlay ==== [gw2 strongSwan, XFRM] -- h2 [lan2]
#             CN=ed-ours (Ed25519)                       CN=ed-sswan (ECDSA P-256)
#                       \______ Ed25519 Root CA (Ed25519) ______/
#
# 1. ipsecd initiates (auto=start): pings across as ESP; "ipsecctl status"
#    shows ed25519 (ours) and ecdsa-p256-sha256 (strongSwan's) and
#    strongSwan's subject; strongSwan's log shows it verified our Ed25519
#    signature.
# 2. "ipsecctl down", then strongSwan initiates: pings again, the same.
. "$(dirname "$0")/lib.sh" certs || exit 1

ss_setup v4
certs_ed25519_setup ecdsa
ipsecd_cert_config "$SS_OURS_DIR" sswan start "$pki/ca.pem" "$pki/ours.pem" PKCS8 \
	"$pki/ours.key" "$DN2" "rightca=\"$DN_CA\""
certs_sswan_conf "$pki/ca.pem" "$pki/sswan.pem" ECDSA "$pki/sswan.key" "$DN1"

SSWAN_PLUGINS_EXTRA="x509 pem pkcs1 pkcs8 pubkey" ss_start
sswan_log "$NS_GW2" | has_match "loaded ECDSA private key" || {
	sswan_log "$NS_GW2" | grep -iE "secret|private|key|cert" | head -n 40 >&2
	fail "strongSwan did not load its ECDSA key from ipsec.secrets"
}

# _status_shows_ed25519 WHO: ipsecd's status, text and JSON, names its
# Ed25519 signature, strongSwan's ECDSA one and strongSwan's certificate.
_status_shows_ed25519() {
	local st
	st=$(ictl "$NS_GW1" status --json)
	assert_eq "$(jq -r '.ike_sas[0].local_auth' <<<"$st")" ed25519 "ipsecd signed with ($1)"
	assert_eq "$(jq -r '.ike_sas[0].remote_auth' <<<"$st")" ecdsa-p256-sha256 "strongSwan signed with ($1)"
	assert_eq "$(jq -r '.ike_sas[0].remote_cert' <<<"$st")" "$DN2" "strongSwan's certificate ($1)"
	ictl "$NS_GW1" status | has_match -F "auth: local ed25519, remote ecdsa-p256-sha256, peer certificate '$DN2'" ||
		{ ictl "$NS_GW1" status >&2; fail "ipsecctl status has no Ed25519 auth line ($1)"; }
}

# 1. ipsecd initiates.
certs_ours_initiates "$DN1" "$DN2" ED25519
_status_shows_ed25519 "ipsecd initiated"
echo "ok: ipsecd initiated with its Ed25519 certificate"

# 2. strongSwan initiates.
certs_sswan_initiates "$DN1" "$DN2"
_status_shows_ed25519 "strongSwan initiated"
[ "$(sswan_log "$NS_GW2" | grep -c "authentication of '$DN1' with ED25519 successful")" -ge 2 ] ||
	{ _ss_dump >&2; fail "strongSwan did not verify ipsecd's Ed25519 signature as responder"; }
echo "ok: strongSwan initiated, ipsecd answered with its Ed25519 certificate"
echo "ESP packets: $(capture_count 'ip proto 50 or ip6 proto 50')"
