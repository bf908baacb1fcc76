/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Per-SA AEAD transform setup (kernel crypto API) and the ESP layout each
 * algorithm implies.
 */
#ifndef IPSEC_TUN_CRYPTO_H
#define IPSEC_TUN_CRYPTO_H

#include <crypto/aead.h>
#include <linux/netlink.h>

struct ipsec_tun_crypto {
	struct crypto_aead *aead;
	u8 ivlen;		/* explicit IV carried in each packet */
	u8 icvlen;		/* integrity check value length */
	u8 align;		/* payload + trailer padded to a multiple of this */
	bool iv_from_seq;	/* counter-mode ciphers: IV = 64-bit sequence number */
};

struct ipsec_tun_crypto_params {
	u16 encr_id;
	u16 encr_keylen;	/* bits, from userspace (0 = derive) */
	u16 integ_id;
	const u8 *enc_key;
	unsigned int enc_key_len;
	const u8 *auth_key;
	unsigned int auth_key_len;
	bool esn;
};

int ipsec_tun_crypto_init(struct ipsec_tun_crypto *c, const struct ipsec_tun_crypto_params *p,
			  struct netlink_ext_ack *extack);
void ipsec_tun_crypto_free(struct ipsec_tun_crypto *c);
void *ipsec_tun_crypto_req_alloc(struct crypto_aead *aead, size_t ctx_size, unsigned int nsg,
				 struct aead_request **req, struct scatterlist **sg);
int ipsec_tun_crypto_selftest(void);

#endif /* IPSEC_TUN_CRYPTO_H */
