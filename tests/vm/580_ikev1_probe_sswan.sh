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
# direction's SPI (v1_round in lib/ikev1.sh). Twice: AES-256/SHA2-256/
# MODP2048 with AES-GCM-256 ESP and no PFS; seed 003's AWS-era
# AES-128/SHA1/MODP1024 with AES-128-CBC + HMAC-SHA1 ESP and MODP1024 PFS.
. "$(dirname "$0")/lib.sh" ikev1 strongswan || exit 1

v1_setup
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
echo "$GW2 $GW1 : PSK \"$V1_PSK\"" >"$SS_DIR/ipsec.secrets"
sswan_start "$NS_GW2" "$SS_DIR"

# ss_alg ESP: strongSwan's newest child of "ours" uses ESP.
ss_alg() {
	sswan_wait_child "$NS_GW2" ours 30
	local st
	st=$(sswan "$NS_GW2" statusall)
	grep -qE "ours\{[0-9]+\}: +$1," <<<"$st" || { echo "$st" >&2; fail "strongSwan's child is not $1"; }
}

v1_round aes256-sha256-modp2048 aes256gcm16 0 0xc1000001 "ss_alg AES_GCM_16_256" "_sswan_dump $NS_GW2"
v1_round aes128-sha1-modp1024 aes128-sha1 2 0xc1000002 "ss_alg AES_CBC_128/HMAC_SHA1_96/MODP_1024" \
	"_sswan_dump $NS_GW2"
grep -q "IKE_SA ours\[[0-9]*\] established" "$SS_DIR/charon.log" || fail "charon.log: no established IKE_SA"
echo "ok: IKEv1 main mode + quick mode interoperate with strongSwan"
