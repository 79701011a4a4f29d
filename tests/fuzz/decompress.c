// SPDX-License-Identifier: MPL-2.0
// libFuzzer harness for LZ4 payload decompression (vl1.md §4.7): arbitrary packets with the
// compressed bit set, in buffers of an input-chosen capacity allocated to the exact size.
// Checks: failure changes nothing; success fits the capacity and agrees with an unconstrained
// decompression; compressing the result and decompressing again gives it back.
#include <stdio.h>
#include <stdlib.h>

#include "crypto.h"
#include "packet.h"
#include "check.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t scratch[WEFT_PACKET_MAX_LEN];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	CHECK(weft_crypto_init() == WEFT_OK);
	return 0;
}

// Decompresses orig[0..len) (compressed bit set) in an exact-size buffer of `cap` bytes and in an
// unconstrained one, and checks the two agree.
static void check_packet(const uint8_t *orig, size_t len, size_t cap)
{
	static uint8_t big[WEFT_PACKET_MAX_LEN], again[WEFT_PACKET_MAX_LEN];
	uint8_t *pkt = malloc(cap); // exact capacity so ASan sees any write past it
	CHECK(pkt != NULL && len <= cap);

	// Unconstrained reference run first.
	size_t big_len = len;
	memcpy(big, orig, len);
	enum weft_result rb = weft_packet_decompress(big, &big_len, WEFT_PACKET_MAX_LEN, scratch);
	if (rb != WEFT_OK) {
		CHECK(rb == WEFT_ERR_INVALID || rb == WEFT_ERR_TOO_BIG);
		CHECK(big_len == len && memcmp(big, orig, len) == 0);
	} else {
		CHECK(big_len >= WEFT_PACKET_MIN_LEN && big_len <= WEFT_PACKET_MAX_LEN);
		CHECK(memcmp(big, orig, WEFT_WIRE_IDX_VERB) == 0);
		CHECK(big[WEFT_WIRE_IDX_VERB] ==
		      (orig[WEFT_WIRE_IDX_VERB] & ~WEFT_WIRE_VERB_COMPRESSED));
	}

	size_t n = len;
	memcpy(pkt, orig, len);
	enum weft_result r = weft_packet_decompress(pkt, &n, cap, scratch);
	if (rb != WEFT_OK) {
		CHECK(r == rb);
	} else if (big_len > cap) {
		CHECK(r == WEFT_ERR_TOO_BIG);
	} else {
		CHECK(r == WEFT_OK && n == big_len && memcmp(pkt, big, n) == 0);
	}
	if (r != WEFT_OK)
		CHECK(n == len && memcmp(pkt, orig, len) == 0);

	// Round trip: what decompression produced compresses (or not) and comes back unchanged.
	if (rb == WEFT_OK) {
		memcpy(again, big, big_len);
		size_t c = weft_packet_compress(again, big_len, scratch);
		CHECK(c <= big_len && c >= WEFT_PACKET_MIN_LEN);
		if (c < big_len) {
			CHECK(again[WEFT_WIRE_IDX_VERB] & WEFT_WIRE_VERB_COMPRESSED);
			CHECK(weft_packet_decompress(again, &c, WEFT_PACKET_MAX_LEN, scratch) ==
			      WEFT_OK);
			CHECK(c == big_len && memcmp(again, big, c) == 0);
		} else {
			CHECK(c == big_len && memcmp(again, big, c) == 0);
		}
	}
	free(pkt);
}

// Input: ctl (1), capacity choice (2), then the packet. ctl bit 0 clear: the packet as given,
// its verb byte marked compressed. Set: (ctl >> 1) & 7 edits of 3 bytes each (offset 2, xor 1)
// come first; the packet is compressed, then the edits damage its LZ4 block (xor 0 truncates),
// so the decoder's checks see nearly valid input that coverage alone would not find, liblz4
// being uninstrumented.
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t pkt[WEFT_PACKET_MAX_LEN];
	if (size < 3)
		return 0;
	uint8_t ctl = data[0];
	unsigned sel = load_be16(data + 1);
	const uint8_t *edits = data + 3;
	size_t n_edits = (ctl & 1) ? (ctl >> 1) & 7u : 0;
	data += 3;
	size -= 3;
	if (size < 3 * n_edits)
		return 0;
	data += 3 * n_edits;
	size -= 3 * n_edits;

	size_t len = size < WEFT_PACKET_MIN_LEN ? WEFT_PACKET_MIN_LEN : size;
	if (len > WEFT_PACKET_MAX_LEN)
		len = WEFT_PACKET_MAX_LEN;
	memset(pkt, 0, WEFT_PACKET_MIN_LEN);
	memcpy(pkt, data, size < len ? size : len);
	if (ctl & 1) {
		pkt[WEFT_WIRE_IDX_VERB] &= (uint8_t)~WEFT_WIRE_VERB_COMPRESSED;
		len = weft_packet_compress(pkt, len, scratch);
		for (size_t i = 0; i < n_edits && len > WEFT_WIRE_IDX_PAYLOAD; i++) {
			const uint8_t *e = edits + 3 * i;
			size_t at =
			    WEFT_WIRE_IDX_PAYLOAD + load_be16(e) % (len - WEFT_WIRE_IDX_PAYLOAD);
			if (e[2])
				pkt[at] ^= e[2];
			else
				len = at;
		}
	}
	pkt[WEFT_WIRE_IDX_VERB] |= WEFT_WIRE_VERB_COMPRESSED;
	check_packet(pkt, len, len + sel % (WEFT_PACKET_MAX_LEN - len + 1));
	return 0;
}
