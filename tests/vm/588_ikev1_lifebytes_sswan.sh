#!/bin/bash
# vm-timeout: 600
# vm-suite: full
# Volume lifetimes in IKEv1 quick mode (RFC 2407 4.5 life type kilobytes,
# 4.6.3.1 RESPONDER-LIFETIME) against strongSwan 5.9 in IKEv1 mode, seed
# 003's proposals:
#
#   [lan1] h1 -- [gw1 ipsecd, ipsec0] ==== underlay ==== [gw2 strongSwan, XFRM] -- h2 [lan2]
#
# 1. strongSwan initiates with lifebytes=10485760 (sent as 10485 kB), ipsecd
#    has none: both SAs of ipsecd's child carry a hard limit of 10 MiB and a
#    soft one of 9 MiB; 10 pings as ESP only.
# 2. ipsecd initiates with lifebytes=4194304 (4096 kB offered): its SAs
#    carry 4 MiB (strongSwan's XFRM states are printed); 10 pings.
. "$(dirname "$0")/lib.sh" sswan || exit 1

ss_setup v4
ss_conf ikev1 sswan "" lifebytes=10485760 ikev1-lifebytes-psk-9e3q
ss_start

# limits_ok BYTES: both SAs of ipsec0 with a hard byte limit within 5 % of
# BYTES (strongSwan's kilobytes are 1000 bytes: lifebytes / 1000 on the
# wire, which we read as KiB) and a soft one at 90 % of it.
limits_ok() {
	local sas
	sas=$(in_ns "$NS_GW1" "$IPSECCTL" sa list dev ipsec0 --json)
	assert_eq "$(jq length <<<"$sas")" 2 "SAs on ipsec0"
	jq -c '.[] | {spi, hard, soft}' <<<"$sas"
	assert_eq "$(jq "[.[] | select(.hard.bytes >= $1 * 0.95 and .hard.bytes <= $1 * 1.05 and
		.soft.bytes == .hard.bytes - ((.hard.bytes / 10) | floor))] | length" <<<"$sas")" 2 \
		"SAs with a hard limit of about $1 bytes, soft at 90 %"
}

ss_up sswan
limits_ok 10485760
ss_traffic 10
echo "ok: strongSwan's 10240 kB honoured by ipsecd as responder, 10 pings as ESP"
sswan "$NS_GW2" down ours >/dev/null
wait_or_dump 30 "ipsecd_log $NS_GW1 | tail -n 60" _no_tunnels "$NS_GW1"

# 2. ipsecd initiates with lifebytes= of its own; strongSwan has none.
ipsecd_stop "$NS_GW1"
sed -i 's/\tauto=add/\tauto=start\n\tlifebytes=4194304/' "$SS_OURS_DIR/ipsec.conf"
sed -i '/lifebytes=/d' "$SS_SSWAN_DIR/ipsec.conf"
sswan "$NS_GW2" reload >/dev/null
ipsecd_start "$NS_GW1" "$SS_OURS_DIR"
ss_up ours
limits_ok 4194304
in_ns "$NS_GW2" ip -s xfrm state >&2
ss_traffic 10
echo "ok: ipsecd offered 4096 kB as initiator, installed 4 MiB limits, 10 pings as ESP"
ipsecd_stop "$NS_GW1"
