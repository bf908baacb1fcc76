#!/bin/bash
# vm-timeout: 600
# Lifecycle: both ends auto=start (seed 000's usual setup) with 2x2 subnets
# against libreswan 4.10, started at the same moment. Both sides initiate,
# so two IKE SAs may be negotiated at once; they must converge to one IKE
# SA carrying all four child SAs, whichever side wins, and stay converged
# through child rekeys (lifetime 1 min, both sides rekeying): after the
# rekeys, every pair still carries traffic, ipsecd has one IKE SA with four
# children and pluto four ESP SAs in its trafficstatus.
#
#   [lan1] 192.168.1.2       [gw1 ipsecd]            [gw2 libreswan]       192.168.2.2 [lan2]
#          192.168.3.2 -- 192.168.{1,3}.1  10.0.0.1 ==ul== 10.0.0.2  192.168.{2,4}.1 -- 192.168.4.2
. "$(dirname "$0")/lib.sh" || exit 1
. "$(dirname "$0")/52x_lsw.bash"

ipsec_load
topo_v4
ip -n "$NS_LAN1" addr add 192.168.3.2/24 dev eth0
ip -n "$NS_GW1" addr add 192.168.3.1/24 dev lan
ip -n "$NS_LAN2" addr add 192.168.4.2/24 dev eth0
ip -n "$NS_GW2" addr add 192.168.4.1/24 dev lan
# shellcheck disable=SC2034 # read by lsw_pair_configs
SUBNETS1="{192.168.1.0/24 192.168.3.0/24}" SUBNETS2="{192.168.2.0/24 192.168.4.0/24}" \
	LSW_EXTRA="ike=aes_gcm256-sha2_256;dh19
salifetime=1m
rekeymargin=20s" OURS_EXTRA="ike=aes_gcm256-sha2_256;dh19
lifetime=1m
rekeymargin=30s"
lsw_pair_configs start start

# Both initiate: pluto as soon as it has loaded, ipsecd right after (while
# pluto's IKE_SA_INIT is still being retransmitted to a closed port).
lsw_start "$NS_GW2" "$LSW_DIR"
ipsecd_start "$NS_GW1" "$OURS_DIR"

# converged: ipsecd has exactly one IKE SA with the four children and pluto
# lists four ESP SAs (one per pair).
converged() {
	local st
	st=$(ictl "$NS_GW1" status --json) || return 1
	[ "$(jq '[.ike_sas[] | select(.state == "ESTABLISHED")] | length' <<<"$st")" = 1 ] &&
		[ "$(jq '.ike_sas | length' <<<"$st")" = 1 ] &&
		[ "$(jq '[.ike_sas[0].children[] | select(.state == "INSTALLED")] | length' <<<"$st")" = 4 ] &&
		[ "$(lsw_whack "$NS_GW2" --trafficstatus | grep -c 'type=ESP')" = 4 ]
}
wait_or_dump 150 lsw_pair_dump converged
echo "${SECONDS}s: converged: $(ictl "$NS_GW1" status --json | jq -c '[.ike_sas[] | {initiator, n: (.children | length)}]')"

all_pairs() {
	local src dst
	for src in 192.168.1.2 192.168.3.2; do
		for dst in 192.168.2.2 192.168.4.2; do
			in_ns "$NS_LAN1" ping -c 3 -i 0.2 -W 2 -I "$src" "$dst" >/dev/null ||
				{ lsw_pair_dump >&2; fail "ping $src -> $dst failed"; }
		done
	done
}
all_pairs
# Through the rekeys: 100 s covers at least one child rekey on each side.
in_ns "$NS_LAN1" ping -q -c 500 -i 0.2 -W 2 -I 192.168.1.2 192.168.2.2 >/tmp/547.ping 2>&1 &
ping_pid=$!
sleep 100
wait "$ping_pid" || true
cat /tmp/547.ping | tail -2
rekeys=$(ipsecd_log "$NS_GW1" | grep -cE 'soft lifetime: rekeying|rekey' || true)
assert_ge "$rekeys" 1 "child rekeys seen in ipsecd's log"
wait_or_dump 60 lsw_pair_dump converged
all_pairs
received=$(sed -nE 's/.* ([0-9]+) (packets )?received.*/\1/p' /tmp/547.ping)
assert_ge "$received" 495 "pings answered across the rekeys (of 500)"
echo "ok: both ends auto=start with libreswan converge to one IKE SA with 4 children, through rekeys"
