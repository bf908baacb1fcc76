#!/bin/bash
# vm-timeout: 600
# Seed 004's netns split, set up BEFORE ipsecd starts: the operator creates
# ipsec1 in gw1 (the underlay), moves it and the LAN link into the private
# netns priv1, and only then starts ipsecd in gw1 with
# ipsec-interface=1@priv1. A decoy ipsec1 (another device, never ours to
# key) stays in gw1. The daemon must drive priv1's ipsec1 by netns + name:
# its SAs and policies land there (the decoy keeps none), its route to the
# far LAN goes into priv1's table with a source from priv1's addresses,
# traffic flows from the private side and survives a rekey. gw1's dump of
# its devices shows the moved one with its netns id. Nothing of priv1 is
# reachable from gw1 (ping and TCP to the inner addresses fail) and the
# route leaves priv1 with the daemon.
#
#   [lan1] h1 192.168.1.2 -- lan 192.168.1.1 [priv1] ipsec1 (created in gw1, moved)
#                                                       | outer ESP in gw1
#   [gw1 ipsecd, decoy ipsec1] ul 10.0.0.1 ==ul== 10.0.0.2 [gw2 ipsecd] ipsec1 -- lan -- h2 [lan2]
. "$(dirname "$0")/lib.sh" topology ipsecd || exit 1

ipsec_load
topo_v4
ns_create priv1

# The split, before any daemon runs.
ip -n "$NS_GW1" link set lan netns priv1
ip -n priv1 addr add 192.168.1.1/24 dev lan
ip -n priv1 link set lan up
in_ns priv1 sysctl -qw net.ipv4.ip_forward=1
ip -n "$NS_GW1" link add ipsec1 type ipsec
ip -n "$NS_GW1" link set ipsec1 netns priv1
ip -n "$NS_GW1" link add ipsec1 type ipsec # the decoy: same name, in gw1
ip -n "$NS_GW1" link set ipsec1 up

conf() { # conf DIR LEFT LEFTSUBNET RIGHT RIGHTSUBNET IFACE
	cat >"$1/ipsec.conf" <<-EOC
		conn site
			left=$2
			leftsubnet=$3
			right=$4
			rightsubnet=$5
			authby=secret
			ike=aes256gcm16-prfsha256-ecp256
			esp=aes256gcm16
			ipsec-interface=$6
			salifetime=60s
			auto=start
	EOC
	echo "$GW1 $GW2 : PSK \"netns-split-at-start-psk-0123\"" >"$1/ipsec.secrets"
}
d1=$(mktemp -d /tmp/gw1.XXXXXX) d2=$(mktemp -d /tmp/gw2.XXXXXX)
conf "$d1" "$GW1" "$NET1" "$GW2" "$NET2" 1@priv1
conf "$d2" "$GW2" "$NET2" "$GW1" "$NET1" 1

dev_field() { in_ns "$1" "$IPSECCTL" dev list dev ipsec1 --json | jq ".[0].$2"; }

ipsecd_start "$NS_GW2" "$d2"
ipsecd_start "$NS_GW1" "$d1"
ipsecd_wait_tunnels "$NS_GW1" 1 90

# The daemon's route into the moved device is in priv1's table, with
# priv1's LAN address as source; gw1's table has no route to the far LAN
# but its default route.
route=$(ip -n priv1 route show "$NET2")
grep -q "dev ipsec1" <<<"$route" || fail "no route to $NET2 into ipsec1 in priv1: '$route' $(ipsecd_log "$NS_GW1")"
grep -q "src 192.168.1.1" <<<"$route" || fail "route in priv1 without priv1's source: '$route'"
! ip -n "$NS_GW1" route show "$NET2" | has_match . || fail "a route to $NET2 in gw1: $(ip -n "$NS_GW1" route show "$NET2")"
ping_lan 5 || fail "no traffic through priv1's ipsec1: $(ipsecd_log "$NS_GW1")"
assert_ge "$(link_counter priv1 ipsec1 rx_packets)" 5 "packets received on priv1's ipsec1"

# SAs and policies on the moved device, none on the decoy.
assert_eq "$(dev_field "$NS_GW1" sa_count)" 0 "SAs on gw1's decoy ipsec1"
# Both ends started: until the duplicate IKE SA and the rekey it causes
# are over there may be two pairs.
two_sas() { [ "$(dev_field priv1 sa_count)" = 2 ]; }
wait_or_dump 60 "ipsecd_log $NS_GW1" two_sas
assert_eq "$(dev_field priv1 sa_count)" 2 "SAs on priv1's ipsec1"
assert_ge "$(dev_field priv1 policy_count)" 1 "policies on priv1's ipsec1"

# gw1's device dump lists the moved ipsec1 too, with the netns id gw1 knows
# priv1 by; the decoy without one.
devs=$(in_ns "$NS_GW1" "$IPSECCTL" dev list --json)
nsid=$(ip -n "$NS_GW1" netns list-id | awk '{print $2}' | head -1)
assert_eq "$(jq '[.[] | select(.name == "ipsec1")] | length' <<<"$devs")" 2 "ipsec1 devices in gw1's dump: $devs"
assert_eq "$(jq -r '[.[] | select(.name == "ipsec1" and .netnsid != null)][0].sa_count' <<<"$devs")" 2 \
	"SAs of the moved ipsec1 in gw1's dump"
moved_id=$(jq -r '[.[] | select(.name == "ipsec1" and .netnsid != null)][0].netnsid' <<<"$devs")
in_ns "$NS_GW1" ip netns list-id | has_match "nsid $moved_id " ||
	fail "netnsid $moved_id of the moved ipsec1 is not one gw1 knows ($nsid): $(ip -n "$NS_GW1" netns list-id)"
ictl "$NS_GW1" status | has_match "ipsec1@priv1" || fail "ipsecctl status does not name ipsec1@priv1"

child_spi() { ictl "$NS_GW1" status --json | jq -r '[.ike_sas[].children[].inbound_spi] | join(" ")'; }
spi0=$(child_spi)
[ -n "$spi0" ] || fail "gw1 lists no child SA"
rekeyed() { local s; s=$(child_spi); [ -n "$s" ] && ! grep -qw -- "${spi0%% *}" <<<"$s"; }
wait_or_dump 120 "ipsecd_log $NS_GW1" rekeyed
# Both ends rekey every 30 s, so a collision (RFC 7296 2.8.1) may be in
# progress: the status can list the losing child a moment before its
# Delete, and the device a new pair a moment before the status. So take
# the two together until they agree: every child gw1 lists is on priv1's
# ipsec1.
status_on_dev() {
	local spi
	spi1=$(child_spi) sas=$(in_ns priv1 "$IPSECCTL" sa list dev ipsec1)
	[ -n "$spi1" ] || return 1
	for spi in $spi1; do
		grep -q "in spi 0x$spi " <<<"$sas" || return 1
	done
}
poll_until 20 status_on_dev ||
	fail "rekeyed inbound SAs '$spi1' (gw1's status) not all on priv1's ipsec1 for 20 s: $sas
decoy: $(in_ns "$NS_GW1" "$IPSECCTL" sa list dev ipsec1)
$(ictl "$NS_GW1" status)"
echo "rekeyed: inbound SPI $spi0 -> $spi1"
before=$(link_counter priv1 ipsec1 rx_packets)
ping_lan 5 || fail "no traffic after the rekey: $(ipsecd_log "$NS_GW1")"
assert_ge $(($(link_counter priv1 ipsec1 rx_packets) - before)) 5 "packets received on priv1's ipsec1 after the rekey"
# The daemon's per-connection totals count the rekeyed pair's traffic too:
# both rounds of pings, in and out, although the live pair saw only the
# second one.
assert_ge "$(ipsecd_conn_traffic "$NS_GW1" in_packets site)" 10 "gw1's 'site' in_packets across the rekey"
assert_ge "$(ipsecd_conn_traffic "$NS_GW1" out_packets site)" 10 "gw1's 'site' out_packets across the rekey"
assert_ge "$(ipsecd_conn_traffic "$NS_GW2" in_packets site)" 10 "gw2's 'site' in_packets across the rekey"
ictl "$NS_GW1" trafficstatus
assert_eq "$(dev_field "$NS_GW1" sa_count)" 0 "SAs on the decoy after the rekey"

# Nothing of priv1 from gw1: ping and TCP to the inner addresses fail while
# the same TCP listener answers through the tunnel.
spawn "$NS_LAN1" /usr/bin/python3 -c '
import socket
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", 8560)); s.listen(8); print("listening", flush=True)
while True:
    c, _ = s.accept(); c.sendall(b"inner\n"); c.close()'
wait_until 10 grep -q listening "/tmp/spawn.$SPAWNED_PID.log"
# (Generous timeouts: a Python start alone takes seconds in a loaded TCG VM.)
tcp() { timeout 20 /usr/bin/python3 -c "import socket,sys; socket.create_connection((sys.argv[1], 8560), 5).recv(8)" "$1"; }
in_ns "$NS_LAN2" bash -c "$(declare -f tcp); tcp $H1" || fail "h2 cannot reach h1's TCP listener through the tunnel: $(spawn_log "$SPAWNED_PID")"
! in_ns "$NS_GW1" bash -c "$(declare -f tcp); tcp $H1" 2>/dev/null || fail "gw1 (underlay) connects to h1's TCP port"
! in_ns "$NS_GW1" bash -c "$(declare -f tcp); tcp 192.168.1.1" 2>/dev/null || fail "gw1 connects to priv1's address"
! in_ns "$NS_GW1" ping -c1 -W1 "$H1" >/dev/null 2>&1 || fail "gw1 (underlay) reaches h1 in the private side"
! in_ns "$NS_GW1" ping -c1 -W1 192.168.1.1 >/dev/null 2>&1 || fail "gw1 reaches priv1's address"
! in_ns priv1 ping -c1 -W1 "$GW2" >/dev/null 2>&1 || fail "priv1 reaches the underlay"

ipsecd_stop "$NS_GW1"
! ip -n priv1 route show "$NET2" | has_match ipsec1 || fail "route into ipsec1 left in priv1 after ipsecd stopped"
assert_eq "$(dev_field priv1 sa_count)" 0 "SAs left on priv1's ipsec1"
ipsecd_stop "$NS_GW2"
ip -n priv1 link del ipsec1
ip -n "$NS_GW1" link del ipsec1
ipsec_unload
echo "ok: ipsecd started after the split drove priv1's ipsec1 ($spi0 -> $spi1), decoy untouched, priv1 sealed"
