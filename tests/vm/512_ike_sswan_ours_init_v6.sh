#!/bin/bash
# vm-timeout: 420
# ipsecd initiates (auto=start) to a strongSwan 5.9 responder over IPv6.
# SIGTERM on ipsecd sends a Delete that strongSwan acts on.
# Default proposals on both sides, PSK by address; ping between the LANs
# through the tunnel, only ESP on the underlay (ss_basic in lib/sswan.sh).
. "$(dirname "$0")/lib.sh" sswan || exit 1

ss_basic ours v6
echo "ok: ours initiates, IPv6"
