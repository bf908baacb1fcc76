#!/usr/bin/env python3
"""Make an AEAD asynchronous for everyone: instantiate pcrypt(ALG) through
NETLINK_CRYPTO (crypto_user). pcrypt's instance has the inner algorithm's
priority + 100, so every later crypto_alloc_aead(ALG) gets it and every
request completes later from padata's serial worker (-EINPROGRESS first).
(Not cryptd: on 6.1 its AEAD instance fails the crypto self-test with a
WARNING, "changed 'req->base.tfm'", fixed in 6.3.)

  async_aead.py add ALG     e.g. 'rfc4106(gcm(aes))'
  async_aead.py del DRIVER  remove that instance again (its exact driver
                            name, as /proc/crypto shows it; when unused)
"""
import socket
import struct
import sys

NETLINK_CRYPTO = 21
CRYPTO_MSG_NEWALG, CRYPTO_MSG_DELALG = 0x10, 0x11
CRYPTO_ALG_TYPE_AEAD, CRYPTO_ALG_TYPE_MASK = 0x3, 0xF
NLM_F_REQUEST, NLM_F_ACK = 0x1, 0x4
NLMSG_ERROR = 2


def request(msg_type, driver):
    # struct crypto_user_alg: name, driver_name, module_name (64 each),
    # type, mask, refcnt, flags (u32 each)
    body = struct.pack("64s64s64sIIII", b"", driver.encode(), b"",
                       CRYPTO_ALG_TYPE_AEAD, CRYPTO_ALG_TYPE_MASK, 0, 0)
    hdr = struct.pack("=IHHII", 16 + len(body), msg_type, NLM_F_REQUEST | NLM_F_ACK, 1, 0)
    with socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_CRYPTO) as s:
        s.bind((0, 0))
        s.send(hdr + body)
        reply = s.recv(4096)
    _, rtype, _, _, _ = struct.unpack("=IHHII", reply[:16])
    if rtype != NLMSG_ERROR:
        sys.exit(f"async_aead.py: unexpected reply type {rtype}")
    err = struct.unpack("=i", reply[16:20])[0]
    return -err


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("add", "del"):
        sys.exit(__doc__)
    add = sys.argv[1] == "add"
    driver = f"pcrypt({sys.argv[2]})" if add else sys.argv[2]
    err = request(CRYPTO_MSG_NEWALG if add else CRYPTO_MSG_DELALG, driver)
    if err:
        sys.exit(f"async_aead.py {sys.argv[1]} {driver}: errno {err}")


main()
