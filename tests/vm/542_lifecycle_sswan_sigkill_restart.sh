#!/bin/bash
# vm-timeout: 420
# Lifecycle: ipsecd is SIGKILLed under traffic and started again. The SAs
# and the policy it had installed are still on ipsec0; the new ipsecd
# removes them (they would make every child install fail with EEXIST),
# initiates with INITIAL_CONTACT (strongSwan drops its old IKE SA), and the
# tunnel is back within seconds; only the live SA pair is left.
#
#   [lan1] h1 -- [gw1 ipsecd, ipsec0] ==== underlay ==== [gw2 strongSwan, XFRM] -- h2 [lan2]
. "$(dirname "$0")/lib.sh" sswan lifecycle || exit 1

ss_setup v4
ss_conf ours "" ""
ss_start
ss_up ours
lc_sigkill_restart "$SS_OURS_DIR"
ping_lan 5 || { _ss_dump >&2; fail "no traffic after the restart"; }
wait_or_dump 30 _ss_dump grep -q 'INITIAL_CONTACT\|deleting duplicate\|uniqueness' "$SS_SSWAN_DIR/charon.log"
lc_live_pair
echo "ok: SIGKILL and restart: tunnel back in $LC_RESTART_S s, nothing stale"
