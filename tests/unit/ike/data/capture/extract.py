#!/usr/bin/env python3
"""Turns a capture.sh output directory into a vector record for
peer_capture_test.cc: the IKE datagrams from the pcap (non-ESP marker
stripped) and the keys strongSwan logged at "ike 4"/"chd 4".

    extract.py CAPTURE_DIR NAME ENCR ENCR_BITS PRF INTEG DH >> ../peer_captures.txt
"""
import os
import re
import struct
import sys


def packets(path):
    data = open(path, "rb").read()
    off = 24
    while off + 16 <= len(data):
        incl = struct.unpack("<I", data[off + 8:off + 12])[0]
        frame = data[off + 16:off + 16 + incl]
        off += 16 + incl
        if len(frame) < 14 or frame[12:14] != b"\x08\x00":
            continue
        ip = frame[14:]
        ihl = (ip[0] & 0xf) * 4
        if ip[9] != 17:
            continue
        src = ".".join(str(b) for b in ip[12:16])
        udp = ip[ihl:]
        sport, dport = struct.unpack(">HH", udp[:4])
        payload = udp[8:]
        if 4500 in (sport, dport):
            if payload == b"\xff":
                continue  # NAT-T keepalive
            if payload[:4] != b"\0\0\0\0":
                continue  # ESP
            payload = payload[4:]
        yield src, payload


def log_values(path):
    """name -> bytes for every '<name> => N bytes @ ...' dump in a charon log."""
    values, name, buf, want = {}, None, b"", 0
    for line in open(path, errors="replace"):
        m = re.match(r"\d+\[\w+\] (.*) => (\d+) bytes @ ", line)
        if m:
            name, want, buf = m.group(1), int(m.group(2)), b""
            if want == 0:
                values.setdefault(name, b"")
            continue
        m = re.match(r"\d+\[\w+\]\s+\d+: ((?:[0-9A-F]{2} ){1,16})", line)
        if m and name is not None:
            buf += bytes.fromhex(m.group(1).replace(" ", ""))
            if len(buf) >= want:
                values.setdefault(name, buf[:want])  # first occurrence wins
                name = None
    return values


def main():
    d, name = sys.argv[1], sys.argv[2]
    encr, bits, prf, integ, dh = sys.argv[3:8]
    ini = log_values(d + "/charon-i.log")
    # The responder's child keys when it is a charon (pluto does not log them).
    res = log_values(d + "/charon-r.log") if os.path.exists(d + "/charon-r.log") else {}
    peer = "libreswan 4.10" if os.path.exists(d + "/pluto-r.log") else "strongSwan 5.9"
    print("# strongSwan 5.9 initiator, %s responder (Debian): '%s', by capture.sh + extract.py"
          % (peer, name))
    print("[capture]")
    print("name = %s" % name)
    print("psk = %s" % b"capture-test-psk".hex())
    for k, v in (("encr", encr), ("encr_bits", bits), ("prf", prf), ("integ", integ), ("dh", dh)):
        print("%s = %s" % (k, v))
    for i, (src, p) in enumerate(packets(d + "/ike.pcap")):
        print("packet%d = %s" % (i, p.hex()))
    print("g_ir = %s" % ini["shared Diffie Hellman secret"].hex())
    for k in ("Sk_d", "Sk_ai", "Sk_ar", "Sk_ei", "Sk_er", "Sk_pi", "Sk_pr"):
        print("%s = %s" % (k.lower(), ini.get(k + " secret", b"").hex()))
    for k, f in (("encryption initiator key", "child_encr_i"),
                 ("integrity initiator key", "child_integ_i"),
                 ("encryption responder key", "child_encr_r"),
                 ("integrity responder key", "child_integ_r")):
        print("%s = %s" % (f, res.get(k, b"").hex()))
    print()


main()
