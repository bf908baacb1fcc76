#!/bin/bash
# `ip -d link` details (issue 22): the module's rtnl fill_info puts the
# device's configuration in IFLA_INFO_DATA (IFLA_IPSEC_TUN_*, uapi header).
# iproute2 does not decode an unknown kind, so tools/linkinfo.py reads the
# raw RTM_GETLINK reply. Checked:
#  1. a new device: clamping off (0/0/0), no SA, no policy, no NAT-T port,
#     at least one crypto queue, threaded NAPI (0 and back to 1 through
#     sysfs), no link-netnsid (underlay = its netns);
#  2. mss-clamp on, then MTU 1300, then mss-clamp 1100: MSS_CLAMP and the
#     effective IPv4/IPv6 MSS follow each change (1398/1378, 1260/1240,
#     1100/1080), MTU 1300 too;
#  3. an SA, a policy and an attached NAT-T socket show as 1, 1 and its
#     port, and the reply carries no byte of the SA's key; two SPIs
#     reserved by ALLOC_SPI show as spi_reserved 2 here and in `ipsecctl
#     dev list --json`, 1 after DEL_SA of one, 0 after FLUSH;
#  4. moved to netns b: link_netnsid names a as b knows it; the netns that
#     created another device exits: UNDERLAY_GONE on that one.
# vm-timeout: 90
#
#   [ns a] ipsec1 --(ip link set netns b)--> [ns b] ipsec1
#   [ns u] ipsec2 --(ip link set netns b)--> [ns b] ipsec2, then ns u deleted
. "$(dirname "$0")/lib.sh" || exit 1

TOOLS=$REPO/tests/vm/tools
ipsec_load
ns_create a
ns_create b
ip -n a link add ipsec1 type ipsec

# --- 1 to 3, in netns a: one Python process (each start costs a second under TCG) ---
in_ns a env PYTHONPATH="$TOOLS" IPSECCTL="$IPSECCTL" python3 - <<'PY'
import json, os, socket, struct, subprocess, genl, linkinfo

def data():
    info, _ = linkinfo.get("ipsec1")
    assert info["kind"] == "ipsec", info
    return info, info["data"]

def run(*cmd):
    subprocess.run(cmd, check=True)

def expect(what, **want):
    info, d = data()
    got = {k: info[k] if k == "mtu" else d.get(k) for k in want}
    assert got == want, f"{what}: expected {want}, got {got} (all: {info})"

# 1. a new device
info, d = data()
print("new device:", info)
assert "link_netnsid" not in info and "underlay_gone" not in d, f"new device: {info}"
assert d["crypt_queues"] >= 1, d
expect("new device", mtu=1438, mss_clamp=0, mss_v4=0, mss_v6=0, encap_port=0, sa_count=0,
       policy_count=0, threaded=1, spi_reserved=0)
# Queue mode: the standard sysfs switch to softirq and back.
for mode in (0, 1):
    with open("/sys/class/net/ipsec1/threaded", "w") as f:
        f.write(f"{mode}\n")
    expect(f"threaded {mode}", threaded=mode)

# 2. MSS clamp and MTU
ctl = os.environ["IPSECCTL"]
run(ctl, "dev", "set", "dev", "ipsec1", "mss-clamp", "on")
expect("mss-clamp on, MTU 1438", mss_clamp=65535, mss_v4=1398, mss_v6=1378)
run("ip", "link", "set", "ipsec1", "mtu", "1300")
expect("mss-clamp on, MTU 1300", mtu=1300, mss_v4=1260, mss_v6=1240)
run(ctl, "dev", "set", "dev", "ipsec1", "mss-clamp", "1100")
expect("mss-clamp 1100, MTU 1300", mss_clamp=1100, mss_v4=1100, mss_v6=1080)
run(ctl, "dev", "set", "dev", "ipsec1", "mss-clamp", "off")
expect("mss-clamp off", mss_clamp=0, mss_v4=0, mss_v6=0)
print("ok: MSS clamp and MTU changes show in the link details")

# 3. SA, policy, NAT-T socket; no key bytes
g = genl.Genl()
key = os.urandom(20)
dev = genl.string(genl.A_IFNAME, "ipsec1")

def req(what, cmd, attrs):
    err, text, _ = g.request(cmd, dev + attrs)
    assert err == 0, f"{what}: {genl.errname(err)} {text}"

req("NEW_SA", genl.NEW_SA, genl.sa_nest(0x4220, 2, key=key))
req("NEW_POLICY", genl.NEW_POLICY, genl.policy_nest(0))
udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
udp.bind(("127.0.0.1", 0))
port = udp.getsockname()[1]
req("SET_ENCAP", genl.SET_ENCAP, genl.attr(genl.A_ENCAP_FD, struct.pack("i", udp.fileno())))
expect("SA, policy, socket", sa_count=1, policy_count=1, encap_port=port, spi_reserved=0)
for spi in (0x4228, 0x4229):
    req(f"ALLOC_SPI {spi:#x}", genl.ALLOC_SPI,
        genl.u32(genl.A_SPI_MIN, spi) + genl.u32(genl.A_SPI_MAX, spi) +
        genl.nest(genl.A_SA, genl.u16(genl.SA_FAMILY, socket.AF_INET),
                  genl.attr(genl.SA_DST, socket.inet_aton("192.0.2.1"))))
expect("two SPIs reserved", sa_count=1, spi_reserved=2)
devs = json.loads(subprocess.run([ctl, "dev", "list", "--json"], check=True,
                                 capture_output=True, text=True).stdout)
assert [d["spi_reserved"] for d in devs if d["name"] == "ipsec1"] == [2], devs
req("DEL_SA 0x4228", genl.DEL_SA, genl.nest(genl.A_SA, genl.u32(genl.SA_SPI, 0x4228),
                                             genl.u8(genl.SA_DIR, 1)))
expect("one reservation released", sa_count=1, spi_reserved=1)
# No secret: neither the key nor its first 4 bytes anywhere in the message.
raw = linkinfo.get("ipsec1")[1]
assert key not in raw and key[:4] not in raw, "the SA key is in the RTM_GETLINK reply"
req("SET_ENCAP -1", genl.SET_ENCAP, genl.attr(genl.A_ENCAP_FD, struct.pack("i", -1)))
req("FLUSH", genl.FLUSH, b"")
expect("detached and flushed", sa_count=0, policy_count=0, encap_port=0, spi_reserved=0)
print(f"ok: SA, policy and NAT-T port {port} shown, then gone; no key bytes in the reply")
PY

# details NS DEV: linkinfo.py's JSON for DEV in NS.
details() {
	in_ns "$1" env PYTHONPATH="$TOOLS" python3 "$TOOLS/linkinfo.py" "$2"
}
# What iproute2 itself shows: the kind only (it has no decoder for "ipsec").
assert_eq "$(ip -n a -d -j link show ipsec1 | jq -r '.[0].linkinfo.info_kind')" ipsec "ip -d -j kind"

# --- 4. underlay netns ---
ip -n a link set ipsec1 netns b
d=$(details b ipsec1)
nsid_a=$(ip -n b netns list-id | sed -n 's/^nsid \([0-9]*\) .*name: a)$/\1/p')
[ -n "$nsid_a" ] || fail "b has no id for netns a: $(ip -n b netns list-id)"
assert_eq "$(jq -r '.link_netnsid' <<<"$d")" "$nsid_a" "moved device's link_netnsid (a in b)"
assert_eq "$(jq -r '.data.underlay_gone' <<<"$d")" null "underlay_gone with a live underlay"
ns_create u
ip -n u link add ipsec2 type ipsec
ip -n u link set ipsec2 netns b
ip netns del u
underlay_gone() {
	d=$(details b ipsec2)
	[ "$(jq -r '.data.underlay_gone' <<<"$d")" = true ]
}
wait_until 20 underlay_gone
assert_eq "$(jq -r '.link_netnsid' <<<"$d")" null "link_netnsid of a device whose underlay exited"
echo "ok: link_netnsid $nsid_a after the move; underlay_gone once the creating netns exited"

ipsec_unload
