// SPDX-License-Identifier: MPL-2.0
// core/packet.h: header encode/decode; arm/disarm round trips for suites 0, 1 and 3; disarm
// rejecting truncation, over-length, unsupported suites and every authenticated single-bit
// flip (hop bits are not authenticated) with the buffer left unchanged; suites 0/1 compared
// with a from-the-spec libsodium reference; LZ4 compression and its failure modes.
#include <stdlib.h>
#include <string.h>

#include <lz4.h>
#include <sodium.h>

#include "crypto.h"
#include "packet.h"
#include "t.h"

static uint64_t rng_state = 0x243f6a8885a308d3ULL;

static uint64_t next_u64(void)
{
	return t_splitmix64(&rng_state);
}

static void fill_random(uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)next_u64();
}

static const uint8_t test_key[48] = {
    0x3c, 0x1f, 0x8a, 0x42, 0x99, 0x07, 0xd1, 0x6e, 0x55, 0xa0, 0x13, 0xbe, 0x7f, 0x28, 0xc4, 0x01,
    0xe9, 0x34, 0x6b, 0x90, 0x2d, 0xf7, 0x58, 0x8c, 0x11, 0xa3, 0x4e, 0xd5, 0x67, 0x0b, 0xfa, 0x39,
    0x82, 0x5c, 0xee, 0x17, 0x40, 0xb9, 0x6d, 0x03, 0xcf, 0x71, 0x28, 0x9a, 0xe4, 0x36, 0x5b, 0xad,
};

static const enum weft_cipher suites[] = {WEFT_CIPHER_POLY1305_NONE, WEFT_CIPHER_POLY1305_SALSA2012,
                                          WEFT_CIPHER_AES_GMAC_SIV};
static const size_t payload_lens[] = {0, 1, 63, 64, 65, 1000, WEFT_PAYLOAD_MAX_LEN};

#define NSUITES (sizeof suites / sizeof suites[0])
#define NLENS   (sizeof payload_lens / sizeof payload_lens[0])

// A plaintext packet: random ID, fixed addresses, FRAME verb, random payload.
static size_t make_packet(uint8_t *pkt, size_t payload_len, uint8_t flags)
{
	struct weft_packet_header h = {
	    .id = next_u64(),
	    .dest = 0x89e92ceee5ULL,
	    .source = 0x1d71939404ULL,
	    .flags = flags,
	    .verb = WEFT_VERB_FRAME,
	};
	weft_packet_header_encode(pkt, &h);
	fill_random(pkt + WEFT_WIRE_IDX_PAYLOAD, payload_len);
	return WEFT_WIRE_IDX_PAYLOAD + payload_len;
}

static bool suite_supported(unsigned s)
{
	return s == WEFT_CIPHER_POLY1305_NONE || s == WEFT_CIPHER_POLY1305_SALSA2012 ||
	       s == WEFT_CIPHER_AES_GMAC_SIV;
}

static void test_header(void)
{
	uint8_t pkt[WEFT_PACKET_MIN_LEN];
	struct weft_packet_header h =
	                              {
	                                  .id = 0x0102030405060708ULL,
	                                  .dest = 0x1112131415ULL,
	                                  .source = 0x2122232425ULL,
	                                  .flags = 0x5b,
	                                  .verb = 0x86,
	                              },
	                          back;

	t_case("header encode: vl1.md §3.2 offsets, big-endian, MAC zeroed");
	memset(pkt, 0xee, sizeof pkt);
	weft_packet_header_encode(pkt, &h);
	const uint8_t exp[28] = {1,    2,    3,    4,    5,    6,    7,    8,    0x11, 0x12,
	                         0x13, 0x14, 0x15, 0x21, 0x22, 0x23, 0x24, 0x25, 0x5b, 0,
	                         0,    0,    0,    0,    0,    0,    0,    0x86};
	T_CHECK_MEM(pkt, exp, 28);

	t_case("header decode: the fields come back; accessors read the flags byte");
	memset(&back, 0, sizeof back);
	T_CHECK(weft_packet_header_decode(pkt, sizeof pkt, &back) == WEFT_OK);
	T_CHECK(back.id == h.id && back.dest == h.dest && back.source == h.source);
	T_CHECK(back.flags == h.flags && back.verb == h.verb);
	T_CHECK(weft_packet_cipher(pkt) == 3);
	T_CHECK(weft_packet_hops(pkt) == 3);
	T_CHECK(weft_packet_is_fragmented(pkt));

	t_case("header decode: every length below 28 is WEFT_ERR_INVALID");
	for (size_t n = 0; n < WEFT_PACKET_MIN_LEN; n++) {
		uint8_t *p = malloc(n ? n : 1); // exact size: ASan sees any over-read
		memcpy(p, pkt, n);
		T_CHECK_MSG(weft_packet_header_decode(p, n, &back) == WEFT_ERR_INVALID, "len %zu",
		            n);
		free(p);
	}

	t_case("header encode: addresses are truncated to 40 bits");
	h.dest = 0xffff1112131415ULL;
	weft_packet_header_encode(pkt, &h);
	T_CHECK(weft_packet_header_decode(pkt, sizeof pkt, &back) == WEFT_OK);
	T_CHECK(back.dest == 0x1112131415ULL);
	T_CHECK(pkt[13] == 0x21);

	t_case("set_fragmented toggles only bit 0x40");
	pkt[WEFT_WIRE_IDX_FLAGS] = 0x9f;
	weft_packet_set_fragmented(pkt, true);
	T_CHECK(pkt[WEFT_WIRE_IDX_FLAGS] == 0xdf);
	weft_packet_set_fragmented(pkt, false);
	T_CHECK(pkt[WEFT_WIRE_IDX_FLAGS] == 0x9f);
}

static void test_roundtrip(void)
{
	uint8_t *pkt = malloc(WEFT_PACKET_MAX_LEN), *orig = malloc(WEFT_PACKET_MAX_LEN);
	struct weft_cipher_key key;
	weft_cipher_key_init(&key, test_key);

	for (size_t si = 0; si < NSUITES; si++) {
		for (size_t li = 0; li < NLENS; li++) {
			enum weft_cipher s = suites[si];
			size_t plen = payload_lens[li];
			for (int frag = 0; frag < 2; frag++) {
				t_case("arm/disarm round trip: suite %d, payload %zu%s", s, plen,
				       frag ? ", fragmented flag" : "");
				uint8_t f0 = frag ? WEFT_WIRE_FLAG_FRAGMENTED : 0;
				size_t len = make_packet(pkt, plen, f0);
				memcpy(orig, pkt, len);
				T_CHECK(weft_packet_arm(pkt, len, &key, s) == WEFT_OK);
				uint8_t want_flags =
				    (uint8_t)(f0 | (unsigned)s << 3 |
				              (s == 1 ? WEFT_WIRE_FLAG_ENCRYPTED : 0));
				T_CHECK_MSG(pkt[WEFT_WIRE_IDX_FLAGS] == want_flags, "flags %02x",
				            pkt[WEFT_WIRE_IDX_FLAGS]);
				T_CHECK_MEM(pkt + 8, orig + 8, 10); // addresses stay clear
				bool env_same = !memcmp(pkt + 27, orig + 27, len - 27);
				if (s == WEFT_CIPHER_POLY1305_NONE)
					T_CHECK(env_same);
				else if (len - 27 >= 8)
					T_CHECK(!env_same); // encrypted
				if (s == WEFT_CIPHER_AES_GMAC_SIV)
					T_CHECK(memcmp(pkt, orig, 8) != 0); // ID replaced by SIV
				else
					T_CHECK_MEM(pkt, orig, 8);
				uint8_t wire_id[8];
				memcpy(wire_id, pkt, 8);
				T_CHECK(weft_packet_disarm(pkt, len, &key) == WEFT_OK);
				T_CHECK_MEM(pkt + 27, orig + 27, len - 27);
				T_CHECK_MEM(pkt, wire_id, 8);
				T_CHECK_MEM(pkt + 8, orig + 8, 10);
				T_CHECK(pkt[WEFT_WIRE_IDX_FLAGS] == want_flags);
			}
		}
	}

	t_case("arm overwrites stale suite and encrypted bits in the flags byte");
	for (size_t si = 0; si < NSUITES; si++) {
		size_t len = make_packet(pkt, 100, 0xb8); // 0x80 | suite 7 | no frag, hops 0
		memcpy(orig, pkt, len);
		T_CHECK(weft_packet_arm(pkt, len, &key, suites[si]) == WEFT_OK);
		T_CHECK(weft_packet_cipher(pkt) == suites[si]);
		T_CHECK(((pkt[WEFT_WIRE_IDX_FLAGS] & 0x80) != 0) == (suites[si] == 1));
		T_CHECK(weft_packet_disarm(pkt, len, &key) == WEFT_OK);
		T_CHECK_MEM(pkt + 27, orig + 27, len - 27);
	}

	t_case("suite 3 is deterministic for a given packet ID and differs for another ID");
	{
		size_t len = make_packet(pkt, 200, 0);
		memcpy(orig, pkt, len);
		uint8_t *a = malloc(len), *b = malloc(len);
		memcpy(a, orig, len);
		memcpy(b, orig, len);
		T_CHECK(weft_packet_arm(a, len, &key, WEFT_CIPHER_AES_GMAC_SIV) == WEFT_OK);
		T_CHECK(weft_packet_arm(b, len, &key, WEFT_CIPHER_AES_GMAC_SIV) == WEFT_OK);
		T_CHECK_MEM(a, b, len);
		memcpy(b, orig, len);
		b[7] ^= 1;
		T_CHECK(weft_packet_arm(b, len, &key, WEFT_CIPHER_AES_GMAC_SIV) == WEFT_OK);
		T_CHECK(memcmp(a + 27, b + 27, len - 27) != 0);
		T_CHECK(memcmp(a, b, 8) != 0);
		free(a);
		free(b);
	}

	weft_cipher_key_clear(&key);
	free(pkt);
	free(orig);
}

// Spec vl1.md §4.2, written directly over libsodium, for comparison with weft_packet_arm.
static void ref_arm_salsa(uint8_t *p, size_t len, const uint8_t key[48], unsigned suite)
{
	uint8_t k[32], tag[16];
	size_t elen = len - 27;
	uint8_t *s = malloc(64 + elen);
	p[18] = (uint8_t)((p[18] & 0xc7) | (suite << 3));
	if (suite == 1)
		p[18] |= 0x80;
	else
		p[18] &= 0x7f;
	for (int i = 0; i < 18; i++)
		k[i] = (uint8_t)(key[i] ^ p[i]);
	k[18] = (uint8_t)(key[18] ^ (p[18] & 0xf8));
	k[19] = (uint8_t)(key[19] ^ (len & 0xff));
	k[20] = (uint8_t)(key[20] ^ ((len >> 8) & 0xff));
	memcpy(k + 21, key + 21, 11);
	crypto_stream_salsa2012(s, 64 + elen, p, k);
	if (suite == 1)
		for (size_t i = 0; i < elen; i++)
			p[27 + i] ^= s[64 + i];
	crypto_onetimeauth_poly1305(tag, p + 27, elen, s);
	memcpy(p + 19, tag, 8);
	free(s);
}

static void test_reference(void)
{
	uint8_t *a = malloc(WEFT_PACKET_MAX_LEN), *b = malloc(WEFT_PACKET_MAX_LEN);
	struct weft_cipher_key key;
	weft_cipher_key_init(&key, test_key);
	const size_t extra[] = {2, 7, 8, 36, 37, 100, 127, 128, 129, 255, 256, 1404, 4000};
	for (unsigned s = 0; s < 2; s++) {
		t_case("suite %u matches the vl1.md §4.2 reference byte for byte", s);
		for (size_t i = 0; i < NLENS + sizeof extra / sizeof extra[0]; i++) {
			size_t plen = i < NLENS ? payload_lens[i] : extra[i - NLENS];
			size_t len = make_packet(a, plen, (uint8_t)(i & 1 ? 0x40 : 0));
			memcpy(b, a, len);
			T_CHECK(weft_packet_arm(a, len, &key, (enum weft_cipher)s) == WEFT_OK);
			ref_arm_salsa(b, len, test_key, s);
			T_CHECK_MSG(!memcmp(a, b, len), "payload %zu differs from reference", plen);
		}
	}
	weft_cipher_key_clear(&key);
	free(a);
	free(b);
}

// Flips one bit of an armed packet and disarms a copy; checks the result and that a rejected
// packet is left exactly as received. Returns false on any mismatch (reported by the caller).
static bool flip_one(const uint8_t *armed, uint8_t *work, uint8_t *flipped, size_t len,
                     struct weft_cipher_key *key, size_t bit, const uint8_t *plain)
{
	size_t byte = bit / 8;
	unsigned mask = 1u << (bit % 8);
	memcpy(flipped, armed, len);
	flipped[byte] ^= (uint8_t)mask;
	memcpy(work, flipped, len);
	enum weft_result want = WEFT_ERR_AUTH;
	if (byte == WEFT_WIRE_IDX_FLAGS && (mask & WEFT_WIRE_FLAG_HOPS_MASK))
		want = WEFT_OK; // hop count is not authenticated
	else if (byte == WEFT_WIRE_IDX_FLAGS && (mask & WEFT_WIRE_FLAG_CIPHER_MASK) &&
	         !suite_supported(weft_packet_cipher(flipped)))
		want = WEFT_ERR_UNSUPPORTED;
	enum weft_result got = weft_packet_disarm(work, len, key);
	if (got != want) {
		t_fail(__FILE__, __LINE__, "flip of byte %zu bit %zu: got %d, want %d", byte,
		       bit % 8, got, want);
		return false;
	}
	if (want == WEFT_OK) {
		if (memcmp(work + 27, plain + 27, len - 27)) {
			t_fail(__FILE__, __LINE__, "hop flip bit %zu: wrong plaintext", bit % 8);
			return false;
		}
	} else if (memcmp(work, flipped, len)) {
		t_fail(__FILE__, __LINE__, "flip of byte %zu bit %zu: buffer changed on failure",
		       byte, bit % 8);
		return false;
	}
	return true;
}

static void test_flips(void)
{
	uint8_t *armed = malloc(WEFT_PACKET_MAX_LEN), *plain = malloc(WEFT_PACKET_MAX_LEN);
	uint8_t *work = malloc(WEFT_PACKET_MAX_LEN), *flipped = malloc(WEFT_PACKET_MAX_LEN);
	struct weft_cipher_key key;
	weft_cipher_key_init(&key, test_key);
	const size_t lens[] = {0, 1, 64, 1000, WEFT_PAYLOAD_MAX_LEN};

	for (size_t si = 0; si < NSUITES; si++) {
		for (size_t li = 0; li < sizeof lens / sizeof lens[0]; li++) {
			size_t len = make_packet(plain, lens[li], 0);
			bool sampled = lens[li] > 1000;
			t_case(
			    "suite %d payload %zu: every single-bit flip of bytes 0..18, MAC and %s"
			    "payload is rejected (hop bits accepted), buffer unchanged",
			    suites[si], lens[li], sampled ? "sampled " : "");
			memcpy(armed, plain, len);
			T_CHECK(weft_packet_arm(armed, len, &key, suites[si]) == WEFT_OK);
			unsigned bad = 0;
			for (size_t bit = 0; bit < 8 * len && bad < 10; bit++) {
				if (sampled && bit >= 8 * 28 && bit % 89)
					continue;
				if (!flip_one(armed, work, flipped, len, &key, bit, plain))
					bad++;
			}
			T_CHECK(bad == 0);
		}

		t_case("suite %d: every hop count 0..7 is accepted", suites[si]);
		size_t len = make_packet(plain, 300, WEFT_WIRE_FLAG_FRAGMENTED);
		memcpy(armed, plain, len);
		T_CHECK(weft_packet_arm(armed, len, &key, suites[si]) == WEFT_OK);
		for (unsigned hops = 0; hops <= 7; hops++) {
			memcpy(work, armed, len);
			work[WEFT_WIRE_IDX_FLAGS] =
			    (uint8_t)((work[WEFT_WIRE_IDX_FLAGS] & 0xf8) | hops);
			T_CHECK_MSG(weft_packet_disarm(work, len, &key) == WEFT_OK, "hops %u",
			            hops);
			T_CHECK(weft_packet_hops(work) == hops);
			T_CHECK_MEM(work + 27, plain + 27, len - 27);
		}
	}
	weft_cipher_key_clear(&key);
	free(armed);
	free(plain);
	free(work);
	free(flipped);
}

// Rejections that hold for each suite: length, key and suite-number tampering.
static void reject_suite(enum weft_cipher s, struct weft_cipher_key *key,
                         struct weft_cipher_key *other, uint8_t *armed, uint8_t *work)
{
	size_t len = make_packet(armed, 100, 0);
	T_CHECK(weft_packet_arm(armed, len, key, s) == WEFT_OK);

	t_case("suite %d: disarm of every length below 28 is WEFT_ERR_INVALID, unchanged", s);
	for (size_t n = 0; n < WEFT_PACKET_MIN_LEN; n++) {
		uint8_t *p = malloc(n ? n : 1);
		memcpy(p, armed, n);
		T_CHECK_MSG(weft_packet_disarm(p, n, key) == WEFT_ERR_INVALID, "len %zu", n);
		T_CHECK(!memcmp(p, armed, n));
		free(p);
	}

	t_case("suite %d: a packet cut short by 1 or 50 bytes fails authentication", s);
	for (size_t cut = 1; cut <= 50; cut += 49) {
		memcpy(work, armed, len);
		T_CHECK(weft_packet_disarm(work, len - cut, key) == WEFT_ERR_AUTH);
		T_CHECK(!memcmp(work, armed, len));
	}

	t_case("suite %d: a packet with a byte appended fails authentication", s);
	memcpy(work, armed, len);
	work[len] = 0;
	T_CHECK(weft_packet_disarm(work, len + 1, key) == WEFT_ERR_AUTH);
	T_CHECK(!memcmp(work, armed, len));

	t_case("suite %d: the wrong key fails authentication, buffer unchanged", s);
	memcpy(work, armed, len);
	T_CHECK(weft_packet_disarm(work, len, other) == WEFT_ERR_AUTH);
	T_CHECK(!memcmp(work, armed, len));

	t_case("suite %d: relabelled as suites 2 and 4..7: WEFT_ERR_UNSUPPORTED, unchanged", s);
	for (unsigned u = 2; u < 8; u++) {
		if (suite_supported(u))
			continue;
		memcpy(work, armed, len);
		work[WEFT_WIRE_IDX_FLAGS] = (uint8_t)((work[WEFT_WIRE_IDX_FLAGS] & 0xc7u) |
		                                      u << WEFT_WIRE_FLAG_CIPHER_SHIFT);
		uint8_t *copy = malloc(len);
		memcpy(copy, work, len);
		T_CHECK_MSG(weft_packet_disarm(work, len, key) == WEFT_ERR_UNSUPPORTED, "suite %u",
		            u);
		T_CHECK(!memcmp(work, copy, len));
		free(copy);
	}
}

static void test_rejects(void)
{
	uint8_t *armed = malloc(WEFT_PACKET_MAX_LEN + 1), *work = malloc(WEFT_PACKET_MAX_LEN + 1);
	struct weft_cipher_key key, other;
	uint8_t k2[48];
	memcpy(k2, test_key, 48);
	k2[5] ^= 1; // inside key[0..32), which every suite uses
	weft_cipher_key_init(&key, test_key);
	weft_cipher_key_init(&other, k2);

	for (size_t si = 0; si < NSUITES; si++)
		reject_suite(suites[si], &key, &other, armed, work);

	t_case("disarm of a packet longer than WEFT_PACKET_MAX_LEN is WEFT_ERR_INVALID");
	for (size_t si = 0; si < NSUITES; si++) {
		make_packet(armed, WEFT_PAYLOAD_MAX_LEN + 1, 0);
		armed[WEFT_WIRE_IDX_FLAGS] = (uint8_t)(suites[si] << 3);
		memcpy(work, armed, WEFT_PACKET_MAX_LEN + 1);
		T_CHECK(weft_packet_disarm(work, WEFT_PACKET_MAX_LEN + 1, &key) ==
		        WEFT_ERR_INVALID);
		T_CHECK(!memcmp(work, armed, WEFT_PACKET_MAX_LEN + 1));
	}

	t_case("arm rejects lengths below 28 and above WEFT_PACKET_MAX_LEN, unchanged");
	for (size_t si = 0; si < NSUITES; si++) {
		make_packet(armed, WEFT_PAYLOAD_MAX_LEN + 1, 0);
		memcpy(work, armed, WEFT_PACKET_MAX_LEN + 1);
		T_CHECK(weft_packet_arm(work, WEFT_PACKET_MAX_LEN + 1, &key, suites[si]) ==
		        WEFT_ERR_INVALID);
		T_CHECK(weft_packet_arm(work, 27, &key, suites[si]) == WEFT_ERR_INVALID);
		T_CHECK(weft_packet_arm(work, 0, &key, suites[si]) == WEFT_ERR_INVALID);
		T_CHECK(!memcmp(work, armed, WEFT_PACKET_MAX_LEN + 1));
	}

	t_case("arm with suite 2 or 4..7 is WEFT_ERR_UNSUPPORTED, unchanged");
	{
		size_t len = make_packet(armed, 100, 0);
		for (unsigned u = 2; u < 8; u++) {
			if (suite_supported(u))
				continue;
			memcpy(work, armed, len);
			T_CHECK_MSG(weft_packet_arm(work, len, &key, (enum weft_cipher)u) ==
			                WEFT_ERR_UNSUPPORTED,
			            "suite %u", u);
			T_CHECK(!memcmp(work, armed, len));
		}
	}

	weft_cipher_key_clear(&key);
	weft_cipher_key_clear(&other);
	free(armed);
	free(work);
}

// Buffers of WEFT_PACKET_MAX_LEN bytes shared by the compression cases.
struct bufs {
	uint8_t *pkt, *orig, *scratch;
};

static void test_compress_small(struct bufs *b)
{
	size_t len;
	t_case("compress: payloads of 0..64 bytes are never compressed, even all zeros");
	for (size_t plen = 0; plen <= 64; plen++) {
		len = make_packet(b->pkt, plen, 0);
		memset(b->pkt + 28, 0, plen);
		memcpy(b->orig, b->pkt, len);
		T_CHECK_MSG(weft_packet_compress(b->pkt, len, b->scratch) == len, "payload %zu",
		            plen);
		T_CHECK_MSG(!memcmp(b->pkt, b->orig, len), "payload %zu: buffer changed", plen);
	}

	t_case("compress: 65 zero bytes are compressed (the first length that may be)");
	len = make_packet(b->pkt, 65, 0);
	memset(b->pkt + 28, 0, 65);
	T_CHECK(weft_packet_compress(b->pkt, len, b->scratch) < len);
	T_CHECK(b->pkt[27] == (WEFT_VERB_FRAME | WEFT_WIRE_VERB_COMPRESSED));
}

static void test_compress_roundtrip(struct bufs *b)
{
	const size_t lens[] = {65, 100, 1000, 5000, WEFT_PAYLOAD_MAX_LEN};
	size_t len, clen, dlen;
	for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
		t_case("compress/decompress: compressible %zu-byte payload round-trips", lens[i]);
		len = make_packet(b->pkt, lens[i], 0);
		for (size_t j = 0; j < lens[i]; j++)
			b->pkt[28 + j] = (uint8_t)((size_t) "weft weft weft! "[j % 16] ^ (j / 512));
		memcpy(b->orig, b->pkt, len);
		clen = weft_packet_compress(b->pkt, len, b->scratch);
		T_CHECK(clen < len && clen >= 28);
		T_CHECK(b->pkt[27] & WEFT_WIRE_VERB_COMPRESSED);
		T_CHECK((b->pkt[27] & WEFT_WIRE_VERB_MASK) == WEFT_VERB_FRAME);
		T_CHECK_MEM(b->pkt, b->orig, 27); // header untouched
		dlen = clen;
		T_CHECK(weft_packet_decompress(b->pkt, &dlen, WEFT_PACKET_MAX_LEN, b->scratch) ==
		        WEFT_OK);
		T_CHECK(dlen == len);
		T_CHECK(!(b->pkt[27] & WEFT_WIRE_VERB_COMPRESSED));
		T_CHECK_MEM(b->pkt, b->orig, len);
	}

	for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
		t_case("compress: incompressible (random) %zu-byte payload is left alone", lens[i]);
		len = make_packet(b->pkt, lens[i], 0);
		memcpy(b->orig, b->pkt, len);
		T_CHECK(weft_packet_compress(b->pkt, len, b->scratch) == len);
		T_CHECK(!memcmp(b->pkt, b->orig, len));
		dlen = len;
		T_CHECK(weft_packet_decompress(b->pkt, &dlen, WEFT_PACKET_MAX_LEN, b->scratch) ==
		        WEFT_OK);
		T_CHECK(dlen == len && !memcmp(b->pkt, b->orig, len));
	}

	t_case("compress then arm (suite 3), disarm then decompress restores the packet");
	struct weft_cipher_key key;
	weft_cipher_key_init(&key, test_key);
	len = make_packet(b->pkt, 3000, 0);
	memset(b->pkt + 28, 'z', 3000);
	memcpy(b->orig, b->pkt, len);
	clen = weft_packet_compress(b->pkt, len, b->scratch);
	T_CHECK(clen < len);
	T_CHECK(weft_packet_arm(b->pkt, clen, &key, WEFT_CIPHER_AES_GMAC_SIV) == WEFT_OK);
	T_CHECK(weft_packet_disarm(b->pkt, clen, &key) == WEFT_OK);
	dlen = clen;
	T_CHECK(weft_packet_decompress(b->pkt, &dlen, WEFT_PACKET_MAX_LEN, b->scratch) == WEFT_OK);
	T_CHECK(dlen == len);
	T_CHECK_MEM(b->pkt + 8, b->orig + 8, 10);
	T_CHECK_MEM(b->pkt + 27, b->orig + 27, len - 27);
	weft_cipher_key_clear(&key);

	t_case("decompress: without the compressed bit it is a no-op");
	len = make_packet(b->pkt, 100, 0);
	memcpy(b->orig, b->pkt, len);
	dlen = len;
	T_CHECK(weft_packet_decompress(b->pkt, &dlen, WEFT_PACKET_MAX_LEN, b->scratch) == WEFT_OK);
	T_CHECK(dlen == len && !memcmp(b->pkt, b->orig, len));

	t_case("decompress: a packet shorter than 28 bytes is WEFT_ERR_INVALID");
	dlen = 27;
	T_CHECK(weft_packet_decompress(b->pkt, &dlen, WEFT_PACKET_MAX_LEN, b->scratch) ==
	        WEFT_ERR_INVALID);
	T_CHECK(dlen == 27);
}

static void test_decompress_garbage(struct bufs *b)
{
	// Invalid LZ4 blocks behind a set compressed bit.
	static const struct {
		const char *what;
		size_t n;
		uint8_t b[8];
	} garbage[] = {
	    {"empty payload", 0, {0}},
	    {"literal run longer than the input", 3, {0x50, 'a', 'b'}},
	    {"missing literal-length extension byte", 1, {0xf0}},
	    {"match offset before the start of output", 7, {0x10, 'a', 0x05, 0x00, 0, 0, 0}},
	    {"match with a truncated offset", 3, {0x14, 'a', 0x01}},
	    {"all 0xff", 8, {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}},
	};
	size_t len, dlen;
	for (size_t i = 0; i < sizeof garbage / sizeof garbage[0]; i++) {
		t_case("decompress: invalid LZ4 (%s) is an error, buffer and length unchanged",
		       garbage[i].what);
		make_packet(b->pkt, 0, 0);
		b->pkt[27] |= WEFT_WIRE_VERB_COMPRESSED;
		memcpy(b->pkt + 28, garbage[i].b, garbage[i].n);
		len = 28 + garbage[i].n;
		memcpy(b->orig, b->pkt, len);
		dlen = len;
		enum weft_result r =
		    weft_packet_decompress(b->pkt, &dlen, WEFT_PACKET_MAX_LEN, b->scratch);
		T_CHECK_MSG(r != WEFT_OK && !weft_result_is_fatal(r), "result %d", r);
		T_CHECK(dlen == len);
		T_CHECK(!memcmp(b->pkt, b->orig, len));
	}

	t_case("decompress: random garbage with the compressed bit never changes the buffer "
	       "on failure");
	unsigned fails = 0, bad = 0;
	for (int iter = 0; iter < 2000; iter++) {
		size_t plen = 1 + (size_t)(next_u64() % 300);
		len = make_packet(b->pkt, plen, 0);
		b->pkt[27] |= WEFT_WIRE_VERB_COMPRESSED;
		memcpy(b->orig, b->pkt, len);
		dlen = len;
		enum weft_result r =
		    weft_packet_decompress(b->pkt, &dlen, WEFT_PACKET_MAX_LEN, b->scratch);
		if (r != WEFT_OK) {
			fails++;
			if (dlen != len || memcmp(b->pkt, b->orig, len))
				bad++;
		} else if (dlen > WEFT_PACKET_MAX_LEN) {
			bad++;
		}
	}
	T_CHECK(fails > 1000); // random bytes are almost never a valid LZ4 block
	T_CHECK(bad == 0);
}

static void test_decompress_limits(struct bufs *b)
{
	size_t len, clen, dlen;
	t_case("decompress: a result larger than cap is WEFT_ERR_TOO_BIG, unchanged; exact fits");
	len = make_packet(b->pkt, 1000, 0);
	memset(b->pkt + 28, 0, 1000);
	clen = weft_packet_compress(b->pkt, len, b->scratch);
	T_CHECK(clen < 100);
	memcpy(b->orig, b->pkt, clen);
	const size_t caps[] = {28, 500, len - 1};
	for (size_t i = 0; i < 3; i++) {
		dlen = clen;
		T_CHECK_MSG(weft_packet_decompress(b->pkt, &dlen, caps[i], b->scratch) ==
		                WEFT_ERR_TOO_BIG,
		            "cap %zu", caps[i]);
		T_CHECK(dlen == clen && !memcmp(b->pkt, b->orig, clen));
	}
	dlen = clen;
	T_CHECK(weft_packet_decompress(b->pkt, &dlen, len, b->scratch) == WEFT_OK && dlen == len);

	t_case("decompress: a payload expanding to exactly 9996 bytes is accepted");
	uint8_t *zeros = calloc(1, 20000);
	make_packet(b->pkt, 0, 0);
	b->pkt[27] |= WEFT_WIRE_VERB_COMPRESSED;
	int n = LZ4_compress_default((const char *)zeros, (char *)b->pkt + 28, WEFT_PAYLOAD_MAX_LEN,
	                             WEFT_PAYLOAD_MAX_LEN);
	T_CHECK(n > 0);
	dlen = 28 + (size_t)n;
	T_CHECK(weft_packet_decompress(b->pkt, &dlen, WEFT_PACKET_MAX_LEN, b->scratch) == WEFT_OK);
	T_CHECK(dlen == WEFT_PACKET_MAX_LEN);

	// vl1.md §4.7: drop. The result code may be TOO_BIG or INVALID (liblz4 cannot tell an
	// over-long output from a corrupt block).
	t_case("decompress: a payload expanding past 9996 bytes is rejected, unchanged");
	const int over[] = {WEFT_PAYLOAD_MAX_LEN + 1, 20000};
	for (size_t i = 0; i < 2; i++) {
		make_packet(b->pkt, 0, 0);
		b->pkt[27] |= WEFT_WIRE_VERB_COMPRESSED;
		n = LZ4_compress_default((const char *)zeros, (char *)b->pkt + 28, over[i],
		                         WEFT_PAYLOAD_MAX_LEN);
		T_CHECK(n > 0);
		len = 28 + (size_t)n;
		memcpy(b->orig, b->pkt, len);
		dlen = len;
		enum weft_result r =
		    weft_packet_decompress(b->pkt, &dlen, WEFT_PACKET_MAX_LEN, b->scratch);
		T_CHECK_MSG(r == WEFT_ERR_TOO_BIG || r == WEFT_ERR_INVALID,
		            "expanding to %d gave %d", over[i], r);
		T_CHECK(dlen == len && !memcmp(b->pkt, b->orig, len));
	}
	free(zeros);
}

static void test_compress(void)
{
	struct bufs b = {
	    .pkt = malloc(WEFT_PACKET_MAX_LEN),
	    .orig = malloc(WEFT_PACKET_MAX_LEN),
	    .scratch = malloc(WEFT_PACKET_MAX_LEN),
	};
	test_compress_small(&b);
	test_compress_roundtrip(&b);
	test_decompress_garbage(&b);
	test_decompress_limits(&b);
	free(b.pkt);
	free(b.orig);
	free(b.scratch);
}

int main(void)
{
	t_init("unit/packet");
	if (weft_crypto_init() != WEFT_OK) {
		t_case("crypto init");
		T_CHECK(false);
		return t_done();
	}
	test_header();
	test_roundtrip();
	test_reference();
	test_flips();
	test_rejects();
	test_compress();
	return t_done();
}
