#!/usr/bin/env python3
"""Independent reference for the IKEv2 key schedule and SK payload, written
from RFC 7296 (2.13-2.15, 2.17, 2.23, 3.14), RFC 5282 and RFC 7634 with
Python's hmac/hashlib and the `cryptography` package. Its output,
generated_vectors.txt, is read by kat_test.cc; the C++ code never produced
these values. Inputs are fixed so the file is reproducible:

    python3 gen_vectors.py > generated_vectors.txt
"""
import hashlib
import hmac
import struct

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM, ChaCha20Poly1305

PRF_HASH = {2: hashlib.sha1, 5: hashlib.sha256, 6: hashlib.sha384, 7: hashlib.sha512}
INTEG = {2: (hashlib.sha1, 20, 12), 12: (hashlib.sha256, 32, 16),
         13: (hashlib.sha384, 48, 24), 14: (hashlib.sha512, 64, 32)}


def prf(pid, key, data):
    return hmac.new(key, data, PRF_HASH[pid]).digest()


def prf_plus(pid, key, seed, length):
    out, t, n = b"", b"", 1
    while len(out) < length:
        t = prf(pid, key, t + seed + bytes([n]))
        out += t
        n += 1
    return out[:length]


def encr_len(encr, bits):
    if encr == 12:
        return bits // 8
    if encr in (18, 19, 20):
        return bits // 8 + 4
    if encr == 28:
        return 36
    raise ValueError(encr)


def det(label, n):
    """Deterministic pseudo-random bytes for inputs."""
    out, i = b"", 0
    while len(out) < n:
        out += hashlib.sha256(label.encode() + bytes([i])).digest()
        i += 1
    return out[:n]


def emit(kind, **fields):
    print("[%s]" % kind)
    for k, v in fields.items():
        if isinstance(v, bytes):
            v = v.hex()
        print("%s = %s" % (k, v))
    print()


def ike_keys(encr, bits, pid, integ, nlen, glen, spi_i, spi_r):
    ni, nr, gir = det("ni%d" % nlen, nlen), det("nr%d" % nlen, nlen), det("gir%d" % glen, glen)
    skeyseed = prf(pid, ni + nr, gir)
    plen = len(PRF_HASH[pid]().digest())
    ilen = INTEG[integ][1] if integ else 0
    elen = encr_len(encr, bits)
    km = prf_plus(pid, skeyseed, ni + nr + struct.pack(">QQ", spi_i, spi_r),
                  3 * plen + 2 * ilen + 2 * elen)
    parts, off = {}, 0
    for name, n in (("sk_d", plen), ("sk_ai", ilen), ("sk_ar", ilen), ("sk_ei", elen),
                    ("sk_er", elen), ("sk_pi", plen), ("sk_pr", plen)):
        parts[name] = km[off:off + n]
        off += n
    emit("ike_keys", encr=encr, encr_bits=bits, prf=pid, integ=integ, ni=ni, nr=nr, g_ir=gir,
         spi_i="%016x" % spi_i, spi_r="%016x" % spi_r, **parts)
    return parts


def child_keys(pid, sk_d, encr, bits, integ, pfs):
    ni, nr = det("cni", 32), det("cnr", 32)
    gir = det("cgir", 256) if pfs else b""
    ilen = INTEG[integ][1] if integ else 0
    elen = encr_len(encr, bits)
    km = prf_plus(pid, sk_d, gir + ni + nr, 2 * (elen + ilen))
    emit("child_keys", prf=pid, sk_d=sk_d, encr=encr, encr_bits=bits, integ=integ,
         g_ir=gir, ni=ni, nr=nr, encr_i=km[:elen], integ_i=km[elen:elen + ilen],
         encr_r=km[elen + ilen:2 * elen + ilen], integ_r=km[2 * elen + ilen:])


def psk_auth(pid, psk, idtype, iddata):
    msg, nonce, skp = det("msg1", 300), det("peer nonce", 32), det("skp%d" % pid, 32)
    id_body = bytes([idtype, 0, 0, 0]) + iddata
    octets = msg + nonce + prf(pid, skp, id_body)
    auth = prf(pid, prf(pid, psk, b"Key Pad for IKEv2"), octets)
    emit("psk_auth", prf=pid, psk=psk, message=msg, nonce=nonce, sk_p=skp, id_body=id_body,
         auth=auth)


def natd(spi_i, spi_r, ip, port):
    import ipaddress
    raw = ipaddress.ip_address(ip).packed
    h = hashlib.sha1(struct.pack(">QQ", spi_i, spi_r) + raw + struct.pack(">H", port)).digest()
    emit("natd", spi_i="%016x" % spi_i, spi_r="%016x" % spi_r, ip=ip, port=port, hash=h)


def sk(encr, bits, integ, inner):
    """A whole INFORMATIONAL request protected with SK, as 3.14 lays it out."""
    elen = encr_len(encr, bits)
    ekey = det("ekey%d%d" % (encr, bits), elen)
    ikey = det("ikey%d" % integ, INTEG[integ][1]) if integ else b""
    aead = encr != 12
    block = 1 if aead else 16
    ivlen = 8 if aead else 16
    icv = {18: 8, 19: 12, 20: 16, 28: 16}.get(encr, INTEG[integ][2] if integ else 0)
    pad = (block - (len(inner) + 1) % block) % block
    plain = inner + b"\0" * pad + bytes([pad])
    iv = det("iv%d" % encr, ivlen)
    first = inner[0:0]  # first inner payload type given separately
    sk_len = 4 + ivlen + len(plain) + icv
    total = 28 + sk_len
    hdr = struct.pack(">QQBBBBII", 0x1122334455667788, 0x99aabbccddeeff00, 46, 0x20, 37, 0x08,
                      2, total)
    skh = struct.pack(">BBH", 41, 0, sk_len)  # first inner payload: Notify
    auth = hdr + skh
    if encr == 12:
        c = Cipher(algorithms.AES(ekey), modes.CBC(iv)).encryptor()
        ct = c.update(plain) + c.finalize()
        mac = hmac.new(ikey, auth + iv + ct, INTEG[integ][0]).digest()[:icv]
        body = iv + ct + mac
    else:
        key, salt = ekey[:-4], ekey[-4:]
        if encr == 28:
            sealed = ChaCha20Poly1305(key).encrypt(salt + iv, plain, auth)
        else:
            sealed = AESGCM(key).encrypt(salt + iv, plain, auth)
            # cryptography emits a 16-byte tag; GCM with shorter ICV truncates it.
            sealed = sealed[:len(plain)] + sealed[len(plain):len(plain) + icv]
        body = iv + sealed
    del first
    emit("sk", encr=encr, encr_bits=bits, integ=integ, encr_key=ekey, integ_key=ikey,
         message=auth + body, inner=inner)


def main():
    print("# Generated by gen_vectors.py (independent Python reference). Do not edit.\n")
    for pid, key, seed, n in ((2, det("k1", 20), det("s1", 40), 100),
                              (5, det("k2", 32), det("s2", 64), 200),
                              (6, det("k3", 48), det("s3", 16), 333),
                              (7, det("k4", 64), det("s4", 80), 64)):
        emit("prf_plus", prf=pid, key=key, seed=seed, length=n, out=prf_plus(pid, key, seed, n))
    a = ike_keys(12, 128, 2, 2, 32, 128, 0x0102030405060708, 0x1112131415161718)
    ike_keys(12, 256, 5, 12, 32, 256, 0xa1a2a3a4a5a6a7a8, 0xb1b2b3b4b5b6b7b8)
    b = ike_keys(20, 256, 6, 0, 48, 96, 0xdeadbeef00000001, 0xfeedface00000002)
    ike_keys(28, 0 or 256, 7, 0, 64, 32, 0x1, 0x2)
    ike_keys(19, 128, 5, 0, 16, 256, 0xffffffffffffffff, 0x8000000000000000)
    child_keys(2, a["sk_d"], 12, 128, 2, False)
    child_keys(6, b["sk_d"], 20, 256, 0, False)
    child_keys(6, b["sk_d"], 20, 128, 0, True)
    child_keys(5, det("skd5", 32), 12, 256, 14, True)
    child_keys(5, det("skd5", 32), 28, 256, 0, False)
    psk_auth(2, b"secret", 1, bytes([192, 0, 2, 1]))
    psk_auth(5, b"a much longer pre-shared key than the block of the hash function " * 2, 2,
             b"vpn.example.org")
    psk_auth(6, b"x", 5, bytes(range(16)))
    psk_auth(7, b"pass phrase", 11, b"\x01\x02keyid")
    natd(0x0102030405060708, 0, "192.0.2.1", 500)
    natd(0x0102030405060708, 0x1112131415161718, "2001:db8::1", 4500)
    # Inner: N(INITIAL_CONTACT) + N(type 16386 with data).
    inner = (struct.pack(">BBHBBH", 41, 0, 8, 0, 0, 16384) +
             struct.pack(">BBHBBH", 0, 0, 13, 0, 0, 16386) + b"hello")
    sk(12, 128, 2, inner)
    sk(12, 256, 12, inner)
    sk(12, 192, 13, inner)
    sk(12, 256, 14, inner)
    sk(18, 128, 0, inner)
    sk(19, 256, 0, inner)
    sk(20, 256, 0, inner)
    sk(20, 128, 0, inner)
    sk(28, 0, 0, inner)


if __name__ == "__main__":
    main()
