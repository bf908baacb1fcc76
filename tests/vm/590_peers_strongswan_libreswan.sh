#!/bin/bash
# vm-timeout: 300
# The interop peers work without us: strongSwan 5.9 (XFRM) in gw1 and
# libreswan 4.10 (XFRM) in gw2 bring up a PSK tunnel between the two LANs.
# This proves tests/vm/peers/ (private mount namespace for charon, pluto
# run from build/peers) and the topology before any scenario adds ipsecd.
#
#   [lan1] 192.168.1.2 -- [gw1 strongSwan] 10.0.0.1 == 10.0.0.2 [gw2 libreswan] -- 192.168.2.2 [lan2]
. "$(dirname "$0")/lib.sh" topology strongswan libreswan || exit 1

topo_v4

d1=$(mktemp -d /tmp/sswan.XXXXXX)
cat >"$d1/ipsec.conf" <<EOC
conn lsw
	keyexchange=ikev2
$(conn_ends 1)
	authby=secret
	ike=aes128gcm16-prfsha256-modp2048!
	esp=aes128gcm16!
	auto=add
EOC
echo '@gw1.example @gw2.example : PSK "interop-test-secret-1"' >"$d1/ipsec.secrets"

d2=$(mktemp -d /tmp/lsw.XXXXXX)
cat >"$d2/ipsec.conf" <<EOC
config setup
	uniqueids=yes

conn sswan
	ikev2=insist
$(conn_ends 2)
	authby=secret
	ike=aes_gcm128-sha2_256;modp2048
	phase2alg=aes_gcm128-null
	leftupdown=/bin/true
	auto=add
EOC
echo '@gw2.example @gw1.example : PSK "interop-test-secret-1"' >"$d2/ipsec.secrets"

lsw_start "$NS_GW2" "$d2"
sswan_start "$NS_GW1" "$d1"

capture_start
sswan "$NS_GW1" up lsw >/dev/null || { sswan_log "$NS_GW1"; lsw_log "$NS_GW2"; fail "strongSwan could not bring up lsw"; }
sswan_wait_child "$NS_GW1" lsw 120
lsw_wait_established "$NS_GW2" sswan 60

ping_lan 5
capture_stop
assert_esp_only 10

xfrm=$(in_ns "$NS_GW1" ip xfrm state)
grep -q "rfc4106(gcm(aes))" <<<"$xfrm" || fail "no AES-GCM XFRM state in gw1"
echo "ok: strongSwan <-> libreswan tunnel, $(capture_count 'ip proto 50') ESP packets, no clear ICMP"
