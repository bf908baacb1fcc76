# shellcheck shell=bash
# IKEv1 against a real peer with tests/vm/tools/ikev1_probe (userspace/ike/v1
# main mode + quick mode, before the engine speaks IKEv1), shared by the
# 58x scenarios: the subject "ikev1" of lib.sh (loads topology; the
# scenario names its peer, strongswan or libreswan):
#
#   [lan1] h1 -- [gw1 ikev1_probe, ipsec0] ==== underlay ==== [gw2 peer, XFRM] -- h2 [lan2]
#
#   v1_setup                 module, IPv4 topology, ipsec0 with a route to NET2.
#   v1_round IKE ESP PFS IN_SPI WAIT_CMD DUMP_CMD
#                            the probe initiates with ike= IKE, esp= ESP,
#                            PFS group number PFS (0: none), our SPI IN_SPI;
#                            WAIT_CMD waits for the peer's child; the peer's
#                            XFRM must send on IN_SPI; ipsec0 is keyed from
#                            the probe's 0600 key file; 5 pings between the
#                            LANs cross both implementations as ESP only.
#
# V1_PSK is the pre-shared key both ends use (PSK by address, IDs are the
# addresses).

lib_use topology

V1_PROBE=$REPO/build/bin/ikev1_probe
V1_PSK=ikev1-probe-psk-9q2w

v1_setup() {
	[ -x "$V1_PROBE" ] || fail "$V1_PROBE not built (make all)"
	ipsec_load
	topo_v4
	in_ns "$NS_GW1" "$IPSECCTL" dev add dev ipsec0 >/dev/null
	in_ns "$NS_GW1" ip route add "$NET2" dev ipsec0
	V1_KEYS=$(mktemp -d /tmp/v1keys.XXXXXX)
}

# _v1_peer_sends_on SPI: gw2's XFRM has an SA with our inbound SPI.
_v1_peer_sends_on() {
	in_ns "$NS_GW2" ip xfrm state | has_match "spi $(printf '0x%08x' "$1")"
}

# _v1_key_ipsec0: ipsec0's SA pair and policy from the sourced key file.
_v1_key_ipsec0() {
	local auth_out=() auth_in=()
	if [ -n "${AUTH:-}" ]; then
		auth_out=(auth "$AUTH" authkey "$AUTHKEY_OUT")
		auth_in=(auth "$AUTH" authkey "$AUTHKEY_IN")
	fi
	in_ns "$NS_GW1" "$IPSECCTL" sa flush dev ipsec0
	in_ns "$NS_GW1" "$IPSECCTL" sa add dev ipsec0 dir out spi "$OUT_SPI" reqid 1 src "$GW1" dst "$GW2" \
		enc "$ENC" key "$KEY_OUT" "${auth_out[@]}"
	in_ns "$NS_GW1" "$IPSECCTL" sa add dev ipsec0 dir in spi "$IN_SPI" src "$GW2" dst "$GW1" \
		enc "$ENC" key "$KEY_IN" "${auth_in[@]}"
	in_ns "$NS_GW1" "$IPSECCTL" policy add dev ipsec0 src "$NET1" dst "$NET2" reqid 1
}

v1_round() {
	local ike=$1 esp=$2 pfs=$3 spi=$4 wait_cmd=$5 dump=$6 keys=$V1_KEYS/keys.$4
	capture_start
	in_ns "$NS_GW1" "$V1_PROBE" "$GW1" "$GW2" "$V1_PSK" "$ike" "$esp" "$NET1" "$NET2" "$spi" "$pfs" "$keys" ||
		{
			capture_stop
			eval "$dump" | tail -n 60 >&2
			local pcap
			for pcap in "${CAPTURE_PCAPS[@]}"; do tcpdump -n -r "$pcap" 2>/dev/null; done >&2
			fail "ikev1_probe: $ike / $esp refused"
		}
	capture_stop
	# shellcheck disable=SC1090 # written by the probe: SPIs, algorithm names, keys
	. "$keys"
	rm -f "$keys"
	$wait_cmd
	poll_until 20 _v1_peer_sends_on "$IN_SPI" ||
		{ in_ns "$NS_GW2" ip xfrm state >&2; fail "the peer's XFRM has no SA on our SPI $IN_SPI"; }
	_v1_key_ipsec0
	unset AUTH AUTHKEY_OUT AUTHKEY_IN KEY_OUT KEY_IN
	capture_start
	ping_lan 5 || { eval "$dump" | tail -n 30 >&2; fail "ping through the IKEv1 child ($esp) failed"; }
	capture_stop
	assert_esp_only 10
	echo "ok: $ike / $esp: the peer installed our child, 5 pings crossed as ESP"
}
