#!/bin/bash
# Per-netns caps and memory accounting (Documentation/security.md):
# - SAs and policies are charged to the memory cgroup of whoever adds them
#   (GFP_KERNEL_ACCOUNT): 400 SAs and 400 policies added from a cgroup grow
#   its kernel memory (slab + percpu) by at least 400 x 256 bytes;
# - max_devs, max_sas, max_policies cap each netns (here 3, 5, 4): one more
#   is -ENOSPC with the parameter's name in the extack, another netns has
#   its own budget; userns_max_devs (here 2) caps all netns owned by user
#   namespaces together, so `ip link add type ipsec` looped from user
#   namespaces cannot spawn device after device (and their NAPI threads).
# vm-timeout: 240
#
#   [ns m] ipsec1 (SAs/policies from cgroup ipsec_test)
#   [ns c] ipsec1..3, [ns d] ipsec1, [userns netns] u1 u2, [nested] u3
. "$(dirname "$0")/lib.sh" || exit 1

ipsec_load
P=/sys/module/ipsec_tun/parameters
export PYTHONPATH=$REPO/tests/vm/tools PYTHONDONTWRITEBYTECODE=1

# --- memory cgroup accounting ---
cg=/sys/fs/cgroup
if ! grep -q " $cg cgroup2 " /proc/mounts; then
	mount -t cgroup2 none $cg
	on_exit umount $cg
fi
echo +memory >$cg/cgroup.subtree_control
mkdir $cg/ipsec_test
on_exit rmdir $cg/ipsec_test
kmem() { awk '$1 == "slab_unreclaimable" || $1 == "percpu" { n += $2 } END { print n }' \
	$cg/ipsec_test/memory.stat; }
ns_create m
ip -n m link add ipsec1 type ipsec
before=$(kmem)
bash -c "echo \$\$ >$cg/ipsec_test/cgroup.procs && exec ip netns exec m python3 -c '
import genl
g = genl.Genl()
dev = genl.string(genl.A_IFNAME, \"ipsec1\")
for i in range(400):
    assert g.request(genl.NEW_SA, dev + genl.sa_nest(0x10000 + i, 1))[0] == 0
    assert g.request(genl.NEW_POLICY, dev + genl.policy_nest(i % 256, second_octet=2 + i // 256))[0] == 0
'"
after=$(kmem)
echo "cgroup kernel memory (slab_unreclaimable + percpu): $before -> $after"
assert_ge $((after - before)) $((400 * 256)) "bytes charged to the cgroup for 400 SAs + 400 policies"
ip -n m link del ipsec1
echo "ok: SAs and policies charged to the caller's memory cgroup"

# --- caps ---
echo 3 >$P/max_devs
echo 5 >$P/max_sas
echo 4 >$P/max_policies
echo 2 >$P/userns_max_devs
ns_create c
ns_create d
for i in 1 2 3; do ip -n c link add ipsec$i type ipsec; done
err=$(ip -n c link add ipsec4 type ipsec 2>&1) && fail "a 4th device in c was created"
grep -q "max_devs" <<<"$err" || fail "4th device: expected the max_devs extack, got: $err"
ip -n d link add ipsec1 type ipsec
echo "ok: max_devs=3 refuses a 4th device in c ($err), d has its own"

add_many() { # add_many NS KIND DEV:COUNT...: "KIND errno extack" of the last add
	local ns=$1 kind=$2
	shift 2
	in_ns "$ns" python3 - "$kind" "$@" <<'PY'
import sys, genl
g = genl.Genl()
kind, spi, err, text = sys.argv[1], 0x20000, 0, ""
for spec in sys.argv[2:]:
    dev, n = spec.split(":")
    for _ in range(int(n)):
        spi += 1
        body = genl.sa_nest(spi, 1) if kind == "sa" else genl.policy_nest(spi % 256)
        err, text, _ = g.request(genl.NEW_SA if kind == "sa" else genl.NEW_POLICY,
                                 genl.string(genl.A_IFNAME, dev) + body)
        if err:
            break
print(kind, genl.errname(err), text)
PY
}
assert_eq "$(add_many c sa ipsec1:3 ipsec2:2)" "sa OK " "5 SAs over two devices of c"
out=$(add_many c sa ipsec3:1)
[[ $out == "sa ENOSPC max_sas"* ]] || fail "6th SA in c: expected ENOSPC max_sas, got: $out"
assert_eq "$(in_ns d "$IPSECCTL" dev list dev ipsec1 --json | jq -r '.[0].sa_count')" 0 "SAs in d"
out=$(in_ns d python3 -c '
import genl
g = genl.Genl()
print(genl.errname(g.request(genl.NEW_SA, genl.string(genl.A_IFNAME, "ipsec1") + genl.sa_nest(0x30001, 1))[0]))')
assert_eq "$out" OK "an SA in d while c is full"
assert_eq "$(add_many c policy ipsec1:2 ipsec3:2)" "policy OK " "4 policies over two devices of c"
out=$(add_many c policy ipsec2:1)
[[ $out == "policy ENOSPC max_policies"* ]] || fail "5th policy in c: expected ENOSPC max_policies, got: $out"
echo "ok: max_sas=5 and max_policies=4 per netns, with extack"

# A user namespace's root looping `ip link add`, in its netns and a nested one.
out=$(unshare --user --map-root-user --net bash -c '
	for i in 1 2 3; do ip link add u$i type ipsec 2>&1 && echo "made u$i"; done
	unshare --net ip link add u9 type ipsec 2>&1 && echo "made u9"; true')
echo "user namespace: $(tr '\n' ' ' <<<"$out")"
assert_eq "$(grep -c '^made' <<<"$out")" 2 "devices a user namespace made"
grep -q "userns_max_devs" <<<"$out" || fail "expected the userns_max_devs extack: $out"
echo "ok: userns_max_devs=2 over every netns of user namespaces"

for ns in c d; do
	for dev in $(ip -n $ns -j link show type ipsec | jq -r '.[].ifname'); do ip -n $ns link del "$dev"; done
done
ipsec_unload
