#!/bin/bash
# Data-plane throughput inside the VM, every contender on the same topology
# and the same (virtual) CPUs, one configuration at a time in fresh netns:
#
#   [ns bA]  veth0 10.0.0.1/24 ====== veth0 10.0.0.2/24  [ns bB]
#     lo 10.9.1.1/32                           lo 10.9.2.1/32
#     iperf3 client  --- tunnel under test --- iperf3 server
#
# Configurations (argument list; default all, in this order):
#   plain          inner addresses routed over the veth, no encryption
#   xfrm-gcm128    Linux XFRM tunnel mode, rfc4106(gcm(aes)) 128-bit key
#   ipsec0-gcm128  ipsec_tun's ipsec0, AES-GCM-16 128-bit key (same keys)
#   xfrm-chacha    XFRM, rfc7539esp(chacha20,poly1305)
#   ipsec0-chacha  ipsec0, ENCR_CHACHA20_POLY1305 (same keys)
#   wireguard      wg0 (ChaCha20-Poly1305, its own handshake)
#   tcrypt         the crypto API alone: tcrypt mode=211 (rfc4106(gcm(aes)))
#                  and mode=213 (rfc7539esp(chacha20,poly1305)), one CPU
#
# All configurations run in this one VM boot. A repetition runs every
# configuration once, each in fresh namespaces, and the IPSEC_BENCH_REPS
# repetitions (default 3) go round the configurations, each starting one
# further on: a slow stretch of the shared host then falls on all of them
# alike instead of on whichever configuration happened to be running, which
# is what the ratios need. Tests per configuration and repetition, each run
# IPSEC_BENCH_TIME seconds (default 5):
#   tcp1   iperf3 TCP, one stream, receiver goodput (first second omitted)
#   tcp4   iperf3 TCP, 4 streams (-P 4)
#   udp64  iperf3 UDP, 64-byte payloads, -b 0; packets/s at the receiver
. "$(dirname "$0")/lib.sh" || exit 1

S=dataplane

cfg_plain() {
	topo_base
	topo_routes_via veth0 veth0 $OUTER_B $OUTER_A
}

cfg_wireguard() {
	local d=/tmp/wg
	mkdir -p $d
	topo_base
	wg genkey >$d/a.key && wg genkey >$d/b.key || return 1
	wg pubkey <$d/a.key >$d/a.pub && wg pubkey <$d/b.key >$d/b.pub || return 1
	ip -n bA link add wg0 type wireguard || return 1
	ip -n bB link add wg0 type wireguard || return 1
	ip netns exec bA wg set wg0 private-key $d/a.key listen-port 51820 \
		peer "$(cat $d/b.pub)" allowed-ips $INNER_B/32 endpoint $OUTER_B:51820 || return 1
	ip netns exec bB wg set wg0 private-key $d/b.key listen-port 51820 \
		peer "$(cat $d/a.pub)" allowed-ips $INNER_A/32 endpoint $OUTER_A:51820 || return 1
	ip -n bA link set wg0 up && ip -n bB link set wg0 up || return 1
	topo_routes_via wg0 wg0
}

# cfg_ipsec0 gcm128|chacha: ipsec0 in each netns with manual SAs and one
# policy, keyed exactly like the XFRM configuration of the same cipher.
cfg_ipsec0() {
	local cipher=$1
	topo_base
	ipsec_load || return 1
	. "$(dirname "$0")/ipsec_manual.sh" || return 1
	ipsec_manual_pair "$cipher" || return 1
	topo_routes_via ipsec0 ipsec0
}

# run_config NAME REP SETUP...: set up, check one ping gets through,
# measure once, tear down.
run_config() {
	local c=$1 r=$2 err
	shift 2
	progress "configuration $c, repetition $r/$BENCH_REPS"
	if ! err=$("$@" 2>&1 >/dev/null); then
		na $S "$c" all "setup failed: $(tail -n1 <<<"$err")"
		ns_gone bA bB
		return 0
	fi
	if poll_until 10 inner_ping_ok; then
		measure_once $S "$c" "$r"
	else
		na $S "$c" all "no ping through the configuration after setup"
	fi
	ns_gone bA bB
}

# tcrypt_speed MODE ALG CONFIG: run the tcrypt speed test (the module
# returns -EAGAIN by design after printing) and report the 1420-byte
# encrypt/decrypt rate and the 64-byte operation rate, for the AES-128 /
# ChaCha key size (160 / 288 bits with the 4-byte salt).
tcrypt_speed() {
	local mode=$1 alg=$2 c=$3 keybits=$4 before log dir
	before=$(dmesg | wc -l)
	progress "tcrypt mode=$mode ($alg)"
	modprobe tcrypt mode="$mode" sec=1 2>/dev/null
	log=$(dmesg | tail -n +"$((before + 1))")
	if ! grep -q "testing speed of $alg" <<<"$log"; then
		na $S "$c" all "tcrypt mode=$mode printed nothing for $alg"
		return 0
	fi
	info "tcrypt-driver-$c" "$(grep -m1 -o "testing speed of $alg .*cryption" <<<"$log" |
		sed "s/testing speed of $alg //;s/ [a-z]*cryption$//")"
	# Lines follow their "testing speed of ALG (...) encryption" header.
	for dir in encryption decryption; do
		awk -v alg="$alg" -v dir="$dir" -v kb="$keybits" '
			/testing speed of/ { on = (index($0, "of " alg " (") && index($0, dir)) ; next }
			on && $0 ~ "\\(" kb " bit key, 1420 byte blocks\\)" {
				for (i = 1; i <= NF; i++) {
					if ($i == "operations") ops = $(i - 1)
					if ($i == "seconds") secs = $(i - 1)
					if ($i == "bytes)") bytes = substr($(i - 1), 2)
				}
				printf "%s %s %s\n", "1420", bytes, secs
			}
			on && $0 ~ "\\(" kb " bit key, 64 byte blocks\\)" {
				for (i = 1; i <= NF; i++) {
					if ($i == "operations") ops = $(i - 1)
					if ($i == "seconds") secs = $(i - 1)
				}
				printf "%s %s %s\n", "64", ops, secs
			}' <<<"$log" | while read -r size n secs; do
			[ "$secs" -gt 0 ] 2>/dev/null || continue
			if [ "$size" = 1420 ]; then
				result $S "$c" "${dir%ryption}-1420" "$(echo "scale=1; $n * 8 / $secs / 1000000" | bc)" Mbit/s
			else
				result $S "$c" "${dir%ryption}-64" "$((n / secs))" ops/s
			fi
		done
	done
}

configs=("$@")
[ ${#configs[@]} -gt 0 ] || configs=(plain xfrm-gcm128 ipsec0-gcm128 xfrm-chacha ipsec0-chacha wireguard tcrypt)

command -v iperf3 >/dev/null || fail "iperf3 missing (scripts/setup)"
command -v jq >/dev/null || fail "jq missing"
info kernel "$(uname -r)"
info vcpus "$(nproc)"
info bench-time "$BENCH_TIME"
info bench-reps "$BENCH_REPS"
crypto_preload

# run_tunnel CONFIG REP: one repetition of one network configuration.
run_tunnel() {
	local c=$1 r=$2 why
	case $c in
	plain) run_config plain "$r" cfg_plain ;;
	xfrm-gcm128) run_config "$c" "$r" cfg_xfrm 'rfc4106(gcm(aes))' $KEY_GCM_AB $KEY_GCM_BA ;;
	xfrm-chacha) run_config "$c" "$r" cfg_xfrm 'rfc7539esp(chacha20,poly1305)' $KEY_CHACHA_AB $KEY_CHACHA_BA ;;
	ipsec0-gcm128 | ipsec0-chacha)
		if why=$(ipsec_not_ready) && [ -z "$why" ]; then
			run_config "$c" "$r" cfg_ipsec0 "${c#ipsec0-}"
		else
			na $S "$c" all "$why"
		fi ;;
	wireguard)
		if command -v wg >/dev/null && modprobe wireguard 2>/dev/null; then
			run_config wireguard "$r" cfg_wireguard
		else
			na $S wireguard all "wireguard-tools or the wireguard module missing"
		fi ;;
	esac
}

tunnels=() want_tcrypt=
for c in "${configs[@]}"; do
	case $c in
	plain | xfrm-gcm128 | xfrm-chacha | ipsec0-gcm128 | ipsec0-chacha | wireguard) tunnels+=("$c") ;;
	tcrypt) want_tcrypt=1 ;;
	*) fail "unknown configuration '$c'" ;;
	esac
done
info dataplane-order "${tunnels[*]} (repetition r starts at the r-th)"
n=${#tunnels[@]}
for ((r = 1; r <= BENCH_REPS; r++)); do
	for ((i = 0; i < n; i++)); do
		run_tunnel "${tunnels[(i + r - 1) % n]}" "$r"
	done
	progress "repetition $r/$BENCH_REPS done"
done
if [ -n "$want_tcrypt" ]; then
	tcrypt_speed 211 'rfc4106(gcm(aes))' tcrypt-gcm128 160
	tcrypt_speed 213 'rfc7539esp(chacha20,poly1305)' tcrypt-chacha 288
fi
[ ! -e /sys/module/ipsec_tun ] || rmmod ipsec_tun 2>/dev/null
exit 0
