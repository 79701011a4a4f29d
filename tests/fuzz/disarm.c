// SPDX-License-Identifier: MPL-2.0
// libFuzzer harness for packet armor (vl1.md §4.1-§4.3, §4.7). The first input byte picks a mode:
// disarm an arbitrary datagram (a failure must leave it byte for byte unchanged), or build a
// packet, optionally compress it, arm it with suite 0, 1 or 3, change its hop count or flip one
// bit, and check disarm and decompress give back exactly the original, or reject the forgery.
#include <stdio.h>
#include <stdlib.h>

#include "crypto.h"
#include "packet.h"
#include "check.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

// One key for the whole run: suite 3 derives its AES contexts once, as a peer's key would.
static struct weft_cipher_key key;
static uint8_t scratch[WEFT_PACKET_MAX_LEN];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const uint8_t k[WEFT_CIPHER_KEY_LEN] = {
	    0x3d, 0x8a, 0x11, 0x52, 0xe4, 0x07, 0x9c, 0x6b, 0xa0, 0x21, 0xf3, 0x48,
	    0x5e, 0xc9, 0x76, 0x0d, 0x92, 0x3b, 0xd4, 0x6f, 0x18, 0xe5, 0x7a, 0xc2,
	    0x4d, 0xb6, 0x09, 0x83, 0x2c, 0xf1, 0x55, 0xae, 0x60, 0x1f, 0xc8, 0x37,
	    0x94, 0x7b, 0xe2, 0x0a, 0xd9, 0x46, 0xbd, 0x13, 0x68, 0x85, 0x2f, 0xf0,
	};
	(void)argc;
	(void)argv;
	CHECK(weft_crypto_init() == WEFT_OK);
	weft_cipher_key_init(&key, k);
	return 0;
}

static uint8_t *dup_exact(const uint8_t *p, size_t n)
{
	uint8_t *q = malloc(n ? n : 1);
	CHECK(q != NULL);
	if (n)
		memcpy(q, p, n);
	return q;
}

// Decompresses pkt[0..len) in a WEFT_PACKET_MAX_LEN buffer and checks the invariants of
// weft_packet_decompress. Returns the result; on success the packet is in out[0..*out_len).
static enum weft_result decompress_checked(const uint8_t *pkt, size_t len, uint8_t *out,
                                           size_t *out_len)
{
	size_t n = len;
	CHECK(len <= WEFT_PACKET_MAX_LEN);
	memcpy(out, pkt, len);
	enum weft_result r = weft_packet_decompress(out, &n, WEFT_PACKET_MAX_LEN, scratch);
	if (r != WEFT_OK) {
		CHECK(n == len && memcmp(out, pkt, len) == 0);
		return r;
	}
	CHECK(n >= WEFT_PACKET_MIN_LEN && n <= WEFT_PACKET_MAX_LEN);
	CHECK(!(out[WEFT_WIRE_IDX_VERB] & WEFT_WIRE_VERB_COMPRESSED));
	CHECK(memcmp(out, pkt, WEFT_WIRE_IDX_VERB) == 0);
	CHECK(out[WEFT_WIRE_IDX_VERB] == (pkt[WEFT_WIRE_IDX_VERB] & ~WEFT_WIRE_VERB_COMPRESSED));
	if (!(pkt[WEFT_WIRE_IDX_VERB] & WEFT_WIRE_VERB_COMPRESSED))
		CHECK(n == len && memcmp(out, pkt, len) == 0);
	*out_len = n;
	return r;
}

// ctl bits 2..5: bit 2 set = replace the cipher bits of the flags byte with bits 3..5.
static void fuzz_raw(uint8_t ctl, const uint8_t *data, size_t size)
{
	static uint8_t out[WEFT_PACKET_MAX_LEN];
	uint8_t *orig = dup_exact(data, size);
	if ((ctl & 4) && size > WEFT_WIRE_IDX_FLAGS)
		orig[WEFT_WIRE_IDX_FLAGS] =
		    (uint8_t)((orig[WEFT_WIRE_IDX_FLAGS] & ~WEFT_WIRE_FLAG_CIPHER_MASK) |
		              (ctl & WEFT_WIRE_FLAG_CIPHER_MASK));
	uint8_t *pkt = dup_exact(orig, size);
	enum weft_result r = weft_packet_disarm(pkt, size, &key);
	if (r != WEFT_OK) {
		CHECK(r == WEFT_ERR_AUTH || r == WEFT_ERR_UNSUPPORTED || r == WEFT_ERR_INVALID);
		CHECK(memcmp(pkt, orig, size) == 0);
		if (size < WEFT_PACKET_MIN_LEN || size > WEFT_PACKET_MAX_LEN)
			CHECK(r == WEFT_ERR_INVALID);
		goto done;
	}
	// Only headers and the envelope may change, and suite 0 changes nothing.
	CHECK(memcmp(pkt, orig, WEFT_WIRE_IDX_VERB) == 0);
	if (weft_packet_cipher(orig) == WEFT_CIPHER_POLY1305_NONE)
		CHECK(memcmp(pkt, orig, size) == 0);
	size_t n;
	decompress_checked(pkt, size, out, &n);
done:
	free(pkt);
	free(orig);
}

// Input after ctl: tamper offset (2 bytes), tamper bit (1), then the plaintext packet.
// ctl bits 0..1 = suite (1: 0, 2: 1, 3: 3), bit 2 fragmented flag, bit 3 compress first,
// bit 4 tamper, bits 5..7 hop count set after arming.
static void fuzz_round_trip(uint8_t ctl, const uint8_t *data, size_t size)
{
	static const enum weft_cipher suites[4] = {
	    0, WEFT_CIPHER_POLY1305_NONE, WEFT_CIPHER_POLY1305_SALSA2012, WEFT_CIPHER_AES_GMAC_SIV};
	static uint8_t plain[WEFT_PACKET_MAX_LEN], work[WEFT_PACKET_MAX_LEN];
	static uint8_t out[WEFT_PACKET_MAX_LEN];
	enum weft_cipher suite = suites[ctl & 3];
	bool compress = ctl & 8, tamper = ctl & 16;
	unsigned hops = ctl >> 5;
	size_t tamper_at = 0, tamper_bit = 0;

	if (size >= 3) {
		tamper_at = load_be16(data);
		tamper_bit = data[2] & 7;
		data += 3;
		size -= 3;
	}
	size_t len = size < WEFT_PACKET_MIN_LEN ? WEFT_PACKET_MIN_LEN : size;
	if (len > WEFT_PACKET_MAX_LEN)
		len = WEFT_PACKET_MAX_LEN;
	memset(plain, 0, WEFT_PACKET_MIN_LEN);
	memcpy(plain, data, size < len ? size : len);
	// Arming wants hops 0 and the fragmented bit final; the suite bits are arm's to set.
	plain[WEFT_WIRE_IDX_FLAGS] &=
	    (uint8_t) ~(WEFT_WIRE_FLAG_HOPS_MASK | WEFT_WIRE_FLAG_FRAGMENTED);
	if (ctl & 4)
		plain[WEFT_WIRE_IDX_FLAGS] |= WEFT_WIRE_FLAG_FRAGMENTED;
	if (compress)
		plain[WEFT_WIRE_IDX_VERB] &= (uint8_t)~WEFT_WIRE_VERB_COMPRESSED;

	// The plaintext that goes into arm: compressed, if asked and it helps.
	memcpy(work, plain, len);
	size_t wlen = len;
	if (compress) {
		wlen = weft_packet_compress(work, len, scratch);
		CHECK(wlen <= len && wlen >= WEFT_PACKET_MIN_LEN);
		if (wlen == len)
			CHECK(memcmp(work, plain, len) == 0);
		else
			CHECK(work[WEFT_WIRE_IDX_VERB] & WEFT_WIRE_VERB_COMPRESSED);
	}

	uint8_t *pkt = dup_exact(work, wlen);
	// Suite 2 cannot be armed, nor can a packet shorter than a header; neither touches it.
	CHECK(weft_packet_arm(pkt, wlen, &key, WEFT_CIPHER_NONE) == WEFT_ERR_UNSUPPORTED);
	CHECK(weft_packet_arm(pkt, WEFT_PACKET_MIN_LEN - 1, &key, suite) == WEFT_ERR_INVALID);
	CHECK(memcmp(pkt, work, wlen) == 0);
	CHECK(weft_packet_arm(pkt, wlen, &key, suite) == WEFT_OK);
	uint8_t f = pkt[WEFT_WIRE_IDX_FLAGS];
	CHECK(weft_packet_cipher(pkt) == (unsigned)suite);
	CHECK(weft_packet_hops(pkt) == 0);
	CHECK(weft_packet_is_fragmented(pkt) == ((ctl & 4) != 0));
	CHECK(((f & WEFT_WIRE_FLAG_ENCRYPTED) != 0) == (suite == WEFT_CIPHER_POLY1305_SALSA2012));
	CHECK(memcmp(pkt + WEFT_WIRE_IDX_DEST, work + WEFT_WIRE_IDX_DEST, 10) == 0);
	if (suite != WEFT_CIPHER_AES_GMAC_SIV)
		CHECK(memcmp(pkt, work, 8) == 0);
	if (suite == WEFT_CIPHER_POLY1305_NONE)
		CHECK(memcmp(pkt + WEFT_WIRE_IDX_VERB, work + WEFT_WIRE_IDX_VERB,
		             wlen - WEFT_WIRE_IDX_VERB) == 0);

	// A relay may change the hop count; authentication ignores it.
	pkt[WEFT_WIRE_IDX_FLAGS] = (uint8_t)((f & ~WEFT_WIRE_FLAG_HOPS_MASK) | (int)hops);
	if (tamper) {
		size_t at = tamper_at % wlen;
		pkt[at] ^= (uint8_t)(1u << tamper_bit);
		bool hop_bits =
		    at == WEFT_WIRE_IDX_FLAGS && (1u << tamper_bit) & WEFT_WIRE_FLAG_HOPS_MASK;
		if (!hop_bits) {
			uint8_t *forged = dup_exact(pkt, wlen);
			enum weft_result r = weft_packet_disarm(pkt, wlen, &key);
			CHECK(r == WEFT_ERR_AUTH || r == WEFT_ERR_UNSUPPORTED);
			CHECK(memcmp(pkt, forged, wlen) == 0);
			free(forged);
			goto done;
		}
	}
	uint8_t armed_flags = pkt[WEFT_WIRE_IDX_FLAGS];
	CHECK(weft_packet_disarm(pkt, wlen, &key) == WEFT_OK);
	CHECK(pkt[WEFT_WIRE_IDX_FLAGS] == armed_flags);
	CHECK(memcmp(pkt + WEFT_WIRE_IDX_DEST, work + WEFT_WIRE_IDX_DEST, 10) == 0);
	CHECK(memcmp(pkt + WEFT_WIRE_IDX_VERB, work + WEFT_WIRE_IDX_VERB,
	             wlen - WEFT_WIRE_IDX_VERB) == 0);
	if (suite != WEFT_CIPHER_AES_GMAC_SIV)
		CHECK(memcmp(pkt, work, 8) == 0);

	size_t n;
	enum weft_result r = decompress_checked(pkt, wlen, out, &n);
	if (compress) {
		CHECK(r == WEFT_OK && n == len);
		CHECK(memcmp(out + WEFT_WIRE_IDX_VERB, plain + WEFT_WIRE_IDX_VERB,
		             len - WEFT_WIRE_IDX_VERB) == 0);
	}
done:
	free(pkt);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	uint8_t ctl = data[0];
	if ((ctl & 3) == 0)
		fuzz_raw(ctl, data + 1, size - 1);
	else
		fuzz_round_trip(ctl, data + 1, size - 1);
	return 0;
}
