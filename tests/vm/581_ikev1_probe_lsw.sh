#!/bin/bash
# vm-timeout: 420
# vm-suite: full
# IKEv1 main mode + quick mode (userspace/ike/v1, not yet in the engine)
# against libreswan 4.10 with ikev2=no, PSK by address:
#
#   [lan1] h1 -- [gw1 ikev1_probe, ipsec0] ==== underlay ==== [gw2 pluto, XFRM] -- h2 [lan2]
#
# As 580 (v1_round in lib/ikev1.sh): pluto verifies our HASHes and
# installs its child; ipsec0 is keyed from the probe's key file; pings
# cross both implementations as ESP only. AES-256/SHA2-256/MODP2048 with
# AES-GCM-256 ESP and no PFS; AES-128/SHA1/MODP2048 with AES-128-CBC +
# HMAC-SHA1 ESP and MODP2048 PFS (pfs=no on pluto's side allows both;
# Debian's libreswan 4.10 has no MODP1024 at all).
. "$(dirname "$0")/lib.sh" ikev1 libreswan || exit 1

v1_setup
LSW_DIR=$(mktemp -d /tmp/lsw-v1.XXXXXX)
cat >"$LSW_DIR/ipsec.conf" <<EOC
config setup
	uniqueids=no
	# libreswan 4.10 refuses IKEv1 conns unless told
	ikev1-policy=accept

conn ours
	ikev2=no
	left=$GW2
	leftsubnet=$NET2
	right=$GW1
	rightsubnet=$NET1
	authby=secret
	ike=aes256-sha2_256;modp2048,aes128-sha1;modp2048
	esp=aes_gcm256-null,aes128-sha1;modp2048
	pfs=no
	leftupdown=/bin/true
	auto=add
EOC
echo "$GW2 $GW1 : PSK \"$V1_PSK\"" >"$LSW_DIR/ipsec.secrets"
lsw_start "$NS_GW2" "$LSW_DIR"

v1_round aes256-sha256-modp2048 aes256gcm16 0 0xc2000001 "lsw_wait_established $NS_GW2 ours 30" \
	"lsw_log $NS_GW2"
v1_round aes128-sha1-modp2048 aes128-sha1 14 0xc2000002 "lsw_wait_established $NS_GW2 ours 30" \
	"lsw_log $NS_GW2"
echo "ok: IKEv1 main mode + quick mode interoperate with libreswan"
