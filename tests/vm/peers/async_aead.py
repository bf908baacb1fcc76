#!/usr/bin/env python3
"""Instantiate or remove a crypto algorithm through NETLINK_CRYPTO
(crypto_user, what `crconf` does), for the VM scenarios that need every
AEAD operation to complete asynchronously.

  async_aead.py add DRIVER PRIORITY  instantiate DRIVER (a template
                                     expression whose inner names are all
                                     driver names, so the instance's driver
                                     name is DRIVER itself) and give it
                                     PRIORITY
  async_aead.py del DRIVER           unregister that instance and every
                                     instance built on it (when unused)

The kernel names an instance "tmpl(" + inner driver + ")": asking for
"pcrypt(rfc4106(gcm(aes)))" builds "pcrypt(rfc4106-gcm-aesni)", which is
not the name that was asked for, and the request fails with ENOENT. Hence
driver names all the way down, e.g.
"rfc4106(gcm_base(cryptd(ctr(aes-generic)),ghash-generic))".
"""
import errno
import os
import socket
import struct
import sys

NETLINK_CRYPTO = 21
CRYPTO_MSG_NEWALG, CRYPTO_MSG_DELALG = 0x10, 0x11
CRYPTOCFGA_PRIORITY_VAL = 1
NLM_F_REQUEST, NLM_F_ACK = 0x1, 0x4
NLMSG_ERROR = 2


def request(msg_type, driver, priority=None):
    # struct crypto_user_alg: name, driver_name, module_name (64 each),
    # type, mask, refcnt, flags (u32 each). Type and mask 0: any type.
    body = struct.pack("64s64s64sIIII", b"", driver.encode(), b"", 0, 0, 0, 0)
    if priority is not None:
        body += struct.pack("=HHI", 8, CRYPTOCFGA_PRIORITY_VAL, priority)
    hdr = struct.pack("=IHHII", 16 + len(body), msg_type, NLM_F_REQUEST | NLM_F_ACK, 1, 0)
    with socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_CRYPTO) as s:
        s.bind((0, 0))
        s.send(hdr + body)
        reply = s.recv(4096)
    _, rtype, _, _, _ = struct.unpack("=IHHII", reply[:16])
    if rtype != NLMSG_ERROR:
        sys.exit(f"async_aead.py: unexpected reply type {rtype}")
    return -struct.unpack("=i", reply[16:20])[0]


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "add":
        err = request(CRYPTO_MSG_NEWALG, sys.argv[2], int(sys.argv[3]))
    elif len(sys.argv) == 3 and sys.argv[1] == "del":
        err = request(CRYPTO_MSG_DELALG, sys.argv[2])
    else:
        sys.exit(__doc__)
    if err:
        sys.exit(f"async_aead.py {sys.argv[1]} {sys.argv[2]}: {errno.errorcode.get(err, err)} ({os.strerror(err)})")


main()
