// SPDX-License-Identifier: MPL-2.0
// Cipher suite 3, AES-GMAC-SIV (vl1.md §2.3, §4.3), over OpenSSL's libcrypto: libsodium has no
// raw AES block cipher, CTR mode or HMAC-SHA-384. GMAC is the GCM tag of an empty plaintext.
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sodium.h>
#include <stdlib.h>

#include "buf.h"
#include "cipher.h"
#include "wire.h"

struct weft_aes_siv {
	EVP_CIPHER_CTX *gmac;    // AES-256-GCM keyed with K0
	EVP_CIPHER_CTX *ecb_enc; // AES-256 block encrypt, K1
	EVP_CIPHER_CTX *ecb_dec; // AES-256 block decrypt, K1
	EVP_CIPHER_CTX *ctr;     // AES-256-CTR, K1
};

void weft_cipher_key_init(struct weft_cipher_key *k, const uint8_t key[WEFT_CIPHER_KEY_LEN])
{
	memcpy(k->key, key, WEFT_CIPHER_KEY_LEN);
	k->siv = NULL;
}

static void siv_free(struct weft_aes_siv *s)
{
	if (!s)
		return;
	EVP_CIPHER_CTX_free(s->gmac);
	EVP_CIPHER_CTX_free(s->ecb_enc);
	EVP_CIPHER_CTX_free(s->ecb_dec);
	EVP_CIPHER_CTX_free(s->ctr);
	free(s);
}

void weft_cipher_key_clear(struct weft_cipher_key *k)
{
	siv_free(k->siv);
	sodium_memzero(k, sizeof *k);
}

enum weft_result weft_cipher_kbkdf(const uint8_t key[WEFT_CIPHER_KEY_LEN], char label,
				   uint8_t out[48])
{
	// iteration counter 0, "ZT", label, separator, context 0, 384 bits
	const uint8_t msg[13] = {0, 0, 0, 0, 'Z', 'T', (uint8_t)label, 0, 0, 0, 0, 1, 0x80};
	unsigned int outlen = 0;
	if (!HMAC(EVP_sha384(), key, WEFT_CIPHER_KEY_LEN, msg, sizeof msg, out, &outlen) ||
	    outlen != 48)
		return WEFT_FATAL_CRYPTO;
	return WEFT_OK;
}

static EVP_CIPHER_CTX *keyed(const EVP_CIPHER *c, const uint8_t key[32], bool enc)
{
	EVP_CIPHER_CTX *x = EVP_CIPHER_CTX_new();
	if (!x)
		return NULL;
	if (EVP_CipherInit_ex(x, c, NULL, key, NULL, enc ? 1 : 0) != 1) {
		EVP_CIPHER_CTX_free(x);
		return NULL;
	}
	EVP_CIPHER_CTX_set_padding(x, 0);
	return x;
}

enum weft_result weft_cipher_key_prepare_siv(struct weft_cipher_key *k)
{
	uint8_t k0[48], k1[48];
	enum weft_result r = WEFT_FATAL_CRYPTO;
	struct weft_aes_siv *s;
	if (k->siv)
		return WEFT_OK;
	s = calloc(1, sizeof *s);
	if (!s)
		return WEFT_FATAL_OUT_OF_MEMORY;
	if (weft_cipher_kbkdf(k->key, '0', k0) != WEFT_OK ||
	    weft_cipher_kbkdf(k->key, '1', k1) != WEFT_OK)
		goto fail_kdf;
	s->gmac = keyed(EVP_aes_256_gcm(), k0, true);
	s->ecb_enc = keyed(EVP_aes_256_ecb(), k1, true);
	s->ecb_dec = keyed(EVP_aes_256_ecb(), k1, false);
	s->ctr = keyed(EVP_aes_256_ctr(), k1, true);
	if (!s->gmac || !s->ecb_enc || !s->ecb_dec || !s->ctr)
		goto fail_ctx;
	if (EVP_CIPHER_CTX_ctrl(s->gmac, EVP_CTRL_GCM_SET_IVLEN, 12, NULL) != 1)
		goto fail_ctx;
	k->siv = s;
	r = WEFT_OK;
	goto done;
fail_ctx:
	siv_free(s);
	goto done;
fail_kdf:
	free(s);
done:
	sodium_memzero(k0, sizeof k0);
	sodium_memzero(k1, sizeof k1);
	return r;
}

// Folded GMAC tag over A ‖ 00×5 ‖ T with nonce N ‖ 00000000 (vl1.md §4.3).
static bool gmac_folded(EVP_CIPHER_CTX *g, const uint8_t nonce8[8], const uint8_t aad11[11],
			const uint8_t *t, size_t tlen, uint8_t folded[8])
{
	uint8_t iv[12] = {0}, head[16] = {0}, tag[16];
	int outl = 0;
	memcpy(iv, nonce8, 8);
	memcpy(head, aad11, 11);
	if (EVP_EncryptInit_ex(g, NULL, NULL, NULL, iv) != 1 ||
	    EVP_EncryptUpdate(g, NULL, &outl, head, 16) != 1 ||
	    (tlen && EVP_EncryptUpdate(g, NULL, &outl, t, (int)tlen) != 1) ||
	    EVP_EncryptFinal_ex(g, tag, &outl) != 1 ||
	    EVP_CIPHER_CTX_ctrl(g, EVP_CTRL_GCM_GET_TAG, 16, tag) != 1)
		return false;
	for (int i = 0; i < 8; i++)
		folded[i] = (uint8_t)(tag[i] ^ tag[i + 8]);
	return true;
}

static bool block(EVP_CIPHER_CTX *c, const uint8_t in[16], uint8_t out[16])
{
	int outl = 0;
	return EVP_CipherUpdate(c, out, &outl, in, 16) == 1 && outl == 16;
}

static bool ctr_xor(EVP_CIPHER_CTX *c, const uint8_t siv[16], uint8_t *p, size_t n)
{
	uint8_t iv[16];
	int outl = 0;
	memcpy(iv, siv, 16);
	iv[12] &= 0x7f;
	if (EVP_EncryptInit_ex(c, NULL, NULL, NULL, iv) != 1)
		return false;
	return n == 0 || (EVP_EncryptUpdate(c, p, &outl, p, (int)n) == 1 && (size_t)outl == n);
}

enum weft_result weft_aes_siv_encrypt(struct weft_aes_siv *s, uint8_t *pkt, size_t len)
{
	uint8_t aad[11], in[16], siv[16];
	uint8_t *t = pkt + WEFT_WIRE_IDX_VERB;
	size_t tlen = len - WEFT_WIRE_IDX_VERB;
	memcpy(aad, pkt + WEFT_WIRE_IDX_DEST, 11);
	aad[10] &= (uint8_t)~WEFT_WIRE_FLAG_HOPS_MASK;
	memcpy(in, pkt, 8);
	if (!gmac_folded(s->gmac, pkt, aad, t, tlen, in + 8) || !block(s->ecb_enc, in, siv) ||
	    !ctr_xor(s->ctr, siv, t, tlen))
		return WEFT_FATAL_CRYPTO;
	memcpy(pkt, siv, 8);
	memcpy(pkt + WEFT_WIRE_IDX_MAC, siv + 8, 8);
	return WEFT_OK;
}

enum weft_result weft_aes_siv_decrypt(struct weft_aes_siv *s, uint8_t *pkt, size_t len)
{
	uint8_t aad[11], siv[16], x[16], folded[8];
	uint8_t *t = pkt + WEFT_WIRE_IDX_VERB;
	size_t tlen = len - WEFT_WIRE_IDX_VERB;
	memcpy(siv, pkt, 8);
	memcpy(siv + 8, pkt + WEFT_WIRE_IDX_MAC, 8);
	memcpy(aad, pkt + WEFT_WIRE_IDX_DEST, 11);
	aad[10] &= (uint8_t)~WEFT_WIRE_FLAG_HOPS_MASK;
	if (!ctr_xor(s->ctr, siv, t, tlen) || !block(s->ecb_dec, siv, x) ||
	    !gmac_folded(s->gmac, x, aad, t, tlen, folded))
		return WEFT_FATAL_CRYPTO;
	if (sodium_memcmp(folded, x + 8, 8) != 0) {
		// CTR is its own inverse: put the ciphertext back so a rejected packet is unchanged.
		if (!ctr_xor(s->ctr, siv, t, tlen))
			return WEFT_FATAL_CRYPTO;
		return WEFT_ERR_AUTH;
	}
	return WEFT_OK;
}
