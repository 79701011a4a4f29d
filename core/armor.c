// SPDX-License-Identifier: MPL-2.0
// Arming and disarming packets (vl1.md §4.2, §4.3): Salsa20/12 + Poly1305 for suites 0 and 1,
// AES-GMAC-SIV for suite 3. Works in place; allocates nothing.
#include <sodium.h>

#include "packet.h"
#include "salsa2012.h"

// Per-packet Salsa20/12 key: the first 32 key bytes mixed with the packet ID, addresses,
// flags without hops, and the packet length (little-endian), vl1.md §4.2 step 2.
static void mangle_key(const uint8_t key[32], const uint8_t *pkt, size_t len, uint8_t k[32])
{
	uint64_t a, b;
	memcpy(k, key, 32);
	for (size_t i = 0; i < 16; i += 8) { // bytes 0..15 a word at a time
		memcpy(&a, k + i, 8);
		memcpy(&b, pkt + i, 8);
		a ^= b;
		memcpy(k + i, &a, 8);
	}
	k[16] ^= pkt[16];
	k[17] ^= pkt[17];
	k[18] ^= (uint8_t)(pkt[WEFT_WIRE_IDX_FLAGS] & 0xf8);
	k[19] ^= (uint8_t)(len & 0xff);
	k[20] ^= (uint8_t)((len >> 8) & 0xff);
}

// Constant-time comparison of the 8-byte MAC field: one compare, no early exit.
static bool mac_equal(const uint8_t *a, const uint8_t *b)
{
	uint64_t x, y;
	memcpy(&x, a, 8);
	memcpy(&y, b, 8);
	return (x ^ y) == 0;
}

static void set_suite(uint8_t *pkt, enum weft_cipher suite)
{
	uint8_t f = pkt[WEFT_WIRE_IDX_FLAGS];
	f = (uint8_t)((f & 0x47) | ((unsigned)suite << WEFT_WIRE_FLAG_CIPHER_SHIFT));
	if (suite == WEFT_CIPHER_POLY1305_SALSA2012)
		f |= WEFT_WIRE_FLAG_ENCRYPTED;
	pkt[WEFT_WIRE_IDX_FLAGS] = f;
}

// Suites 0 and 1. `poly_key` receives keystream block 0's first half.
static void salsa_setup(const struct weft_cipher_key *key, const uint8_t *pkt, size_t len,
                        uint8_t k[32], uint8_t poly_key[64])
{
	mangle_key(key->key, pkt, len, k);
	weft_salsa2012_block(poly_key, pkt, 0, k);
}

static enum weft_result arm_salsa(uint8_t *pkt, size_t len, const struct weft_cipher_key *key,
                                  bool encrypt)
{
	uint8_t k[32], block0[64], tag[16];
	salsa_setup(key, pkt, len, k, block0);
	if (encrypt)
		weft_salsa2012_xor(pkt + WEFT_WIRE_IDX_VERB, len - WEFT_WIRE_IDX_VERB, pkt, 1, k);
	crypto_onetimeauth_poly1305(tag, pkt + WEFT_WIRE_IDX_VERB, len - WEFT_WIRE_IDX_VERB,
	                            block0);
	memcpy(pkt + WEFT_WIRE_IDX_MAC, tag, 8);
	sodium_memzero(k, sizeof k);
	sodium_memzero(block0, sizeof block0);
	return WEFT_OK;
}

static enum weft_result disarm_salsa(uint8_t *pkt, size_t len, const struct weft_cipher_key *key,
                                     bool decrypt)
{
	uint8_t k[32], block0[64], tag[16];
	enum weft_result r = WEFT_ERR_AUTH;
	salsa_setup(key, pkt, len, k, block0);
	crypto_onetimeauth_poly1305(tag, pkt + WEFT_WIRE_IDX_VERB, len - WEFT_WIRE_IDX_VERB,
	                            block0);
	if (mac_equal(tag, pkt + WEFT_WIRE_IDX_MAC)) {
		if (decrypt)
			weft_salsa2012_xor(pkt + WEFT_WIRE_IDX_VERB, len - WEFT_WIRE_IDX_VERB, pkt,
			                   1, k);
		r = WEFT_OK;
	}
	sodium_memzero(k, sizeof k);
	sodium_memzero(block0, sizeof block0);
	return r;
}

enum weft_result weft_packet_arm(uint8_t *pkt, size_t len, struct weft_cipher_key *key,
                                 enum weft_cipher suite)
{
	enum weft_result r;
	if (len < WEFT_PACKET_MIN_LEN || len > WEFT_PACKET_MAX_LEN)
		return WEFT_ERR_INVALID;
	switch (suite) {
	case WEFT_CIPHER_POLY1305_NONE:
	case WEFT_CIPHER_POLY1305_SALSA2012:
		set_suite(pkt, suite);
		return arm_salsa(pkt, len, key, suite == WEFT_CIPHER_POLY1305_SALSA2012);
	case WEFT_CIPHER_AES_GMAC_SIV:
		r = weft_cipher_key_prepare_siv(key);
		if (r != WEFT_OK)
			return r;
		set_suite(pkt, suite);
		return weft_aes_siv_encrypt(key->siv, pkt, len);
	case WEFT_CIPHER_NONE: break;
	}
	return WEFT_ERR_UNSUPPORTED;
}

enum weft_result weft_packet_disarm(uint8_t *pkt, size_t len, struct weft_cipher_key *key)
{
	enum weft_result r;
	if (len < WEFT_PACKET_MIN_LEN || len > WEFT_PACKET_MAX_LEN)
		return WEFT_ERR_INVALID;
	switch (weft_packet_cipher(pkt)) {
	case WEFT_CIPHER_POLY1305_NONE: return disarm_salsa(pkt, len, key, false);
	case WEFT_CIPHER_POLY1305_SALSA2012: return disarm_salsa(pkt, len, key, true);
	case WEFT_CIPHER_AES_GMAC_SIV:
		r = weft_cipher_key_prepare_siv(key);
		if (r != WEFT_OK)
			return r;
		return weft_aes_siv_decrypt(key->siv, pkt, len);
	default: return WEFT_ERR_UNSUPPORTED;
	}
}
