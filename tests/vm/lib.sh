# shellcheck shell=bash
# The helper library of the VM scenarios (tests/vm/NNN_*.sh), and of the
# benchmarks that run in the VM (bench/vm/lib.sh). Source it first thing,
# naming the subjects the scenario needs:
#
#   . "$(dirname "$0")/lib.sh" [SUBJECT...] || exit 1
#
# (by path relative to the scenario, so that it also fails loudly on the
# host, where lib.sh refuses to run). A SUBJECT is a file of helpers
# loaded after this one, each once, with what it needs itself:
#
#   lib/sites.sh      two sites joined by ipsec_tun, manual keys, XFRM interop
#                     (1xx, 2xx, 3xx, 4xx data-path scenarios)
#   lib/router.sh     sites behind gateways, a router with a smaller MTU (418, 419)
#   lib/sswan.sh      ipsecd <-> strongSwan (51x and the strongSwan lifecycles)
#   lib/lsw.sh        ipsecd <-> libreswan (52x, 547, 549, 583, 593)
#   lib/lifecycle.sh  rekeys, restarts, DPD under a counted ping (54x, 59x)
#   lib/many.sh       many connections to one peer (55x)
#   lib/certs.sh      X.509 certificates with strongSwan (57x)
#   lib/ikev1.sh      the IKEv1 probe against a peer (580, 581)
#   peers/topology.sh peers/ipsecd.sh peers/strongswan.sh peers/libreswan.sh
#   peers/bird.sh     the topologies and daemons the subjects above use
#
# by name: "sites", "topology", "strongswan" (lib/ first, then peers/). "-"
# names none, for a script with arguments of its own (a bare `. lib.sh`
# would pass the script's arguments on as subjects).
#
# A scenario runs as root inside the VM (scripts/vm-run; scripts/vm-tests
# runs them all in one boot), in its own process, and passes by exiting 0.
# It must build everything it uses in its own netns: the VM's root netns
# has only lo, and the host's files are read-only (write under /tmp).
# Strict mode is on: any failing command fails the scenario and names the
# line. Everything created through these helpers is removed when the
# scenario exits, pass or fail, in reverse order of creation.
#
# A "# vm-timeout: N" line in the scenario's first 30 lines sets its time
# limit in seconds (default 300); on timeout it gets SIGTERM, cleans up and
# fails.
#
# Helpers (each documented where defined below):
#   fail MSG                 assert_eq ACTUAL EXPECTED [WHAT]
#   assert_ge ACTUAL MIN [WHAT]
#   wait_until TIMEOUT CMD   poll_until TIMEOUT CMD (non-fatal)
#   ns_create NS             in_ns NS CMD            veth_pair NS1 IF1 NS2 IF2
#   spawn NS CMD (background, killed at exit)        spawn_log PID
#   link_counter NS DEV rx_packets|tx_bytes|...      writable_dir DIR
#   ipsec_load               ipsec_unload (checks live SA/dev/policy counts are 0)
#   on_exit CMD              (your own cleanup)
#   ns_delete NS             progress MSG          ctl NS ARGS (ipsecctl)
#   lib_use SUBJECT...       (what `. lib.sh SUBJECT...` does)
#
# Variables:
#   REPO      the repository (same path as on the host)
#   KVER      the running kernel, e.g. 6.1.0-50-amd64
#   IPSEC_KO  ipsec_tun.ko built for KVER by scripts/build-kmod
#   IPSECCTL  build/bin/ipsecctl      IPSECD  build/bin/ipsecd

set -Eeuo pipefail

# Honest tests: a scenario never runs (and so never passes) on the host.
if [ "${VM:-}" != 1 ] || ! grep -q 'vminit=' /proc/cmdline; then
	echo "${0##*/}: VM scenario; run it with scripts/vm-tests or scripts/vm-run" >&2
	exit 2
fi

REPO=${REPO:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
KVER=$(uname -r)
IPSEC_KO=${IPSEC_KO:-$REPO/build/kmod/$KVER/ipsec_tun.ko}
IPSECCTL=${IPSECCTL:-$REPO/build/bin/ipsecctl}
IPSECD=${IPSECD:-$REPO/build/bin/ipsecd}
export REPO KVER IPSEC_KO IPSECCTL IPSECD

_lib_cleanups=()

# _lib_on_err: ERR trap; names the command and line that failed.
_lib_on_err() {
	local rc=$?
	echo "FAILED (exit $rc) at ${BASH_SOURCE[1]##*/}:${BASH_LINENO[0]}: $BASH_COMMAND" >&2
}
trap _lib_on_err ERR

# _lib_on_exit: EXIT trap; runs the registered cleanups newest first, with
# errexit off so one failing cleanup does not skip the others, and keeps
# the scenario's exit status.
_lib_on_exit() {
	local rc=$? i
	set +eE
	trap - ERR
	for ((i = ${#_lib_cleanups[@]} - 1; i >= 0; i--)); do
		eval "${_lib_cleanups[i]}" >/dev/null 2>&1
	done
	exit "$rc"
}
trap _lib_on_exit EXIT
# The runner's timeout sends SIGTERM: exit through the cleanups.
trap 'exit 143' TERM INT

# on_exit CMD...: run CMD (words quoted as given) when the scenario exits.
on_exit() {
	_lib_cleanups+=("$(printf '%q ' "$@")")
}

# fail MSG...: fail the scenario with MSG.
fail() {
	echo "FAIL: $*" >&2
	exit 1
}

# assert_eq ACTUAL EXPECTED [WHAT]: fail unless the two strings are equal.
assert_eq() {
	[ "$1" == "$2" ] || fail "${3:-value}: expected '$2', got '$1'"
}

# assert_ge ACTUAL MIN [WHAT]: fail unless integer ACTUAL >= MIN.
assert_ge() {
	[[ $1 =~ ^-?[0-9]+$ ]] || fail "${3:-value}: '$1' is not an integer"
	[ "$1" -ge "$2" ] || fail "${3:-value}: expected >= $2, got $1"
}

# CMD | has_match [GREP_OPTIONS] PATTERN: grep -q that then reads the rest
# of its input. Under pipefail, `CMD | grep -q X` fails although X is
# there whenever CMD writes again after grep's first match: grep has
# exited and CMD dies of SIGPIPE (ip xfrm state writes once per SA: 580
# failed so on 6.12 with our SA listed first; a long log likewise).
has_match() {
	local status=0
	grep -q "$@" || status=$?
	cat >/dev/null
	return $status
}

# wait_until TIMEOUT CMD...: poll CMD (every 0.1 s) until it succeeds;
# fail the scenario after TIMEOUT seconds. Use it instead of sleeps.
wait_until() {
	poll_until "$@" || fail "timed out after ${1}s waiting for: ${*:2}"
}

# wait_value TIMEOUT OP EXPECTED CMD...: run CMD every 0.1 s until its
# output compares to EXPECTED with test's OP (= -ge ...), else fail naming
# the last output. CMD runs each time: `wait_until 10 test "$(cmd)" = 3`
# would expand $(cmd) once and wait on a constant.
wait_value() {
	local timeout=$1 op=$2 want=$3 got deadline
	shift 3
	deadline=$(($(date +%s%N) + timeout * 1000000000))
	until got=$("$@" 2>/dev/null) && test "$got" "$op" "$want"; do
		[ "$(date +%s%N)" -lt "$deadline" ] ||
			fail "timed out after ${timeout}s waiting for '$*' $op $want (last: '$got')"
		sleep 0.1
	done
}

# poll_until TIMEOUT CMD...: like wait_until but returns 1 on timeout
# instead of failing, for "this must NOT happen within N s" checks.
poll_until() {
	local timeout=$1 deadline
	shift
	deadline=$(($(date +%s%N) + timeout * 1000000000))
	until "$@" >/dev/null 2>&1; do
		[ "$(date +%s%N)" -lt "$deadline" ] || return 1
		sleep 0.1
	done
}

# ns_create NAME: a network namespace with lo up, deleted at exit (its
# processes are killed first).
ns_create() {
	local ns=$1
	ip netns add "$ns"
	on_exit _lib_ns_delete "$ns"
	ip -n "$ns" link set lo up
}

_lib_ns_delete() {
	ns_delete "$1"
}

# ns_delete NS: kill what runs in netns NS (TERM; KILL what is left 0.3 s
# later) and delete it; nothing if there is no NS. Never fails (it runs
# during cleanup, and between benchmark configurations).
ns_delete() {
	local pids
	[ -e "/run/netns/$1" ] || return 0
	pids=$(ip netns pids "$1" 2>/dev/null) || true
	if [ -n "$pids" ]; then
		kill $pids 2>/dev/null || true
		sleep 0.3
		pids=$(ip netns pids "$1" 2>/dev/null) || true
		[ -z "$pids" ] || kill -9 $pids 2>/dev/null || true
	fi
	ip netns del "$1" 2>/dev/null || true
}

# in_ns NS CMD...: run CMD inside netns NS.
in_ns() {
	local ns=$1
	shift
	ip netns exec "$ns" "$@"
}

# veth_pair NS1 IF1 NS2 IF2: a veth link between IF1 in NS1 and IF2 in
# NS2, both up (they go away with their netns).
veth_pair() {
	ip link add "$2" netns "$1" type veth peer name "$4" netns "$3"
	ip -n "$1" link set "$2" up
	ip -n "$3" link set "$4" up
}

# spawn NS CMD...: start CMD in the background inside netns NS (NS may be
# "-" for the root netns), killed at exit. Sets SPAWNED_PID. Its output
# goes to /tmp/spawn.<pid>.log, shown with spawn_log.
spawn() {
	local ns=$1 log
	shift
	log=$(mktemp /tmp/spawn.XXXXXX)
	if [ "$ns" = - ]; then
		"$@" >"$log" 2>&1 &
	else
		ip netns exec "$ns" "$@" >"$log" 2>&1 &
	fi
	SPAWNED_PID=$!
	# A link, not a move: the child may not have opened "$log" yet (the
	# redirection runs in the child), and would then create a new file
	# under the old name while spawn_log read the empty one.
	ln -f "$log" "/tmp/spawn.$SPAWNED_PID.log"
	on_exit _lib_kill "$SPAWNED_PID"
}

# _lib_kill PID: TERM, up to 5 s to go, then KILL (runs during cleanup,
# so it never calls fail).
_lib_kill() {
	local i
	kill "$1" 2>/dev/null || return 0
	for ((i = 0; i < 50; i++)); do
		kill -0 "$1" 2>/dev/null || return 0
		sleep 0.1
	done
	kill -9 "$1" 2>/dev/null || true
}

# spawn_log PID: print the output of a process started with spawn.
spawn_log() {
	cat "/tmp/spawn.$1.log"
}

# writable_dir DIR: make DIR (e.g. /etc, read-only from the host) writable
# for this scenario: an overlay whose changes live in tmpfs and vanish at
# exit. The host's files stay visible underneath. For daemons that insist
# on writing next to their config (/etc/ipsec.d, /etc/swanctl, ...).
writable_dir() {
	local dir=$1 top
	top=$(mktemp -d /run/overlay.XXXXXX)
	mkdir -p "$top/upper" "$top/work"
	modprobe overlay
	mount -t overlay overlay -o "lowerdir=$dir,upperdir=$top/upper,workdir=$top/work" "$dir"
	on_exit _lib_umount "$dir" "$top"
}

_lib_umount() {
	umount -l "$1"
	rm -rf "$2"
}

# link_counter NS DEV NAME: one of DEV's statistics (rx_packets, tx_bytes,
# rx_dropped...) as the kernel counts it, read from sysfs inside NS.
link_counter() {
	ip netns exec "$1" cat "/sys/class/net/$2/statistics/$3"
}

# ipsec_load: load the module for the running kernel, with the insmod
# parameters in IPSEC_KO_PARAMS ("name=value ..."), unless it is loaded.
# Its dependencies (modinfo depends, e.g. udp_tunnel) come from the host's
# /lib/modules via modprobe; crypto algorithms are requested by the kernel
# on demand. The module is unloaded at exit if the scenario has not done
# it. Returns non-zero when a step fails (benchmarks, which run without
# errexit, report that instead of stopping).
ipsec_load() {
	local deps dep
	[ ! -e /sys/module/ipsec_tun ] || return 0
	[ -f "$IPSEC_KO" ] || fail "no module at $IPSEC_KO (scripts/build-kmod $KVER)"
	deps=$(modinfo -F depends "$IPSEC_KO") || return 1
	for dep in ${deps//,/ }; do
		modprobe "$dep" || return 1
	done
	on_exit _lib_unload_quietly
	# shellcheck disable=SC2086 # IPSEC_KO_PARAMS: words for insmod
	insmod "$IPSEC_KO" ${IPSEC_KO_PARAMS:-}
}

_lib_unload_quietly() {
	[ ! -e /sys/module/ipsec_tun ] || rmmod ipsec_tun
}

# ipsec_unload: rmmod the module and check that it did not leak: kmod/main.c
# logs "ipsec_tun: unloaded (live sas N, devs N, ...)" at exit, and every
# count there must be 0. Call it at the end of a scenario that loaded it.
ipsec_unload() {
	local line counts n
	rmmod ipsec_tun || fail "rmmod ipsec_tun failed"
	[ ! -e /sys/module/ipsec_tun ] || fail "ipsec_tun still loaded after rmmod"
	line=$(dmesg | grep 'ipsec_tun: unloaded' | tail -n1) ||
		fail "no 'ipsec_tun: unloaded' line in dmesg after rmmod"
	counts=$(sed -n 's/.*ipsec_tun: unloaded (\(.*\)).*/\1/p' <<<"$line")
	[ -n "$counts" ] || fail "cannot read live-object counts from: $line"
	for n in $(grep -oE -- '-?[0-9]+' <<<"$counts"); do
		[ "$n" -eq 0 ] || fail "ipsec_tun leaked objects at unload: $counts"
	done
}

# progress MSG...: a line on stderr, "[HH:MM:SS] script: MSG", and in the
# kernel log (which the host can follow while the VM runs).
progress() {
	local line
	line="[$(date +%T)] ${0##*/}: $*"
	echo "$line" >&2
	echo "vmtest $line" >/dev/kmsg 2>/dev/null || true
}

# ctl NS ARGS...: ipsecctl inside NS.
ctl() {
	local ns=$1
	shift
	ip netns exec "$ns" "$IPSECCTL" "$@"
}

# lib_use SUBJECT...: source tests/vm/lib/SUBJECT.sh, else
# tests/vm/peers/SUBJECT.sh, each once; "-" is none. The subjects' own
# arrays are declared global (declare -g): they are sourced in here.
declare -gA _lib_used=()
lib_use() {
	local subject file
	for subject in "$@"; do
		[ "$subject" != - ] || continue
		[ -z "${_lib_used[$subject]:-}" ] || continue
		file=$REPO/tests/vm/lib/$subject.sh
		[ -f "$file" ] || file=$REPO/tests/vm/peers/$subject.sh
		[ -f "$file" ] || fail "lib_use: no subject '$subject' (tests/vm/lib/, tests/vm/peers/)"
		_lib_used[$subject]=1
		# shellcheck source=/dev/null
		. "$file"
	done
}

lib_use "$@"
