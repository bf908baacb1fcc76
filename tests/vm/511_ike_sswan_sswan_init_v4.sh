#!/bin/bash
# vm-timeout: 420
# strongSwan 5.9 initiates ("ipsec up") to ipsecd (auto=add) over IPv4.
# "ipsec down" on strongSwan removes ipsecd's child SA.
# Default proposals on both sides, PSK by address; ping between the LANs
# through the tunnel, only ESP on the underlay (ss_basic in lib/sswan.sh).
. "$(dirname "$0")/lib.sh" sswan || exit 1

ss_basic sswan v4
echo "ok: sswan initiates, IPv4"
