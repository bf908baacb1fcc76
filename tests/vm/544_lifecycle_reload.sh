#!/bin/bash
# vm-timeout: 600
# vm-suite: full
# Lifecycle: a reload that disturbs nothing (issue 18, seed 001: a new site
# must not reset the others). ipsecd on gw1 runs site2; a ping every 0.1 s
# goes to site 2 the whole time. site3 is added to ipsec.conf and loaded by
# `ipsecctl reload`, removed and unloaded by SIGHUP, loaded again by
# `ipsecctl add site3`, unloaded by `ipsecctl delete site3`; a broken file
# is refused with FILE:LINE: keyword and changes nothing. Through all of
# it site2 loses no ping and keeps its IKE SA and SPIs (ipsecctl status and
# the kernel's SA list); site3 comes up each time and, each time it is
# removed, its SAs, policy and route go at gw1 and gw3 hears the Delete.
# ours <-> ours on all three gateways (gw2, gw3: auto=add).
#
#   [lan1] h1 -- [gw1 ipsecd] 10.0.0.1 ==ul== 10.0.0.2 [gw2 ipsecd] -- h2 [lan2] 192.168.2.0/24
#   192.168.1.0/24   |   10.0.1.1
#                    +====ul3==== 10.0.1.3 [gw3 ipsecd] -- h3 [lan3] 192.168.3.0/24
. "$(dirname "$0")/lib.sh" lifecycle || exit 1

NS_GW3=gw3 NS_LAN3=lan3 GW1B=10.0.1.1 GW3=10.0.1.3 H3=192.168.3.2 NET3=192.168.3.0/24

ipsec_load
topo_v4
ns_create "$NS_GW3"
ns_create "$NS_LAN3"
veth_pair "$NS_GW1" ul3 "$NS_GW3" "$UL_IF"
veth_pair "$NS_GW3" lan "$NS_LAN3" eth0
ip -n "$NS_GW1" addr add "$GW1B/24" dev ul3
ip -n "$NS_GW3" addr add "$GW3/24" dev "$UL_IF"
ip -n "$NS_GW3" addr add 192.168.3.1/24 dev lan
ip -n "$NS_LAN3" addr add "$H3/24" dev eth0
ip -n "$NS_LAN3" route add default via 192.168.3.1
ip -n "$NS_GW3" route add default via "$GW1B"
in_ns "$NS_GW3" sysctl -qw net.ipv4.ip_forward=1
wait_until 10 in_ns "$NS_GW1" ping -c1 -W1 "$GW3"

site2="conn site2
	left=$GW1
	leftsubnet=$NET1
	right=$GW2
	rightsubnet=$NET2
	authby=secret
	auto=start
"
site3="conn site3
	left=$GW1B
	leftsubnet=$NET1
	right=$GW3
	rightsubnet=$NET3
	authby=secret
	auto=start
"
d1=$(mktemp -d /tmp/gw1.XXXXXX) d2=$(mktemp -d /tmp/gw2.XXXXXX) d3=$(mktemp -d /tmp/gw3.XXXXXX)
printf '%s' "$site2" >"$d1/ipsec.conf"
printf '%s' "${site2/auto=start/auto=add}" >"$d2/ipsec.conf"
printf '%s' "${site3/auto=start/auto=add}" >"$d3/ipsec.conf"
printf '%s %s : PSK "reload-site2-psk-0123456789"\n' "$GW1" "$GW2" >"$d2/ipsec.secrets"
printf '%s %s : PSK "reload-site3-psk-0123456789"\n' "$GW1B" "$GW3" >"$d3/ipsec.secrets"
cat "$d2/ipsec.secrets" "$d3/ipsec.secrets" >"$d1/ipsec.secrets"

ipsecd_start "$NS_GW2" "$d2"
ipsecd_start "$NS_GW3" "$d3"
ipsecd_start "$NS_GW1" "$d1"
GW1_PID=$IPSECD_PID
ipsecd_wait_tunnels "$NS_GW1" 1 60
ping_lan 3

_ss_dump() { # what lc_assert_no_loss prints when pings were lost
	ictl "$NS_GW1" status || true
	ipsecd_log "$NS_GW1" | tail -n 60
}
# site2 as ipsecd sees it (IKE SPIs, child SPIs) and as the kernel holds it
# (the SPIs of the SAs to and from gw2).
site2_sas() {
	ictl "$NS_GW1" status --json |
		jq -c '[.ike_sas[] | select(.conn == "site2") | [.spi_i, .spi_r, [.children[] | [.conn, .inbound_spi, .outbound_spi]]]]'
	in_ns "$NS_GW1" "$IPSECCTL" sa list dev ipsec0 --json |
		jq -c --arg gw "$GW2" '[.[] | select(.src == $gw or .dst == $gw) | .spi] | sort'
}
site3_up() {
	[ "$(ictl "$NS_GW1" trafficstatus --json | jq '[.tunnels[] | select(.conn == "site3")] | length')" = 1 ] &&
		in_ns "$NS_LAN1" ping -c1 -W2 "$H3"
}
# site3 gone at gw1 (no IKE SA, no SA to gw3, no policy, no route) and gw3
# heard the Delete.
site3_gone() {
	[ "$(ictl "$NS_GW1" status --json | jq '[.ike_sas[] | select(.conn == "site3")] | length')" = 0 ] &&
		[ "$(in_ns "$NS_GW1" "$IPSECCTL" sa list dev ipsec0 --json | jq --arg gw "$GW3" '[.[] | select(.src == $gw or .dst == $gw)] | length')" = 0 ] &&
		[ "$(in_ns "$NS_GW1" "$IPSECCTL" policy list dev ipsec0 --json | jq --arg n "$NET3" '[.[] | select(.dst == $n or .src == $n)] | length')" = 0 ] &&
		[ -z "$(ip -n "$NS_GW1" route show "$NET3")" ] &&
		_no_tunnels "$NS_GW3"
}
dump_all() {
	ipsecd_log "$NS_GW1" | tail -n 60
	ipsecd_log "$NS_GW3" | tail -n 20
	ictl "$NS_GW1" status
}

before=$(site2_sas)
echo "site2: $before"
[ "$(jq length <<<"$(head -1 <<<"$before")")" = 1 ] || fail "site2 has no IKE SA: $before"

# 1. site3 added to the file, `ipsecctl reload`.
lc_ping_start 250
sleep 2
printf '%s%s' "$site2" "$site3" >"$d1/ipsec.conf"
out=$(ictl "$NS_GW1" reload) || fail "ipsecctl reload failed: $out"
echo "$out"
grep -qE '^  added +site3$' <<<"$out" || fail "reload did not report site3 as added"
grep -qE '^  kept +site2$' <<<"$out" || fail "reload did not report site2 as kept"
wait_or_dump 60 dump_all site3_up
r=$(ip -n "$NS_GW1" route show "$NET3")
grep -q "dev ipsec0" <<<"$r" || fail "gw1: no route for $NET3 into ipsec0: $r"
lc_assert_no_loss
assert_eq "$(site2_sas)" "$before" "site2's IKE SA and SPIs after adding site3"

# 2. site3 removed from the file, SIGHUP.
lc_ping_start 250
sleep 2
printf '%s' "$site2" >"$d1/ipsec.conf"
kill -HUP "$GW1_PID"
wait_or_dump 60 dump_all site3_gone
lc_assert_no_loss
assert_eq "$(site2_sas)" "$before" "site2's IKE SA and SPIs after removing site3 (SIGHUP)"
grep -qE 'reload \(SIGHUP\): added -; removed site3; replaced -; kept site2' \
	"/tmp/spawn.$GW1_PID.log" || fail "no SIGHUP reload line in gw1's log"

# 3. A broken file (site3 back, and a bad value): refused, nothing changes.
lc_ping_start 100
printf '%s%s\trekeyfuzz=lots\n' "$site2" "$site3" >"$d1/ipsec.conf"
rc=0
err=$(ictl "$NS_GW1" reload 2>&1) || rc=$?
echo "$err"
assert_eq "$rc" 1 "exit status of a refused reload"
grep -q "$d1/ipsec.conf:15: rekeyfuzz" <<<"$err" || fail "the error does not name FILE:LINE: keyword: $err"
grep -q "rekeyfuzz" "/tmp/spawn.$GW1_PID.log" || fail "the error is not in gw1's log"
sleep 3
assert_eq "$(ictl "$NS_GW1" status --json | jq -c '[.connections[].name]')" '["site2"]' \
	"connections after a refused reload"
lc_assert_no_loss
assert_eq "$(site2_sas)" "$before" "site2's IKE SA and SPIs after a refused reload"

# 4. One connection at a time: add site3 (the file is fixed first), delete it.
lc_ping_start 250
sleep 2
printf '%s%s' "$site2" "$site3" >"$d1/ipsec.conf"
out=$(ictl "$NS_GW1" add site3) || fail "ipsecctl add site3 failed: $out"
grep -qE '^  added +site3$' <<<"$out" || fail "add did not report site3 as added: $out"
wait_or_dump 60 dump_all site3_up
out=$(ictl "$NS_GW1" delete site3) || fail "ipsecctl delete site3 failed: $out"
grep -qE '^  removed +site3$' <<<"$out" || fail "delete did not report site3 as removed: $out"
wait_or_dump 60 dump_all site3_gone
lc_assert_no_loss
assert_eq "$(site2_sas)" "$before" "site2's IKE SA and SPIs after add/delete site3"
assert_eq "$(ictl "$NS_GW1" status --json | jq -c '[.connections[].name]')" '["site2"]' \
	"connections after delete site3"

# 5. A reload that changes config setup and brings a new device: logging
# moves to logfile= with debug lines at once; site3 on ipsec1 with mtu=
# gets its device, MTU and the NAT-T socket of the family ipsec0 had no
# room for (IPv6); a second reload changes only mtu=, which is applied to
# the running device.
dev_json() { in_ns "$NS_GW1" "$IPSECCTL" dev list dev "$1" --json | jq -c ".[0].$2"; }
site3_dev="${site3/auto=start/auto=start
	ipsec-interface=1
	mtu=1300}"
setup="config setup
	plutodebug=all
	logfile=$d1/reloaded.log
"
lc_ping_start 250
sleep 2
printf '%s%s%s' "$setup" "$site2" "$site3_dev" >"$d1/ipsec.conf"
out=$(ictl "$NS_GW1" reload) || fail "reload with config setup failed: $out"
echo "$out"
grep -q 'config setup: logfile changed' <<<"$out" || fail "reload did not report logfile: $out"
grep -q 'config setup: debug changed' <<<"$out" || fail "reload did not report plutodebug: $out"
wait_or_dump 60 dump_all site3_up
lc_assert_no_loss
assert_eq "$(site2_sas)" "$before" "site2's IKE SA and SPIs after a config setup change"
grep -q ' debug ' "$d1/reloaded.log" || fail "no debug line in the new logfile"
grep -q 'site3' "$d1/reloaded.log" || fail "site3 is not logged in the new logfile"
assert_eq "$(dev_json ipsec1 mtu)" 1300 "ipsec1's MTU from mtu="
assert_eq "$(dev_json ipsec1 encap_port)" 4500 "ipsec1 takes IPv6 ESP-in-UDP after the reload"
assert_eq "$(dev_json ipsec0 encap_port)" 4500 "ipsec0 keeps IPv4 ESP-in-UDP"
printf '%s%s%s' "$setup" "$site2" "${site3_dev/mtu=1300/mtu=1280}" >"$d1/ipsec.conf"
out=$(ictl "$NS_GW1" reload) || fail "reload with a new mtu= failed: $out"
grep -qE '^  replaced +site3$' <<<"$out" || fail "a changed mtu= did not replace site3: $out"
wait_or_dump 60 dump_all site3_up
assert_eq "$(dev_json ipsec1 mtu)" 1280 "ipsec1's MTU after mtu= changed"

ipsecd_stop "$NS_GW1"
echo "ok: site3 added and removed four ways, site2 kept its SAs and lost no ping; config setup and mtu= applied by reload"
