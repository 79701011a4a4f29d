// SPDX-License-Identifier: MPL-2.0
// libFuzzer harness for the Dictionary (vl2.md §2). Input: one length byte L, then L bytes of
// NUL-separated lookup keys, then the dictionary bytes (parsed from an exact-size copy). Each
// key is looked up every way; a found value must re-encode and decode to itself, and shadow any
// later entry when written first (first occurrence wins).
#include <stdlib.h>
#include <string.h>

#include "dict.h"
#include "check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define VALUE_MAX 65536

static bool key_usable(const char *k)
{
	return *k && !strpbrk(k, "=\r\n");
}

// The found value v[0..n) written under key into a fresh dictionary reads back unchanged, and
// written in front of the original dictionary it is what the key now finds.
static void check_round_trip(const struct weft_dict *orig, const char *key, const uint8_t *v,
                             size_t n)
{
	static uint8_t buf[2 * VALUE_MAX + 2 * 256 + 8], back[VALUE_MAX];
	struct weft_dict w, view;
	size_t klen = strlen(key);
	weft_dict_init(&w, buf, 2 * n + klen + 2);
	CHECK(weft_dict_add_bytes(&w, key, v, n)); // fits: escaping at most doubles a value
	CHECK(w.len <= 2 * n + klen + 1 && memchr(buf, 0, w.len) == NULL);
	CHECK(weft_dict_get(&w, key, back, sizeof back) == (long)n);
	CHECK(n == 0 || memcmp(back, v, n) == 0);
	if (w.len + 1 + orig->len > sizeof buf)
		return;
	buf[w.len] = '\n';
	if (orig->len)
		memcpy(buf + w.len + 1, orig->p, orig->len);
	weft_dict_view(&view, buf, w.len + 1 + orig->len);
	CHECK(weft_dict_get(&view, key, back, sizeof back) == (long)n);
	CHECK(n == 0 || memcmp(back, v, n) == 0);
}

static void check_key(const struct weft_dict *d, const char *key)
{
	static uint8_t v[VALUE_MAX], part[7];
	char s[5];
	long n = weft_dict_get(d, key, v, sizeof v);
	CHECK(n >= WEFT_DICT_ABSENT && n <= (long)d->len);
	CHECK(weft_dict_get(d, key, NULL, 0) == n);
	CHECK(weft_dict_has(d, key) == (n >= 0));
	CHECK(weft_dict_get_string(d, key, s, sizeof s) == (n >= 0));
	if (n < 0) {
		CHECK(weft_dict_get_u64(d, key, 42) == 42 && weft_dict_get_i64(d, key, -42) == -42);
		CHECK(weft_dict_get_bool(d, key, true) && !weft_dict_get_bool(d, key, false));
		return;
	}
	CHECK(key_usable(key));
	CHECK(weft_dict_get(d, key, part, sizeof part) == n);
	CHECK(memcmp(part, v, (size_t)n < sizeof part ? (size_t)n : sizeof part) == 0);
	if (n == 0) {
		CHECK(weft_dict_get_u64(d, key, 42) == 42 && weft_dict_get_i64(d, key, -42) == -42);
		CHECK(!weft_dict_get_bool(d, key, true));
	} else {
		(void)weft_dict_get_u64(d, key, 0);
		(void)weft_dict_get_i64(d, key, 0);
		CHECK(weft_dict_get_bool(d, key, false) ==
		      (v[0] == '1' || v[0] == 't' || v[0] == 'T'));
	}
	check_round_trip(d, key, v, (size_t)n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char keys[257];
	struct weft_dict d;
	if (size == 0)
		return 0;
	size_t klen = data[0];
	if (klen > size - 1)
		klen = size - 1;
	memcpy(keys, data + 1, klen);
	keys[klen] = 0;
	size_t dlen = size - 1 - klen;
	if (dlen > VALUE_MAX)
		return 0;
	uint8_t *copy = malloc(dlen ? dlen : 1);
	CHECK(copy != NULL);
	if (dlen)
		memcpy(copy, data + 1 + klen, dlen);
	weft_dict_view(&d, copy, dlen);
	CHECK(d.len <= dlen && (d.len == 0 || memchr(d.p, 0, d.len) == NULL));
	CHECK(!weft_dict_add_string(&d, "k", "v")); // views are read-only
	for (const char *k = keys; k < keys + klen; k += strlen(k) + 1)
		check_key(&d, k);
	free(copy);
	return 0;
}
