#!/usr/bin/env python3
"""Independent reference for the IKEv1 pre-shared-key key schedule, written
from RFC 2409 (5, 5.5, 5.7, Appendix B) with Python's hmac/hashlib and pow()
for MODP Diffie-Hellman (RFC 2409 6.2, RFC 3526 3). Every HMAC and digest it
prints is computed a second time by the openssl command-line tool (`openssl
mac ... HMAC`, `openssl dgst`) and the script stops if the two disagree, so
each value has two implementations behind it, neither of them ours. Its
output, v1_generated_vectors.txt, is read by v1_keymat_test.cc. Inputs are
fixed so the file is reproducible. [v1_cbc]: zero-padded
CBC of message bodies by `openssl enc` (AES also by `cryptography`):

    python3 gen_v1_vectors.py > v1_generated_vectors.txt
"""
import hashlib
import hmac
import struct
import subprocess

HASH = {2: ("sha1", hashlib.sha1), 4: ("sha256", hashlib.sha256),
        5: ("sha384", hashlib.sha384), 6: ("sha512", hashlib.sha512)}

MODP = {
    2: int("FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74"
           "020BBEA63B139B22514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F1437"
           "4FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
           "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE65381FFFFFFFFFFFFFFFF", 16),
    14: int("FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74"
            "020BBEA63B139B22514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F1437"
            "4FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
            "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF05"
            "98DA48361C55D39A69163FA8FD24CF5F83655D23DCA3AD961C62F356208552BB"
            "9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B"
            "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF695581718"
            "3995497CEA956AE515D2261898FA051015728E5A8AACAA68FFFFFFFFFFFFFFFF", 16),
}


def cli(args, data):
    out = subprocess.run(["openssl"] + args, input=data, capture_output=True, check=True)
    return bytes.fromhex(out.stdout.decode().split()[0].split("=")[-1].strip())


def prf(h, key, data):
    ours = hmac.new(key, data, HASH[h][1]).digest()
    other = cli(["mac", "-digest", HASH[h][0].upper(), "-macopt", "hexkey:" + key.hex(),
                 "HMAC"], data)
    assert ours == other, "HMAC disagrees with openssl"
    return ours


def digest(h, data):
    ours = HASH[h][1](data).digest()
    assert ours == cli(["dgst", "-" + HASH[h][0], "-r"], data), "digest disagrees with openssl"
    return ours


def dh(group, priv_i, priv_r):
    p = MODP[group]
    size = (p.bit_length() + 7) // 8
    pub_i, pub_r = pow(2, priv_i, p), pow(2, priv_r, p)
    shared = pow(pub_r, priv_i, p)
    assert shared == pow(pub_i, priv_r, p)
    enc = lambda v: v.to_bytes(size, "big")
    return enc(pub_i), enc(pub_r), enc(shared)


def pattern(n, seed):
    return bytes((seed + 7 * i) & 0xff for i in range(n))


def show(kind, fields):
    print("[%s]" % kind)
    for k, v in fields:
        print("%s = %s" % (k, v.hex() if isinstance(v, bytes) else v))
    print()


def cbc(encr, key, iv, plain):
    """Zero-padded CBC of a payload chain, by openssl enc and by the
    cryptography package (AES; 3DES where it still has it)."""
    block = 8 if encr == 5 else 16
    padded = plain + bytes(-len(plain) % block)
    name = "des-ede3-cbc" if encr == 5 else "aes-%d-cbc" % (len(key) * 8)
    out = subprocess.run(["openssl", "enc", "-" + name, "-K", key.hex(), "-iv", iv.hex(),
                          "-nopad"], input=padded, capture_output=True, check=True).stdout
    if encr == 7:
        from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
        e = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
        assert e.update(padded) + e.finalize() == out, "AES-CBC disagrees with openssl"
    show("v1_cbc", [("encr", encr), ("key_bits", len(key) * 8 if encr == 7 else 0),
                    ("key", key), ("iv", iv), ("plain", plain), ("cipher", out)])


def natd(h, cky_i, cky_r, ip, port):
    """RFC 3947 3.2: HASH(CKY-I | CKY-R | IP | Port)."""
    out = digest(h, cky_i + cky_r + ip + struct.pack(">H", port))
    show("v1_natd", [("hash", h), ("cky_i", cky_i), ("cky_r", cky_r), ("ip", ip),
                     ("port", port), ("natd", out)])


def phase1(h, encr_key_len, block, group, psk, nlen):
    priv_i = int.from_bytes(pattern(32, 0x11), "big")
    priv_r = int.from_bytes(pattern(32, 0x22), "big")
    g_xi, g_xr, g_xy = dh(group, priv_i, priv_r)
    ni, nr = pattern(nlen, 0x31), pattern(nlen, 0x42)
    cky_i, cky_r = pattern(8, 0x53), pattern(8, 0x64)
    # SAi_b: DOI, situation, one proposal with one KEY_IKE transform.
    sai_b = bytes.fromhex("0000000100000001" "00000030 01010001 00000028 01010000"
                          "800b0001 000c0004 00007080 80010007 800e0080 80020002"
                          "80030001 80040002".replace(" ", ""))
    idii_b = bytes.fromhex("01 11 01f4 c0000201".replace(" ", ""))
    idir_b = bytes.fromhex("01 11 01f4 c0000202".replace(" ", ""))
    skeyid = prf(h, psk, ni + nr)
    d = prf(h, skeyid, g_xy + cky_i + cky_r + b"\0")
    a = prf(h, skeyid, d + g_xy + cky_i + cky_r + b"\1")
    e = prf(h, skeyid, a + g_xy + cky_i + cky_r + b"\2")
    if len(e) >= encr_key_len:
        key = e[:encr_key_len]
    else:  # Appendix B
        key, k = b"", b"\0"
        while len(key) < encr_key_len:
            k = prf(h, e, k)
            key += k
        key = key[:encr_key_len]
    hash_i = prf(h, skeyid, g_xi + g_xr + cky_i + cky_r + sai_b + idii_b)
    hash_r = prf(h, skeyid, g_xr + g_xi + cky_r + cky_i + sai_b + idir_b)
    iv = digest(h, g_xi + g_xr)[:block]
    show("v1_phase1", [("hash", h), ("group", group), ("encr_key_len", encr_key_len),
                       ("block", block), ("psk", psk),
                       ("priv_i", pattern(32, 0x11)), ("priv_r", pattern(32, 0x22)),
                       ("g_xi", g_xi), ("g_xr", g_xr), ("g_xy", g_xy), ("ni", ni), ("nr", nr),
                       ("cky_i", cky_i), ("cky_r", cky_r), ("sai_b", sai_b),
                       ("idii_b", idii_b), ("idir_b", idir_b), ("skeyid", skeyid),
                       ("skeyid_d", d), ("skeyid_a", a), ("skeyid_e", e), ("encr_key", key),
                       ("hash_i", hash_i), ("hash_r", hash_r), ("iv", iv)])


def quick(h, block, pfs_group, keymat_len):
    skeyid_a, skeyid_d = pattern(HASH[h][1]().digest_size, 0x71), pattern(HASH[h][1]().digest_size, 0x82)
    mid = 0x9a3b1c2d
    ni, nr = pattern(16, 0x13), pattern(24, 0x24)
    after1 = pattern(60, 0x35)  # payloads after HASH(1): SA | Ni | [KE] | IDci | IDcr
    after2 = pattern(52, 0x46)
    midb = struct.pack(">I", mid)
    hash1 = prf(h, skeyid_a, midb + after1)
    hash2 = prf(h, skeyid_a, midb + ni + after2)
    hash3 = prf(h, skeyid_a, b"\0" + midb + ni + nr)
    g_qm = dh(pfs_group, 0x1234567, 0x7654321)[2] if pfs_group else b""
    proto, spi = 3, 0xc0ffee42
    seed = g_qm + bytes([proto]) + struct.pack(">I", spi) + ni + nr
    keymat, k = b"", b""
    while len(keymat) < keymat_len:
        k = prf(h, skeyid_d, k + seed)
        keymat += k
    keymat = keymat[:keymat_len]
    last_p1 = pattern(block, 0x57)
    iv2 = digest(h, last_p1 + midb)[:block]
    show("v1_quick", [("hash", h), ("block", block), ("skeyid_a", skeyid_a),
                      ("skeyid_d", skeyid_d), ("mid", "0x%08x" % mid), ("ni", ni), ("nr", nr),
                      ("after1", after1), ("after2", after2), ("hash1", hash1),
                      ("hash2", hash2), ("hash3", hash3), ("protocol", proto),
                      ("spi", "0x%08x" % spi), ("g_qm", g_qm or b"\0"[:0]),
                      ("pfs", 1 if pfs_group else 0), ("keymat_len", keymat_len),
                      ("keymat", keymat), ("last_p1_block", last_p1), ("iv2", iv2)])


print(__doc__.replace("\n", "\n# ").join(["# ", ""]).rstrip("# \n"))
print()
# AES-256 with SHA-1 needs the Appendix B extension (32 > 20 bytes).
phase1(2, 32, 16, 2, b"secret-aws-psk", 16)
# AES-128 with SHA2-256 and MODP2048 (libreswan's default without MODP1024).
phase1(4, 16, 16, 14, b"another psk, longer than the hash block?" * 2, 32)
# 3DES with SHA-1: 24 > 20 bytes, extension again; 8-byte IV.
phase1(2, 24, 8, 2, b"3des", 20)
# Message bodies: AES-128/256 and 3DES, a chain that needs padding and one
# that is already whole blocks.
cbc(7, pattern(16, 0x91), pattern(16, 0xa2), pattern(45, 0xb3))
cbc(7, pattern(32, 0x92), pattern(16, 0xa3), pattern(32, 0xb4))
cbc(5, pattern(24, 0x93), pattern(8, 0xa4), pattern(29, 0xb5))
# NAT-D with SHA-1 (IPv4) and SHA2-256 (IPv6, port 4500).
natd(2, pattern(8, 0x01), pattern(8, 0x09), bytes([192, 0, 2, 1]), 500)
natd(4, pattern(8, 0x02), bytes(8), bytes.fromhex("20010db8000000000000000000000001"), 4500)
# Quick mode without PFS (AES-128 + HMAC-SHA1 = 16 + 20 bytes per direction).
quick(2, 16, 0, 36)
# With PFS over MODP2048, SHA2-256, AES-256 + HMAC-SHA2-256 (32 + 32).
quick(4, 16, 14, 64)
