#!/bin/bash
# Dumps never end silently short. An SA carrying the most selectors
# (IPSEC_TUN_SA_SEL_MAX) is larger than a page: GET_SA returns it whole,
# and a GET_SA dump read the way libnl reads (a page-sized peek first, so
# the kernel sizes the dump by its minimum) lists every SA with every
# selector. A dump of many policies spans many messages and lists them
# all, once each. Nothing of it leaks.
# vm-timeout: 180
#
#   [ns a] ipsec1 (type ipsec): 4 inbound SAs (3 with 64 selectors), 300 policies
. "$(dirname "$0")/lib.sh" || exit 1

ipsec_load
ns_create a
ip -n a link add ipsec1 type ipsec

out=$(in_ns a env PYTHONPATH="$REPO/tests/vm/tools" PYTHONDONTWRITEBYTECODE=1 python3 - <<'PY'
import genl
g = genl.Genl()
dev = genl.string(genl.A_IFNAME, "ipsec1")
for i, nsel in enumerate((64, 64, 0, 64)):
    err, text, _ = g.request(genl.NEW_SA, dev + genl.sa_nest(0x3000 + i, 1, nsel=nsel))
    assert not err, f"NEW_SA {i}: {genl.errname(err)} {text}"
for i in range(300):
    err, text, _ = g.request(genl.NEW_POLICY, dev + genl.policy_nest(i % 256, second_octet=2 + i // 256))
    assert not err, f"NEW_POLICY {i}: {genl.errname(err)} {text}"

def sels(msg):
    sa = genl.parse_attrs(genl.parse_attrs(msg[4:])[genl.A_SA])
    spi = int.from_bytes(sa[genl.SA_SPI], "little")
    return spi, len(genl.parse_attrs(sa.get(genl.SA_SEL, b"")))

# doit: the whole SA in one reply.
sa_id = genl.nest(genl.A_SA, genl.u32(genl.SA_SPI, 0x3000), genl.u8(genl.SA_DIR, 1))
err, text, msgs = g.request(genl.GET_SA, dev + sa_id)
print("doit", genl.errname(err), text or "-", *(sels(m)[1] for m in msgs))
# dumps, each from a fresh socket that has read nothing big yet.
err, text, msgs = genl.Genl().request(genl.GET_SA, b"", dump=True)
print("sa-dump", genl.errname(err), text or "-", " ".join("%x:%d" % sels(m) for m in msgs))
err, text, msgs = genl.Genl().request(genl.GET_POLICY, dev, dump=True)
dsts = {genl.parse_attrs(genl.parse_attrs(m[4:])[genl.A_POLICY])[genl.POL_DST] for m in msgs}
print("policy-dump", genl.errname(err), text or "-", len(msgs), len(dsts))
PY
)
echo "$out"
assert_eq "$(sed -n 's/^doit //p' <<<"$out")" "OK - 64" "GET_SA of an SA with 64 selectors"
assert_eq "$(sed -n 's/^sa-dump //p' <<<"$out")" "OK - 3000:64 3001:64 3002:0 3003:64" \
	"GET_SA dump (SPI:selectors)"
assert_eq "$(sed -n 's/^policy-dump //p' <<<"$out")" "OK - 300 300" \
	"GET_POLICY dump (messages, distinct policies)"
echo "ok: a 64-selector SA comes whole from GET_SA and from dumps; 300 policies dumped once each"

ip -n a link del ipsec1
ipsec_unload
