#!/bin/bash
# The genetlink API's gatekeeping: every command, reads and dumps included,
# and joining the "events" group need CAP_NET_ADMIN in the user namespace
# that owns the device's netns (as XFRM). Refused with EPERM, nothing
# changes: for uid 65534, and for the root of a user namespace acting on a
# device of a netns it does not own; that root does manage a device in a
# netns of its own. Requests the module refuses come back with its extack
# message, shown by ipsecctl, and malformed attributes (sent raw, as
# ipsecctl never would) get precise extack errors and create nothing.
# vm-timeout: 300
#
#   [ns a] ipsec0, ul0 192.0.2.1 ===== veth ===== ul0 192.0.2.2 [ns b]
#   [ns of a user namespace] ipsec7 (created there by its root)
. "$(dirname "$0")/lib.sh" sites || exit 1

sites_create
K=$(rand_hex 20)
nobody() { in_ns a setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=-all --bounding-set=-all "$CTL" "$@"; }

# --- no CAP_NET_ADMIN ---
for cmd in "sa add dev ipsec0 dir out spi 0x1000 reqid 1 src $OUT_A4 dst $OUT_B4 enc aes-gcm-128 key $K" \
	"policy add dev ipsec0 src $NET_A4 dst $NET_B4 reqid 1" \
	"sa flush dev ipsec0"; do
	# shellcheck disable=SC2086
	if out=$(nobody $cmd 2>&1); then fail "unprivileged '$cmd' succeeded"; fi
	grep -q "Operation not permitted" <<<"$out" || fail "unprivileged '$cmd': expected EPERM, got: $out"
done
assert_eq "$(ctl a dev list dev ipsec0 --json | jq -r '.[0].sa_count')" 0 "SAs after refused adds"
assert_eq "$(ctl a dev list dev ipsec0 --json | jq -r '.[0].policy_count')" 0 "policies after refused adds"
ctl a sa add dev ipsec0 dir out spi 0x1000 reqid 1 src $OUT_A4 dst $OUT_B4 enc aes-gcm-128 key $K
ctl a sa add dev ipsec0 dir in spi 0x1001 src $OUT_B4 dst $OUT_A4 enc aes-gcm-128 key $K
for cmd in "sa del dev ipsec0 dir out spi 0x1000" "sa list dev ipsec0" "dev list dev ipsec0" \
	"policy list dev ipsec0"; do
	# shellcheck disable=SC2086
	if out=$(nobody $cmd 2>&1); then fail "unprivileged '$cmd' succeeded: $out"; fi
	grep -q "Operation not permitted" <<<"$out" || fail "unprivileged '$cmd': expected EPERM, got: $out"
done
# Root reads, and never sees keys.
listing=$(ctl a sa list dev ipsec0 --json)
assert_eq "$(jq length <<<"$listing")" 2 "SAs listed by root"
! grep -qi "${K#0x}" <<<"$listing" || fail "key material in sa list output"
progress "ok: unprivileged caller refused (EPERM) by ipsecctl for add/del/flush/policy/list"

# Every command, doit and dump, raw; then joining the events group.
perms() { # perms IFNAME [wrapper...]: "CMD ERRNO" lines of tools/genl_perms.py
	local ifname=$1
	shift
	"$@" python3 "$REPO/tests/vm/tools/genl_perms.py" "$ifname"
}
expect_all() { # expect_all ERRNO WHO OUTPUT: every line of OUTPUT ends in ERRNO
	local want=$1 who=$2 out=$3
	assert_eq "$(wc -l <<<"$out")" 13 "requests answered for $who"
	! grep -v " $want\$" <<<"$out" || fail "$who: expected $want for every request, got the lines above"
}
expect_all EPERM "uid 65534" "$(perms ipsec0 in_ns a setpriv --reuid=nobody --regid=nogroup \
	--clear-groups --inh-caps=-all --bounding-set=-all)"
progress "ok: uid 65534 gets EPERM for each command and for the events group"
# Root of a user namespace, in netns a (owned by the initial user namespace).
expect_all EPERM "user-namespace root in netns a" "$(perms ipsec0 in_ns a unshare --user --map-root-user)"
progress "ok: a user namespace's root gets EPERM on a netns it does not own"
# The same root in a netns of its own manages its own device, and does not
# see netns a's device at all.
own=$(unshare --user --map-root-user --net bash -c "
	ip link add ipsec7 type ipsec && ip link set lo up &&
	python3 '$REPO/tests/vm/tools/genl_perms.py' ipsec7 &&
	python3 '$REPO/tests/vm/tools/genl_perms.py' ipsec0 | head -n1")
assert_eq "$(head -n13 <<<"$own" | grep -vc ' OK$')" 0 "requests refused to the owner of the netns: $own"
assert_eq "$(tail -n1 <<<"$own")" "GET_DEV ENODEV" "ipsec0 from the user namespace's own netns"
progress "ok: a user namespace's root manages ipsec7 in its own netns, cannot reach ipsec0"
assert_eq "$(ctl a dev list dev ipsec0 --json | jq -r '.[0].sa_count')" 2 "SAs after refused requests"

# --- malformed attributes, sent raw ---
ifindex=$(ctl a dev list dev ipsec0 --json | jq -r '.[0].ifindex')
raw_new_sa() { # raw_new_sa CASE: prints "errno <n> <extack>" (upd-*: UPD_SA)
	in_ns a /usr/bin/python3 - "$1" "$ifindex" <<'PY'
import socket, struct, sys
case, ifindex = sys.argv[1], int(sys.argv[2])
s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 16)
s.setsockopt(270, 11, 1)  # SOL_NETLINK, NETLINK_EXT_ACK
s.bind((0, 0))
def attr(t, p):
    return struct.pack("HH", 4 + len(p), t) + p + b"\0" * (-len(p) % 4)
def msg(fam, cmd, attrs, seq):
    body = struct.pack("BBH", cmd, 1, 0) + attrs
    return struct.pack("IHHII", 16 + len(body), fam, 1 | 4, seq, 0) + body
def recv_error():
    d = s.recv(65536)
    ln, typ, flags = struct.unpack_from("IHH", d)
    assert typ == 2, typ  # NLMSG_ERROR
    err = struct.unpack_from("i", d, 16)[0]
    off = 20 + (16 if flags & 0x100 else struct.unpack_from("I", d, 20)[0])
    text = ""
    while off + 4 <= ln:
        alen, atyp = struct.unpack_from("HH", d, off)
        if alen < 4: break
        if atyp == 1: text = d[off + 4:off + alen].split(b"\0")[0].decode()
        off += (alen + 3) & ~3
    return err, text
s.send(msg(16, 3, attr(2, b"ipsec_tun\0"), 1))  # CTRL_CMD_GETFAMILY
d = s.recv(65536)
off, fam = 20, None
while off + 4 <= struct.unpack_from("I", d)[0]:
    alen, atyp = struct.unpack_from("HH", d, off)
    if atyp == 1: fam = struct.unpack_from("H", d, off + 4)[0]
    off += (alen + 3) & ~3
recv_error()  # the ack
u8 = lambda t, v: attr(t, struct.pack("B", v))
u16 = lambda t, v: attr(t, struct.pack("H", v))
u32 = lambda t, v: attr(t, struct.pack("I", v))
sa = {1: u32(1, 0x2000), 2: u8(2, 1), 4: u16(4, socket.AF_INET),
      5: attr(5, bytes([192, 0, 2, 2])), 6: attr(6, bytes([192, 0, 2, 1])),
      7: u16(7, 20), 9: attr(9, b"\x11" * 20)}
if case == "short-key": sa[9] = attr(9, b"\x11" * 5)
elif case == "bad-flags": sa[13] = u32(13, 0x80000000)  # IPSEC_TUN_SA_A_FLAGS
elif case == "low-spi": sa[1] = u32(1, 7)
elif case == "no-spi": del sa[1]
elif case == "bad-addr-len": sa[5] = attr(5, b"\x01\x02\x03")
elif case == "unknown-cipher": sa[7] = u16(7, 3)
u64 = lambda t, v: attr(t, struct.pack("Q", v))
if case == "seq-past-32":  # IPSEC_TUN_SA_A_SEQ 2^32 without ESN
    sa[23] = u64(23, 1 << 32)
elif case == "seq-past-esn-out":  # outbound ESN: the space ends at 2^63 - 1
    sa.update({1: u32(1, 0x2001), 2: u8(2, 2), 3: u32(3, 1), 13: u32(13, 1), 23: u64(23, 1 << 63)})
cmd = 2  # NEW_SA
if case.startswith("upd-"):  # UPD_SA of the existing inbound SA 0x1001
    cmd, sa = 3, {1: u32(1, 0x1001), 2: u8(2, 1)}
    if case == "upd-key": sa[9] = attr(9, b"\x11" * 20)
    elif case == "upd-seq": sa[23] = u64(23, 5)
    elif case == "upd-family": sa[5] = attr(5, b"\x20\x01" + b"\0" * 14)
s.send(msg(fam, cmd, u32(1, ifindex) + attr(10 | 0x8000, b"".join(sa.values())), 2))  # IPSEC_TUN_A_SA, nested
err, text = recv_error()
print("errno", -err, text)
PY
}
expect_raw() { # expect_raw CASE ERRNO|any TEXT
	local got
	got=$(raw_new_sa "$1")
	[[ $got =~ ^errno\ [1-9] ]] || fail "raw NEW_SA $1: expected an error, got: $got"
	[ "$2" = any ] || [[ $got == "errno $2 "* ]] || fail "raw NEW_SA $1: expected errno $2, got: $got"
	grep -qF "$3" <<<"$got" || fail "raw NEW_SA $1: expected extack '$3', got: $got"
	progress "ok: raw NEW_SA $1 -> $got"
}
expect_raw short-key 22 "ENC_KEY must be 20, 28 or 36 bytes"
expect_raw bad-flags 95 "unknown SA flags"
expect_raw no-spi 22 ""
expect_raw low-spi 34 "integer out of range"
expect_raw bad-addr-len any ""
expect_raw unknown-cipher any ""
expect_raw seq-past-32 34 "SEQ beyond the sequence number space"
expect_raw seq-past-esn-out 34 "SEQ beyond the sequence number space"
expect_raw upd-key 22 "keys, algorithms, reqid, selectors and SEQ cannot change"
expect_raw upd-seq 22 "keys, algorithms, reqid, selectors and SEQ cannot change"
expect_raw upd-family 22 "address must be 4 bytes for AF_INET"
assert_eq "$(ctl a dev list dev ipsec0 --json | jq -r '.[0].sa_count')" 2 "SAs after malformed requests"
# --- kernel refusals reach the user with their extack text (exit 1) ---
expect_refusal() { # expect_refusal TEXT ipsecctl-args...
	local want=$1 out rc=0
	shift
	out=$(ctl a "$@" 2>&1) || rc=$?
	assert_eq $rc 1 "exit status of: ipsecctl $*"
	grep -qF "$want" <<<"$out" || fail "ipsecctl $*: expected '$want' in: $out"
}
expect_refusal "an SA with this SPI and direction exists on the device" \
	sa add dev ipsec0 dir in spi 0x1001 src $OUT_B4 dst $OUT_A4 enc aes-gcm-128 key $K
expect_refusal "no policy with this selector and priority" \
	policy del dev ipsec0 src $NET_A4 dst $NET_B4 reqid 1
expect_refusal "No such device" sa list dev ipsec9
# Argument errors are ours, exit 2, and nothing is sent.
rc=0; out=$(ctl a sa add dev ipsec0 dir in spi 0x1002 src $OUT_B4 dst $OUT_A4 enc aes-gcm-128 key 0x00 2>&1) || rc=$?
assert_eq $rc 2 "exit status for a short key"
grep -q "key: aes-gcm-128 needs 20 bytes" <<<"$out" || fail "short key message: $out"
assert_eq "$(ctl a dev list dev ipsec0 --json | jq -r '.[0].sa_count')" 2 "SAs after refused adds"

ipsec_unload
