#!/bin/bash
# vm-timeout: 420
# Seed 002 (VyOS, which runs strongSwan): ike-group aes256/sha1/dh-group 2,
# esp-group aes256/sha1 with pfs dh-group2, i.e. strongSwan's
# ike=aes256-sha1-modp1024! esp=aes256-sha1-modp1024!. ipsecd initiates over
# IPv4 with ike=aes256-sha1-modp1024 esp=aes256-sha1 (pfs=yes: modp1024 for
# rekeys). modp1024 is accepted with a warning. Both ends agree on
# AES_CBC_256 + HMAC_SHA1_96 + PRF_HMAC_SHA1 + MODP_1024.
. "$(dirname "$0")/lib.sh" sswan || exit 1

ss_setup v4
ss_conf ours "ike=aes256-sha1-modp1024 esp=aes256-sha1" "ike=aes256-sha1-modp1024! esp=aes256-sha1-modp1024!"
ss_start
ss_up ours
ss_traffic 10
ss_assert_algs AES_CBC_256/HMAC_SHA1_96/PRF_HMAC_SHA1/MODP_1024 AES_CBC_256/HMAC_SHA1_96/NO_EXT_SEQ
echo "ok: seed 002 (VyOS) aes256-sha1-modp1024 with strongSwan"
