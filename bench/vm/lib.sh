# shellcheck shell=bash
# Helpers for the benchmark scripts that run inside the VM (bench/vm/*.sh,
# started by bench/run through scripts/vm-run). Source it first thing:
#
#   . "$(dirname "$0")/lib.sh" || exit 1
#
# Benchmarks report, they do not assert: a configuration that cannot be set
# up (module not built yet, ipsecctl missing, a peer daemon absent) is
# reported as "n/a (reason)" and the script goes on with the next one. Only
# a broken script (bad usage, the VM itself unusable) exits non-zero.
#
# Results go to stdout as tab-separated lines that bench/report.py reads:
#
#   BENCH <section> <config> <metric> <value> <unit>      one measurement
#   BENCH-NA <section> <config> <metric> <reason>         not measured, why
#   BENCH-INFO <key> <value>                              context (driver...)
#
# Anything else on stdout is progress and ignored by the report. Several
# BENCH lines for the same (section, config, metric) are repetitions; the
# report takes their median.

# The scenario library (tests/vm/lib.sh) gives the VM guard, the paths
# (REPO, KVER, IPSEC_KO, IPSECCTL, IPSECD), cleanups at exit (on_exit),
# netns (ns_create, ns_delete), spawn, polling (poll_until), ipsec_load and
# progress (stderr: not parsed). Its strict mode is for scenarios, which
# assert; a benchmark reports and goes on, so errexit and the ERR trap are
# switched off again here. ("-": no subject; the script's own arguments
# are not lib.sh's.) A benchmark of the IKE daemons loads their helpers
# from the library too rather than writing its own: `lib_use topology
# ipsecd` gives topo_v4, conn_block and psk_secrets (ipsec.conf and
# ipsec.secrets), ipsecd_spawn, ictl and ipsecd_log (tunnels.sh;
# startup_one.sh and many_one.sh, which keep strict mode, source
# tests/vm/lib.sh with those subjects themselves).
. "$(dirname "${BASH_SOURCE[0]}")/../../tests/vm/lib.sh" - || exit 1
set +eE
trap - ERR

BENCH_TIME=${IPSEC_BENCH_TIME:-5}   # seconds per iperf3 run
BENCH_REPS=${IPSEC_BENCH_REPS:-3}   # repetitions per measurement

# result SECTION CONFIG METRIC VALUE UNIT
result() {
	printf 'BENCH\t%s\t%s\t%s\t%s\t%s\n' "$@"
}

# na SECTION CONFIG METRIC REASON...
na() {
	local s=$1 c=$2 m=$3
	shift 3
	printf 'BENCH-NA\t%s\t%s\t%s\t%s\n' "$s" "$c" "$m" "$*"
}

# info KEY VALUE...
info() {
	local k=$1
	shift
	printf 'BENCH-INFO\t%s\t%s\n' "$k" "$*"
}

# --- namespaces ------------------------------------------------------------

# ns_fresh NAME...: (re)create empty netns with lo up (deleted at exit).
ns_fresh() {
	local ns
	for ns in "$@"; do
		ns_gone "$ns"
		ns_create "$ns" || fail "ip netns add $ns failed"
	done
}

# ns_gone NAME...: ns_delete each (between configurations; ns_create's
# cleanup at exit then finds it gone).
ns_gone() {
	local ns
	for ns in "$@"; do
		ns_delete "$ns"
	done
}

# Topology every data-plane configuration starts from:
#
#   [ns bA]  veth0 10.0.0.1/24 ====== veth0 10.0.0.2/24  [ns bB]
#   lo 10.9.1.1/32 (inner)                 lo 10.9.2.1/32 (inner)
#
# A configuration then routes 10.9.1.1 <-> 10.9.2.1 somehow: plainly over
# the veth, through XFRM policies, through ipsec0 or through wg0.
OUTER_A=10.0.0.1 OUTER_B=10.0.0.2 INNER_A=10.9.1.1 INNER_B=10.9.2.1

# topo_base: the two netns, the veth and the inner addresses (no routes).
topo_base() {
	ns_fresh bA bB
	ip link add veth0 netns bA type veth peer name veth0 netns bB || fail "veth"
	ip -n bA addr add $OUTER_A/24 dev veth0
	ip -n bB addr add $OUTER_B/24 dev veth0
	ip -n bA addr add $INNER_A/32 dev lo
	ip -n bB addr add $INNER_B/32 dev lo
	ip -n bA link set veth0 up
	ip -n bB link set veth0 up
}

# topo_routes_via DEV_A DEV_B [GW_A GW_B]: route the inner /32s over the devices.
topo_routes_via() {
	if [ $# -ge 4 ]; then
		ip -n bA route add $INNER_B/32 via "$3" dev "$1" src $INNER_A
		ip -n bB route add $INNER_A/32 via "$4" dev "$2" src $INNER_B
	else
		ip -n bA route add $INNER_B/32 dev "$1" src $INNER_A
		ip -n bB route add $INNER_A/32 dev "$2" src $INNER_B
	fi
}

# cfg_xfrm ALG KEY_AB KEY_BA: the topology with tunnel-mode XFRM SAs and
# policies on both ends (dataplane.sh, ab_modules.sh).
cfg_xfrm() {
	local alg=$1 kab=$2 kba=$3 ns
	topo_base
	for ns in bA bB; do
		ip -n $ns xfrm state add src $OUTER_A dst $OUTER_B proto esp spi $SPI_AB reqid 1 \
			mode tunnel aead "$alg" "$kab" 128 || return 1
		ip -n $ns xfrm state add src $OUTER_B dst $OUTER_A proto esp spi $SPI_BA reqid 2 \
			mode tunnel aead "$alg" "$kba" 128 || return 1
	done
	ip -n bA xfrm policy add src $INNER_A/32 dst $INNER_B/32 dir out \
		tmpl src $OUTER_A dst $OUTER_B proto esp reqid 1 mode tunnel || return 1
	ip -n bA xfrm policy add src $INNER_B/32 dst $INNER_A/32 dir in \
		tmpl src $OUTER_B dst $OUTER_A proto esp reqid 2 mode tunnel || return 1
	ip -n bB xfrm policy add src $INNER_B/32 dst $INNER_A/32 dir out \
		tmpl src $OUTER_B dst $OUTER_A proto esp reqid 2 mode tunnel || return 1
	ip -n bB xfrm policy add src $INNER_A/32 dst $INNER_B/32 dir in \
		tmpl src $OUTER_A dst $OUTER_B proto esp reqid 1 mode tunnel || return 1
	topo_routes_via veth0 veth0 $OUTER_B $OUTER_A
}

# inner_ping_ok: one ping from A's inner address to B's goes through.
inner_ping_ok() {
	ip netns exec bA ping -c1 -W2 -I $INNER_A $INNER_B >/dev/null 2>&1
}

# --- iperf3 ----------------------------------------------------------------

IPERF_PORT=5201

# iperf_server_start: iperf3 server on B's inner address (killed with bB).
iperf_server_start() {
	ip netns exec bB iperf3 -s -B $INNER_B -p $IPERF_PORT >/dev/null 2>&1 &
	# A loaded TCG host can take many seconds to start a process.
	poll_until 60 _iperf_listening
}

_iperf_listening() {
	ip netns exec bB ss -Hltn "sport = :$IPERF_PORT" | grep -q .
}

# iperf_json ARGS...: one client run from A to B; JSON on stdout. The
# client gets the run time plus a margin before it is killed.
iperf_json() {
	timeout $((BENCH_TIME + 30)) ip netns exec bA \
		iperf3 -c $INNER_B -B $INNER_A -p $IPERF_PORT -t "$BENCH_TIME" -J "$@" 2>/dev/null
}

# iperf_tcp_mbits [PARALLEL]: receiver-side TCP goodput in Mbit/s; the
# first second (slow start) is omitted.
iperf_tcp_mbits() {
	local out
	out=$(iperf_json -O 1 -P "${1:-1}") || return 1
	jq -e '.end.sum_received.bits_per_second / 1e6 | . * 10 | round / 10' <<<"$out"
}

# iperf_udp64_pps: 64-byte UDP payloads as fast as the sender can; packets
# per second that reached the receiver (bytes received / 64 / seconds).
iperf_udp64_pps() {
	local out
	out=$(iperf_json -u -l 64 -b 0) || return 1
	jq -e '.end.sum_received | select(.seconds > 0) | .bytes / 64 / .seconds | round' <<<"$out"
}

# measure_once SECTION CONFIG REP: the three data-plane tests once each, on
# an already working configuration (repetition REP, for the messages).
measure_once() {
	local s=$1 c=$2 r=$3 v
	if ! iperf_server_start; then
		na "$s" "$c" all "iperf3 server did not start (run $r)"
		return 1
	fi
	if v=$(iperf_tcp_mbits 1); then result "$s" "$c" tcp1 "$v" Mbit/s
	else na "$s" "$c" tcp1 "iperf3 TCP run $r failed"; fi
	if v=$(iperf_tcp_mbits 4); then result "$s" "$c" tcp4 "$v" Mbit/s
	else na "$s" "$c" tcp4 "iperf3 TCP -P 4 run $r failed"; fi
	if v=$(iperf_udp64_pps); then result "$s" "$c" udp64 "$v" pps
	else na "$s" "$c" udp64 "iperf3 UDP run $r failed"; fi
}

# --- ipsec_tun -------------------------------------------------------------

# ipsec_ready: why ipsec_tun cannot be benchmarked (on stdout), or nothing.
ipsec_not_ready() {
	[ -f "$IPSEC_KO" ] || { echo "module not built for $KVER (scripts/build-kmod)"; return; }
	[ -x "$IPSECCTL" ] || { echo "ipsecctl not built ($IPSECCTL)"; return; }
	return 0
}

# crypto_preload: load the SIMD crypto drivers, so that XFRM, ipsec_tun and
# WireGuard all use the best implementation the (virtual) CPU allows rather
# than whichever the first user happened to pull in.
crypto_preload() {
	local m
	for m in aesni_intel ghash_clmulni_intel chacha_x86_64 poly1305_x86_64 \
		chacha20poly1305 esp4 xfrm_user xfrm_algo wireguard; do
		modprobe "$m" 2>/dev/null
	done
	return 0
}

# Fixed benchmark keys (test keys, nothing secret). GCM: 16-byte key + 4-byte
# salt (RFC 4106); ChaCha20-Poly1305: 32-byte key + 4-byte salt (RFC 7634).
KEY_GCM_AB=0x000102030405060708090a0b0c0d0e0f10111213
KEY_GCM_BA=0x202122232425262728292a2b2c2d2e2f30313233
KEY_CHACHA_AB=0x000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20212223
KEY_CHACHA_BA=0x404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f60616263
SPI_AB=0x1001 SPI_BA=0x2002
