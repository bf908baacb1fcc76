#!/bin/bash
# vm-timeout: 420
# Seed 004 (strongSwan, IPv6): ike = esp = aes256gcm16-prfsha384-ecp384!
# written the same on both ends. strongSwan 5.9 initiates over IPv6 to
# ipsecd (auto=add). The first child SA comes with IKE_AUTH and so has no
# DH exchange although esp= names ecp384 (RFC 7296 1.2). Traffic flows,
# ESP only on the wire, both ends report the same algorithms.
. "$(dirname "$0")/lib.sh" sswan || exit 1

p=aes256gcm16-prfsha384-ecp384!
ss_setup v6
ss_conf sswan "ike=$p esp=$p" "ike=$p esp=$p"
ss_start
ss_up sswan
ss_traffic 10
ss_assert_algs AES_GCM_16_256/PRF_HMAC_SHA2_384/ECP_384 AES_GCM_16_256/NO_EXT_SEQ
echo "ok: seed 004 $p with strongSwan over IPv6"
