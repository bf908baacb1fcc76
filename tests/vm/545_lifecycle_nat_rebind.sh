#!/bin/bash
# vm-timeout: 600
# NAT rebinding (RFC 7296 2.23): gw1 (ipsecd, initiator) sits behind a
# masquerading NAT, gw2 (ipsecd, right=%any) is the responder. While lan1
# pings lan2 every 0.1 s, the NAT changes its mapping: the masquerade rule
# now takes source ports 40000-40100 and its conntrack table is flushed, so
# gw1's port 4500 appears at gw2 from a new port. gw2's replies to the old
# mapping die at the NAT until an authenticated packet from gw1 reaches gw2
# from the new port: ESP-in-UDP (the module's MAPPING event, usually first:
# lan1 pings every 0.1 s) or gw1's next IKE message (its DPD, every 2 s).
# Either way gw2 moves the IKE SA and with it both SAs of the child
# (UPD_SA); the scenario prints which one did. Asserted: gw2's kernel SAs
# name the new port, the log says the child followed, the ping recovers
# with a bounded loss (reported), and a later ping loses nothing.
#
#   [lan1] 192.168.1.2 -- [gw1 ipsecd] 10.1.0.2 ==in== 10.1.0.1 [nat] 10.0.0.1 ==ul== 10.0.0.2 [gw2 ipsecd] -- 192.168.2.2 [lan2]
#                                  masquerade random, then udp ports 40000-40100 ---^
. "$(dirname "$0")/lib.sh" lifecycle || exit 1

ipsec_load
topo_nat_v4

d1=$(mktemp -d /tmp/gw1.XXXXXX) d2=$(mktemp -d /tmp/gw2.XXXXXX)
# REBIND_ESP_ONLY=1 (557): no DPD, and lifetimes far beyond the test, so
# gw1 sends no IKE message at all after the setup: only the module's
# MAPPING event (authenticated ESP-in-UDP from the new port) can move gw2.
if [ "${REBIND_ESP_ONLY:-}" ]; then
	ipsecd_nat_configs "$d1" "$d2" dpdaction=none lifetime=1h ikelifetime=8h
else
	ipsecd_nat_configs "$d1" "$d2" dpddelay=2s dpdtimeout=30s dpdaction=restart
fi

ipsecd_start "$NS_GW2" "$d2"
ipsecd_start "$NS_GW1" "$d1"
ipsecd_wait_tunnels "$NS_GW1" 1 90
ipsecd_wait_tunnels "$NS_GW2" 1 30

# gw2's outbound (dir out) or inbound SA's encap port on gw1's side.
gw2_port() {
	local field
	[ "$1" = out ] && field=dport || field=sport
	in_ns "$NS_GW2" "$IPSECCTL" sa list dev ipsec0 --json |
		jq -r "[.[] | select(.dir == \"$1\")][0].encap.$field"
}
old_out=$(gw2_port out)
old_in=$(gw2_port in)
echo "gw2's SAs before: to ${GW1_PUB}:$old_out, from :$old_in"
assert_eq "$old_in" "$old_out" "gw2's inbound and outbound SAs name the same NAT port"
[ "$old_out" != 4500 ] || fail "the NAT did not remap port 4500 (got $old_out)"

lc_ping_start 250
sleep 5
# The new mapping: UDP from gw1 gets a port in 40000-40100 once conntrack
# forgets the old flow (rule first, then the flush, so no packet can
# re-create the old entry in between).
in_ns "$NS_NAT" nft -f - <<-'EONFT'
	flush chain ip nat postrouting
	add rule ip nat postrouting oifname "ul" meta l4proto udp masquerade to :40000-40100
	add rule ip nat postrouting oifname "ul" masquerade random
EONFT
in_ns "$NS_NAT" python3 - <<'PY'
# Flush the conntrack table (ctnetlink IPCTNL_MSG_CT_DELETE with no tuple),
# what `conntrack -F` sends.
import socket, struct
s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 12)  # NETLINK_NETFILTER
body = struct.pack("BBH", socket.AF_INET, 0, 0)
s.send(struct.pack("IHHII", 16 + len(body), (1 << 8) | 2, 1 | 4, 1, 0) + body)
err = struct.unpack_from("i", s.recv(4096), 16)[0]
assert err == 0, f"conntrack flush: errno {-err}"
PY
echo "NAT mapping changed at $(date +%T)"
lc_ping_result
lost=$((LC_SENT - LC_RECEIVED))
echo "ping across the rebinding: $LC_SENT sent, $LC_RECEIVED answered, $lost lost ($((lost / 10)).$((lost % 10)) s)"

new_out=$(gw2_port out)
new_in=$(gw2_port in)
echo "gw2's SAs after: to ${GW1_PUB}:$new_out, from :$new_in"
ictl "$NS_GW2" status
{ [ "$new_out" -ge 40000 ] && [ "$new_out" -le 40100 ]; } ||
	{ ipsecd_log "$NS_GW2" >&2; fail "gw2's outbound SA still sends to port $new_out, not the new mapping"; }
assert_eq "$new_in" "$new_out" "gw2's inbound SA records the new port"
assert_eq "$(ictl "$NS_GW2" status --json | jq -r '.ike_sas[0].remote')" "${GW1_PUB}[$new_out]" "gw2's IKE SA at the new mapping"
by_ike=$(lc_count "$NS_GW2" "peer moved from ${GW1_PUB}\\[$old_out\\] to ${GW1_PUB}\\[$new_out\\], 1 child SA")
by_esp=$(lc_count "$NS_GW2" "peer's NAT mapping moved from ${GW1_PUB}\\[$old_out\\] to ${GW1_PUB}\\[$new_out\\] \\(ESP-in-UDP\\), 1 child SA")
echo "moved by: ESP-in-UDP MAPPING event $by_esp, IKE message $by_ike"
assert_ge "$((by_ike + by_esp))" 1 "gw2's log lines about the move"
if [ "${REBIND_ESP_ONLY:-}" ]; then
	assert_eq "$by_esp" 1 "moves by the ESP-in-UDP MAPPING event with DPD off"
	assert_eq "$by_ike" 0 "moves by an IKE message with DPD off"
fi
# The move happens at the first ESP (0.1 s) or gw1's next DPD (2 s), plus
# slack for TCG: 8 s.
[ "$lost" -le 80 ] || fail "$lost pings lost across the rebinding (more than 8 s)"
assert_ge "$LC_RECEIVED" 150 "pings answered around the rebinding"
# Same tunnel (no re-establishment), and it carries traffic with no loss.
assert_eq "$(ictl "$NS_GW2" status --json | jq '[.ike_sas[].children[]] | length')" 1 "gw2's child SAs"
lc_ping_start 20
lc_ping_result
assert_eq "$LC_RECEIVED" "$LC_SENT" "pings answered after the rebinding"

ipsecd_stop "$NS_GW1"
ipsecd_stop "$NS_GW2"
echo "ok: NAT rebinding: gw2's child SAs followed gw1 to port $new_out, $lost pings lost"
