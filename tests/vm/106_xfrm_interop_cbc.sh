#!/bin/bash
# XFRM interop, second half: AES-CBC with every HMAC, and ESN (GCM and
# CBC/authencesn), over IPv4 and IPv6 outer. Same test as 102.
# vm-timeout: 600
XFRM_INTEROP_SET=cbc exec bash "$(dirname "$0")/102_xfrm_interop.sh"
