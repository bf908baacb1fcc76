#!/bin/bash
# vm-suite: full
# vm-timeout: 600
# IKEv2 with X.509 certificates against libreswan 4.10, both directions:
# ipsecd signs with an ECDSA P-256 certificate, pluto with an RSA one (from
# its NSS database, built here with certutil/pk12util), both issued by the
# CA the unit tests' tests/unit/ike/cert/make_fixtures.sh makes with the
# openssl CLI at test time (no key is committed). IDs are the certificates'
# subjects (ID_DER_ASN1_DN); pluto signs RSA-PSS under RFC 7427, which
# ipsecd verifies, and checks ipsecd's ECDSA method-14 signature.
#
#   [lan1] h1 -- [gw1 ipsecd, ipsec0] ==== underlay ==== [gw2 pluto, XFRM] -- h2 [lan2]
#            CN=p256 (ECDSA P-256)                  CN=moon.example.org (RSA-2048)
#                       \________ Test Root CA (RSA) __________/
#
# 1. ipsecd initiates (auto=start): pings across, ESP only on the underlay.
# 2. "ipsecctl down", then pluto initiates: pings again.
. "$(dirname "$0")/lib.sh" lsw || exit 1

ipsec_load
topo_v4
pki=$(mktemp -d /tmp/pki.XXXXXX)
"$REPO/tests/unit/ike/cert/make_fixtures.sh" "$pki/fix" >"$pki/make.log" 2>&1 ||
	{ cat "$pki/make.log"; fail "make_fixtures.sh could not make the test PKI"; }
openssl pkcs12 -export -in "$pki/fix/moon.pem" -inkey "$pki/fix/moon.key" -name moon \
	-passout pass:p12pass -out "$pki/moon.p12" || fail "openssl pkcs12 failed"
DN_OURS="C=CH, O=ipsec_tun test, CN=p256"
DN_LSW="C=CH, O=ipsec_tun test, CN=moon.example.org"

# nss_init DB: the CA as a trusted anchor, moon's certificate and key.
nss_init() {
	certutil -A -d "$1" -n testca -t CT,, -i "$pki/fix/ca.pem" &&
		pk12util -i "$pki/moon.p12" -d "$1" -W p12pass >/dev/null
}
LSW_NSS_INIT=nss_init

OURS_DIR=$(mktemp -d /tmp/ours.XXXXXX) LSW_DIR=$(mktemp -d /tmp/lsw.XXXXXX)
# ipsecd's default leftsendcert=always: pluto without rightca= sends no
# CERTREQ (its need_v2CERTREQ_in_IKE_AUTH_request wants a CA DN), and
# would refuse us under ifasked.
ipsecd_cert_config "$OURS_DIR" lsw start "$pki/fix/ca.pem" "$pki/fix/p256.pem" ECDSA \
	"$pki/fix/p256.key" "$DN_LSW"
# ike=: pluto's default MODP2048 is slow under TCG (see 520).
cat >"$LSW_DIR/ipsec.conf" <<EOC
config setup
	uniqueids=yes

conn ours
	ikev2=insist
	left=$GW2
	leftsubnet=$NET2
	leftcert=moon
	leftid=%fromcert
	leftauth=rsasig
	right=$GW1
	rightsubnet=$NET1
	rightid="$DN_OURS"
	rightauth=ecdsa
	leftupdown=/bin/true
	ike=aes_gcm256-sha2_256;dh19
	auto=add
EOC
: >"$LSW_DIR/ipsec.secrets"

# 1. ipsecd initiates.
lsw_start "$NS_GW2" "$LSW_DIR"
ipsecd_start "$NS_GW1" "$OURS_DIR"
wait_or_dump 90 lsw_pair_dump _ipsecd_has_tunnels "$NS_GW1" 1
lsw_wait_established "$NS_GW2" ours 30
st=$(ictl "$NS_GW1" status --json)
assert_eq "$(jq -r '.ike_sas[0].local_id' <<<"$st")" "$DN_OURS" "ipsecd's ID (its certificate's subject)"
assert_eq "$(jq -r '.ike_sas[0].remote_id' <<<"$st")" "$DN_LSW" "pluto's ID as ipsecd saw it"
lsw_traffic_check 10
assert_ge "$(ipsecd_traffic "$NS_GW1" out_packets)" 10 "gw1 child SA out_packets"
assert_ge "$(ipsecd_traffic "$NS_GW1" in_packets)" 10 "gw1 child SA in_packets"
echo "ok: ipsecd initiated with its ECDSA certificate"

# 2. pluto initiates.
ictl "$NS_GW1" down lsw >/dev/null
wait_or_dump 30 lsw_pair_dump _no_tunnels "$NS_GW1"
wait_or_dump 30 lsw_pair_dump _lsw_no_traffic "$NS_GW2"
lsw_whack "$NS_GW2" --initiate --name ours --asynchronous >/dev/null
lsw_wait_established "$NS_GW2" ours 90
wait_or_dump 30 lsw_pair_dump _ipsecd_has_tunnels "$NS_GW1" 1
st=$(ictl "$NS_GW1" status --json)
assert_eq "$(jq -r '.ike_sas[0].initiator' <<<"$st")" false "gw1 responded to the IKE SA"
assert_eq "$(jq -r '.ike_sas[0].remote_id' <<<"$st")" "$DN_LSW" "pluto's ID as ipsecd saw it"
lsw_traffic_check 10
echo "ok: pluto initiated with its RSA certificate"
ipsecd_stop "$NS_GW1"
