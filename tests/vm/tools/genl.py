# Raw generic netlink for VM scenarios: requests the CLI would never send
# (malformed, out of range, as any user), with the kernel's errno and
# extack text. Standard library only. Use from a scenario:
#
#   PYTHONPATH=$REPO/tests/vm/tools python3 - <<'PY'
#   import genl
#   g = genl.Genl()                      # the "ipsec_tun" family
#   err, text, msgs = g.request(genl.GET_DEV, genl.u32(genl.A_IFINDEX, 0))
#   PY
import errno as _errno
import os
import socket
import struct

NETLINK_GENERIC = 16
SOL_NETLINK = 270
NETLINK_ADD_MEMBERSHIP = 1
NETLINK_EXT_ACK = 11
NLM_F_REQUEST, NLM_F_ACK, NLM_F_DUMP = 1, 4, 0x300
NLMSG_ERROR, NLMSG_DONE = 2, 3
NLM_F_CAPPED, NLM_F_ACK_TLVS = 0x100, 0x200
NLMSGERR_ATTR_MSG = 1
NLA_F_NESTED = 0x8000

# uapi/linux/ipsec_tun.h
GET_DEV, NEW_SA, UPD_SA, DEL_SA, GET_SA, FLUSH, NEW_POLICY, DEL_POLICY, GET_POLICY, \
    SET_ENCAP = range(1, 11)
COMMANDS = {"GET_DEV": GET_DEV, "NEW_SA": NEW_SA, "UPD_SA": UPD_SA, "DEL_SA": DEL_SA,
            "GET_SA": GET_SA, "FLUSH": FLUSH, "NEW_POLICY": NEW_POLICY,
            "DEL_POLICY": DEL_POLICY, "GET_POLICY": GET_POLICY, "SET_ENCAP": SET_ENCAP}
# Not in COMMANDS (the commands that name a device): "dev" is optional.
ALLOC_SPI = 14
A_SPI_MIN, A_SPI_MAX = 18, 19
A_IFINDEX, A_IFNAME, A_MTU, A_LINK_NETNSID, A_ENCAP_FD = 1, 2, 3, 4, 5
A_SA, A_POLICY = 10, 11
A_ERROR_CODE = 16
CMD_ERROR_EVENT = 13
ERR_AUTH_BURST = 1
SA_SPI, SA_DIR, SA_REQID, SA_FAMILY, SA_SRC, SA_DST, SA_ENCR_ID = 1, 2, 3, 4, 5, 6, 7
SA_ENC_KEY, SA_SEL = 9, 22
POL_FAMILY, POL_SRC, POL_SRC_PLEN, POL_DST, POL_DST_PLEN, POL_REQID = 1, 2, 3, 4, 5, 11


def attr(t, p):
    return struct.pack("HH", 4 + len(p), t) + p + b"\0" * (-len(p) % 4)


def u8(t, v): return attr(t, struct.pack("B", v))
def u16(t, v): return attr(t, struct.pack("H", v))
def u32(t, v): return attr(t, struct.pack("I", v & 0xffffffff))
def u64(t, v): return attr(t, struct.pack("Q", v))
def string(t, s): return attr(t, s.encode() + b"\0")
def nest(t, *inner): return attr(t | NLA_F_NESTED, b"".join(inner))


def parse_attrs(buf):
    """{type: payload} of one level (the last one wins for repeats)."""
    out, off = {}, 0
    while off + 4 <= len(buf):
        alen, atyp = struct.unpack_from("HH", buf, off)
        if alen < 4:
            break
        out[atyp & 0x3fff] = buf[off + 4:off + alen]
        off += (alen + 3) & ~3
    return out


def sa_nest(spi, direction, key=b"\x11" * 20, reqid=1, src=b"\xc0\x00\x02\x01",
            dst=b"\xc0\x00\x02\x02", nsel=0):
    """An AES-GCM-16 (128-bit) IPv4 SA nest for NEW_SA, with nsel selectors."""
    sels = [nest(i + 1, sel_attrs(i)) for i in range(nsel)]
    return nest(A_SA, u32(SA_SPI, spi), u8(SA_DIR, direction), u32(SA_REQID, reqid),
                u16(SA_FAMILY, socket.AF_INET), attr(SA_SRC, src), attr(SA_DST, dst),
                u16(SA_ENCR_ID, 20), attr(SA_ENC_KEY, key),
                *([nest(SA_SEL, *sels)] if sels else []))


def sel_attrs(dst_third_octet, second_octet=2):
    """10.1.0.0/24 -> 10.<second>.<third>.0/24, the inside of a selector nest."""
    return (u16(POL_FAMILY, socket.AF_INET) + attr(POL_SRC, bytes([10, 1, 0, 0])) +
            u8(POL_SRC_PLEN, 24) + attr(POL_DST, bytes([10, second_octet, dst_third_octet, 0])) +
            u8(POL_DST_PLEN, 24))


def policy_nest(dst_third_octet, reqid=1, second_octet=2):
    return nest(A_POLICY, sel_attrs(dst_third_octet, second_octet), u32(POL_REQID, reqid))


class Genl:
    def __init__(self, family="ipsec_tun"):
        self.sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_GENERIC)
        self.sock.setsockopt(SOL_NETLINK, NETLINK_EXT_ACK, 1)
        self.sock.bind((0, 0))
        self.seq = 0
        self.family_id, self.groups = 0x10, {}  # GENL_ID_CTRL
        err, text, msgs = self.request(3, string(2, family))  # CTRL_CMD_GETFAMILY
        if err:
            raise OSError(err, f"family {family}: {text}")
        top = parse_attrs(msgs[0][4:])
        self.family_id = struct.unpack("H", top[1])[0]
        for grp in parse_attrs(top.get(7, b"")).values():  # CTRL_ATTR_MCAST_GROUPS
            g = parse_attrs(grp)
            self.groups[g[1].split(b"\0")[0].decode()] = struct.unpack("I", g[2])[0]

    def send_raw(self, data):
        self.sock.send(data)

    def message(self, cmd, attrs=b"", dump=False, version=1):
        self.seq += 1
        body = struct.pack("BBH", cmd, version, 0) + attrs
        flags = NLM_F_REQUEST | NLM_F_ACK | (NLM_F_DUMP if dump else 0)
        return struct.pack("IHHII", 16 + len(body), self.family_id, flags, self.seq, 0) + body

    def request(self, cmd, attrs=b"", dump=False):
        """(errno, extack text, [genl payloads]) once the ack or NLMSG_DONE came."""
        self.send_raw(self.message(cmd, attrs, dump))
        return self.collect(self.seq)

    def recv(self):
        """One datagram, however large, read as libnl does: peek at its size
        with a page-sized buffer first (the kernel sizes dump messages from
        the reader's buffers, so this is the small reader's view)."""
        buf = bytearray(4096)
        n = self.sock.recv_into(buf, len(buf), socket.MSG_PEEK | socket.MSG_TRUNC)
        return self.sock.recv(max(n, len(buf)))

    def collect(self, seq):
        msgs = []
        while True:
            data = self.recv()
            off = 0
            while off + 16 <= len(data):
                ln, typ, flags, mseq = struct.unpack_from("IHHI", data, off)
                if ln < 16:
                    raise OSError(_errno.EPROTO, "short netlink message")
                m = data[off:off + ln]
                off += (ln + 3) & ~3
                if mseq != seq:
                    continue
                if typ == NLMSG_DONE:
                    err = struct.unpack_from("i", m, 16)[0] if ln >= 20 else 0
                    return -err, ack_text(m, flags, done=True), msgs
                if typ == NLMSG_ERROR:
                    err = struct.unpack_from("i", m, 16)[0]
                    return -err, ack_text(m, flags), msgs
                msgs.append(m[16:])

    def join(self, group="events"):
        """0 or the errno of joining the family's multicast group."""
        try:
            self.sock.setsockopt(SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, self.groups[group])
            return 0
        except OSError as e:
            return e.errno


def ack_text(m, flags, done=False):
    if not flags & NLM_F_ACK_TLVS:
        return ""
    if done:
        off = 20
    else:
        off = 20 + (16 if flags & NLM_F_CAPPED else struct.unpack_from("I", m, 20)[0])
    return parse_attrs(m[off:]).get(NLMSGERR_ATTR_MSG, b"").split(b"\0")[0].decode()


def errname(e):
    return _errno.errorcode.get(e, str(e)) if e else "OK"
