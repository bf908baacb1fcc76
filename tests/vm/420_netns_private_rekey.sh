#!/bin/bash
# vm-timeout: 600
# Seed 004's netns split: gw1's ipsec1 and its LAN link are moved into a
# private netns (the routing instance of the inside), the daemon stays in
# gw1, the underlay. The daemon keeps driving the moved device by the name
# it knows: its soft EXPIREs reach gw1, its rekeyed SAs land on the moved
# device (not on a new ipsec1 made in gw1), and traffic flows after the
# rekey. Nothing of priv1 is reachable or visible from gw1.
#
#   [lan1] h1 192.168.1.2 -- lan 192.168.1.1 [priv1] ipsec1 (created in gw1, moved)
#                                                       | outer ESP in gw1
#                                      [gw1 ipsecd] ul 10.0.0.1 ==ul== 10.0.0.2 [gw2 ipsecd] ipsec1 -- lan -- h2 [lan2]
. "$(dirname "$0")/lib.sh" topology ipsecd || exit 1

ipsec_load
topo_v4
ns_create priv1

conf=$(mktemp -d /tmp/ours.XXXXXX)
cat >"$conf/ipsec.conf" <<EOC
conn site
	left=$GW1
	leftsubnet=$NET1
	right=$GW2
	rightsubnet=$NET2
	authby=secret
	ike=aes256gcm16-prfsha256-ecp256
	esp=aes256gcm16
	ipsec-interface=1
	salifetime=60s
	auto=start
EOC
echo "$GW1 $GW2 : PSK \"private-netns-test-psk-0123\"" >"$conf/ipsec.secrets"
d1=$(mktemp -d /tmp/gw1.XXXXXX) d2=$(mktemp -d /tmp/gw2.XXXXXX)
cp "$conf"/* "$d1/"
cp "$conf"/* "$d2/"

ipsecd_start "$NS_GW2" "$d2"
ipsecd_start "$NS_GW1" "$d1"
ipsecd_wait_tunnels "$NS_GW1" 1 90
ping_lan 3

# The split: ipsec1 and the LAN link go to priv1, which routes on its own.
ip -n "$NS_GW1" link set ipsec1 netns priv1
ip -n "$NS_GW1" link set lan netns priv1
ip -n priv1 addr add 192.168.1.1/24 dev lan
ip -n priv1 link set lan up
ip -n priv1 link set ipsec1 up
ip -n priv1 route add "$NET2" dev ipsec1 src 192.168.1.1
in_ns priv1 sysctl -qw net.ipv4.ip_forward=1
ping_lan 3 || fail "no traffic through the moved ipsec1"

child_spi() { ictl "$NS_GW1" status --json | jq -r '[.ike_sas[].children[].inbound_spi] | join(" ")'; }
spi0=$(child_spi)
[ -n "$spi0" ] || fail "gw1 lists no child SA"
spawn "$NS_GW1" "$IPSECCTL" monitor
mon=$SPAWNED_PID
wait_until 10 grep -q monitoring "/tmp/spawn.$mon.log"

# Rekey (salifetime 60 s: the daemon rekeys half-way, the kernel's soft
# EXPIRE comes at 54 s): a new child on the moved device, the old one gone.
# Settled means one child, not the old one, already on priv1's ipsec1: a
# rekey collision (both daemons have the same lifetimes) lists the loser
# for a moment, and CI once read the list in that moment.
rekeyed() {
	local s
	s=$(child_spi)
	[ -n "$s" ] && [ "$(wc -w <<<"$s")" = 1 ] && ! grep -qw -- "${spi0%% *}" <<<"$s" &&
		in_ns priv1 "$IPSECCTL" sa list dev ipsec1 | has_match "in spi 0x$s "
}
wait_or_dump 120 "ipsecd_log $NS_GW1" rekeyed
spi1=$(child_spi)
echo "rekeyed: inbound SPI $spi0 -> $spi1"
! ip -n "$NS_GW1" link show ipsec1 >/dev/null 2>&1 ||
	fail "the daemon made a new ipsec1 in gw1 instead of using the moved one: $(ipsecd_log "$NS_GW1")"
sas=$(in_ns priv1 "$IPSECCTL" sa list dev ipsec1)
for spi in $spi1; do
	grep -q "in spi 0x$spi " <<<"$sas" || fail "rekeyed inbound SA $spi not on priv1's ipsec1: $sas"
done
before=$(link_counter priv1 ipsec1 rx_packets)
ping_lan 5 || fail "no traffic after the rekey: $(ipsecd_log "$NS_GW1")"
assert_ge $(($(link_counter priv1 ipsec1 rx_packets) - before)) 5 "packets received on the moved ipsec1 after the rekey"

# A soft EXPIRE of an SA on the moved device reaches the underlay, where the
# daemon listens; gw1 addresses the device by name although it is in priv1.
in_ns "$NS_GW1" "$IPSECCTL" sa add dev ipsec1 dir in spi 0x4242 src "$GW2" dst "$GW1" \
	enc aes-gcm-128 key 0x0102030405060708090a0b0c0d0e0f1011121314 soft-seconds 1 hard-seconds 300 ||
	fail "gw1 cannot install an SA on the ipsec1 it created and moved"
wait_or_dump 20 "spawn_log $mon" grep -q "expire soft .* in spi 0x00004242 .*reason seconds" "/tmp/spawn.$mon.log"
in_ns "$NS_GW1" "$IPSECCTL" sa del dev ipsec1 dir in spi 0x4242

# Nothing of priv1 from gw1: no route to the inside, no device by that
# name in gw1's own listings, and an unprivileged user of gw1 cannot reach
# the moved device through the family either.
! in_ns "$NS_GW1" ping -c1 -W1 "$H1" >/dev/null 2>&1 || fail "gw1 (underlay) reaches h1 in the private side"
! in_ns "$NS_GW1" ping -c1 -W1 192.168.1.1 >/dev/null 2>&1 || fail "gw1 reaches priv1's address"
! in_ns priv1 ping -c1 -W1 "$GW2" >/dev/null 2>&1 || fail "priv1 reaches the underlay"
! in_ns "$NS_GW1" setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=-all \
	--bounding-set=-all "$IPSECCTL" sa list dev ipsec1 >/dev/null 2>&1 ||
	fail "an unprivileged user of gw1 lists the SAs of the moved device"

kill -TERM "${_ipsecd_pid[$NS_GW1]}"
ipsecd_stop "$NS_GW2"
wait_until 30 _capture_gone "${_ipsecd_pid[$NS_GW1]}"
ip -n priv1 link del ipsec1
ipsec_unload
echo "ok: moved ipsec1 rekeyed by the underlay's daemon ($spi0 -> $spi1), EXPIRE in the underlay, priv1 sealed"
