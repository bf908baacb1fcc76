#!/bin/sh
# Manual keying for the two-site demo (scripts/demo): run inside each site's
# netns as `manual-keys.sh siteA` or `manual-keys.sh siteB`.
#
#   siteA 192.0.2.1 (LAN 10.1.0.0/24)  <== ESP ==>  siteB 192.0.2.2 (LAN 10.2.0.0/24)
#
# One SA per direction, AES-GCM-128 (key = 16 bytes + 4-byte salt), SPIs
# 0x1001 (A->B) and 0x2001 (B->A), reqid 1. EXAMPLE KEYS: never use fixed
# keys outside a demo; ipsecd negotiates fresh ones with IKEv2.
set -e
IPSECCTL=${IPSECCTL:-ipsecctl}
KEY_AB=0x4a6f686e20446f6520736179732068656c6c6f21
KEY_BA=0x4a616e6520446f6520736179732068656c6c6f21

case $1 in
siteA) local_ip=192.0.2.1 remote_ip=192.0.2.2 local_net=10.1.0.0/24 remote_net=10.2.0.0/24
	out_spi=0x1001 out_key=$KEY_AB in_spi=0x2001 in_key=$KEY_BA ;;
siteB) local_ip=192.0.2.2 remote_ip=192.0.2.1 local_net=10.2.0.0/24 remote_net=10.1.0.0/24
	out_spi=0x2001 out_key=$KEY_BA in_spi=0x1001 in_key=$KEY_AB ;;
*) echo "usage: $0 siteA|siteB" >&2; exit 2 ;;
esac

set -x
$IPSECCTL sa add dev ipsec0 dir out spi $out_spi reqid 1 src $local_ip dst $remote_ip \
	enc aes-gcm-128 key $out_key
$IPSECCTL sa add dev ipsec0 dir in spi $in_spi src $remote_ip dst $local_ip \
	enc aes-gcm-128 key $in_key sel $remote_net-$local_net
$IPSECCTL policy add dev ipsec0 src $local_net dst $remote_net reqid 1
