#!/bin/bash
# vm-timeout: 1200
# vm-suite: full
# ipsecd with keyexchange=ikev1 (engine/v1/) against libreswan 4.10 with
# ikev2=no (and ikev1-policy=accept, which 4.10 needs for any IKEv1 conn),
# PSK with FQDN IDs, aes128-sha1 with MODP2048 (Debian's 4.10 has no
# MODP1024) for the ISAKMP SA and ESP with MODP2048 PFS, both roles:
#
#   [lan1] h1 -- [gw1 ipsecd, ipsec0] ==== underlay ==== [gw2 pluto, XFRM] -- h2 [lan2]
#
# 1. ipsecd initiates (auto=start); 10 pings as ESP only, counters on both
#    sides; "ipsecctl down": pluto removes its SAs on our Deletes.
# 2. pluto initiates to ipsecd (auto=add); pings both ways; pluto
#    terminates: ipsecd removes its child on pluto's Deletes.
# 3. NAT-T (RFC 3947/3948), in a second set of namespaces: ipsecd behind a
#    masquerading NAT initiates; NAT-D finds it, main mode floats to 4500
#    for message 5, the children are ESP-in-UDP at both ends and pings
#    cross as UDP-encapsulated ESP only:
#
#   [lan1] -- [gw1 ipsecd] 10.1.0.2 == 10.1.0.1 [nat] 10.0.0.1 == 10.0.0.2 [gw2 pluto] -- [lan2]
# (lsw_run_initiator_case / lsw_run_responder_case of lib/lsw.sh.)
. "$(dirname "$0")/lib.sh" lsw || exit 1

# v1_logged: the ipsecd just run (stopped by the case) negotiated IKEv1
# with the configured algorithms and installed its child through it.
v1_logged() {
	local log
	log=$(ipsecd_log "$NS_GW1")
	grep -q "IKEv1 ISAKMP SA established .*AES_CBC_128/SHA1/MODP_2048" <<<"$log" ||
		{ echo "$log" | tail -n 40 >&2; fail "ipsecd: no IKEv1 ISAKMP SA"; }
	grep -q "IKEv1 child SA installed: $NET1 === $NET2" <<<"$log" || fail "ipsecd: no IKEv1 child SA"
	grep -q "IKE_SA_INIT" <<<"$log" && fail "ipsecd spoke IKEv2"
	true
}

ipsec_load
topo_v4

lsw_v1_configs start
lsw_run_initiator_case
v1_logged
echo "ok: initiator case: pings as ESP, pluto followed our Deletes"
kill "$LSW_PID"
wait "$LSW_PID" 2>/dev/null || true

lsw_v1_configs add
lsw_run_responder_case
v1_logged
echo "ok: responder case: pluto initiated IKEv1, ipsecd answered and followed its Deletes"

# 3. Behind a NAT, in namespaces of their own (rounds 1-2's stay).
NS_LAN1=nlan1 NS_GW1=ngw1 NS_NAT=nnat NS_GW2=ngw2 NS_LAN2=nlan2
topo_nat_v4
lsw_v1_configs start
lsw_start "$NS_GW2" "$LSW_DIR"
ipsecd_start "$NS_GW1" "$OURS_DIR"
wait_or_dump 120 lsw_pair_dump _ipsecd_has_tunnels "$NS_GW1" 1
lsw_wait_established "$NS_GW2" ours 30
st=$(ictl "$NS_GW1" status --json)
ictl "$NS_GW1" status
assert_eq "$(jq -r '.ike_sas[0].version' <<<"$st")" 1 "IKEv1 SA behind the NAT"
assert_eq "$(jq -r '.ike_sas[0].nat_local' <<<"$st")" true "gw1 detected that it is behind a NAT"
assert_eq "$(jq -r '.ike_sas[0].local' <<<"$st")" "${GW1}[4500]" "gw1's ISAKMP SA floated to port 4500"
assert_eq "$(jq -r '.ike_sas[0].children[0].udp_encap' <<<"$st")" true "gw1's child SA uses UDP encapsulation"
xfrm=$(in_ns "$NS_GW2" ip xfrm state)
grep -q "encap type espinudp sport 4500" <<<"$xfrm" || { lsw_pair_dump >&2; fail "no ESP-in-UDP XFRM state in gw2"; }
grep -q "src $GW1_PUB " <<<"$xfrm" || fail "gw2's XFRM states do not name the NAT's address $GW1_PUB"
capture_start
in_ns "$NS_LAN1" ping -c 10 -i 0.2 -W 3 "$H2" >/dev/null || { lsw_pair_dump >&2; fail "ping through the NAT failed"; }
capture_stop
assert_ge "$(capture_count 'udp port 4500 and udp[8:4] != 0 and greater 60')" 20 "ESP-in-UDP packets"
assert_eq "$(capture_count 'ip proto 50')" 0 "raw ESP behind the NAT"
assert_eq "$(capture_count "icmp and host $H2")" 0 "clear ICMP on the underlay"
ipsecd_stop "$NS_GW1"
echo "ok: NAT-T: ipsecd behind a NAT floated to 4500, ESP in UDP both ways"
