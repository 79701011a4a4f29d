// SPDX-License-Identifier: MPL-2.0
// core/identity.h: rejection of malformed string and binary identities (output untouched),
// and, on identities generated from a seeded deterministic generator, validation, string and
// binary round trips, 96-byte signatures, key agreement and the no-secret paths.
// Generation is slow (~15 memory-hard hashes each), so this file generates three identities.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "crypto.h"
#include "hex.h"
#include "identity.h"
#include "t.h"

// Deterministic "CSPRNG" for reproducible generation: ChaCha20 keyed by the seed, one nonce
// per call from a counter.
struct drbg {
	uint8_t key[crypto_stream_chacha20_KEYBYTES];
	uint64_t ctr;
};

static void drbg_seed(struct drbg *g, uint8_t seed)
{
	memset(g, 0, sizeof *g);
	g->key[0] = seed;
	g->key[31] = 0x5a;
}

static void drbg_fill(void *ctx, void *buf, size_t len)
{
	struct drbg *g = ctx;
	uint8_t nonce[crypto_stream_chacha20_NONCEBYTES];
	for (size_t i = 0; i < sizeof nonce; i++)
		nonce[i] = (uint8_t)(g->ctr >> (8 * i));
	g->ctr++;
	crypto_stream_chacha20(buf, len, nonce, g->key);
}

#define PATTERN 0x5a
#define ADDR    "89e92ceee5"

static void fill_pattern(struct weft_identity *id)
{
	memset(id, PATTERN, sizeof *id);
}

static bool is_pattern(const struct weft_identity *id)
{
	struct weft_identity p;
	fill_pattern(&p);
	return memcmp(id, &p, sizeof p) == 0;
}

// 128 hex digits of a synthetic key: byte i = i + base.
static void key_hex(char out[129], uint8_t base)
{
	uint8_t k[64];
	for (int i = 0; i < 64; i++)
		k[i] = (uint8_t)(i + base);
	weft_hex_encode(out, k, 64);
}

static void expect_string_rejected(const char *what, const char *s, size_t len)
{
	struct weft_identity id;
	const char *why = NULL;
	t_case("from_string rejects %s", what);
	fill_pattern(&id);
	enum weft_result r = weft_identity_from_string(&id, s, len, &why);
	T_CHECK_MSG(r == WEFT_ERR_INVALID, "result %d for \"%.*s\"", r, (int)len, s);
	T_CHECK(why != NULL && why[0] != '\0');
	T_CHECK(is_pattern(&id));
	// `why` may be omitted
	fill_pattern(&id);
	T_CHECK(weft_identity_from_string(&id, s, len, NULL) == WEFT_ERR_INVALID);
	T_CHECK(is_pattern(&id));
}

static void expect_rejected(const char *what, const char *s)
{
	expect_string_rejected(what, s, strlen(s));
}

static void test_string_bad(void)
{
	char pub[129], sec[129], s[600], k[200];
	key_hex(pub, 0x10);
	key_hex(sec, 0x80);

	expect_rejected("the empty string", "");
	expect_rejected("a lone address (1 field)", ADDR);
	expect_rejected("address and type only (2 fields)", ADDR ":0");
	expect_rejected("a lone colon", ":");
	snprintf(s, sizeof s, ADDR ":0:%s:%s:", pub, sec);
	expect_rejected("5 fields (trailing ':' after the secret)", s);
	snprintf(s, sizeof s, ADDR ":0:%s:%s:%s", pub, sec, sec);
	expect_rejected("5 fields (a second secret)", s);
	snprintf(s, sizeof s, ADDR ":0:%s:%s:x:y", pub, sec);
	expect_rejected("6 fields", s);
	snprintf(s, sizeof s, ADDR "::0:%s", pub);
	expect_rejected("an empty field between address and type", s);
	snprintf(s, sizeof s, ":" ADDR ":0:%s", pub);
	expect_rejected("a leading ':'", s);

	snprintf(s, sizeof s, "89e92ceeg5:0:%s", pub);
	expect_rejected("a non-hex address", s);
	snprintf(s, sizeof s, "89e92ceee :0:%s", pub);
	expect_rejected("an address with a space", s);
	snprintf(s, sizeof s, "9e92ceee5:0:%s", pub);
	expect_rejected("a 9-digit address", s);
	snprintf(s, sizeof s, "089e92ceee5:0:%s", pub);
	expect_rejected("an 11-digit address", s);
	snprintf(s, sizeof s, ":0:%s", pub);
	expect_rejected("an empty address", s);
	snprintf(s, sizeof s, "0000000000:0:%s", pub);
	expect_rejected("the reserved address 0000000000", s);
	snprintf(s, sizeof s, "ff00000000:0:%s", pub);
	expect_rejected("the reserved address ff00000000", s);
	snprintf(s, sizeof s, "ff12345678:0:%s", pub);
	expect_rejected("the reserved address ff12345678", s);
	snprintf(s, sizeof s, "ffffffffff:0:%s", pub);
	expect_rejected("the reserved address ffffffffff", s);
	snprintf(s, sizeof s, "FFABCDEF01:0:%s", pub);
	expect_rejected("a reserved address in upper case (FFABCDEF01)", s);

	const char *types[] = {"1", "2", "00", "", "a", " 0", "0 ", "O"};
	for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
		char what[64];
		snprintf(s, sizeof s, ADDR ":%s:%s", types[i], pub);
		snprintf(what, sizeof what, "identity type \"%s\"", types[i]);
		expect_rejected(what, s);
	}

	snprintf(s, sizeof s, ADDR ":0:");
	expect_rejected("an empty public key", s);
	snprintf(s, sizeof s, ADDR ":0:%.126s", pub);
	expect_rejected("a public key of 126 digits", s);
	snprintf(s, sizeof s, ADDR ":0:%.127s", pub);
	expect_rejected("a public key of 127 digits", s);
	snprintf(s, sizeof s, ADDR ":0:%s0", pub);
	expect_rejected("a public key of 129 digits", s);
	snprintf(s, sizeof s, ADDR ":0:%s00", pub);
	expect_rejected("a public key of 130 digits", s);
	snprintf(k, sizeof k, "%s", pub);
	k[77] = 'g';
	snprintf(s, sizeof s, ADDR ":0:%s", k);
	expect_rejected("a public key with a non-hex digit", s);
	snprintf(s, sizeof s, ADDR ":0:%s\n", pub);
	expect_rejected("a public identity with a trailing newline", s);

	snprintf(s, sizeof s, ADDR ":0:%s:", pub);
	expect_rejected("an empty secret key field", s);
	snprintf(s, sizeof s, ADDR ":0:%s:%.126s", pub, sec);
	expect_rejected("a secret key of 126 digits", s);
	snprintf(s, sizeof s, ADDR ":0:%s:%.127s", pub, sec);
	expect_rejected("a secret key of 127 digits", s);
	snprintf(s, sizeof s, ADDR ":0:%s:%s00", pub, sec);
	expect_rejected("a secret key of 130 digits", s);
	snprintf(k, sizeof k, "%s", sec);
	k[127] = 'z';
	snprintf(s, sizeof s, ADDR ":0:%s:%s", pub, k);
	expect_rejected("a secret key with a non-hex digit", s);

	// An embedded NUL inside the length given is not a terminator.
	snprintf(s, sizeof s, ADDR ":0:%s", pub);
	size_t n = strlen(s);
	s[20] = '\0';
	expect_string_rejected("an embedded NUL in the public key", s, n);
}

static void test_string_good(void)
{
	char pub[129], sec[129], s[600];
	struct weft_identity id;
	const char *why = NULL;
	uint8_t k[64];
	key_hex(pub, 0x10);
	key_hex(sec, 0x80);

	t_case("from_string accepts a public identity (no validation of the key)");
	snprintf(s, sizeof s, ADDR ":0:%s", pub);
	fill_pattern(&id);
	T_CHECK(weft_identity_from_string(&id, s, strlen(s), &why) == WEFT_OK);
	T_CHECK(id.address == 0x89e92ceee5ULL);
	T_CHECK(!id.has_secret);
	for (int i = 0; i < 64; i++)
		k[i] = (uint8_t)(i + 0x10);
	T_CHECK_MEM(id.pub, k, 64);
	uint8_t zero[64] = {0};
	T_CHECK_MEM(id.sec, zero, 64);

	t_case("from_string accepts a secret identity");
	snprintf(s, sizeof s, ADDR ":0:%s:%s", pub, sec);
	fill_pattern(&id);
	T_CHECK(weft_identity_from_string(&id, s, strlen(s), &why) == WEFT_OK);
	T_CHECK(id.has_secret);
	for (int i = 0; i < 64; i++)
		k[i] = (uint8_t)(i + 0x80);
	T_CHECK_MEM(id.sec, k, 64);

	t_case("from_string reads only len characters: a secret string cut at 141 is public");
	fill_pattern(&id);
	T_CHECK(weft_identity_from_string(&id, s, WEFT_IDENTITY_STR_PUBLIC_LEN, &why) == WEFT_OK);
	T_CHECK(!id.has_secret);

	t_case("from_string accepts upper-case address and keys (vl1.md §1.5: any case)");
	char up[600];
	snprintf(s, sizeof s, ADDR ":0:%s:%s", pub, sec);
	for (size_t i = 0; s[i]; i++)
		up[i] = (s[i] >= 'a' && s[i] <= 'f') ? (char)(s[i] - 'a' + 'A') : s[i];
	up[strlen(s)] = '\0';
	struct weft_identity lower;
	T_CHECK(weft_identity_from_string(&lower, s, strlen(s), NULL) == WEFT_OK);
	T_CHECK(weft_identity_from_string(&id, up, strlen(up), NULL) == WEFT_OK);
	T_CHECK(id.address == lower.address && id.has_secret);
	T_CHECK_MEM(id.pub, lower.pub, 64);
	T_CHECK_MEM(id.sec, lower.sec, 64);

	t_case("from_string accepts the lowest and highest unreserved addresses");
	snprintf(s, sizeof s, "0000000001:0:%s", pub);
	T_CHECK(weft_identity_from_string(&id, s, strlen(s), NULL) == WEFT_OK && id.address == 1);
	snprintf(s, sizeof s, "feffffffff:0:%s", pub);
	T_CHECK(weft_identity_from_string(&id, s, strlen(s), NULL) == WEFT_OK &&
	        id.address == 0xfeffffffffULL);
}

static void test_reserved(void)
{
	t_case("weft_address_is_reserved: zero and the 0xff prefix only");
	T_CHECK(weft_address_is_reserved(0));
	T_CHECK(!weft_address_is_reserved(1));
	T_CHECK(!weft_address_is_reserved(0x89e92ceee5ULL));
	T_CHECK(!weft_address_is_reserved(0xfeffffffffULL));
	T_CHECK(weft_address_is_reserved(0xff00000000ULL));
	T_CHECK(weft_address_is_reserved(0xff12345678ULL));
	T_CHECK(weft_address_is_reserved(0xffffffffffULL));
}

// A synthetic (not validated) identity with a secret, and its two binary encodings.
static void synthetic(struct weft_identity *id, uint8_t pub_bin[WEFT_IDENTITY_BIN_PUBLIC_LEN],
                      uint8_t sec_bin[WEFT_IDENTITY_BIN_SECRET_LEN])
{
	struct weft_wbuf w;
	memset(id, 0, sizeof *id);
	id->address = 0x89e92ceee5ULL;
	for (int i = 0; i < 64; i++) {
		id->pub[i] = (uint8_t)(i + 0x10);
		id->sec[i] = (uint8_t)(i + 0x80);
	}
	id->has_secret = true;
	wbuf_init(&w, pub_bin, WEFT_IDENTITY_BIN_PUBLIC_LEN);
	weft_identity_encode(id, false, &w);
	wbuf_init(&w, sec_bin, WEFT_IDENTITY_BIN_SECRET_LEN);
	weft_identity_encode(id, true, &w);
}

// Decodes a heap copy of exactly n bytes (so ASan sees any over-read).
static enum weft_result decode_exact(struct weft_identity *id, const uint8_t *bin, size_t n,
                                     struct weft_rbuf *r)
{
	uint8_t *copy = malloc(n ? n : 1);
	if (n)
		memcpy(copy, bin, n);
	rbuf_init(r, copy, n);
	enum weft_result res = weft_identity_decode(id, r);
	free(copy);
	return res;
}

static void test_binary(void)
{
	struct weft_identity id, back;
	uint8_t pb[WEFT_IDENTITY_BIN_PUBLIC_LEN], sb[WEFT_IDENTITY_BIN_SECRET_LEN];
	struct weft_rbuf r;
	synthetic(&id, pb, sb);

	t_case("binary encode: layout of vl1.md §1.6");
	T_CHECK(pb[0] == 0x89 && pb[4] == 0xe5 && pb[5] == 0 && pb[6] == 0x10 && pb[69] == 0x4f);
	T_CHECK(pb[70] == 0);
	T_CHECK(sb[70] == 64 && sb[71] == 0x80 && sb[134] == 0xbf);
	T_CHECK_MEM(sb, pb, 70);

	t_case("binary encode: too small a buffer sets bad");
	uint8_t small[WEFT_IDENTITY_BIN_SECRET_LEN - 1];
	struct weft_wbuf w;
	wbuf_init(&w, small, sizeof small);
	weft_identity_encode(&id, true, &w);
	T_CHECK(w.bad);
	wbuf_init(&w, small, WEFT_IDENTITY_BIN_PUBLIC_LEN - 1);
	weft_identity_encode(&id, false, &w);
	T_CHECK(w.bad);

	t_case("binary decode: public form decodes and consumes exactly 71 bytes");
	uint8_t longer[WEFT_IDENTITY_BIN_PUBLIC_LEN + 3];
	memcpy(longer, pb, sizeof pb);
	memset(longer + sizeof pb, 0xee, 3);
	fill_pattern(&back);
	rbuf_init(&r, longer, sizeof longer);
	T_CHECK(weft_identity_decode(&back, &r) == WEFT_OK);
	T_CHECK(!r.bad && rbuf_left(&r) == 3);
	T_CHECK(back.address == id.address && !back.has_secret);
	T_CHECK(weft_identity_equal_public(&back, &id));

	t_case("binary decode: secret form decodes and consumes exactly 135 bytes");
	fill_pattern(&back);
	T_CHECK(decode_exact(&back, sb, sizeof sb, &r) == WEFT_OK);
	T_CHECK(!r.bad && rbuf_left(&r) == 0);
	T_CHECK(back.has_secret && weft_identity_equal_public(&back, &id));
	T_CHECK_MEM(back.sec, id.sec, 64);
}

static void test_binary_rejects(void)
{
	struct weft_identity id, back;
	uint8_t pb[WEFT_IDENTITY_BIN_PUBLIC_LEN], sb[WEFT_IDENTITY_BIN_SECRET_LEN];
	struct weft_rbuf r;
	synthetic(&id, pb, sb);

	t_case("binary decode: public form truncated at every length 0..70 is rejected");
	for (size_t n = 0; n < WEFT_IDENTITY_BIN_PUBLIC_LEN; n++) {
		fill_pattern(&back);
		enum weft_result res = decode_exact(&back, pb, n, &r);
		T_CHECK_MSG(res == WEFT_ERR_INVALID, "length %zu gave %d", n, res);
		T_CHECK_MSG(r.bad, "length %zu: r.bad not set", n);
		T_CHECK_MSG(is_pattern(&back), "length %zu: output touched", n);
	}

	t_case("binary decode: secret form truncated at every length 0..134 is rejected");
	for (size_t n = 0; n < WEFT_IDENTITY_BIN_SECRET_LEN; n++) {
		fill_pattern(&back);
		enum weft_result res = decode_exact(&back, sb, n, &r);
		T_CHECK_MSG(res == WEFT_ERR_INVALID, "length %zu gave %d", n, res);
		T_CHECK_MSG(r.bad, "length %zu: r.bad not set", n);
		T_CHECK_MSG(is_pattern(&back), "length %zu: output touched", n);
	}

	t_case("binary decode: a type byte other than 0 is rejected");
	const uint8_t types[] = {1, 2, 0x80, 0xff};
	for (size_t i = 0; i < sizeof types; i++) {
		uint8_t b[WEFT_IDENTITY_BIN_SECRET_LEN];
		memcpy(b, sb, sizeof b);
		b[5] = types[i];
		fill_pattern(&back);
		T_CHECK_MSG(decode_exact(&back, b, sizeof b, &r) == WEFT_ERR_INVALID, "type %u",
		            types[i]);
		T_CHECK(r.bad);
		T_CHECK(is_pattern(&back));
	}

	t_case("binary decode: a secret-length byte other than 0 or 64 is rejected");
	const uint8_t lens[] = {1, 32, 63, 65, 96, 128, 255};
	for (size_t i = 0; i < sizeof lens; i++) {
		// enough bytes follow that the failure cannot be a truncation
		uint8_t b[WEFT_IDENTITY_BIN_PUBLIC_LEN + 255];
		memset(b, 0x33, sizeof b);
		memcpy(b, sb, WEFT_IDENTITY_BIN_PUBLIC_LEN);
		b[70] = lens[i];
		fill_pattern(&back);
		T_CHECK_MSG(decode_exact(&back, b, sizeof b, &r) == WEFT_ERR_INVALID,
		            "secret length %u", lens[i]);
		T_CHECK(r.bad);
		T_CHECK(is_pattern(&back));
	}

	t_case("binary decode: reserved addresses are rejected");
	const uint64_t reserved[] = {0, 0xff00000000ULL, 0xffffffffffULL};
	for (size_t i = 0; i < 3; i++) {
		uint8_t b[WEFT_IDENTITY_BIN_PUBLIC_LEN];
		memcpy(b, pb, sizeof b);
		store_be40(b, reserved[i]);
		fill_pattern(&back);
		T_CHECK(decode_exact(&back, b, sizeof b, &r) == WEFT_ERR_INVALID);
		T_CHECK(r.bad);
		T_CHECK(is_pattern(&back));
	}

	t_case("binary decode: a reader already bad is rejected");
	rbuf_init(&r, sb, sizeof sb);
	r.bad = true;
	fill_pattern(&back);
	T_CHECK(weft_identity_decode(&back, &r) == WEFT_ERR_INVALID);
	T_CHECK(is_pattern(&back));
}

// Generated once, shared by the cases below: a and b from seeds 1 and 2, pub_a a's public half.
static struct weft_identity gen_a, gen_b, gen_pub_a;

static void gen(struct weft_identity *id, uint8_t seed)
{
	struct drbg g;
	drbg_seed(&g, seed);
	T_CHECK(weft_identity_generate(id, drbg_fill, &g) == WEFT_OK);
}

static void test_generate(void)
{
	struct weft_identity *a = &gen_a, a2;

	t_case("generate: a seeded identity validates and its keys derive from its secret");
	gen(a, 1);
	T_CHECK(a->has_secret);
	T_CHECK(!weft_address_is_reserved(a->address));
	T_CHECK(a->address <= 0xffffffffffULL);
	T_CHECK(weft_identity_validate(a) == WEFT_OK);
	uint8_t x[32], edpk[32], edsk[64];
	crypto_scalarmult_base(x, a->sec);
	crypto_sign_seed_keypair(edpk, edsk, a->sec + 32);
	T_CHECK_MEM(a->pub, x, 32);
	T_CHECK_MEM(a->pub + 32, edpk, 32);
	uint8_t d1[64], d2[64];
	uint8_t *scratch = malloc(WEFT_IDENTITY_HASH_MEMORY);
	T_CHECK(weft_identity_hash(a->pub, d1, scratch) == WEFT_OK);
	free(scratch);
	T_CHECK(d1[0] < 17);
	T_CHECK(load_be40(d1 + 59) == a->address);

	t_case("identity_hash: with and without caller scratch agree");
	T_CHECK(weft_identity_hash(a->pub, d2, NULL) == WEFT_OK);
	T_CHECK_MEM(d2, d1, 64);

	t_case("generate: the same seed gives the same identity, another seed a different one");
	gen(&a2, 1);
	gen(&gen_b, 2);
	T_CHECK(a2.address == a->address);
	T_CHECK_MEM(a2.pub, a->pub, 64);
	T_CHECK_MEM(a2.sec, a->sec, 64);
	T_CHECK(gen_b.address != a->address);
	T_CHECK(weft_identity_validate(&gen_b) == WEFT_OK);

	t_case("clear wipes the whole identity");
	weft_identity_clear(&a2);
	uint8_t z[sizeof a2];
	memset(z, 0, sizeof z);
	T_CHECK_MEM(&a2, z, sizeof a2);
}

static void test_validate(void)
{
	struct weft_identity t = gen_a;
	t_case("validate rejects a changed address, a changed key and a reserved address");
	t.address ^= 1;
	T_CHECK(weft_identity_validate(&t) == WEFT_ERR_BAD_IDENTITY);
	t = gen_a;
	t.pub[40] ^= 0x01;
	T_CHECK(weft_identity_validate(&t) == WEFT_ERR_BAD_IDENTITY);
	t = gen_a;
	t.address = 0;
	T_CHECK(weft_identity_validate(&t) == WEFT_ERR_BAD_IDENTITY);
	t.address = 0xff00000000ULL | (gen_a.address & 0xffffffffULL);
	T_CHECK(weft_identity_validate(&t) == WEFT_ERR_BAD_IDENTITY);
}

static void test_generated_strings(void)
{
	const struct weft_identity *a = &gen_a;
	struct weft_identity back;
	char s[WEFT_IDENTITY_STR_SECRET_LEN + 1];

	t_case("string round trip: secret form");
	T_CHECK(weft_identity_to_string(a, true, s, sizeof s) == WEFT_IDENTITY_STR_SECRET_LEN);
	T_CHECK(strlen(s) == WEFT_IDENTITY_STR_SECRET_LEN);
	fill_pattern(&back);
	T_CHECK(weft_identity_from_string(&back, s, strlen(s), NULL) == WEFT_OK);
	T_CHECK(back.has_secret && back.address == a->address);
	T_CHECK_MEM(back.pub, a->pub, 64);
	T_CHECK_MEM(back.sec, a->sec, 64);

	t_case("string round trip: public form, lowercase, address zero-padded to 10 digits");
	T_CHECK(weft_identity_to_string(a, false, s, sizeof s) == WEFT_IDENTITY_STR_PUBLIC_LEN);
	T_CHECK(strlen(s) == WEFT_IDENTITY_STR_PUBLIC_LEN);
	bool lower = true;
	for (size_t i = 0; s[i]; i++)
		lower &=
		    (s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f') || s[i] == ':';
	T_CHECK(lower);
	T_CHECK(s[10] == ':' && s[11] == '0' && s[12] == ':');
	fill_pattern(&gen_pub_a);
	T_CHECK(weft_identity_from_string(&gen_pub_a, s, strlen(s), NULL) == WEFT_OK);
	T_CHECK(!gen_pub_a.has_secret && weft_identity_equal_public(&gen_pub_a, a));

	t_case("to_string: too small a buffer, or a secret of a public identity, gives 0");
	T_CHECK(weft_identity_to_string(a, true, s, WEFT_IDENTITY_STR_SECRET_LEN) == 0);
	T_CHECK(weft_identity_to_string(a, false, s, WEFT_IDENTITY_STR_PUBLIC_LEN) == 0);
	T_CHECK(weft_identity_to_string(&gen_pub_a, true, s, sizeof s) == 0);
}

static void test_generated_binary(void)
{
	const struct weft_identity *a = &gen_a;
	struct weft_identity back;
	uint8_t bin[WEFT_IDENTITY_BIN_SECRET_LEN];
	struct weft_wbuf w;
	struct weft_rbuf r;

	t_case("binary round trip: secret and public forms");
	wbuf_init(&w, bin, sizeof bin);
	weft_identity_encode(a, true, &w);
	T_CHECK(!w.bad && w.len == WEFT_IDENTITY_BIN_SECRET_LEN);
	rbuf_init(&r, bin, w.len);
	fill_pattern(&back);
	T_CHECK(weft_identity_decode(&back, &r) == WEFT_OK && rbuf_left(&r) == 0);
	T_CHECK(back.has_secret && weft_identity_equal_public(&back, a));
	T_CHECK_MEM(back.sec, a->sec, 64);
	wbuf_init(&w, bin, sizeof bin);
	weft_identity_encode(a, false, &w);
	T_CHECK(!w.bad && w.len == WEFT_IDENTITY_BIN_PUBLIC_LEN);
	rbuf_init(&r, bin, w.len);
	T_CHECK(weft_identity_decode(&back, &r) == WEFT_OK && !back.has_secret);
	T_CHECK(weft_identity_equal_public(&back, a));

	t_case("binary encode: asking a public identity for its secret writes the public form");
	wbuf_init(&w, bin, sizeof bin);
	weft_identity_encode(&gen_pub_a, true, &w);
	T_CHECK(!w.bad && w.len == WEFT_IDENTITY_BIN_PUBLIC_LEN && bin[70] == 0);
}

static const char msg[] = "weft unit test message";

static void test_sign(void)
{
	const struct weft_identity *a = &gen_a;
	uint8_t sig[WEFT_SIGNATURE_LEN + 1], sig2[WEFT_SIGNATURE_LEN];

	t_case("sign/verify round trip; layout sig(64) || SHA-512(m)[0..32)");
	T_CHECK(weft_identity_sign(a, msg, sizeof msg, sig) == WEFT_OK);
	T_CHECK(weft_identity_verify(a, msg, sizeof msg, sig, WEFT_SIGNATURE_LEN));
	T_CHECK(weft_identity_verify(&gen_pub_a, msg, sizeof msg, sig, WEFT_SIGNATURE_LEN));
	uint8_t h[64];
	crypto_hash_sha512(h, (const uint8_t *)msg, sizeof msg);
	T_CHECK_MEM(sig + 64, h, 32);
	T_CHECK(crypto_sign_verify_detached(sig, h, 32, a->pub + 32) == 0);

	t_case("sign is deterministic");
	T_CHECK(weft_identity_sign(a, msg, sizeof msg, sig2) == WEFT_OK);
	T_CHECK_MEM(sig2, sig, WEFT_SIGNATURE_LEN);

	t_case("sign/verify of the empty message");
	T_CHECK(weft_identity_sign(a, "", 0, sig2) == WEFT_OK);
	T_CHECK(weft_identity_verify(a, "", 0, sig2, WEFT_SIGNATURE_LEN));

	t_case("verify rejects signature lengths 95, 97 and 0 (and 64, 192)");
	sig[WEFT_SIGNATURE_LEN] = 0;
	T_CHECK(!weft_identity_verify(a, msg, sizeof msg, sig, 95));
	T_CHECK(!weft_identity_verify(a, msg, sizeof msg, sig, 97));
	T_CHECK(!weft_identity_verify(a, msg, sizeof msg, sig, 0));
	T_CHECK(!weft_identity_verify(a, msg, sizeof msg, sig, 64));
	T_CHECK(!weft_identity_verify(a, msg, sizeof msg, sig, 192));

	t_case("verify rejects every single-bit flip of the 96-byte signature");
	unsigned accepted = 0;
	for (size_t bit = 0; bit < 8 * WEFT_SIGNATURE_LEN; bit++) {
		memcpy(sig2, sig, WEFT_SIGNATURE_LEN);
		sig2[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		if (weft_identity_verify(a, msg, sizeof msg, sig2, WEFT_SIGNATURE_LEN)) {
			accepted++;
			T_CHECK_MSG(false, "flip of bit %zu accepted", bit);
		}
	}
	T_CHECK(accepted == 0);

	t_case("verify rejects a different message, and another identity's key");
	T_CHECK(!weft_identity_verify(a, msg, sizeof msg - 1, sig, WEFT_SIGNATURE_LEN));
	char other[sizeof msg];
	memcpy(other, msg, sizeof msg);
	other[0] ^= 1;
	T_CHECK(!weft_identity_verify(a, other, sizeof other, sig, WEFT_SIGNATURE_LEN));
	T_CHECK(!weft_identity_verify(&gen_b, msg, sizeof msg, sig, WEFT_SIGNATURE_LEN));

	t_case("verify rejects b's signature of the same message (hash half equal) under a's key");
	uint8_t sb[WEFT_SIGNATURE_LEN];
	T_CHECK(weft_identity_sign(&gen_b, msg, sizeof msg, sb) == WEFT_OK);
	T_CHECK_MEM(sb + 64, sig + 64, 32);
	T_CHECK(!weft_identity_verify(a, msg, sizeof msg, sb, WEFT_SIGNATURE_LEN));
}

static void test_agree(void)
{
	const struct weft_identity *a = &gen_a, *b = &gen_b;
	uint8_t kab[48], kba[48], kref[48];

	t_case("agree is symmetric and equals SHA-512(X25519)[0..48)");
	T_CHECK(weft_identity_agree(a, b, kab) == WEFT_OK);
	T_CHECK(weft_identity_agree(b, a, kba) == WEFT_OK);
	T_CHECK_MEM(kab, kba, 48);
	uint8_t raw[32], hh[64];
	T_CHECK(crypto_scalarmult(raw, a->sec, b->pub) == 0);
	crypto_hash_sha512(hh, raw, 32);
	memcpy(kref, hh, 48);
	T_CHECK_MEM(kab, kref, 48);

	t_case("agree with a public-only peer works (only my secret is needed)");
	T_CHECK(weft_identity_agree(b, &gen_pub_a, kba) == WEFT_OK);
	T_CHECK_MEM(kab, kba, 48);

	t_case("agree with low-order peer keys fails with a result, no crash");
	static const uint8_t low_order[][32] = {
	    {0}, // all zeros
	    {1}, // u = 1
	    {0xe0, 0xeb, 0x7a, 0x7c, 0x3b, 0x41, 0xb8, 0xae, 0x16, 0x56, 0xe3,
	     0xfa, 0xf1, 0x9f, 0xc4, 0x6a, 0xda, 0x09, 0x8d, 0xeb, 0x9c, 0x32,
	     0xb1, 0xfd, 0x86, 0x62, 0x05, 0x16, 0x5f, 0x49, 0xb8, 0x00}, // order 8
	};
	for (size_t i = 0; i < sizeof low_order / sizeof low_order[0]; i++) {
		struct weft_identity lo = *b;
		memcpy(lo.pub, low_order[i], 32);
		enum weft_result res = weft_identity_agree(a, &lo, kab);
		T_CHECK_MSG(res != WEFT_OK && !weft_result_is_fatal(res),
		            "low-order key %zu gave %d", i, res);
	}
	struct weft_identity zero = *b;
	memset(zero.pub, 0, 64);
	T_CHECK(weft_identity_agree(a, &zero, kab) != WEFT_OK);

	t_case("agree and sign with a public-only identity return WEFT_ERR_NO_SECRET");
	uint8_t sig[WEFT_SIGNATURE_LEN], sevens[WEFT_SIGNATURE_LEN];
	memset(sig, 0x77, sizeof sig);
	memset(sevens, 0x77, sizeof sevens);
	T_CHECK(weft_identity_sign(&gen_pub_a, msg, sizeof msg, sig) == WEFT_ERR_NO_SECRET);
	T_CHECK(weft_identity_agree(&gen_pub_a, b, kab) == WEFT_ERR_NO_SECRET);
	T_CHECK_MEM(sig, sevens, WEFT_SIGNATURE_LEN);
}

int main(void)
{
	t_init("unit/identity");
	if (weft_crypto_init() != WEFT_OK) {
		t_case("crypto init");
		T_CHECK(false);
		return t_done();
	}
	test_reserved();
	test_string_bad();
	test_string_good();
	test_binary();
	test_binary_rejects();
	test_generate();
	test_validate();
	test_generated_strings();
	test_generated_binary();
	test_sign();
	test_agree();
	weft_identity_clear(&gen_a);
	weft_identity_clear(&gen_b);
	return t_done();
}
