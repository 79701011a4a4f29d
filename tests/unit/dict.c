// SPDX-License-Identifier: MPL-2.0
// core/dict.h on bad and edge input: truncated and unterminated dictionaries, escapes at the
// very end, keys with '=', entries at exactly the capacity edge, very long keys; the integer
// getters against libc strtoull/strtoll on random strings; and random binary values (every
// byte 0..255 among them) round-tripped through add/get. Inputs sit in exact-size heap copies
// so ASan reports any read past the end.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dict.h"
#include "t.h"

static uint64_t rng_state = 0x9c3e2f8a51d07b64ULL;

static uint64_t next_u64(void)
{
	return t_splitmix64(&rng_state);
}

static size_t rnd_below(size_t n)
{
	return (size_t)(next_u64() % n);
}

// A read-only view over an exact-size heap copy of text[0..n); free with free(d->p).
static void view_copy(struct weft_dict *d, const char *text, size_t n)
{
	uint8_t *p = malloc(n ? n : 1);
	memcpy(p, text, n);
	weft_dict_view(d, p, n);
}
#define VIEW(d, lit) view_copy((d), (lit), sizeof(lit) - 1)

static void view_free(struct weft_dict *d)
{
	free((void *)d->p);
}

// Value of key as a C string for comparisons ("<absent>" if missing).
static const char *val(const struct weft_dict *d, const char *key)
{
	static char out[256];
	if (!weft_dict_get_string(d, key, out, sizeof out))
		return "<absent>";
	return out;
}

static void test_truncated(void)
{
	struct weft_dict d;
	t_case("truncated and unterminated dictionaries");
	VIEW(&d, "");
	T_CHECK(weft_dict_get(&d, "a", NULL, 0) == WEFT_DICT_ABSENT);
	view_free(&d);
	VIEW(&d, "a");
	T_CHECK(!weft_dict_has(&d, "a")); // no '=': not an entry
	view_free(&d);
	VIEW(&d, "a=");
	T_CHECK(weft_dict_get(&d, "a", NULL, 0) == 0);
	T_CHECK(weft_dict_get_u64(&d, "a", 77) == 77 && weft_dict_get_i64(&d, "a", -5) == -5);
	T_CHECK(!weft_dict_get_bool(&d, "a", true));
	view_free(&d);
	VIEW(&d, "a=1\nb");
	T_CHECK(!strcmp(val(&d, "a"), "1") && !weft_dict_has(&d, "b"));
	view_free(&d);
	VIEW(&d, "a=1\nbc=2");
	for (size_t cut = 0; cut <= d.len; cut++) {
		struct weft_dict v;
		view_copy(&v, (const char *)d.p, cut);
		long bc = weft_dict_get(&v, "bc", NULL, 0);
		T_CHECK(bc == (cut < 7 ? WEFT_DICT_ABSENT : (long)cut - 7));
		T_CHECK(weft_dict_has(&v, "a") == (cut >= 2));
		view_free(&v);
	}
	view_free(&d);
	VIEW(&d, "\n\r\n\r=x\n=\nk=v\r\n");
	T_CHECK(!strcmp(val(&d, "k"), "v") && !weft_dict_has(&d, ""));
	view_free(&d);
	VIEW(&d, "a=1\0b=2"); // content ends at the first NUL
	T_CHECK(d.len == 3 && !weft_dict_has(&d, "b"));
	view_free(&d);
}

static void test_end_escapes(void)
{
	struct weft_dict d;
	uint8_t out[8];
	t_case("escapes at the very end of a value or the dictionary");
	VIEW(&d, "k=\\");
	T_CHECK(weft_dict_get(&d, "k", out, sizeof out) == 0);
	view_free(&d);
	VIEW(&d, "k=ab\\");
	T_CHECK(!strcmp(val(&d, "k"), "ab"));
	view_free(&d);
	// a backslash never escapes a line terminator: the line ends and the next entry is seen
	VIEW(&d, "k=a\\\nj=2\\\r\nm=\\q\\\\\\e\\0z");
	T_CHECK(!strcmp(val(&d, "k"), "a") && !strcmp(val(&d, "j"), "2"));
	T_CHECK(weft_dict_get(&d, "m", out, sizeof out) == 5 && !memcmp(out, "q\\=\0z", 5));
	view_free(&d);
	VIEW(&d, "k=\\e");
	T_CHECK(!strcmp(val(&d, "k"), "="));
	view_free(&d);
	VIEW(&d, "k=x\\\0\\n"); // escape before a NUL: value and dictionary end there
	T_CHECK(!strcmp(val(&d, "k"), "x") && d.len == 4);
	view_free(&d);
}

static void test_keys(void)
{
	struct weft_dict d, v;
	uint8_t buf[64];
	t_case("keys with '=', CR or LF, empty keys, writes to a view");
	weft_dict_init(&d, buf, sizeof buf);
	T_CHECK(weft_dict_add_string(&d, "a", "b=c"));
	T_CHECK(!weft_dict_add_string(&d, "x=y", "1") && d.len == 6);
	T_CHECK(!weft_dict_add_string(&d, "x\ny", "1") && !weft_dict_add_string(&d, "x\r", "1"));
	T_CHECK(!weft_dict_add_string(&d, "", "1") && d.len == 6);
	T_CHECK(!memcmp(buf, "a=b\\ec", 6));
	T_CHECK(!strcmp(val(&d, "a"), "b=c"));
	T_CHECK(!weft_dict_has(&d, "a=b") && !weft_dict_has(&d, "") && !weft_dict_has(&d, "a\n"));
	VIEW(&v, "a=b=c\nx=y=1");
	T_CHECK(!strcmp(val(&v, "a"), "b=c") && !strcmp(val(&v, "x"), "y=1"));
	T_CHECK(!weft_dict_has(&v, "a=b") && !weft_dict_has(&v, "x=y"));
	T_CHECK(!weft_dict_add_string(&v, "z", "1")); // a view is read-only
	view_free(&v);
}

// key "k" and a value of n bytes (each 'v', or '=' escaped to two bytes when esc) need
// 2 + n (+ n) bytes; capacity is that plus one for the NUL.
static void test_capacity_edge(void)
{
	t_case("entries at exactly the capacity edge, the NUL byte never written");
	for (size_t n = 0; n < 40; n++) {
		for (int esc = 0; esc < 2; esc++) {
			uint8_t value[40], buf[128];
			size_t entry = 2 + n * (esc ? 2 : 1);
			memset(value, esc ? '=' : 'v', n);
			for (size_t cap = entry; cap <= entry + 2; cap++) {
				struct weft_dict d;
				memset(buf, 0xa5, sizeof buf);
				weft_dict_init(&d, buf, cap);
				bool ok = weft_dict_add_bytes(&d, "k", value, n);
				T_CHECK(ok == (cap >= entry + 1));
				T_CHECK(d.len == (ok ? entry : 0));
				T_CHECK(buf[cap - 1] == 0xa5 && buf[cap] == 0xa5);
				// a second entry never fits in these capacities and changes nothing
				size_t before = d.len;
				bool ok2 = weft_dict_add_bytes(&d, "k", value, n);
				T_CHECK(!ok2 && d.len == before);
				T_CHECK(buf[cap - 1] == 0xa5);
			}
		}
	}
	struct weft_dict d;
	uint8_t one[1];
	weft_dict_init(&d, one, 0);
	T_CHECK(!weft_dict_add_bytes(&d, "k", "", 0));
	weft_dict_init(&d, one, 1);
	T_CHECK(!weft_dict_add_bytes(&d, "k", "", 0) && d.len == 0);
}

static void test_long_keys(void)
{
	static uint8_t buf[WEFT_DICT_CAP_AUTH_INFO];
	static char key[12000];
	struct weft_dict d;
	t_case("very long keys");
	memset(key, 'K', sizeof key - 1);
	key[5000] = 0;
	weft_dict_init(&d, buf, sizeof buf);
	T_CHECK(weft_dict_add_string(&d, key, "long"));
	T_CHECK(!strcmp(val(&d, key), "long"));
	key[5000] = 'K';
	key[4999] = 0; // a prefix of the stored key is not it
	T_CHECK(!weft_dict_has(&d, key));
	key[4999] = 'K';
	key[5001] = 0; // nor is a key one byte longer
	T_CHECK(!weft_dict_has(&d, key));
	key[5001] = 'K';
	key[sizeof key - 1] = 0; // longer than the whole buffer
	size_t before = d.len;
	T_CHECK(!weft_dict_add_string(&d, key, "x") && d.len == before);
	T_CHECK(!weft_dict_has(&d, key));
	struct weft_dict v;
	view_copy(&v, (const char *)buf, d.len);
	T_CHECK(!weft_dict_has(&v, key) && !strcmp(val(&v, "short"), "<absent>"));
	view_free(&v);
}

static void test_lookups_misc(void)
{
	struct weft_dict d;
	uint8_t out[4];
	char s[4];
	t_case("truncating lookups, booleans, signed and address encodings");
	VIEW(&d, "k=abcdef\nt=true\nT=T\nf=false\nz=0\ny=yes\nn=\\0");
	memset(out, 0xee, sizeof out);
	T_CHECK(weft_dict_get(&d, "k", out, 3) == 6 && !memcmp(out, "abc\xee", 4));
	T_CHECK(weft_dict_get_string(&d, "k", s, sizeof s) && !strcmp(s, "abc"));
	T_CHECK(weft_dict_get_string(&d, "k", s, 1) && s[0] == 0);
	T_CHECK(weft_dict_get_string(&d, "k", s, 0));
	T_CHECK(!weft_dict_get_string(&d, "q", s, sizeof s) && s[0] == 0);
	T_CHECK(weft_dict_get_bool(&d, "t", false) && weft_dict_get_bool(&d, "T", false));
	T_CHECK(!weft_dict_get_bool(&d, "f", true) && !weft_dict_get_bool(&d, "z", true));
	T_CHECK(!weft_dict_get_bool(&d, "y", true) && !weft_dict_get_bool(&d, "n", true));
	T_CHECK(weft_dict_get_bool(&d, "absent", true) && !weft_dict_get_bool(&d, "absent", false));
	T_CHECK(weft_dict_get_u64(&d, "n", 9) == 0); // present, decodes to NUL: parses as 0
	view_free(&d);

	uint8_t buf[256];
	weft_dict_init(&d, buf, sizeof buf);
	T_CHECK(weft_dict_add_i64(&d, "m", INT64_MIN) && weft_dict_add_i64(&d, "n", -1));
	T_CHECK(weft_dict_add_address(&d, "a", 0xff12345678abULL));
	T_CHECK(weft_dict_add_u64(&d, "u", 0x0123456789abcdefULL));
	T_CHECK(!strcmp(val(&d, "m"), "8000000000000000") &&
	        !strcmp(val(&d, "n"), "0000000000000001"));
	T_CHECK(!strcmp(val(&d, "a"), "00000012345678ab"));
	T_CHECK(weft_dict_get_i64(&d, "m", 0) == INT64_MAX); // strtoll saturates
	T_CHECK(weft_dict_get_u64(&d, "u", 0) == 0x0123456789abcdefULL);
}

// Random strings over the characters strtoull cares about, compared with libc.
static void test_integers_vs_libc(void)
{
	static const char alphabet[] = " \t\n\v\f\r+-0xX0123456789abcdefABCDEFgz";
	t_case("get_u64 / get_i64 agree with strtoull / strtoll base 16");
	for (int iter = 0; iter < 20000; iter++) {
		char s[40];
		size_t n = rnd_below(sizeof s);
		for (size_t i = 0; i < n; i++)
			s[i] = alphabet[rnd_below(sizeof alphabet - 1)];
		if (iter % 4 == 0 && n > 20) // long digit runs to reach the overflow paths
			memset(s + rnd_below(4), 'f', 17);
		s[n] = 0;
		uint8_t buf[128];
		struct weft_dict d;
		weft_dict_init(&d, buf, sizeof buf);
		T_CHECK(weft_dict_add_string(&d, "v", s));
		uint64_t u = weft_dict_get_u64(&d, "v", 0x5a5a);
		int64_t i = weft_dict_get_i64(&d, "v", -0x5a5a);
		if (n == 0) {
			T_CHECK(u == 0x5a5a && i == -0x5a5a);
			continue;
		}
		T_CHECK_MSG(u == strtoull(s, NULL, 16), "u64 of \"%s\"", s);
		T_CHECK_MSG(i == strtoll(s, NULL, 16), "i64 of \"%s\"", s);
	}
}

// Random binary values, a fixed share of them all 256 byte values in random order, added under
// distinct keys until the dictionary is full; every add must succeed exactly when the escaped
// entry fits, and every stored value must read back byte for byte, in the writer and a view.
static void test_random_round_trip(void)
{
	static uint8_t buf[4096], vals[64][600], out1[600], out2[600];
	static size_t lens[64];
	static const uint8_t special[5] = {0, '\r', '\n', '\\', '='}; // escaped bytes
	t_case("random binary values round-trip through add/get");
	for (int round = 0; round < 200; round++) {
		struct weft_dict d, v;
		size_t cap = 64 + rnd_below(sizeof buf - 64);
		bool added[64];
		weft_dict_init(&d, buf, cap);
		for (size_t k = 0; k < 64; k++) {
			char key[16];
			size_t n = rnd_below(600), esc = 0;
			snprintf(key, sizeof key, "k%zu", k);
			if (k % 8 == 0) {
				n = 256;
				for (size_t b = 0; b < 256; b++)
					vals[k][b] = (uint8_t)b;
				for (size_t b = 255; b > 0; b--) { // shuffle
					size_t j = rnd_below(b + 1);
					uint8_t t = vals[k][b];
					vals[k][b] = vals[k][j];
					vals[k][j] = t;
				}
			} else {
				for (size_t b = 0; b < n; b++)
					vals[k][b] = next_u64() % 7 == 0 ? special[rnd_below(5)]
					                                 : (uint8_t)next_u64();
			}
			lens[k] = n;
			for (size_t b = 0; b < n; b++)
				esc += memchr(special, vals[k][b], 5) ? 2 : 1;
			size_t need = (d.len ? 1 : 0) + strlen(key) + 1 + esc, before = d.len;
			added[k] = weft_dict_add_bytes(&d, key, vals[k], n);
			T_CHECK(added[k] == (before + need <= cap - 1));
			T_CHECK(d.len == (added[k] ? before + need : before));
		}
		T_CHECK(memchr(buf, 0, d.len) == NULL);
		view_copy(&v, (const char *)buf, d.len);
		for (size_t k = 0; k < 64; k++) {
			char key[16];
			snprintf(key, sizeof key, "k%zu", k);
			long n = weft_dict_get(&d, key, out1, sizeof out1);
			long m = weft_dict_get(&v, key, out2, sizeof out2);
			T_CHECK(n == (added[k] ? (long)lens[k] : WEFT_DICT_ABSENT) && m == n);
			if (added[k] && n == (long)lens[k])
				T_CHECK(!memcmp(out1, vals[k], lens[k]) &&
				        !memcmp(out2, vals[k], lens[k]));
		}
		view_free(&v);
	}
}

int main(void)
{
	t_init("unit/dict");
	test_truncated();
	test_end_escapes();
	test_keys();
	test_capacity_edge();
	test_long_keys();
	test_lookups_misc();
	test_integers_vs_libc();
	test_random_round_trip();
	return t_done();
}
