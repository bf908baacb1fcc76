# shellcheck shell=bash
# ipsecd <-> strongSwan 5.9 interop, shared by the 51x scenarios: the
# subject "sswan" of lib.sh (loads topology, strongswan and ipsecd):
#
#   . "$(dirname "$0")/lib.sh" sswan || exit 1
#
#   [lan1] h1 -- [gw1 ipsecd, ipsec0] ==== underlay ==== [gw2 strongSwan, XFRM] -- h2 [lan2]
#
#   ss_setup v4|v6           ipsec_load and the topology (peers/topology.sh).
#   ss_conf [ikev2|ikev1] ROLE OURS_OPTS SSWAN_OPTS [PSK_OURS [PSK_SSWAN]]
#                            writes both configs. ROLE "ours" (ipsecd
#                            initiates, auto=start) or "sswan" (strongSwan
#                            initiates with "ipsec up", ipsecd auto=add).
#                            *_OPTS: space-separated key=value lines added
#                            to that side's conn (ike=..., esp=...), each
#                            in its own dialect; "" for the defaults; a key
#                            of the defaults below replaces its value.
#                            PSK by address. ikev2 (the default): each
#                            side's default proposals, strongSwan
#                            keyexchange=ikev2. ikev1: keyexchange=ikev1
#                            both sides with seed 003's proposals,
#                            aes128-sha1 with MODP1024 for both SAs
#                            (strongSwan's strict: "!") (582, 584, 587,
#                            588, 591, 592).
#   ss_start                 starts strongSwan in gw2 and ipsecd in gw1.
#   ss_up ROLE [TIMEOUT]     waits until both ends have the child SA (after
#                            "ipsec up" for ROLE sswan).
#   ss_traffic [N]           N pings lan1 -> lan2, all answered, the
#                            underlay carries >= 2N ESP packets and no clear
#                            ICMP; ipsecd's SA counters saw them both ways.
#   ss_basic ROLE v4|v6      the whole of scenarios 510-513 (see below).
#   ss_assert_algs IKE ESP   the negotiated algorithms on both ends: IKE and
#                            ESP as ipsecd prints them (ipsecctl status
#                            --json), e.g. AES_GCM_16_128/PRF_HMAC_SHA2_256/
#                            MODP_2048; strongSwan's "ipsec statusall" must
#                            show the same transforms. IKE "" checks only
#                            that both ends agree on the IKE SA.
#
# Connection names: "sswan" in ipsecd's config, "ours" in strongSwan's.

lib_use topology strongswan ipsecd

SS_FAMILY=v4 SS_OURS_DIR='' SS_SSWAN_DIR=''

ss_setup() {
	SS_FAMILY=$1
	ipsec_load
	case $SS_FAMILY in
	v4) topo_v4 ;;
	v6) topo_v6 ;;
	*) fail "ss_setup: family v4 or v6, not '$SS_FAMILY'" ;;
	esac
	SS_OURS_DIR=$(mktemp -d /tmp/ours.XXXXXX)
	SS_SSWAN_DIR=$(mktemp -d /tmp/sswan.XXXXXX)
}

# _ss_conn NAME LEFT LEFTSUBNET RIGHT RIGHTSUBNET AUTO [KEY=VALUE...]:
# conn_block (peers/topology.sh) with the ends, authby=secret and auto
# first: a KEY given again later in the list replaces its earlier value (a
# default the scenario overrides), in the earlier place.
_ss_conn() {
	conn_block "$1" "left=$2" "leftsubnet=$3" "right=$4" "rightsubnet=$5" authby=secret "auto=$6" "${@:7}"
}

ss_conf() {
	local psk=sswan-interop-psk-7u3k1x
	local -a defs_ours=() defs_sswan=(keyexchange=ikev2)
	case $1 in
	ikev1)
		psk=ikev1-sswan-psk-8d3v
		defs_ours=(keyexchange=ikev1 ike=aes128-sha1-modp1024 esp=aes128-sha1-modp1024)
		defs_sswan=(keyexchange=ikev1 'ike=aes128-sha1-modp1024!' 'esp=aes128-sha1-modp1024!')
		shift
		;;
	ikev2) shift ;;
	esac
	local role=$1 psk_ours=${4:-$psk}
	local psk_sswan=${5:-$psk_ours} auto_ours=add
	local -a opts_ours opts_sswan
	read -ra opts_ours <<<"$2"
	read -ra opts_sswan <<<"$3"
	[ "$role" = ours ] && auto_ours=start
	_ss_conn sswan "$GW1" "$NET1" "$GW2" "$NET2" "$auto_ours" \
		"${defs_ours[@]}" "${opts_ours[@]}" >"$SS_OURS_DIR/ipsec.conf"
	echo "$GW1 $GW2 : PSK \"$psk_ours\"" >"$SS_OURS_DIR/ipsec.secrets"
	_ss_conn ours "$GW2" "$NET2" "$GW1" "$NET1" add \
		"${defs_sswan[@]}" "${opts_sswan[@]}" >"$SS_SSWAN_DIR/ipsec.conf"
	echo "$GW2 $GW1 : PSK \"$psk_sswan\"" >"$SS_SSWAN_DIR/ipsec.secrets"
}

ss_start() {
	sswan_start "$NS_GW2" "$SS_SSWAN_DIR"
	echo "${SECONDS}s: strongSwan answers"
	ipsecd_start "$NS_GW1" "$SS_OURS_DIR"
	echo "${SECONDS}s: ipsecd answers"
}

# (vm-tests shows the last 80 lines of a failing scenario: ours last.)
_ss_dump() {
	_sswan_dump "$NS_GW2" | tail -n 25
	ictl "$NS_GW1" status || true
	ipsecd_log "$NS_GW1" | tail -n 40
}

ss_up() {
	local role=$1 timeout=${2:-90}
	if [ "$role" = sswan ]; then
		sswan "$NS_GW2" up ours >/dev/null || { _ss_dump >&2; fail "strongSwan: 'ipsec up ours' failed"; }
	fi
	wait_or_dump "$timeout" _ss_dump _ipsecd_has_tunnels "$NS_GW1" 1
	wait_or_dump 30 _ss_dump _sswan_child_installed "$NS_GW2" ours
	echo "${SECONDS}s: child SA installed at both ends"
}

_ss_esp_seen() {
	[ "$(capture_count 'ip proto 50 or ip6 proto 50')" -ge "$1" ]
}

ss_traffic() {
	local n=${1:-10} in0 out0
	in0=$(ipsecd_traffic "$NS_GW1" in_packets)
	out0=$(ipsecd_traffic "$NS_GW1" out_packets)
	capture_start
	ping_lan "$n" || { _ss_dump >&2; fail "ping $H1 -> $H2 through the tunnel failed"; }
	# Under load tcpdump can still hold the last reply when capture_stop's
	# 0.5 s are up (19 of 20 seen once on 6.12): give it up to 10 s to
	# write them; assert_esp_only below still demands all of them.
	poll_until 10 _ss_esp_seen $((2 * n)) || true
	capture_stop
	assert_esp_only $((2 * n))
	assert_ge $(($(ipsecd_traffic "$NS_GW1" out_packets) - out0)) "$n" "ipsecd child SA out_packets"
	assert_ge $(($(ipsecd_traffic "$NS_GW1" in_packets) - in0)) "$n" "ipsecd child SA in_packets"
}

# _ss_has_transforms TEXT ALGS: every "/"-separated transform of ALGS (minus
# NO_EXT_SEQ, which strongSwan prints only as ESN) is a whole word of TEXT.
_ss_has_transforms() {
	local text=$1 t
	local IFS=/
	for t in $2; do
		[ "$t" = NO_EXT_SEQ ] && continue
		grep -qE "(^|[/ ])$t(/|,|$| )" <<<"$text" || return 1
	done
}

ss_assert_algs() {
	local ike=$1 esp=$2 st got all line
	st=$(ictl "$NS_GW1" status --json)
	got=$(jq -r '[.ike_sas[] | select(.state == "ESTABLISHED")][0].algorithms' <<<"$st")
	# IKE "": both sides' default IKE proposals, whatever the responder picks.
	[ -n "$ike" ] || ike=$got
	assert_eq "$got" "$ike" "ipsecd IKE SA algorithms"
	got=$(jq -r '[.ike_sas[] | select(.state == "ESTABLISHED")][0].children[0].algorithms' <<<"$st")
	assert_eq "$got" "$esp" "ipsecd child SA algorithms"
	all=$(sswan "$NS_GW2" statusall)
	line=$(grep -E '^ *ours\[[0-9]+\]: IKE proposal:' <<<"$all") || { echo "$all" >&2; fail "strongSwan: no IKE proposal line"; }
	_ss_has_transforms "${line#*IKE proposal: }" "$ike" || fail "strongSwan's IKE SA is not $ike: $line"
	line=$(grep -E '^ *ours\{[0-9]+\}: +[A-Z0-9_/]+, [0-9]+ bytes_i' <<<"$all" | head -1) ||
		{ echo "$all" >&2; fail "strongSwan: no child SA algorithm line"; }
	_ss_has_transforms "$line" "$esp" || fail "strongSwan's child SA is not $esp: $line"
	echo "algorithms: IKE $ike, ESP $esp (both ends)"
}

# ss_basic ROLE v4|v6: the 510-513 scenarios. Default proposals on both
# sides; ROLE initiates; the tunnel carries LAN traffic as ESP only; then
# the initiator ends it (SIGTERM on ipsecd, "ipsec down" on strongSwan) and
# the other end removes its child SA on the Delete.
ss_basic() {
	local role=$1
	ss_setup "$2"
	ss_conf "$role" "" ""
	ss_start
	ss_up "$role"
	ss_traffic 10
	ictl "$NS_GW1" status
	echo "ESP packets: $(capture_count 'ip proto 50 or ip6 proto 50')"
	if [ "$role" = ours ]; then
		ipsecd_stop "$NS_GW1"
		# shellcheck disable=SC2016 # expanded by eval
		wait_or_dump 30 "_sswan_dump $NS_GW2 | tail -n 60" eval '! _sswan_child_installed "$NS_GW2" ours'
	else
		sswan "$NS_GW2" down ours >/dev/null
		wait_or_dump 30 "ipsecd_log $NS_GW1 | tail -n 60" _no_tunnels "$NS_GW1"
	fi
}
