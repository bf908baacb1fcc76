# rtnetlink link details of an ipsec device, as iproute2 cannot show them
# (it decodes IFLA_INFO_DATA only for the kinds it knows). Standard library
# only:
#
#   python3 linkinfo.py DEV    one JSON object: ifindex, mtu, kind,
#                              link_netnsid (when the kernel sends it) and
#                              data, the IFLA_INFO_DATA attributes by name
#
# or, from Python (PYTHONPATH=$REPO/tests/vm/tools):
#
#   import linkinfo
#   info, raw = linkinfo.get("ipsec1")   # raw: the whole RTM_NEWLINK reply
import json
import socket
import struct
import sys

from genl import NLM_F_ACK, NLM_F_REQUEST, NLMSG_ERROR, parse_attrs, string

RTM_NEWLINK, RTM_GETLINK = 16, 18
IFLA_IFNAME, IFLA_MTU, IFLA_LINKINFO, IFLA_LINK_NETNSID = 3, 4, 18, 37
IFLA_INFO_KIND, IFLA_INFO_DATA = 1, 2
# enum ipsec_tun_link_attr (uapi/linux/ipsec_tun.h): name, struct format
# (None for a flag).
DATA = {1: ("mss_clamp", "H"), 2: ("mss_v4", "H"), 3: ("mss_v6", "H"),
        4: ("encap_port", "H"), 5: ("sa_count", "I"), 6: ("policy_count", "I"),
        7: ("crypt_queues", "I"), 8: ("underlay_gone", None), 9: ("threaded", "B"),
        10: ("spi_reserved", "I")}


def decode_data(buf):
    out = {}
    for typ, payload in parse_attrs(buf).items():
        name, fmt = DATA.get(typ, (f"unknown_{typ}", None))
        if fmt is None:
            if payload:
                raise ValueError(f"{name}: a flag with {len(payload)} bytes")
            out[name] = True
        else:
            if len(payload) != struct.calcsize(fmt):
                raise ValueError(f"{name}: {len(payload)} bytes, expected {struct.calcsize(fmt)}")
            out[name] = struct.unpack(fmt, payload)[0]
    return out


def get(ifname):
    """(details, raw reply) of ifname in the caller's netns."""
    sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, socket.NETLINK_ROUTE)
    sock.bind((0, 0))
    body = struct.pack("BxHiII", socket.AF_UNSPEC, 0, 0, 0, 0) + string(IFLA_IFNAME, ifname)
    sock.send(struct.pack("IHHII", 16 + len(body), RTM_GETLINK, NLM_F_REQUEST | NLM_F_ACK, 1, 0)
              + body)
    while True:
        data = sock.recv(65536)
        ln, typ = struct.unpack_from("IH", data, 0)
        if typ == NLMSG_ERROR:
            err = struct.unpack_from("i", data, 16)[0]
            if err:
                raise OSError(-err, f"RTM_GETLINK {ifname}")
            continue  # the ack after the reply
        if typ != RTM_NEWLINK:
            continue
        msg = data[:ln]
        ifindex = struct.unpack_from("i", msg, 20)[0]
        top = parse_attrs(msg[32:])
        linkinfo = parse_attrs(top.get(IFLA_LINKINFO, b""))
        info = {"ifindex": ifindex, "mtu": struct.unpack("I", top[IFLA_MTU])[0],
                "kind": linkinfo.get(IFLA_INFO_KIND, b"").split(b"\0")[0].decode(),
                "data": decode_data(linkinfo[IFLA_INFO_DATA]) if IFLA_INFO_DATA in linkinfo
                else None}
        if IFLA_LINK_NETNSID in top:
            info["link_netnsid"] = struct.unpack("i", top[IFLA_LINK_NETNSID])[0]
        return info, msg


if __name__ == "__main__":
    print(json.dumps(get(sys.argv[1])[0], sort_keys=True))
