#!/bin/bash
# vm-timeout: 300
# Reserved SPIs are given back when a child's negotiation fails (issue 18).
# ipsecd reserves each new child's inbound SPI on its device (ALLOC_SPI,
# kmod/spi_hold.c) before it asks; when the peer refuses the child, the
# engine's RemoveChild must release it (DEL_SA of the SPI), or every
# refused try leaves a reservation for SPI_RESERVE_SECS (60 s) and a peer
# that keeps refusing (keyingtries=%forever) fills the device's 4096.
#
# ipsecd in gw1 has four connections to strongSwan in gw2 under one IKE SA:
# "sswan" (accepted) and r1, r2, r3, which strongSwan refuses at every try
# (r1, r2: subnets it has no conn for; r3: its conn "p3" accepts only
# AES-256-GCM - "!": not strongSwan's defaults too - and ours offers
# AES-128-CBC/SHA-256). r1 comes first in the file, so its child is
# usually the one in IKE_AUTH. While the refusals are
# retried (2, 4, 8 s back-off) and a ping runs through "sswan":
#  - the device's spi_reserved (GET_DEV, `ipsecctl dev list --json`) never
#    exceeds 3, one try in flight per refused connection;
#  - after at least 9 refusals, `ipsecctl down` of r1..r3 ends the tries
#    and spi_reserved is 0 within 10 s (without the release: 9 or more for
#    a minute);
#  - the accepted child keeps its SPIs and no ping is lost.
#
#   [lan1] h1 -- [gw1 ipsecd, ipsec0] ==== underlay ==== [gw2 strongSwan, XFRM] -- h2 [lan2]
. "$(dirname "$0")/lib.sh" sswan lifecycle || exit 1

ss_setup v4
ss_conf ours "keyingtries=%forever" ""
ours_conf=$SS_OURS_DIR/ipsec.conf
{
	_ss_conn r1 "$GW1" 10.91.0.0/24 "$GW2" 10.92.0.0/24 start keyingtries=%forever
	cat "$ours_conf"
	_ss_conn r2 "$GW1" 10.93.0.0/24 "$GW2" 10.94.0.0/24 start keyingtries=%forever
	_ss_conn r3 "$GW1" 10.95.0.0/24 "$GW2" 10.96.0.0/24 start keyingtries=%forever \
		esp=aes128-sha256
} >"$ours_conf.new"
mv "$ours_conf.new" "$ours_conf"
_ss_conn p3 "$GW2" 10.96.0.0/24 "$GW1" 10.95.0.0/24 add keyexchange=ikev2 esp=aes256gcm16! \
	>>"$SS_SSWAN_DIR/ipsec.conf"
ss_start
ss_up ours

reserved() {
	in_ns "$NS_GW1" "$IPSECCTL" dev list dev ipsec0 --json | jq '.[0].spi_reserved'
}
refusals() {
	lc_count "$NS_GW1" 'child SA .* refused \('
}
child_spi() {
	ictl "$NS_GW1" status --json |
		jq '[.ike_sas[].children[] | select(.conn == "sswan") | .inbound_spi] | first'
}
spi0=$(child_spi)
[[ $spi0 =~ ^\"[0-9a-f]+\"$ ]] || { _ss_dump >&2; fail "no child of sswan in ipsecd's status: '$spi0'"; }

lc_ping_start 400
max=0 t0=$SECONDS
while [ "$(refusals)" -lt 9 ]; do
	[ $((SECONDS - t0)) -lt 60 ] || { _ss_dump >&2; fail "fewer than 9 refusals in 60 s: $(refusals)"; }
	n=$(reserved)
	[[ $n =~ ^[0-9]+$ ]] || fail "spi_reserved not shown: '$n'"
	[ "$n" -le "$max" ] || max=$n
	sleep 0.3
done
echo "$(refusals) refusals in $((SECONDS - t0)) s; spi_reserved at most $max meanwhile"
ipsecd_log "$NS_GW1" | grep -E 'refused \(' | head -n 6
[ "$max" -le 3 ] || { _ss_dump >&2; fail "spi_reserved reached $max: refused children keep their SPIs"; }

ictl "$NS_GW1" down r1 >/dev/null
ictl "$NS_GW1" down r2 >/dev/null
ictl "$NS_GW1" down r3 >/dev/null
wait_value 10 = 0 reserved
echo "spi_reserved 0 after the refused connections went down ($(refusals) refusals in all)"

lc_assert_no_loss
assert_eq "$(child_spi)" "$spi0" "inbound SPI of sswan's child"
echo "ok: refused children released their reserved SPIs; the accepted child was not disturbed"
