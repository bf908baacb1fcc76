#!/bin/bash
# vm-timeout: 420
# IKEv1 main mode + quick mode (userspace/ike/v1, not yet in the engine)
# against strongSwan 5.9 with keyexchange=ikev1, PSK by address:
#
#   [lan1] h1 -- [gw1 ikev1_probe, ipsec0] ==== underlay ==== [gw2 strongSwan, XFRM] -- h2 [lan2]
#
# tests/vm/tools/ikev1_probe initiates; strongSwan checks HASH_I and
# HASH(1..3) and installs its child in XFRM. The probe's keys go into our
# module by hand (ipsecctl sa add), and pings between the LANs cross both
# implementations as ESP only, which proves the key schedule and each
# direction's SPI. Twice: AES-256/SHA2-256/MODP2048 with AES-GCM-256 ESP and
# no PFS; seed 003's AWS-era AES-128/SHA1/MODP1024 with AES-128-CBC +
# HMAC-SHA1 ESP and MODP1024 PFS.
. "$(dirname "$0")/lib.sh" || exit 1
. "$REPO/tests/vm/peers/topology.sh"
. "$REPO/tests/vm/peers/strongswan.sh"

PROBE=$REPO/build/bin/ikev1_probe
PSK=ikev1-probe-psk-9q2w
[ -x "$PROBE" ] || fail "$PROBE not built (make all)"
ipsec_load
topo_v4
SS_DIR=$(mktemp -d /tmp/sswan-v1.XXXXXX)
cat >"$SS_DIR/ipsec.conf" <<EOC
config setup
	uniqueids=no
conn ours
	keyexchange=ikev1
	left=$GW2
	leftsubnet=$NET2
	right=$GW1
	rightsubnet=$NET1
	authby=secret
	ike=aes256-sha256-modp2048,aes128-sha1-modp1024!
	esp=aes256gcm16,aes128-sha1-modp1024!
	auto=add
EOC
echo "$GW2 $GW1 : PSK \"$PSK\"" >"$SS_DIR/ipsec.secrets"
sswan_start "$NS_GW2" "$SS_DIR"

in_ns "$NS_GW1" "$IPSECCTL" dev add dev ipsec0 >/dev/null
in_ns "$NS_GW1" ip route add "$NET2" dev ipsec0

# round IKE ESP PFS_GROUP IN_SPI WANT_ESP: negotiate, key ipsec0, ping.
round() {
	local keys=$SS_DIR/keys.$4
	in_ns "$NS_GW1" "$PROBE" "$GW1" "$GW2" "$PSK" "$1" "$2" "$NET1" "$NET2" "$4" "$3" "$keys" ||
		{ _sswan_dump "$NS_GW2" | tail -n 40 >&2; fail "ikev1_probe: $1 / $2 refused"; }
	# shellcheck disable=SC1090 # written by the probe: SPIs, algorithm names, keys
	. "$keys"
	sswan_wait_child "$NS_GW2" ours 30
	local st
	st=$(sswan "$NS_GW2" statusall)
	grep -q "$(printf '%08x' "$IN_SPI")" <<<"$st" || fail "strongSwan's child does not use our SPI $IN_SPI"
	grep -qE "ours\{[0-9]+\}: +$5," <<<"$st" || { echo "$st" >&2; fail "strongSwan's child is not $5"; }
	in_ns "$NS_GW1" "$IPSECCTL" sa flush dev ipsec0
	local auth_out=() auth_in=()
	if [ -n "${AUTH:-}" ]; then
		auth_out=(auth "$AUTH" authkey "$AUTHKEY_OUT")
		auth_in=(auth "$AUTH" authkey "$AUTHKEY_IN")
	fi
	in_ns "$NS_GW1" "$IPSECCTL" sa add dev ipsec0 dir out spi "$OUT_SPI" reqid 1 src "$GW1" dst "$GW2" \
		enc "$ENC" key "$KEY_OUT" "${auth_out[@]}"
	in_ns "$NS_GW1" "$IPSECCTL" sa add dev ipsec0 dir in spi "$IN_SPI" src "$GW2" dst "$GW1" \
		enc "$ENC" key "$KEY_IN" "${auth_in[@]}"
	in_ns "$NS_GW1" "$IPSECCTL" policy add dev ipsec0 src "$NET1" dst "$NET2" reqid 1
	rm -f "$keys"
	unset AUTH AUTHKEY_OUT AUTHKEY_IN
	capture_start
	ping_lan 5 || { _sswan_dump "$NS_GW2" | tail -n 30 >&2; fail "ping through the IKEv1 child ($2) failed"; }
	capture_stop
	assert_esp_only 10
	echo "ok: $1 / $2: strongSwan installed our child, 5 pings crossed as ESP"
}

round aes256-sha256-modp2048 aes256gcm16 0 0xc1000001 AES_GCM_16_256
round aes128-sha1-modp1024 aes128-sha1 2 0xc1000002 'AES_CBC_128/HMAC_SHA1_96/MODP_1024'
grep -q "IKE_SA ours\[[0-9]*\] established" "$SS_DIR/charon.log" || fail "charon.log: no established IKE_SA"
echo "ok: IKEv1 main mode + quick mode interoperate with strongSwan"
