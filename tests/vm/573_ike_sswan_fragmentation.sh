#!/bin/bash
# vm-timeout: 600
# vm-suite: full
# IKE fragmentation (RFC 7383) against strongSwan 5.9 over a 1280-byte
# underlay that drops IP fragments, as many NATs and clouds do. ipsecd's
# key and the intermediate CA's are RSA-4096 and ipsecd sends its
# certificate with the intermediate, so its IKE_AUTH request is some 3.5 kB
# and strongSwan's response (RSA-2048) some 1.6 kB: neither crosses the
# path in one IP packet.
#
#   [lan1] h1 -- [gw1 ipsecd] ===== ul, mtu 1280, IPv4 fragments dropped ===== [gw2 strongSwan] -- h2 [lan2]
#       CN=frag-ours (RSA-4096)                                        CN=frag-sswan (RSA-2048)
#                  \___ Frag Inter CA (RSA-4096) ___ Frag Root CA (RSA-2048) ___/
#
# 1. fragmentation=no on ipsecd: its IKE_AUTH request leaves as IP
#    fragments, gw2 drops them (nft counter), strongSwan never parses an
#    IKE_AUTH, no tunnel; ipsecd sent no SKF.
# 2. fragmentation=yes (ipsecd restarted; strongSwan's default is yes):
#    IKEV2_FRAGMENTATION_SUPPORTED both ways, ipsecd's request goes as SKF
#    fragments of at most 576 bytes (RFC 7383's IPv4 default), strongSwan
#    reassembles it and answers in fragments ipsecd reassembles; the
#    tunnel carries pings as ESP and no IP fragment was dropped meanwhile.
# 3. strongSwan initiates: ipsecd reassembles a fragmented request and
#    answers in fragments.
. "$(dirname "$0")/lib.sh" certs || exit 1

ss_setup v4
ip -n "$NS_GW1" link set "$UL_IF" mtu 1280
ip -n "$NS_GW2" link set "$UL_IF" mtu 1280
certs_frag_drop "$NS_GW1" "$NS_GW2"

pki=$(mktemp -d /tmp/pki.XXXXXX)
DN_ROOT="C=CH, O=ipsec_tun test, CN=Frag Root CA"
DN1="C=CH, O=ipsec_tun test, CN=frag-ours"
DN2="C=CH, O=ipsec_tun test, CN=frag-sswan"
certs_rsa4096_chain_pki "$pki" "/C=CH/O=ipsec_tun test/CN=Frag Root CA" \
	"/C=CH/O=ipsec_tun test/CN=Frag Inter CA" "/C=CH/O=ipsec_tun test/CN=frag-ours" \
	"/C=CH/O=ipsec_tun test/CN=frag-sswan"
echo "${SECONDS}s: RSA chain made"

# _ours_conf FRAGMENTATION: ipsecd's config; the intermediate is an anchor
# too, so strongSwan's chain verifies whether or not it sends it.
_ours_conf() {
	ipsecd_cert_config "$SS_OURS_DIR" sswan start "$pki/root.pem" "$pki/ours_chain.pem" PKCS8 \
		"$pki/ours.key" "$DN2" "rightca=\"$DN_ROOT\"" "fragmentation=$1"
	cp "$pki/inter.pem" "$SS_OURS_DIR/cacerts/"
}
certs_sswan_conf "$pki/root.pem" "$pki/sswan.pem" RSA "$pki/sswan.key" "$DN1"
cp "$pki/inter.pem" "$SS_SSWAN_DIR/inter.pem"
printf '\nca vminter\n\tcacert=%s/inter.pem\n\tauto=add\n' "$SS_SSWAN_DIR" >>"$SS_SSWAN_DIR/ipsec.conf"

_counter() {
	ictl "$NS_GW1" status --json | jq ".counters.$1"
}
_gw2_dropped_at_least() {
	[ "$(certs_frag_drops "$NS_GW2")" -ge "$1" ]
}

# 1. No fragmentation: the IKE_AUTH request dies as IP fragments.
_ours_conf no
SSWAN_PLUGINS_EXTRA="x509 pem pkcs1 pkcs8 pubkey" ss_start
wait_or_dump 30 _ss_dump _gw2_dropped_at_least 6 # a request and a retransmit, 3+ fragments each
sswan_log "$NS_GW2" | has_match "parsed IKE_SA_INIT request 0" ||
	{ _ss_dump >&2; fail "strongSwan got no IKE_SA_INIT"; }
! sswan_log "$NS_GW2" | has_match "IKE_AUTH request 1" ||
	{ _ss_dump >&2; fail "strongSwan parsed an IKE_AUTH that should have been dropped as IP fragments"; }
_no_tunnels "$NS_GW1" || fail "ipsecd has a tunnel without fragmentation"
! _sswan_child_installed "$NS_GW2" ours || fail "strongSwan has a child SA without fragmentation"
assert_eq "$(_counter fragments_sent)" 0 "ipsecd's SKF sent with fragmentation=no"
echo "ok: fragmentation=no: $(certs_frag_drops "$NS_GW2") IP fragments dropped at gw2, no tunnel"
ipsecd_stop "$NS_GW1"

# 2. Fragmentation on: ipsecd initiates.
_ours_conf yes
ipsecd_start "$NS_GW1" "$SS_OURS_DIR"
drops1=$(certs_frag_drops "$NS_GW1") drops2=$(certs_frag_drops "$NS_GW2")
certs_ours_initiates "$DN1" "$DN2" RSA_EMSA_PKCS1_SHA2_256
assert_eq "$(certs_frag_drops "$NS_GW1")" "$drops1" "IP fragments dropped at gw1 with fragmentation"
assert_eq "$(certs_frag_drops "$NS_GW2")" "$drops2" "IP fragments dropped at gw2 with fragmentation"
assert_ge "$(_counter fragments_sent)" 6 "ipsecd's SKF sent (IKE_AUTH request)"
assert_ge "$(_counter fragments_received)" 2 "ipsecd's SKF received (IKE_AUTH response)"
assert_eq "$(_counter dropped_fragments)" 0 "ipsecd's SKF dropped"
sswan_log "$NS_GW2" | has_match "reassembled fragmented IKE message" ||
	{ _ss_dump >&2; fail "strongSwan did not reassemble ipsecd's fragments"; }
ipsecd_log "$NS_GW1" | has_match "sending IKE_AUTH request 1 .* in [0-9][0-9]* fragments" ||
	{ ipsecd_log "$NS_GW1" | tail -n 40 >&2; fail "ipsecd did not log its fragmented IKE_AUTH"; }
echo "ok: ipsecd initiated: $(_counter fragments_sent) fragments sent, $(_counter fragments_received) received"

# 3. strongSwan initiates: ipsecd is the responder.
sent=$(_counter fragments_sent) received=$(_counter fragments_received)
certs_sswan_initiates "$DN1" "$DN2"
assert_ge "$(($(_counter fragments_received) - received))" 2 "ipsecd's SKF received (IKE_AUTH request)"
assert_ge "$(($(_counter fragments_sent) - sent))" 6 "ipsecd's SKF sent (IKE_AUTH response)"
assert_eq "$(certs_frag_drops "$NS_GW1")" "$drops1" "IP fragments dropped at gw1 with fragmentation"
assert_eq "$(certs_frag_drops "$NS_GW2")" "$drops2" "IP fragments dropped at gw2 with fragmentation"
echo "ok: strongSwan initiated, ipsecd answered in fragments"
echo "ESP packets: $(capture_count 'ip proto 50 or ip6 proto 50')"
