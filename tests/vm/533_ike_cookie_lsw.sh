#!/bin/bash
# vm-timeout: 420
# vm-suite: full
# Security / interop: COOKIE (RFC 7296 2.6) against libreswan 4.10 in both
# roles. pluto with "ddos-mode=busy" challenges every IKE_SA_INIT; ipsecd
# (auto=start) must answer with the cookie and bring the tunnel up. Then
# ipsecd with "ddos-mode=busy" challenges pluto's IKE_SA_INIT, and pluto's
# retry with the cookie gets in. Each time traffic flows (ESP only).
#
#   [lan1] 192.168.1.2 -- [gw1 ipsecd] 10.0.0.1 ==ul== 10.0.0.2 [gw2 libreswan] -- 192.168.2.2 [lan2]
. "$(dirname "$0")/lib.sh" lsw || exit 1

ipsec_load
topo_v4
# ecp256 rather than pluto's MODP2048 default: cheap under TCG (see 520).
# shellcheck disable=SC2034 # read by lsw_pair_configs
LSW_EXTRA="ike=aes_gcm256-sha2_256;dh19"

# 1. pluto demands cookies, we initiate.
lsw_pair_configs start add
sed -i 's/^\tuniqueids=yes$/\tuniqueids=yes\n\tddos-mode=busy/' "$LSW_DIR/ipsec.conf"
grep -q 'ddos-mode=busy' "$LSW_DIR/ipsec.conf" || fail "ddos-mode=busy not in pluto's config"
lsw_run_initiator_case
ipsecd_log "$NS_GW1" | has_match 'peer asked for a COOKIE' ||
	{ ipsecd_log "$NS_GW1" | tail -n 30; fail "ipsecd never saw pluto's COOKIE challenge"; }
lsw_log "$NS_GW2" | has_match -i 'cookie' || { lsw_log "$NS_GW2" | tail -n 30; fail "pluto's log shows no cookie"; }
lsw_whack "$NS_GW2" --shutdown >/dev/null 2>&1 || true
wait_until 30 sh -c "! kill -0 $LSW_PID 2>/dev/null"

# 2. we demand cookies, pluto initiates.
lsw_pair_configs add add
sed -i '1i config setup\n\tddos-mode=busy\n' "$OURS_DIR/ipsec.conf"
lsw_run_responder_case
ipsecd_log "$NS_GW1" | has_match "asking $GW2\[[0-9]*\] for a COOKIE" ||
	{ ipsecd_log "$NS_GW1" | tail -n 30; fail "ipsecd never asked pluto for a COOKIE"; }
echo "ok: COOKIE both ways with libreswan"
