"""IKE_SA_INIT requests as raw bytes (RFC 7296 3.1-3.9), for the scenarios
that forge or flood them (530, 531) with scapy. Import with
PYTHONPATH=$REPO/tests/vm/peers.

ike_sa_init(spi_i, group, ke_len, mid=0): a request gw2 would answer: one
IKE proposal AES-GCM-16-256 / PRF-HMAC-SHA2-256 / DH group `group`, a KE
payload of that group with ke_len random bytes, a random 32-byte nonce.
"""
import os
import struct


def payload(nxt, body):
    """A generic payload header (next payload, not critical) + body."""
    return struct.pack("!BBH", nxt, 0, 4 + len(body)) + body


def ike_sa_init(spi_i, group, ke_len, mid=0):
    xf = [(1, 20, struct.pack("!HH", 0x800E, 256)), (2, 5, b""), (4, group, b"")]
    xfs = b""
    for i, (t, tid, attr) in enumerate(xf):
        body = struct.pack("!BxH", t, tid) + attr
        xfs += struct.pack("!BBH", 3 if i < len(xf) - 1 else 0, 0, 4 + len(body)) + body
    prop = struct.pack("!BBBB", 1, 1, 0, len(xf)) + xfs
    sa = payload(34, struct.pack("!BBH", 0, 0, 4 + len(prop)) + prop)  # next: KE
    ke = payload(40, struct.pack("!HH", group, 0) + os.urandom(ke_len))  # next: Nonce
    body = sa + ke + payload(0, os.urandom(32))
    hdr = struct.pack("!QQBBBBII", spi_i, 0, 33, 0x20, 34, 0x08, mid, 28 + len(body))
    return hdr + body
