// SPDX-License-Identifier: MPL-2.0
// Demo helper for `make demo`: carries one packet from identity A to identity B in memory,
// through every step a real datagram takes (compress, arm, fragment, reassemble, disarm).
#include <stdio.h>
#include <string.h>

#include "crypto.h"
#include "fragment.h"
#include "identity.h"
#include "packet.h"
#include "random.h"

static int carry(struct weft_cipher_key *ka, struct weft_cipher_key *kb,
                 const struct weft_identity *a, const struct weft_identity *b,
                 enum weft_cipher suite, struct weft_defrag *d)
{
	static uint8_t pkt[WEFT_PACKET_MAX_LEN], out[WEFT_PACKET_MAX_LEN], dg[WEFT_PHYSMTU_MAX];
	static uint8_t scratch[WEFT_PACKET_MAX_LEN];
	struct weft_packet_header h = {
	    .dest = b->address, .source = a->address, .verb = WEFT_VERB_USER_MESSAGE};
	size_t len = WEFT_WIRE_IDX_PAYLOAD + 5000, outlen = 0;
	weft_os_random(NULL, &h.id, sizeof h.id);
	weft_packet_header_encode(pkt, &h);
	for (size_t i = WEFT_WIRE_IDX_PAYLOAD; i < len; i++) // half text, half noise
		pkt[i] = i % 2 ? (uint8_t) "weft "[i % 5] : (uint8_t)(i * 7919u >> 3);
	memcpy(out, pkt, len);
	size_t clen = weft_packet_compress(pkt, len, scratch);
	unsigned n = weft_fragment_count(clen, WEFT_PHYSMTU_DEFAULT);
	weft_packet_set_fragmented(pkt, n > 1);
	if (weft_packet_arm(pkt, clen, ka, suite) != WEFT_OK)
		return 1;
	printf("suite %u: %zu-byte payload, %zu bytes compressed, %u datagrams:", (unsigned)suite,
	       len - WEFT_WIRE_IDX_PAYLOAD, clen - WEFT_WIRE_IDX_PAYLOAD, n);
	enum weft_defrag_status st = WEFT_DEFRAG_PENDING;
	static uint8_t whole[WEFT_PACKET_MAX_LEN];
	for (unsigned i = n; i-- > 0;) { // deliver in reverse order, as a reordering network might
		size_t dl = weft_fragment_encode(pkt, clen, WEFT_PHYSMTU_DEFAULT, i, dg, sizeof dg);
		printf(" %zu", dl);
		if (i)
			st = weft_defrag_fragment(d, dg, dl, 0, whole, &outlen);
		else if (n > 1)
			st = weft_defrag_head(d, dg, dl, 0, whole, &outlen);
		else {
			memcpy(whole, dg, dl);
			outlen = dl;
			st = WEFT_DEFRAG_COMPLETE;
		}
	}
	if (st != WEFT_DEFRAG_COMPLETE || weft_packet_disarm(whole, outlen, kb) != WEFT_OK ||
	    weft_packet_decompress(whole, &outlen, sizeof whole, scratch) != WEFT_OK ||
	    outlen != len || memcmp(whole + 27, out + 27, len - 27) != 0) {
		printf(" -> FAILED\n");
		return 1;
	}
	printf(" -> received intact\n");
	return 0;
}

int main(int argc, char **argv)
{
	struct weft_identity a, b;
	uint8_t k1[48], k2[48];
	static struct weft_defrag d;
	if (argc != 3 || weft_crypto_init() != WEFT_OK ||
	    weft_identity_from_string(&a, argv[1], strlen(argv[1]), NULL) != WEFT_OK ||
	    weft_identity_from_string(&b, argv[2], strlen(argv[2]), NULL) != WEFT_OK) {
		fprintf(stderr, "usage: demo-packet <secret identity A> <secret identity B>\n");
		return 2;
	}
	if (weft_identity_agree(&a, &b, k1) != WEFT_OK ||
	    weft_identity_agree(&b, &a, k2) != WEFT_OK || memcmp(k1, k2, 48) != 0) {
		fprintf(stderr, "key agreement failed\n");
		return 1;
	}
	printf("shared key agreed from both sides: %02x%02x%02x%02x...\n", k1[0], k1[1], k1[2],
	       k1[3]);
	struct weft_cipher_key ka, kb;
	weft_cipher_key_init(&ka, k1);
	weft_cipher_key_init(&kb, k2);
	weft_defrag_init(&d);
	int rc = carry(&ka, &kb, &a, &b, WEFT_CIPHER_POLY1305_NONE, &d) |
	         carry(&ka, &kb, &a, &b, WEFT_CIPHER_POLY1305_SALSA2012, &d) |
	         carry(&ka, &kb, &a, &b, WEFT_CIPHER_AES_GMAC_SIV, &d);
	weft_cipher_key_clear(&ka);
	weft_cipher_key_clear(&kb);
	weft_identity_clear(&a);
	weft_identity_clear(&b);
	return rc;
}
