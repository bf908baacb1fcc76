// SPDX-License-Identifier: GPL-2.0
/*
 * AEAD transforms for ESP, one per SA, from the IKEv2 transform IDs.
 *
 * Every algorithm is driven the same way by esp_output.c / esp_input.c:
 * associated data = ESP header (SPI, [seq hi,] seq lo) followed by the
 * explicit IV, cryptlen = payload (+ ICV on decrypt), req->iv = the IV.
 *  - rfc4106(gcm(aes)), rfc7539esp(chacha20,poly1305): the templates drop the
 *    IV from the AAD themselves; the IV is the 64-bit sequence number, unique
 *    per SA because the sequence never wraps (RFC 4106 3.1, RFC 7634 2).
 *  - rfc4543(gcm(aes)) (GMAC): authenticates all of it, as RFC 4543 wants.
 *  - authenc(hmac(X),cbc(aes)): HMAC over ESP header, IV and ciphertext; the
 *    IV is random (RFC 3602 3). With ESN, authencesn moves seq hi behind the
 *    ciphertext for the ICV (RFC 4303 2.2.1).
 */
#include <linux/slab.h>
#include <linux/rtnetlink.h>
#include <crypto/authenc.h>
#include "compat.h"
#include "crypto.h"
#include "crypto_algs.h"
#include <linux/ipsec_tun.h>

static const struct ipsec_tun_encr_alg *find_encr(u16 id)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(ipsec_tun_encr_algs); i++)
		if (ipsec_tun_encr_algs[i].id == id)
			return &ipsec_tun_encr_algs[i];
	return NULL;
}

static const struct ipsec_tun_integ_alg *find_integ(u16 id)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(ipsec_tun_integ_algs); i++)
		if (ipsec_tun_integ_algs[i].id == id)
			return &ipsec_tun_integ_algs[i];
	return NULL;
}

static bool keylen_ok(const struct ipsec_tun_encr_alg *ea, unsigned int bytes)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(ea->keylens); i++)
		if (ea->keylens[i] && ea->keylens[i] == bytes)
			return true;
	return false;
}

/* AEAD key = cipher key || salt; check it against ENCR_KEYLEN. */
static int check_aead_key(const struct ipsec_tun_encr_alg *ea,
			  const struct ipsec_tun_crypto_params *p, struct netlink_ext_ack *extack)
{
	unsigned int klen;

	if (p->integ_id != IPSEC_TUN_AUTH_NONE || p->auth_key_len) {
		NL_SET_ERR_MSG(extack, "AEAD/GMAC ciphers take no integrity algorithm or AUTH_KEY");
		return -EINVAL;
	}
	if (p->enc_key_len < ea->saltlen) {
		NL_SET_ERR_MSG(extack, "ENC_KEY too short: key || 4-byte salt expected");
		return -EINVAL;
	}
	klen = p->enc_key_len - ea->saltlen;
	if (!keylen_ok(ea, klen)) {
		if (ea->id == IPSEC_TUN_ENCR_CHACHA20_POLY1305)
			NL_SET_ERR_MSG(extack, "ENC_KEY must be 36 bytes (32 key + 4 salt)");
		else
			NL_SET_ERR_MSG(extack, "ENC_KEY must be 20, 28 or 36 bytes (AES key + 4 salt)");
		return -EINVAL;
	}
	if (p->encr_keylen && p->encr_keylen != klen * 8) {
		NL_SET_ERR_MSG(extack, "ENCR_KEYLEN does not match the ENC_KEY length");
		return -EINVAL;
	}
	return 0;
}

static struct crypto_aead *alloc_aead(const char *name, struct netlink_ext_ack *extack)
{
	struct crypto_aead *aead = crypto_alloc_aead(name, 0, 0);

	if (IS_ERR(aead))
		NL_SET_ERR_MSG(extack, "kernel crypto algorithm not available");
	return aead;
}

static void set_layout(struct ipsec_tun_crypto *c, const struct ipsec_tun_encr_alg *ea)
{
	c->ivlen = ea->ivlen;
	c->align = ea->align;
	c->icvlen = ea->icvlen;
	c->iv_from_seq = ea->iv_from_seq;
}

static int init_aead(struct ipsec_tun_crypto *c, const struct ipsec_tun_encr_alg *ea,
		     const struct ipsec_tun_crypto_params *p, struct netlink_ext_ack *extack)
{
	int ret;

	ret = check_aead_key(ea, p, extack);
	if (ret)
		return ret;
	c->aead = alloc_aead(ea->name, extack);
	if (IS_ERR(c->aead))
		return PTR_ERR(c->aead);
	set_layout(c, ea);
	ret = crypto_aead_setkey(c->aead, p->enc_key, p->enc_key_len);
	if (!ret)
		ret = crypto_aead_setauthsize(c->aead, c->icvlen);
	if (ret)
		NL_SET_ERR_MSG(extack, "kernel crypto refused the key or ICV length");
	return ret;
}

static int init_cbc(struct ipsec_tun_crypto *c, const struct ipsec_tun_encr_alg *ea,
		    const struct ipsec_tun_crypto_params *p, struct netlink_ext_ack *extack)
{
	const struct ipsec_tun_integ_alg *ia = find_integ(p->integ_id);
	char name[CRYPTO_MAX_ALG_NAME];
	struct crypto_authenc_key_param *param;
	struct rtattr *rta;
	unsigned int blob_len;
	u8 *blob;
	int ret;

	if (!ia) {
		NL_SET_ERR_MSG(extack, "AES-CBC needs INTEG_ID HMAC-SHA1-96 or HMAC-SHA2-256/384/512");
		return -EOPNOTSUPP;
	}
	if (!keylen_ok(ea, p->enc_key_len)) {
		NL_SET_ERR_MSG(extack, "AES-CBC ENC_KEY must be 16, 24 or 32 bytes");
		return -EINVAL;
	}
	if (p->encr_keylen && p->encr_keylen != p->enc_key_len * 8) {
		NL_SET_ERR_MSG(extack, "ENCR_KEYLEN does not match the ENC_KEY length");
		return -EINVAL;
	}
	if (p->auth_key_len != ia->keylen) {
		NL_SET_ERR_MSG(extack, "AUTH_KEY length does not match the integrity algorithm");
		return -EINVAL;
	}
	snprintf(name, sizeof(name), "%s(%s,%s)", p->esn ? "authencesn" : "authenc", ia->hash,
		 ea->name);
	c->aead = alloc_aead(name, extack);
	if (IS_ERR(c->aead))
		return PTR_ERR(c->aead);
	set_layout(c, ea);
	c->icvlen = ia->icvlen;

	/* authenc key blob: rtattr(param: enc key length) || auth key || enc key */
	blob_len = RTA_SPACE(sizeof(*param)) + p->auth_key_len + p->enc_key_len;
	blob = kmalloc(blob_len, GFP_KERNEL_ACCOUNT);
	if (!blob)
		return -ENOMEM;
	rta = (struct rtattr *)blob;
	rta->rta_type = CRYPTO_AUTHENC_KEYA_PARAM;
	rta->rta_len = RTA_LENGTH(sizeof(*param));
	param = RTA_DATA(rta);
	param->enckeylen = cpu_to_be32(p->enc_key_len);
	memcpy(blob + RTA_SPACE(sizeof(*param)), p->auth_key, p->auth_key_len);
	memcpy(blob + RTA_SPACE(sizeof(*param)) + p->auth_key_len, p->enc_key, p->enc_key_len);
	ret = crypto_aead_setkey(c->aead, blob, blob_len);
	kfree_sensitive(blob);
	if (!ret)
		ret = crypto_aead_setauthsize(c->aead, c->icvlen);
	if (ret)
		NL_SET_ERR_MSG(extack, "kernel crypto refused the keys");
	return ret;
}

int ipsec_tun_crypto_init(struct ipsec_tun_crypto *c, const struct ipsec_tun_crypto_params *p,
			  struct netlink_ext_ack *extack)
{
	const struct ipsec_tun_encr_alg *ea = find_encr(p->encr_id);
	int ret;

	c->aead = NULL;
	if (!ea)
		ret = -EOPNOTSUPP;
	else if (!ea->icvlen)
		ret = init_cbc(c, ea, p, extack);
	else
		ret = init_aead(c, ea, p, extack);
	if (ret == -EOPNOTSUPP && extack && !extack->_msg)
		NL_SET_ERR_MSG(extack, "unsupported ENCR_ID");
	if (ret) {
		ipsec_tun_crypto_free(c);
		return ret;
	}
	return 0;
}

void ipsec_tun_crypto_free(struct ipsec_tun_crypto *c)
{
	if (!IS_ERR_OR_NULL(c->aead))
		crypto_free_aead(c->aead);
	c->aead = NULL;
}

/*
 * One packet's crypto in one allocation (data path, GFP_ATOMIC): the
 * caller's context of ctx_size bytes first (what kfree() takes), then the
 * AEAD request with the transform's private part, then nsg scatterlist
 * entries. Not zeroed.
 */
void *ipsec_tun_crypto_req_alloc(struct crypto_aead *aead, size_t ctx_size, unsigned int nsg,
				 struct aead_request **req, struct scatterlist **sg)
{
	size_t len, req_off, sg_off;
	u8 *tmp;

	req_off = ALIGN(ctx_size, crypto_tfm_ctx_alignment());
	len = req_off + sizeof(struct aead_request) + crypto_aead_reqsize(aead);
	sg_off = ALIGN(len, __alignof__(struct scatterlist));
	len = sg_off + nsg * sizeof(struct scatterlist);
	tmp = kmalloc(len, GFP_ATOMIC);
	if (!tmp)
		return NULL;
	*req = (struct aead_request *)(tmp + req_off);
	*sg = (struct scatterlist *)(tmp + sg_off);
	return tmp;
}

#ifdef IPSEC_TUN_SELFTEST
#include "selftest/crypto.c"
#endif

