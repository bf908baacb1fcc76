#!/bin/bash
# ALLOC_SPI: the kernel picks an inbound SPI free for a local address in our
# SAD and in XFRM's. In a 16-SPI range where 6 SPIs are ours and 6 XFRM's
# (all to 192.0.2.1), 200 allocations only ever return the 4 free ones (and
# not always the same); one more SA of ours for another destination does not
# take its SPI, except among that device's own SAs (dev given); a full range
# is ENOSPC; bad ranges are refused; uid 65534 gets EPERM. ipsecd uses it
# for every child SA (IKE scenarios, e.g. 510).
# vm-timeout: 300
#
#   [ns a] ipsec0, XFRM states, ul0 192.0.2.1 ==== veth ==== [ns b] (nothing is sent)
. "$(dirname "$0")/lib.sh" sites || exit 1

modprobe xfrm_user
modprobe esp4
ns_create a
ns_create b
veth_pair a ul0 b ul0
ip -n a addr add 192.0.2.1/24 dev ul0
ipsec_load
ctl a dev add dev ipsec0 >/dev/null
KEY=$(rand_hex 20)
LO=$((0x5000)) HI=$((0x500f))
for i in $(seq 0 5); do
	ctl a sa add dev ipsec0 dir in spi $((LO + i)) src 192.0.2.2 dst 192.0.2.1 enc aes-gcm-128 key $KEY
	ip -n a xfrm state add src 192.0.2.2 dst 192.0.2.1 proto esp spi $((LO + 6 + i)) mode tunnel \
		aead 'rfc4106(gcm(aes))' $KEY 128
done
# Another destination: SPI 0x500c stays free for 192.0.2.1 in the netns.
ctl a sa add dev ipsec0 dir in spi $((LO + 12)) src 192.0.2.2 dst 192.0.2.99 enc aes-gcm-128 key $KEY

# alloc N [ARGS...]: N ALLOC_SPI requests for 192.0.2.1, one "ERRNO SPI" line
# each. ARGS: min=X max=Y dev=NAME (range and device, all optional).
alloc() {
	local n=$1
	shift
	in_ns a env PYTHONPATH="$REPO/tests/vm/tools" python3 - "$n" "$@" <<'PY'
import socket, struct, sys
import genl
n, args = int(sys.argv[1]), dict(a.split("=") for a in sys.argv[2:])
attrs = genl.nest(genl.A_SA, genl.u16(genl.SA_FAMILY, socket.AF_INET),
                  genl.attr(genl.SA_DST, socket.inet_aton("192.0.2.1")))
if "min" in args:
    attrs += genl.u32(genl.A_SPI_MIN, int(args["min"], 0))
if "max" in args:
    attrs += genl.u32(genl.A_SPI_MAX, int(args["max"], 0))
if "dev" in args:
    attrs += genl.string(genl.A_IFNAME, args["dev"])
g = genl.Genl()
for _ in range(n):
    err, text, msgs = g.request(genl.ALLOC_SPI, attrs)
    spi = "-"
    if not err:
        sa = genl.parse_attrs(genl.parse_attrs(msgs[0][4:])[genl.A_SA])
        spi = "0x%08x" % struct.unpack("I", sa[genl.SA_SPI])[0]
    print(genl.errname(err), spi, *([text.replace(" ", "_")] if err else []))
PY
}

out=$(alloc 200 min=$LO max=$HI)
assert_eq "$(grep -c '^OK ' <<<"$out")" 200 "successful allocations: $(sort <<<"$out" | uniq -c)"
bad=$(awk '{ print $2 }' <<<"$out" | sort -u | grep -v -e 0x0000500c -e 0x0000500d -e 0x0000500e -e 0x0000500f) &&
	fail "allocated SPIs that are taken (ours 0x5000-5, XFRM's 0x5006-b): $bad"
assert_ge "$(awk '{ print $2 }' <<<"$out" | sort -u | wc -l)" 2 "distinct SPIs among 200 allocations"
progress "ok: 200 allocations in a 16-SPI range: only the 4 free ones, never ours or XFRM's"

# 0x500c is ipsec0's for 192.0.2.99: free for 192.0.2.1 in the netns, not on
# ipsec0 itself (its SAs are named by SPI and direction).
assert_eq "$(alloc 1 min=0x500c max=0x500c)" "OK 0x0000500c" "0x500c for 192.0.2.1, no device"
assert_eq "$(alloc 1 min=0x500c max=0x500c dev=ipsec0)" "ENOSPC - no_free_SPI_in_the_range" "0x500c with dev ipsec0"
for i in 13 14 15; do
	ctl a sa add dev ipsec0 dir in spi $((LO + i)) src 192.0.2.2 dst 192.0.2.1 enc aes-gcm-128 key $KEY
done
assert_eq "$(alloc 1 min=$LO max=$((LO + 11)))" "ENOSPC - no_free_SPI_in_the_range" "range full of ours and XFRM's"
assert_eq "$(alloc 1 min=$((LO + 13)) max=$HI)" "ENOSPC - no_free_SPI_in_the_range" "range full of ours"
assert_eq "$(alloc 1 min=0x6000 max=0x5000)" "EINVAL - SPI_MIN_above_SPI_MAX" "SPI_MIN above SPI_MAX"
assert_eq "$(alloc 1 min=255 | cut -d" " -f1)" ERANGE "SPI_MIN below 256"
out=$(alloc 20)
assert_eq "$(grep -c '^OK 0x' <<<"$out")" 20 "allocations over the default range"
while read -r _ spi; do
	[ $((spi)) -ge 256 ] || fail "reserved SPI $spi allocated"
done <<<"$out"
assert_eq "$(alloc 1 dev=ipsec9 | cut -d" " -f1)" ENODEV "unknown device"
progress "ok: per-device SPIs, full ranges ENOSPC, bad ranges refused, default range >= 256"

err=$(alloc 1 min=$LO max=$HI | sed 's/ .*//')
assert_eq "$err" OK "root"
out=$(in_ns a setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=-all \
	--bounding-set=-all env PYTHONPATH="$REPO/tests/vm/tools" python3 -c '
import socket, genl
g = genl.Genl()
err, _, _ = g.request(genl.ALLOC_SPI, genl.nest(genl.A_SA, genl.u16(genl.SA_FAMILY, socket.AF_INET),
                      genl.attr(genl.SA_DST, socket.inet_aton("192.0.2.1"))))
print(genl.errname(err))')
assert_eq "$out" EPERM "ALLOC_SPI as uid 65534"
progress "ok: unprivileged ALLOC_SPI refused (EPERM)"
ip -n a xfrm state flush
ipsec_unload
