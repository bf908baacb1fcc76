#!/bin/bash
# vm-timeout: 420
# Seed 003 (AWS site-to-site, libreswan syntax): ike=aes128-sha1;modp1024
# phase2alg=aes128-sha1;modp1024 keyexchange=ike ikelifetime=8h keylife=1h
# on ipsecd (auto=add); strongSwan 5.9 initiates over IPv4 with
# ike=aes128-sha1-modp1024! esp=aes128-sha1-modp1024!. Both ends agree on
# AES_CBC_128 + HMAC_SHA1_96 + PRF_HMAC_SHA1 + MODP_1024.
. "$(dirname "$0")/lib.sh" sswan || exit 1

ss_setup v4
ss_conf sswan "keyexchange=ike ikelifetime=8h keylife=1h ike=aes128-sha1;modp1024 phase2alg=aes128-sha1;modp1024" \
	"ike=aes128-sha1-modp1024! esp=aes128-sha1-modp1024!"
ss_start
ss_up sswan
ss_traffic 10
ss_assert_algs AES_CBC_128/HMAC_SHA1_96/PRF_HMAC_SHA1/MODP_1024 AES_CBC_128/HMAC_SHA1_96/NO_EXT_SEQ
echo "ok: seed 003 (AWS) aes128-sha1;modp1024 with strongSwan"
