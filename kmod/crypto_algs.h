/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The ESP algorithms the module implements, by IANA IKEv2 transform ID (the
 * uapi's IPSEC_TUN_ENCR_* / IPSEC_TUN_AUTH_*): the kernel crypto algorithm
 * each needs and the sizes it implies. Pure data in a header of its own so
 * that the host test tests/unit/kmod/crypto_algs_test.cc compiles the very
 * table crypto.c uses and checks it against userspace's algorithm registry
 * (userspace/common/algorithms.h): the two cannot drift apart unseen.
 */
#ifndef IPSEC_TUN_CRYPTO_ALGS_H
#define IPSEC_TUN_CRYPTO_ALGS_H

#ifdef __KERNEL__
#include <linux/types.h>
#else
#include "kshim.h"
#endif
#include <linux/ipsec_tun.h>

struct ipsec_tun_encr_alg {
	u16 id;			/* IPSEC_TUN_ENCR_* */
	const char *name;	/* AEAD algorithm; with icvlen 0 the cipher inside authenc() */
	u8 keylens[3];		/* cipher key bytes accepted, salt excluded; 0 = unused */
	u8 saltlen;		/* ENC_KEY = key || salt (RFC 4106 8.1, 4543 4, 7634 2) */
	u8 ivlen;		/* explicit IV carried in each packet */
	u8 icvlen;		/* 0: needs an integrity algorithm, whose ICV it is */
	u8 align;		/* payload + trailer padded to a multiple of this */
	bool iv_from_seq;	/* counter-mode ciphers: IV = 64-bit sequence number */
};

static const struct ipsec_tun_encr_alg ipsec_tun_encr_algs[] = {
	{ IPSEC_TUN_ENCR_AES_CBC, "cbc(aes)", { 16, 24, 32 }, 0, 16, 0, 16, false },
	{ IPSEC_TUN_ENCR_AES_GCM_8, "rfc4106(gcm(aes))", { 16, 24, 32 }, 4, 8, 8, 4, true },
	{ IPSEC_TUN_ENCR_AES_GCM_12, "rfc4106(gcm(aes))", { 16, 24, 32 }, 4, 8, 12, 4, true },
	{ IPSEC_TUN_ENCR_AES_GCM_16, "rfc4106(gcm(aes))", { 16, 24, 32 }, 4, 8, 16, 4, true },
	{ IPSEC_TUN_ENCR_NULL_AUTH_AES_GMAC, "rfc4543(gcm(aes))", { 16, 24, 32 }, 4, 8, 16, 4,
	  true },
	{ IPSEC_TUN_ENCR_CHACHA20_POLY1305, "rfc7539esp(chacha20,poly1305)", { 32 }, 4, 8, 16, 4,
	  true },
};

struct ipsec_tun_integ_alg {
	u16 id;			/* IPSEC_TUN_AUTH_* */
	const char *hash;	/* inside authenc() */
	u8 keylen;
	u8 icvlen;		/* truncated (RFC 2404, RFC 4868) */
};

static const struct ipsec_tun_integ_alg ipsec_tun_integ_algs[] = {
	{ IPSEC_TUN_AUTH_HMAC_SHA1_96, "hmac(sha1)", 20, 12 },
	{ IPSEC_TUN_AUTH_HMAC_SHA2_256_128, "hmac(sha256)", 32, 16 },
	{ IPSEC_TUN_AUTH_HMAC_SHA2_384_192, "hmac(sha384)", 48, 24 },
	{ IPSEC_TUN_AUTH_HMAC_SHA2_512_256, "hmac(sha512)", 64, 32 },
};

#endif /* IPSEC_TUN_CRYPTO_ALGS_H */
