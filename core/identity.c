// SPDX-License-Identifier: MPL-2.0
// Identities over libsodium: X25519 for agreement, Ed25519 (seeded) for signatures,
// Salsa20/20 and SHA-512 for the memory-hard address derivation of vl1.md §1.2.
#include "identity.h"

#include <sodium.h>
#include <stdlib.h>

#include "hex.h"
#include "limits.h"
#include "wire.h"

#define HASH_BLOCKS (WEFT_IDENTITY_HASH_MEMORY / 64)
#define HASH_WORDS  (WEFT_IDENTITY_HASH_MEMORY / 8)
// Phase 2 keystream is produced in batches of this many 64-byte blocks.
#define HASH_BATCH 128

bool weft_address_is_reserved(uint64_t address)
{
	return address == 0 || (address >> 32) == WEFT_ADDRESS_RESERVED_PREFIX;
}

static void memory_hard(const uint8_t pub[64], uint8_t d[64], uint8_t *m)
{
	uint8_t key[32], nonce[8], ks[HASH_BATCH * 64];

	crypto_hash_sha512(d, pub, 64);
	memcpy(key, d, 32);
	memcpy(nonce, d + 32, 8);

	// Phase 1: block b = block b-1 XOR keystream block b; counters 0..32767.
	crypto_stream_salsa20(m, WEFT_IDENTITY_HASH_MEMORY, nonce, key);
	for (size_t b = 1; b < HASH_BLOCKS; b++)
		weft_xor(m + 64 * b, m + 64 * (b - 1), 64);

	// Phase 2: swap a buffer word with a digest word, then encrypt the digest with the
	// next keystream block; the stream continues from counter 32768.
	uint64_t ctr = HASH_BLOCKS;
	size_t left = 0;
	const uint8_t *k = ks;
	for (size_t w = 0; w < HASH_WORDS; w += 2) {
		size_t i1 = (size_t)(load_be64(m + 8 * w) & 7u);
		size_t i2 = (size_t)(load_be64(m + 8 * (w + 1)) % HASH_WORDS);
		uint8_t tmp[8];
		memcpy(tmp, m + 8 * i2, 8);
		memcpy(m + 8 * i2, d + 8 * i1, 8);
		memcpy(d + 8 * i1, tmp, 8);
		if (left == 0) {
			memset(ks, 0, sizeof ks);
			crypto_stream_salsa20_xor_ic(ks, ks, sizeof ks, nonce, ctr, key);
			ctr += HASH_BATCH;
			left = HASH_BATCH;
			k = ks;
		}
		weft_xor(d, k, 64);
		k += 64;
		left--;
	}
	sodium_memzero(ks, sizeof ks);
}

enum weft_result weft_identity_hash(const uint8_t pub[WEFT_IDENTITY_KEY_LEN],
                                    uint8_t digest[WEFT_IDENTITY_DIGEST_LEN], uint8_t *scratch)
{
	uint8_t *m = scratch ? scratch : malloc(WEFT_IDENTITY_HASH_MEMORY);
	if (!m)
		return WEFT_FATAL_OUT_OF_MEMORY;
	memory_hard(pub, digest, m);
	if (!scratch)
		free(m);
	return WEFT_OK;
}

static uint64_t digest_address(const uint8_t d[64])
{
	return load_be40(d + 59);
}

static bool digest_acceptable(const uint8_t d[64])
{
	return d[0] < 17 && !weft_address_is_reserved(digest_address(d));
}

static void keys_from_secret(struct weft_identity *id)
{
	uint8_t sk[64];
	crypto_scalarmult_base(id->pub, id->sec);
	crypto_sign_seed_keypair(id->pub + 32, sk, id->sec + 32);
	sodium_memzero(sk, sizeof sk);
}

enum weft_result weft_identity_generate(struct weft_identity *id, weft_random_fn rnd, void *rnd_ctx)
{
	uint8_t *m = malloc(WEFT_IDENTITY_HASH_MEMORY);
	uint8_t d[64];
	struct weft_identity t;
	if (!m)
		return WEFT_FATAL_OUT_OF_MEMORY;
	memset(&t, 0, sizeof t);
	for (;;) {
		rnd(rnd_ctx, t.sec, sizeof t.sec);
		keys_from_secret(&t);
		memory_hard(t.pub, d, m);
		if (digest_acceptable(d))
			break;
	}
	free(m);
	t.address = digest_address(d);
	t.has_secret = true;
	*id = t;
	sodium_memzero(&t, sizeof t);
	return WEFT_OK;
}

enum weft_result weft_identity_validate(const struct weft_identity *id)
{
	uint8_t d[64];
	if (weft_address_is_reserved(id->address))
		return WEFT_ERR_BAD_IDENTITY;
	enum weft_result r = weft_identity_hash(id->pub, d, NULL);
	if (r != WEFT_OK)
		return r;
	if (d[0] >= 17 || digest_address(d) != id->address)
		return WEFT_ERR_BAD_IDENTITY;
	return WEFT_OK;
}

// Splits s on ':' into at most 5 fields; returns the field count.
static size_t split_fields(const char *s, size_t len, const char *f[5], size_t flen[5])
{
	size_t n = 0, start = 0;
	for (size_t i = 0; i <= len; i++) {
		if (i == len || s[i] == ':') {
			if (n == 5)
				return 6;
			f[n] = s + start;
			flen[n] = i - start;
			n++;
			start = i + 1;
		}
	}
	return n;
}

enum weft_result weft_identity_from_string(struct weft_identity *id, const char *s, size_t len,
                                           const char **why)
{
	const char *f[5];
	size_t fl[5];
	const char *dummy;
	struct weft_identity t;
	if (!why)
		why = &dummy;
	size_t n = split_fields(s, len, f, fl);
	if (n < 3) {
		*why = "expected address:0:public-key[:secret-key]";
		return WEFT_ERR_INVALID;
	}
	if (n > 4) {
		*why = "too many ':'-separated fields";
		return WEFT_ERR_INVALID;
	}
	memset(&t, 0, sizeof t);
	if (fl[0] != 10 || !weft_hex_u64(&t.address, f[0], fl[0])) {
		*why = "address must be 10 hex digits";
		return WEFT_ERR_INVALID;
	}
	if (weft_address_is_reserved(t.address)) {
		*why = "address is reserved (zero or starting with ff)";
		return WEFT_ERR_INVALID;
	}
	if (fl[1] != 1 || f[1][0] != '0') {
		*why = "identity type must be 0";
		return WEFT_ERR_INVALID;
	}
	if (!weft_hex_decode(t.pub, sizeof t.pub, f[2], fl[2])) {
		*why = "public key must be 128 hex digits";
		return WEFT_ERR_INVALID;
	}
	if (n == 4) {
		if (!weft_hex_decode(t.sec, sizeof t.sec, f[3], fl[3])) {
			sodium_memzero(&t, sizeof t);
			*why = "secret key must be 128 hex digits";
			return WEFT_ERR_INVALID;
		}
		t.has_secret = true;
	}
	*id = t;
	sodium_memzero(&t, sizeof t);
	return WEFT_OK;
}

size_t weft_identity_to_string(const struct weft_identity *id, bool with_secret, char *out,
                               size_t cap)
{
	size_t need = with_secret ? WEFT_IDENTITY_STR_SECRET_LEN : WEFT_IDENTITY_STR_PUBLIC_LEN;
	uint8_t a[5];
	if (cap < need + 1 || (with_secret && !id->has_secret))
		return 0;
	store_be40(a, id->address);
	weft_hex_encode(out, a, 5);
	out[10] = ':';
	out[11] = '0';
	out[12] = ':';
	weft_hex_encode(out + 13, id->pub, 64);
	if (with_secret) {
		out[141] = ':';
		weft_hex_encode(out + 142, id->sec, 64);
	}
	return need;
}

void weft_identity_encode(const struct weft_identity *id, bool with_secret, struct weft_wbuf *w)
{
	with_secret = with_secret && id->has_secret;
	wbuf_u40(w, id->address);
	wbuf_u8(w, 0);
	wbuf_bytes(w, id->pub, 64);
	wbuf_u8(w, with_secret ? 64 : 0);
	if (with_secret)
		wbuf_bytes(w, id->sec, 64);
}

enum weft_result weft_identity_decode(struct weft_identity *id, struct weft_rbuf *r)
{
	struct weft_identity t;
	memset(&t, 0, sizeof t);
	t.address = rbuf_u40(r);
	uint8_t type = rbuf_u8(r);
	rbuf_copy(r, t.pub, 64);
	uint8_t seclen = rbuf_u8(r);
	if (seclen == 64) {
		rbuf_copy(r, t.sec, 64);
		t.has_secret = true;
	}
	enum weft_result res = WEFT_OK;
	if (r->bad || type != 0 || (seclen != 0 && seclen != 64) ||
	    weft_address_is_reserved(t.address)) {
		r->bad = true;
		res = WEFT_ERR_INVALID;
	} else {
		*id = t;
	}
	sodium_memzero(&t, sizeof t);
	return res;
}

enum weft_result weft_identity_agree(const struct weft_identity *me,
                                     const struct weft_identity *them, uint8_t key[48])
{
	uint8_t raw[32], h[64];
	if (!me->has_secret)
		return WEFT_ERR_NO_SECRET;
	// libsodium refuses a low-order peer key (all-zero result); no honest identity has one.
	if (crypto_scalarmult(raw, me->sec, them->pub) != 0)
		return WEFT_ERR_INVALID;
	crypto_hash_sha512(h, raw, sizeof raw);
	memcpy(key, h, 48);
	sodium_memzero(raw, sizeof raw);
	sodium_memzero(h, sizeof h);
	return WEFT_OK;
}

enum weft_result weft_identity_sign(const struct weft_identity *id, const void *msg, size_t len,
                                    uint8_t sig[WEFT_SIGNATURE_LEN])
{
	uint8_t h[64], sk[64];
	if (!id->has_secret)
		return WEFT_ERR_NO_SECRET;
	crypto_hash_sha512(h, msg, len);
	memcpy(sk, id->sec + 32, 32);
	memcpy(sk + 32, id->pub + 32, 32);
	crypto_sign_detached(sig, NULL, h, 32, sk);
	memcpy(sig + 64, h, 32);
	sodium_memzero(sk, sizeof sk);
	return WEFT_OK;
}

bool weft_identity_verify(const struct weft_identity *id, const void *msg, size_t len,
                          const uint8_t *sig, size_t sig_len)
{
	uint8_t h[64];
	if (sig_len != WEFT_SIGNATURE_LEN)
		return false;
	crypto_hash_sha512(h, msg, len);
	if (sodium_memcmp(h, sig + 64, 32) != 0)
		return false;
	return crypto_sign_verify_detached(sig, h, 32, id->pub + 32) == 0;
}

bool weft_identity_secret_matches(const struct weft_identity *id)
{
	struct weft_identity t;
	if (!id->has_secret)
		return false;
	memcpy(t.sec, id->sec, 64);
	keys_from_secret(&t);
	bool ok = sodium_memcmp(t.pub, id->pub, 64) == 0;
	sodium_memzero(&t, sizeof t);
	return ok;
}

bool weft_identity_equal_public(const struct weft_identity *a, const struct weft_identity *b)
{
	return a->address == b->address && memcmp(a->pub, b->pub, 64) == 0;
}

void weft_identity_clear(struct weft_identity *id)
{
	sodium_memzero(id, sizeof *id);
}
