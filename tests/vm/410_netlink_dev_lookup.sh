#!/bin/bash
# Every command that names a device ("dev": IFINDEX or IFNAME) with values
# no tool would send: IFINDEX 0 (once a NULL name handed to
# dev_get_by_name_rcu, an oops any local user could reach), negative and
# huge, an empty or foreign IFNAME, a device that is not ours, neither.
# First as uid 65534 (the oops needed no privilege), then as root, where
# each request must reach the device lookup and be refused by the policy
# (-ERANGE) or the lookup (-ENODEV / -EINVAL), for doit and dump alike.
# Afterwards the family still answers and nothing leaked.
# vm-timeout: 180
#
#   [ns a] ipsec1 (type ipsec), lo
. "$(dirname "$0")/lib.sh" || exit 1

ipsec_load
ns_create a
ip -n a link add ipsec1 type ipsec
lo_ifindex=$(ip -n a -j link show lo | jq -r '.[0].ifindex')

# One line per request: "CMD[-dump] DEV-CASE ERRNO EXTACK" (spaces in the
# extack text as _).
cases_py=$(cat <<'PY'
import os, socket, genl
g = genl.Genl()
devs = {
    "ifindex-0": genl.u32(genl.A_IFINDEX, 0),
    "ifindex-neg": genl.u32(genl.A_IFINDEX, -1),
    "ifindex-2^31": genl.u32(genl.A_IFINDEX, 1 << 31),
    "ifindex-lo": genl.u32(genl.A_IFINDEX, int(os.environ["LO_IFINDEX"])),
    "ifname-empty": genl.string(genl.A_IFNAME, ""),
    "ifname-lo": genl.string(genl.A_IFNAME, "lo"),
    "ifname-none": genl.string(genl.A_IFNAME, "ipsec9"),
    "ifindex-0+ifname": genl.u32(genl.A_IFINDEX, 0) + genl.string(genl.A_IFNAME, "ipsec1"),
    "no-dev": b"",
}
sa_id = genl.nest(genl.A_SA, genl.u32(genl.SA_SPI, 0x1000), genl.u8(genl.SA_DIR, 1))
rest = {  # each command otherwise complete, so that "dev" is what it trips on
    "GET_DEV": b"", "FLUSH": b"",
    "NEW_SA": genl.sa_nest(0x1000, 1), "UPD_SA": sa_id, "DEL_SA": sa_id, "GET_SA": sa_id,
    "NEW_POLICY": genl.policy_nest(0), "DEL_POLICY": genl.policy_nest(0),
    "SET_ENCAP": genl.attr(genl.A_ENCAP_FD, (-1).to_bytes(4, "little", signed=True)),
}
for name, cmd in genl.COMMANDS.items():
    for dev, dev_attrs in devs.items():
        for dump in (False, True):
            if dump and name not in ("GET_DEV", "GET_SA", "GET_POLICY"):
                continue
            if not dump and name == "GET_POLICY":
                continue
            err, text, _ = g.request(cmd, dev_attrs + rest.get(name, b""), dump)
            label = name + ("-dump" if dump else "")
            print(label, dev, genl.errname(err), text.replace(" ", "_") or "-")
PY
)
genl_cases() { # genl_cases [setpriv args...]
	in_ns a "$@" env PYTHONPATH="$REPO/tests/vm/tools" LO_IFINDEX="$lo_ifindex" python3 -c "$cases_py"
}

# --- uid 65534: the kernel survives every request ---
out=$(genl_cases setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=-all \
	--bounding-set=-all) || fail "raw requests as uid 65534 failed: $out"
n=$(wc -l <<<"$out")
assert_ge "$n" 90 "requests sent as uid 65534"
echo "ok: $n requests with bad \"dev\" values as uid 65534, kernel alive"

# --- root: every one reaches the lookup and is refused precisely ---
out=$(genl_cases)
while read -r label dev err text; do
	case $dev in
	ifindex-0 | ifindex-neg | ifindex-2^31 | ifindex-0+ifname) want="ERANGE integer_out_of_range" ;;
	no-dev) want="EINVAL IFINDEX_or_IFNAME_required" ;;
	*) want="ENODEV no_such_ipsec_device_in_this_netns" ;;
	esac
	# An unfiltered dump lists the netns's devices: no "dev" needed.
	[[ $dev == no-dev && $label == *-dump ]] && want="OK -"
	[[ "$err $text" == "$want"* ]] || fail "$label with $dev: expected '$want', got '$err $text'"
done <<<"$out"
echo "ok: $(wc -l <<<"$out") requests as root refused with the expected errno and extack"

# The family and the device still work.
assert_eq "$(ip netns exec a "$IPSECCTL" dev list dev ipsec1 --json | jq -r '.[0].sa_count')" 0 \
	"SAs on ipsec1 after the bad requests"
ip -n a link del ipsec1
ipsec_unload
