#!/bin/bash
# vm-timeout: 420
# Seed 000 (libreswan on Azure): esp=aes_gcm128-null, ike= left to the
# defaults, ikev2=yes. ipsecd with that conn initiates over IPv4 to a
# strongSwan 5.9 responder set to the same AEAD in its own syntax
# (esp=aes128gcm16!). Traffic flows, ESP only on the wire, and both ends
# report AES_GCM_16_128 for the child SA and the same IKE SA.
. "$(dirname "$0")/lib.sh" sswan || exit 1

ss_setup v4
ss_conf ours "ikev2=yes esp=aes_gcm128-null" "esp=aes128gcm16!"
ss_start
ss_up ours
ss_traffic 10
ss_assert_algs "" AES_GCM_16_128/NO_EXT_SEQ
echo "ok: seed 000 esp=aes_gcm128-null with strongSwan"
