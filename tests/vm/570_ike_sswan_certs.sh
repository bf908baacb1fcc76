#!/bin/bash
# vm-timeout: 600
# IKEv2 with X.509 certificates against strongSwan 5.9, both directions:
# ipsecd signs with an RSA certificate, strongSwan with an ECDSA P-256 one,
# both issued by a CA made at test time with the openssl CLI by the unit
# tests' tests/unit/ike/cert/make_fixtures.sh (no key is committed). IDs
# are the certificates' subjects (ID_DER_ASN1_DN); each end checks the
# other's chain against the CA (cadir= for ipsecd, a ca section for
# strongSwan), asks for it with CERTREQ and signs with RFC 7427 (method 14,
# SIGNATURE_HASH_ALGORITHMS from IKE_SA_INIT).
#
#   [lan1] h1 -- [gw1 ipsecd, ipsec0] ==== underlay ==== [gw2 strongSwan, XFRM] -- h2 [lan2]
#        CN=moon.example.org (RSA-2048)                  CN=p256 (ECDSA P-256)
#                       \________ Test Root CA (RSA) __________/
#
# 1. ipsecd initiates (auto=start): pings across, all as ESP.
# 2. "ipsecctl down", then strongSwan initiates ("ipsec up"): pings again.
. "$(dirname "$0")/lib.sh" || exit 1
. "$(dirname "$0")/51x_sswan.bash"

ss_setup v4
pki=$(mktemp -d /tmp/pki.XXXXXX)
# The unit tests' credentials (openssl CLI): "moon" is RSA-2048 and "p256"
# ECDSA P-256, both under "ca".
"$REPO/tests/unit/ike/cert/make_fixtures.sh" "$pki/fix" >"$pki/make.log" 2>&1 ||
	{ cat "$pki/make.log"; fail "make_fixtures.sh could not make the test PKI"; }
DN1="C=CH, O=ipsec_tun test, CN=moon.example.org"
DN2="C=CH, O=ipsec_tun test, CN=p256"
ipsecd_cert_config "$SS_OURS_DIR" sswan start "$pki/fix/ca.pem" "$pki/fix/moon.pem" RSA \
	"$pki/fix/moon.key" "$DN2" 'rightca="C=CH, O=ipsec_tun test, CN=Test Root CA"'
cp "$pki/fix/ca.pem" "$pki/fix/p256.pem" "$pki/fix/p256.key" "$SS_SSWAN_DIR/"

cat >"$SS_SSWAN_DIR/ipsec.conf" <<EOC
ca vmroot
	cacert=$SS_SSWAN_DIR/ca.pem
	auto=add

conn ours
	keyexchange=ikev2
	left=$GW2
	leftsubnet=$NET2
	right=$GW1
	rightsubnet=$NET1
	leftauth=pubkey
	rightauth=pubkey
	leftcert=$SS_SSWAN_DIR/p256.pem
	rightid="$DN1"
	auto=add
EOC
echo ": ECDSA $SS_SSWAN_DIR/p256.key" >"$SS_SSWAN_DIR/ipsec.secrets"

SSWAN_PLUGINS_EXTRA="x509 pem pkcs1 pkcs8 pubkey" ss_start

# 1. ipsecd initiates.
ss_up ours
ss_traffic 10
st=$(ictl "$NS_GW1" status --json)
assert_eq "$(jq -r '.ike_sas[0].local_id' <<<"$st")" "$DN1" "ipsecd's ID (its certificate's subject)"
assert_eq "$(jq -r '.ike_sas[0].remote_id' <<<"$st")" "$DN2" "strongSwan's ID as ipsecd saw it"
sswan_log "$NS_GW2" | grep -q "authentication of '$DN1' with RSA_EMSA_PKCS1_SHA2_256 successful" ||
	{ _ss_dump >&2; fail "strongSwan did not verify ipsecd's RSA signature (method 14, SHA-256)"; }
sswan_log "$NS_GW2" | grep -q "received end entity cert \"$DN1\"" ||
	{ _ss_dump >&2; fail "strongSwan did not get ipsecd's certificate"; }
echo "ok: ipsecd initiated with its RSA certificate"

# 2. strongSwan initiates.
ictl "$NS_GW1" down sswan >/dev/null
wait_or_dump 30 "ipsecd_log $NS_GW1 | tail -n 60" _no_tunnels "$NS_GW1"
# shellcheck disable=SC2016 # expanded by eval
wait_or_dump 30 "_sswan_dump $NS_GW2 | tail -n 60" eval '! _sswan_child_installed "$NS_GW2" ours'
ss_up sswan
ss_traffic 10
ipsecd_log "$NS_GW1" | grep -q "IKE SA established between .* \[$DN1\] and .* \[$DN2\]" ||
	{ _ss_dump >&2; fail "ipsecd did not log the certificate IDs"; }
echo "ok: strongSwan initiated with its ECDSA certificate"
echo "ESP packets: $(capture_count 'ip proto 50 or ip6 proto 50')"
