# shellcheck shell=bash
# ipsecd <-> libreswan 4.10, for the 52x scenarios: the subject "lsw" of
# lib.sh (loads topology, libreswan and ipsecd):
#
#   . "$(dirname "$0")/lib.sh" lsw || exit 1
#
#   [lan1] h1 -- [gw1 ipsecd, ipsec0] ==== underlay ==== [gw2 pluto, XFRM] -- h2 [lan2]
#
# ipsecd in gw1 (conn "lsw"), pluto in gw2 (conn "ours"), PSK with FQDN IDs
# @gw1.example / @gw2.example, and each side's default proposals unless the
# scenario sets OURS_EXTRA / LSW_EXTRA (extra conn lines, newline-separated
# key=value).

lib_use topology libreswan ipsecd

LSW_PSK="ours-and-libreswan-psk-7a3f9c21"

# lsw_pair_configs OURS_AUTO LSW_AUTO: write gw1's ipsecd config to
# $OURS_DIR and gw2's pluto config to $LSW_DIR, after topo_*. Subnets are
# NET1/NET2, or gw1's SUBNETS1 / gw2's SUBNETS2 ("{a b}" lists) when set.
lsw_pair_configs() {
	local ours_auto=$1 lsw_auto=$2
	local ours_l=leftsubnet=$NET1 ours_r=rightsubnet=$NET2
	local lsw_l=leftsubnet=$NET2 lsw_r=rightsubnet=$NET1
	if [ -n "${SUBNETS1:-}" ]; then
		ours_l="leftsubnets=$SUBNETS1" lsw_r="rightsubnets=$SUBNETS1"
	fi
	if [ -n "${SUBNETS2:-}" ]; then
		ours_r="rightsubnets=$SUBNETS2" lsw_l="leftsubnets=$SUBNETS2"
	fi
	OURS_DIR=$(mktemp -d /tmp/ours.XXXXXX) LSW_DIR=$(mktemp -d /tmp/lsw.XXXXXX)
	cat >"$OURS_DIR/ipsec.conf" <<EOC
conn lsw
	left=$GW1
	leftid=@gw1.example
	$ours_l
	right=$GW2
	rightid=@gw2.example
	$ours_r
	authby=secret
	auto=$ours_auto
$(_lsw_indent "${OURS_EXTRA:-}")
EOC
	echo "@gw1.example @gw2.example : PSK \"$LSW_PSK\"" >"$OURS_DIR/ipsec.secrets"
	# right= is what pluto sees: behind a NAT, the NAT's outside address.
	# With subnet lists pluto loads "ours" as ours/1x1 .. ours/2x2, never as
	# "ours", which lsw_start would wait for (it waits for the conns named
	# in ipsec.conf itself): then the conn goes into an included file.
	local conns=$LSW_DIR/ipsec.conf
	if [ -n "${SUBNETS1:-}${SUBNETS2:-}" ]; then
		conns=$LSW_DIR/ours.conf
		printf 'config setup\n\tuniqueids=yes\n\ninclude %s\n' "$conns" >"$LSW_DIR/ipsec.conf"
	else
		printf 'config setup\n\tuniqueids=yes\n\n' >"$LSW_DIR/ipsec.conf"
	fi
	cat >>"$conns" <<EOC
conn ours
	ikev2=insist
	left=$GW2
	leftid=@gw2.example
	$lsw_l
	right=${GW1_PUB:-$GW1}
	rightid=@gw1.example
	$lsw_r
	authby=secret
	leftupdown=/bin/true
	auto=$lsw_auto
$(_lsw_indent "${LSW_EXTRA:-}")
EOC
	echo "@gw2.example @gw1.example : PSK \"$LSW_PSK\"" >"$LSW_DIR/ipsec.secrets"
}

# lsw_v1_configs OURS_AUTO: OURS_DIR and LSW_DIR for one IKEv1 round (583,
# 593): ipsecd's conn "lsw" with keyexchange=ikev1, pluto's conn "ours"
# with ikev2=no, aes128-sha1 with MODP2048 (Debian's 4.10 has no MODP1024)
# for the ISAKMP SA and ESP with MODP2048 PFS; OURS_EXTRA / LSW_EXTRA as
# for lsw_pair_configs.
lsw_v1_configs() {
	OURS_DIR=$(mktemp -d /tmp/ours.XXXXXX) LSW_DIR=$(mktemp -d /tmp/lsw.XXXXXX)
	cat >"$OURS_DIR/ipsec.conf" <<EOC
conn lsw
	keyexchange=ikev1
$(conn_ends 1)
	authby=secret
	ike=aes128-sha1-modp2048
	esp=aes128-sha1-modp2048
	auto=$1
$(_lsw_indent "${OURS_EXTRA:-}")
EOC
	echo "@gw1.example @gw2.example : PSK \"$LSW_PSK\"" >"$OURS_DIR/ipsec.secrets"
	cat >"$LSW_DIR/ipsec.conf" <<EOC
config setup
	uniqueids=yes
	ikev1-policy=accept

conn ours
	ikev2=no
$(conn_ends 2)
	authby=secret
	ike=aes128-sha1;modp2048
	esp=aes128-sha1;modp2048
	pfs=yes
	leftupdown=/bin/true
	auto=add
$(_lsw_indent "${LSW_EXTRA:-}")
EOC
	echo "@gw2.example @gw1.example : PSK \"$LSW_PSK\"" >"$LSW_DIR/ipsec.secrets"
}

_lsw_indent() {
	[ -z "$1" ] || sed 's/^/\t/' <<<"$1"
}

lsw_pair_dump() {
	ipsecd_log "$NS_GW1"
	ictl "$NS_GW1" status || true
	_lsw_dump "$NS_GW2"
	echo "--- xfrm state (gw2):"
	in_ns "$NS_GW2" ip xfrm state || true
	echo "--- xfrm policy (gw2):"
	in_ns "$NS_GW2" ip xfrm policy || true
}

# lsw_traffic_check COUNT [H1 H2]: COUNT pings from the LAN host H1 to H2
# (default H1/H2) all answered through the tunnel; the underlay carries ESP
# only (2*COUNT at least) and no clear ICMP of these hosts.
lsw_traffic_check() {
	local n=$1 src=${2:-$H1} dst=${3:-$H2}
	capture_start
	in_ns "$NS_LAN1" ping -c "$n" -i 0.2 -W 3 -I "$src" "$dst" >/dev/null ||
		{ lsw_pair_dump >&2; fail "ping $src -> $dst through the tunnel failed"; }
	capture_stop
	local esp clear
	esp=$(($(capture_count 'ip proto 50 or ip6 proto 50') +
		$(capture_count 'udp port 4500 and udp[8:4] != 0 and greater 60')))
	assert_ge "$esp" $((2 * n)) "ESP packets on the underlay for $src -> $dst"
	clear=$(capture_count "(icmp or icmp6) and (host $src or host $dst)")
	assert_eq "$clear" 0 "clear-text ICMP between $src and $dst on the underlay"
}

# lsw_in_bytes NAME: sum of inBytes over pluto's trafficstatus lines of NAME.
lsw_in_bytes() {
	lsw_whack "$NS_GW2" --trafficstatus |
		sed -n "s|.*\"$1[^\"]*\".*inBytes=\([0-9]*\).*|\1|p" | awk '{s += $1} END {print s + 0}'
}

# _lsw_no_traffic NS: pluto lists no IPsec SA any more.
_lsw_no_traffic() {
	local out
	out=$(lsw_whack "$1" --trafficstatus) && ! grep -q 'type=ESP' <<<"$out"
}

# lsw_run_responder_case: pluto (conn "ours") initiates to ipsecd (auto=add);
# traffic both ways, counters on both sides, then pluto deletes and our
# side follows. After topo_* and lsw_pair_configs.
lsw_run_responder_case() {
	ipsecd_start "$NS_GW1" "$OURS_DIR"
	lsw_start "$NS_GW2" "$LSW_DIR"
	lsw_whack "$NS_GW2" --initiate --name ours --asynchronous >/dev/null
	lsw_wait_established "$NS_GW2" ours 90
	ipsecd_wait_tunnels "$NS_GW1" 1 30

	local st
	st=$(ictl "$NS_GW1" status --json)
	assert_eq "$(jq -r '.ike_sas[0].initiator' <<<"$st")" false "gw1 responded to the IKE SA"
	assert_eq "$(jq -r '.ike_sas[0].state' <<<"$st")" ESTABLISHED "gw1 IKE SA state"
	assert_eq "$(jq -r '.ike_sas[0].remote_id' <<<"$st")" "gw2.example" "gw1 sees pluto's ID"

	lsw_traffic_check 10
	# And started from the libreswan side's LAN too.
	in_ns "$NS_LAN2" ping -c 3 -i 0.2 -W 3 "$H1" >/dev/null ||
		{ lsw_pair_dump >&2; fail "ping $H2 -> $H1 failed"; }
	assert_ge "$(ipsecd_traffic "$NS_GW1" out_packets)" 13 "gw1 child SA out_packets"
	assert_ge "$(ipsecd_traffic "$NS_GW1" in_packets)" 13 "gw1 child SA in_packets"
	assert_ge "$(lsw_in_bytes ours)" 800 "pluto's inBytes for ours"
	ictl "$NS_GW1" status

	# pluto takes the connection down: its Delete removes our IKE and child SAs.
	lsw_whack "$NS_GW2" --terminate --name ours >/dev/null
	wait_or_dump 30 "lsw_pair_dump" _no_tunnels "$NS_GW1"
	wait_or_dump 30 "lsw_pair_dump" _lsw_no_traffic "$NS_GW2"
	ipsecd_stop "$NS_GW1"
}

# lsw_run_initiator_case: ipsecd (auto=start) initiates to pluto (conn
# "ours", auto=add); traffic, counters on both sides, then `ipsecctl down`
# and pluto follows our Delete. After topo_* and lsw_pair_configs.
lsw_run_initiator_case() {
	lsw_start "$NS_GW2" "$LSW_DIR"
	ipsecd_start "$NS_GW1" "$OURS_DIR"
	ipsecd_wait_tunnels "$NS_GW1" 1 90
	lsw_wait_established "$NS_GW2" ours 30

	local st
	st=$(ictl "$NS_GW1" status --json)
	assert_eq "$(jq -r '.ike_sas[0].initiator' <<<"$st")" true "gw1 initiated the IKE SA"
	assert_eq "$(jq -r '.ike_sas[0].state' <<<"$st")" ESTABLISHED "gw1 IKE SA state"
	assert_eq "$(jq -r '.ike_sas[0].remote_id' <<<"$st")" "gw2.example" "gw1 sees pluto's ID"

	lsw_traffic_check 10
	assert_ge "$(ipsecd_traffic "$NS_GW1" out_packets)" 10 "gw1 child SA out_packets"
	assert_ge "$(ipsecd_traffic "$NS_GW1" in_packets)" 10 "gw1 child SA in_packets"
	assert_ge "$(lsw_in_bytes ours)" 500 "pluto's inBytes for ours"
	ictl "$NS_GW1" status

	# Down from our side: pluto takes its SAs down on our Delete.
	ictl "$NS_GW1" down lsw
	wait_or_dump 30 "lsw_pair_dump" _no_tunnels "$NS_GW1"
	wait_or_dump 30 "lsw_pair_dump" _lsw_no_traffic "$NS_GW2"
	ipsecd_stop "$NS_GW1"
}
