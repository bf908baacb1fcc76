# shellcheck shell=bash
# Many connections to one peer (issue 25), for the 55x scenarios: the
# subject "many" of lib.sh (loads topology and ipsecd; the scenario names
# its peer, strongswan or libreswan):
#
#   [lan1] h1 172.16.0.1..N/32 -- [gw1 ipsecd, ipsec0] ==== underlay ==== [gw2 PEER, XFRM] -- h2 172.17.0.1..N/32 [lan2]
#
# Connection ti (i = 1..N) protects 172.16.0.i/32 === 172.17.0.i/32: N
# connections with the same left/right, IDs (@gw1.example, @gw2.example) and
# PSK, auto=start in ipsecd; the peer (strongSwan 5.9 or libreswan 4.10) has
# the N matching conns, auto=add. ipsecd must put all N children under one
# IKE SA (a second IKE SA with the same IDs makes either peer delete the
# first: uniqueids). ipsecd keeps the default pfs=yes (esp=aes128gcm16, so
# the IKE groups are added implicitly); the children after the first are
# CREATE_CHILD_SA exchanges, where strongSwan's default esp= (no DH group)
# picks the proposals without a group that ipsecd offers last when pfs= is
# not written (config/conn_builder.cc) and ignores the KE.
#
#   many_setup N          ipsec_load, topo_v4, the N host addresses and the
#                         gateways' routes to them over the LANs.
#   many_conf_ours DIR    ipsecd's ipsec.conf/secrets with t1..tN.
#   many_conf_sswan DIR   strongSwan's (the conns in an included file: the
#                         peer libraries wait for each conn of ipsec.conf).
#   many_conf_lsw DIR     libreswan's, likewise.
#   many_wait_ours N T    ipsecd has N installed children under exactly one
#                         established IKE SA, one per connection.
#   many_inflight         the most CREATE_CHILD_SA requests ipsecd in gw1 had
#                         outstanding at once (its --debug log: +1 per
#                         request sent, -1 per response received).
#   many_ping N STEP      one ping through every STEP-th child (1 = all), in
#                         parallel batches; all answered, and ipsecd's SA
#                         counters saw traffic in each of them both ways.

lib_use topology ipsecd

MANY_PSK="many-tunnels-psk-4c2e81"

many_setup() {
	local n=$1 i
	ipsec_load
	topo_v4
	for i in $(seq 1 "$n"); do
		echo "address add 172.16.0.$i/32 dev eth0"
	done | ip -n "$NS_LAN1" -batch -
	for i in $(seq 1 "$n"); do
		echo "address add 172.17.0.$i/32 dev eth0"
	done | ip -n "$NS_LAN2" -batch -
	ip -n "$NS_GW1" route add 172.16.0.0/24 via "$H1"
	ip -n "$NS_GW2" route add 172.17.0.0/24 via "$H2"
}

# _many_conns N LEFT LID LNET RIGHT RID RNET AUTO [EXTRA]: conn t1..tN.
_many_conns() {
	local n=$1 i
	for i in $(seq 1 "$n"); do
		printf 'conn t%s\n\tleft=%s\n\tleftid=%s\n\tleftsubnet=%s.%s/32\n\tright=%s\n\trightid=%s\n\trightsubnet=%s.%s/32\n\tauthby=secret\n\tauto=%s\n' \
			"$i" "$2" "$3" "$4" "$i" "$5" "$6" "$7" "$i" "$8"
		[ -z "${9:-}" ] || printf '\t%s\n' "$9"
	done
}

many_conf_ours() {
	_many_conns "$MANY_N" "$GW1" @gw1.example 172.16.0 "$GW2" @gw2.example 172.17.0 start \
		"esp=aes128gcm16" >"$1/ipsec.conf"
	echo "@gw1.example @gw2.example : PSK \"$MANY_PSK\"" >"$1/ipsec.secrets"
}

many_conf_sswan() {
	printf 'include %s/conns.conf\n' "$1" >"$1/ipsec.conf"
	_many_conns "$MANY_N" "$GW2" @gw2.example 172.17.0 "$GW1" @gw1.example 172.16.0 add \
		"keyexchange=ikev2" >"$1/conns.conf"
	echo "@gw2.example @gw1.example : PSK \"$MANY_PSK\"" >"$1/ipsec.secrets"
}

many_conf_lsw() {
	printf 'config setup\n\tuniqueids=yes\n\ninclude %s/conns.conf\n' "$1" >"$1/ipsec.conf"
	_many_conns "$MANY_N" "$GW2" @gw2.example 172.17.0 "$GW1" @gw1.example 172.16.0 add \
		"ikev2=insist
	esp=aes_gcm128
	leftupdown=/bin/true" >"$1/conns.conf"
	echo "@gw2.example @gw1.example : PSK \"$MANY_PSK\"" >"$1/ipsec.secrets"
}

_many_ours_up() {
	local st n=$1
	st=$(ictl "$NS_GW1" status --json) || return 1
	[ "$(jq '[.ike_sas[] | select(.state == "ESTABLISHED")] | length' <<<"$st")" = 1 ] &&
		[ "$(jq '[.ike_sas[].children[] | select(.state == "INSTALLED") | .conn] | unique | length' <<<"$st")" = "$n" ]
}

many_wait_ours() {
	wait_or_dump "$2" "ipsecd_log $NS_GW1 | tail -n 60; ictl $NS_GW1 status | tail -n 20" _many_ours_up "$1"
	local st
	st=$(ictl "$NS_GW1" status --json)
	assert_eq "$(jq '.ike_sas | length' <<<"$st")" 1 "IKE SAs in ipsecd"
	assert_eq "$(jq '[.ike_sas[].children[]] | length' <<<"$st")" "$1" "child SAs in ipsecd"
	echo "${SECONDS}s: $1 children under one IKE SA in ipsecd"
}

many_ping() {
	local n=$1 step=$2 failed idle sent
	sent=$(seq 1 "$step" "$n" | wc -l)
	# All at once from one shell in lan1: each "ip netns exec" costs
	# seconds in a loaded TCG VM.
	# shellcheck disable=SC2016 # expanded by the inner bash
	failed=$(in_ns "$NS_LAN1" bash -c '
		for i in $(seq 1 "$2" "$1"); do
			ping -c 1 -W 10 -I "172.16.0.$i" "172.17.0.$i" >/dev/null 2>&1 || echo "t$i" &
		done
		wait' ping "$n" "$step" | sort | tr '\n' ' ')
	[ -z "$failed" ] || fail "unanswered pings (of $sent) through: $failed"
	# Every pinged child carried traffic both ways in ipsecd's kernel SAs.
	idle=$(ictl "$NS_GW1" trafficstatus --json | jq -r --argjson n "$n" --argjson s "$step" '
		[range(1; $n + 1; $s) | "t\(.)"] as $want
		| [.tunnels[] | select(.in_packets >= 1 and .out_packets >= 1) | .conn] as $busy
		| $want - $busy | join(" ")')
	[ -z "$idle" ] || fail "children without traffic both ways in ipsecd: $idle"
	echo "${SECONDS}s: $sent pings answered, each through its own child SA"
}

many_inflight() {
	ipsecd_log "$NS_GW1" | awk '
		/sending CREATE_CHILD_SA request/ { if (++o > m) m = o }
		/received CREATE_CHILD_SA response/ { o-- }
		END { print m + 0 }'
}
