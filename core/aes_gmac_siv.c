// SPDX-License-Identifier: MPL-2.0
// Cipher suite 3, AES-GMAC-SIV (vl1.md §2.3, §4.3), over OpenSSL's libcrypto: libsodium has no
// raw AES block cipher, CTR mode or HMAC-SHA-384. GMAC is the GCM tag of an empty plaintext.
// Everything keyed is set up once per peer key: OpenSSL 3's EVP re-initialisation per packet
// (for a new IV) cost more than the cipher itself on short packets, so GHASH runs through the
// low-level GCM128 API over pre-keyed ECB contexts, and CTR is ECB over counter blocks.
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/modes.h>
#include <sodium.h>
#include <stdlib.h>

#include "buf.h"
#include "cipher.h"
#include "wire.h"

struct weft_aes_siv {
	GCM128_CONTEXT *gmac;    // GHASH state; its block function is ecb_k0
	EVP_CIPHER_CTX *ecb_k0;  // AES-256 block encrypt, K0
	EVP_CIPHER_CTX *ecb_enc; // AES-256 block encrypt, K1 (SIV and CTR keystream)
	EVP_CIPHER_CTX *ecb_dec; // AES-256 block decrypt, K1
};

#define CTR_CHUNK_BLOCKS 64

void weft_cipher_key_init(struct weft_cipher_key *k, const uint8_t key[WEFT_CIPHER_KEY_LEN])
{
	memcpy(k->key, key, WEFT_CIPHER_KEY_LEN);
	k->siv = NULL;
}

static void siv_free(struct weft_aes_siv *s)
{
	if (!s)
		return;
	if (s->gmac)
		CRYPTO_gcm128_release(s->gmac);
	EVP_CIPHER_CTX_free(s->ecb_k0);
	EVP_CIPHER_CTX_free(s->ecb_enc);
	EVP_CIPHER_CTX_free(s->ecb_dec);
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

// block128_f over a keyed ECB context, for the GCM128 API.
static void ecb_block(const unsigned char in[16], unsigned char out[16], const void *key)
{
	int outl = 0;
	EVP_EncryptUpdate((EVP_CIPHER_CTX *)(uintptr_t)key, out, &outl, in, 16);
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
	s->ecb_k0 = keyed(EVP_aes_256_ecb(), k0, true);
	s->ecb_enc = keyed(EVP_aes_256_ecb(), k1, true);
	s->ecb_dec = keyed(EVP_aes_256_ecb(), k1, false);
	if (!s->ecb_k0 || !s->ecb_enc || !s->ecb_dec)
		goto fail_ctx;
	s->gmac = CRYPTO_gcm128_new(s->ecb_k0, ecb_block);
	if (!s->gmac)
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
static bool gmac_folded(GCM128_CONTEXT *g, const uint8_t nonce8[8], const uint8_t aad11[11],
                        const uint8_t *t, size_t tlen, uint8_t folded[8])
{
	uint8_t iv[12] = {0}, head[16] = {0}, tag[16];
	memcpy(iv, nonce8, 8);
	memcpy(head, aad11, 11);
	CRYPTO_gcm128_setiv(g, iv, sizeof iv);
	if (CRYPTO_gcm128_aad(g, head, 16) != 0 || (tlen && CRYPTO_gcm128_aad(g, t, tlen) != 0))
		return false;
	CRYPTO_gcm128_tag(g, tag, 16);
	for (int i = 0; i < 8; i++)
		folded[i] = (uint8_t)(tag[i] ^ tag[i + 8]);
	return true;
}

static bool block(EVP_CIPHER_CTX *c, const uint8_t in[16], uint8_t out[16])
{
	int outl = 0;
	return EVP_CipherUpdate(c, out, &outl, in, 16) == 1 && outl == 16;
}

// CTR with the SIV (top counter bit cleared) as first block; the 32-bit big-endian counter in
// bytes 12..15 never wraps within a packet, so this equals standard AES-CTR.
static bool ctr_xor(EVP_CIPHER_CTX *ecb, const uint8_t siv[16], uint8_t *p, size_t n)
{
	uint8_t blocks[CTR_CHUNK_BLOCKS * 16], ks[CTR_CHUNK_BLOCKS * 16];
	uint32_t c = load_be32(siv + 12) & 0x7fffffffu;
	while (n) {
		size_t nb = (n + 15) / 16 < CTR_CHUNK_BLOCKS ? (n + 15) / 16 : CTR_CHUNK_BLOCKS;
		int outl = 0;
		for (size_t i = 0; i < nb; i++) {
			memcpy(blocks + 16 * i, siv, 12);
			store_be32(blocks + 16 * i + 12, c + (uint32_t)i);
		}
		if (EVP_EncryptUpdate(ecb, ks, &outl, blocks, (int)(nb * 16)) != 1)
			return false;
		size_t m = n < nb * 16 ? n : nb * 16;
		weft_xor(p, ks, m);
		p += m;
		n -= m;
		c += (uint32_t)nb;
	}
	sodium_memzero(ks, sizeof ks);
	return true;
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
	    !ctr_xor(s->ecb_enc, siv, t, tlen))
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
	if (!ctr_xor(s->ecb_enc, siv, t, tlen) || !block(s->ecb_dec, siv, x) ||
	    !gmac_folded(s->gmac, x, aad, t, tlen, folded))
		return WEFT_FATAL_CRYPTO;
	if (sodium_memcmp(folded, x + 8, 8) != 0) {
		// CTR is its own inverse: put the ciphertext back so a rejected packet is
		// unchanged.
		if (!ctr_xor(s->ecb_enc, siv, t, tlen))
			return WEFT_FATAL_CRYPTO;
		return WEFT_ERR_AUTH;
	}
	return WEFT_OK;
}
