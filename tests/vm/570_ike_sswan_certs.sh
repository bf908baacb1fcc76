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
. "$(dirname "$0")/lib.sh" certs || exit 1

ss_setup v4
pki=$(mktemp -d /tmp/pki.XXXXXX)
# The unit tests' credentials (openssl CLI): "moon" is RSA-2048 and "p256"
# ECDSA P-256, both under "ca".
"$REPO/tests/unit/ike/cert/make_fixtures.sh" "$pki/fix" >"$pki/make.log" 2>&1 ||
	{ cat "$pki/make.log"; fail "make_fixtures.sh could not make the test PKI"; }
DN1="C=CH, O=ipsec_tun test, CN=moon.example.org"
DN2="C=CH, O=ipsec_tun test, CN=p256"
ipsecd_cert_config "$SS_OURS_DIR" sswan start "$pki/fix/ca.pem" "$pki/fix/moon.pem" RSA \
	"$pki/fix/moon.key" "$DN2" 'rightca="C=CH, O=ipsec_tun test, CN=Test Root CA"' \
	leftsendcert=ifasked # strongSwan sends CERTREQ: our CERT goes only because it asks
certs_sswan_conf "$pki/fix/ca.pem" "$pki/fix/p256.pem" ECDSA "$pki/fix/p256.key" "$DN1"

SSWAN_PLUGINS_EXTRA="x509 pem pkcs1 pkcs8 pubkey" ss_start

# 1. ipsecd initiates.
certs_ours_initiates "$DN1" "$DN2" RSA_EMSA_PKCS1_SHA2_256
echo "ok: ipsecd initiated with its RSA certificate"

# 2. strongSwan initiates.
certs_sswan_initiates "$DN1" "$DN2"
echo "ok: strongSwan initiated with its ECDSA certificate"
echo "ESP packets: $(capture_count 'ip proto 50 or ip6 proto 50')"
