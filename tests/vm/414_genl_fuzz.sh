#!/bin/bash
# vm-suite: full
# The genetlink fuzzer (tests/vm/tools/genl_fuzz.c): random and targeted
# malformed requests for every command, as root of netns a (on the live
# ipsec0 of a working tunnel), as uid 65534, as the root of a user
# namespace on netns a, and as that root on a device of its own netns. The
# harness boots with panic_on_warn: any WARN, BUG or oops fails the run.
# Afterwards ipsec0 still carries traffic (its SAs re-installed, since
# root's fuzzing may legitimately flush them) and rmmod leaks nothing.
# VMTEST_GENL_FUZZ_SECONDS sets each run's length (default 15).
# vm-timeout: 240
#
#   [ns a] ipsec0, ul0 192.0.2.1 ===== veth ===== ul0 192.0.2.2 [ns b] ipsec0
#   [ns of a user namespace] ipsec0 (its own)
. "$(dirname "$0")/lib.sh" sites || exit 1

FUZZ=$REPO/build/bin/genl_fuzz
[ -x "$FUZZ" ] || fail "no $FUZZ (cmake --build build --target genl_fuzz)"
secs=${VMTEST_GENL_FUZZ_SECONDS:-15}
assert_eq "$(cat /proc/sys/kernel/panic_on_warn)" 1 "kernel.panic_on_warn"

sites_create
tunnel_manual aes-gcm-128 4 0x100 0x200
ping_ok "before fuzzing"

fuzz() { # fuzz WHO SEED [wrapper...]: run the fuzzer, print and return its summary
	local who=$1 seed=$2 out
	shift 2
	out=$("$@" "$FUZZ" --seconds "$secs" --count 1000000 --seed "$seed" --ifname ipsec0) ||
		fail "genl_fuzz as $who: $out"
	progress "$who: $out" >&2
	echo "$out"
}
sent() { sed -n 's/^genl_fuzz: \([0-9]*\) messages.*/\1/p' <<<"$1"; }
accepted() { sed -n 's/.* \([0-9]*\) accepted.*/\1/p' <<<"$1"; }

out=$(fuzz root 1 in_ns a)
assert_ge "$(sent "$out")" 200 "messages sent as root"
out=$(fuzz "uid 65534" 2 in_ns a setpriv --reuid=nobody --regid=nogroup --clear-groups \
	--inh-caps=-all --bounding-set=-all)
assert_ge "$(sent "$out")" 200 "messages sent as uid 65534"
assert_eq "$(accepted "$out")" 0 "requests accepted from uid 65534"
out=$(fuzz "user-namespace root on netns a" 3 in_ns a unshare --user --map-root-user)
assert_eq "$(accepted "$out")" 0 "requests accepted from a user namespace's root on netns a"
out=$(fuzz "user-namespace root on its own device" 4 unshare --user --map-root-user --net \
	bash -c 'ip link add ipsec0 type ipsec && ip link set ipsec0 up && exec "$0" "$@"')
assert_ge "$(sent "$out")" 200 "messages sent as a user namespace's root"

# The fuzzed device still works once its SAs are put back.
ctl a sa flush dev ipsec0
ctl b sa flush dev ipsec0
tunnel_manual aes-gcm-128 4 0x300 0x400
ping_ok "after fuzzing"
progress "ok: ipsec0 carries traffic after fuzzing"
ip -n a link del ipsec0
ip -n b link del ipsec0
ipsec_unload
