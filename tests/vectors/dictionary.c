// SPDX-License-Identifier: MPL-2.0
// dictionary.json: each case's entries are added in order (checking which fit), the bytes are
// compared with `serialized`, and every lookup is run both on the dictionary built here and
// on a read-only view of the vector's bytes; nested cases decode and re-encode the inner ones.
#include <stdlib.h>
#include <string.h>

#include "dict.h"
#include "t.h"
#include "vec.h"

#define BUF_MAX 8192

static bool add_entry(struct weft_dict *d, const json_t *e)
{
	const char *key = vec_str(e, "key"), *type = vec_str(e, "type");
	const json_t *v = json_object_get(e, "value");
	if (!strcmp(type, "string"))
		return weft_dict_add_bytes(d, key, json_string_value(v), json_string_length(v));
	if (!strcmp(type, "u64") || !strcmp(type, "address")) {
		uint64_t x = vec_u64hex(e, "value");
		return *type == 'u' ? weft_dict_add_u64(d, key, x)
		                    : weft_dict_add_address(d, key, x);
	}
	if (!strcmp(type, "i64"))
		return weft_dict_add_i64(d, key, (int64_t)vec_int(e, "value"));
	if (!strcmp(type, "bool"))
		return weft_dict_add_bool(d, key, vec_bool(e, "value"));
	if (!strcmp(type, "bytes")) {
		size_t n = 0;
		uint8_t *b = vec_hex(e, "value", &n);
		bool ok = b && weft_dict_add_bytes(d, key, b, n);
		free(b);
		return ok;
	}
	T_CHECK_MSG(false, "unknown entry type %s", type);
	return false;
}

// Adds every entry of `entries` to a fresh dictionary of `cap` bytes in buf, checking each
// add_result, then compares the result with the hex field `ser_key` of o.
static void build(struct weft_dict *d, uint8_t *buf, size_t cap, const json_t *entries,
                  const json_t *o, const char *ser_key)
{
	size_t i, n = 0;
	json_t *e;
	weft_dict_init(d, buf, cap);
	json_array_foreach (entries, i, e) {
		size_t before = d->len;
		bool ok = add_entry(d, e);
		T_CHECK_MSG(ok == vec_bool(e, "add_result"), "entry %zu (%s): add gave %d", i,
		            vec_str(e, "key"), ok);
		if (!ok)
			T_CHECK(d->len == before);
	}
	uint8_t *ser = vec_hex(o, ser_key, &n);
	T_CHECK_MSG(ser && d->len == n, "%s: length %zu, expected %zu", ser_key, d->len, n);
	if (ser && d->len == n)
		T_CHECK_MEM(d->p, ser, n);
	free(ser);
}

static void check_lookup(const struct weft_dict *d, const json_t *l, const char *where)
{
	const char *key = vec_str(l, "key");
	uint8_t got[BUF_MAX];
	size_t n = 0;
	uint8_t *exp = vec_hex(l, "value", &n);
	long len = weft_dict_get(d, key, got, sizeof got);
	T_CHECK_MSG(len == (long)vec_int(l, "get_length"), "%s %s: length %ld", where, key, len);
	T_CHECK(weft_dict_has(d, key) == vec_bool(l, "found"));
	T_CHECK(weft_dict_get(d, key, NULL, 0) == len);
	if (exp && len == (long)n)
		T_CHECK_MEM(got, exp, n);
	if (json_object_get(l, "getUI"))
		T_CHECK_MSG(weft_dict_get_u64(d, key, 0) == vec_u64hex(l, "getUI"), "%s %s: getUI",
		            where, key);
	if (json_object_get(l, "getI"))
		T_CHECK_MSG(weft_dict_get_i64(d, key, 0) == (int64_t)vec_int(l, "getI"),
		            "%s %s: getI", where, key);
	if (json_object_get(l, "getB"))
		T_CHECK_MSG(weft_dict_get_bool(d, key, false) == vec_bool(l, "getB"), "%s %s: getB",
		            where, key);
	free(exp);
}

// Every prefix of the serialized bytes, viewed and looked up: must stay in bounds (run under
// ASan) and a key whose full value is in the prefix still decodes the same.
static void check_truncations(const uint8_t *ser, size_t n, const json_t *lookups)
{
	size_t i;
	json_t *l;
	for (size_t cut = 0; cut <= n; cut++) {
		struct weft_dict v;
		uint8_t *copy = malloc(cut ? cut : 1); // exact size, so ASan sees any overrun
		memcpy(copy, ser, cut);
		weft_dict_view(&v, copy, cut);
		json_array_foreach (lookups, i, l) {
			uint8_t got[BUF_MAX];
			long len = weft_dict_get(&v, vec_str(l, "key"), got, sizeof got);
			T_CHECK(len <= (long)vec_int(l, "get_length"));
			(void)weft_dict_get_u64(&v, vec_str(l, "key"), 0);
			(void)weft_dict_get_i64(&v, vec_str(l, "key"), 0);
		}
		free(copy);
	}
}

// The inner dictionary of a nested case: built from inner_entries, found again as the value
// of the first outer entry whose decoded value equals it, and its entries looked up.
static void check_inner(const struct weft_dict *outer, const json_t *c)
{
	struct weft_dict in, view;
	uint8_t buf[BUF_MAX], got[BUF_MAX], val[BUF_MAX];
	size_t i;
	json_t *e;
	build(&in, buf, sizeof buf, json_object_get(c, "inner_entries"), c, "inner_serialized");
	long n = weft_dict_get(outer, "inner", got, sizeof got);
	T_CHECK(n == (long)in.len && !memcmp(got, in.p, in.len));
	weft_dict_view(&view, got, n > 0 ? (size_t)n : 0);
	T_CHECK(!weft_dict_has(outer, "a")); // inner keys are invisible outside
	json_array_foreach (json_object_get(c, "inner_entries"), i, e) {
		struct weft_dict one;
		uint8_t onebuf[BUF_MAX];
		long vn = weft_dict_get(&view, vec_str(e, "key"), val, sizeof val);
		T_CHECK(vn >= 0);
		// re-adding the decoded value gives the entry's serialized line back
		weft_dict_init(&one, onebuf, sizeof onebuf);
		weft_dict_add_bytes(&one, vec_str(e, "key"), val, vn > 0 ? (size_t)vn : 0);
		struct weft_dict ref;
		uint8_t refbuf[BUF_MAX];
		weft_dict_init(&ref, refbuf, sizeof refbuf);
		T_CHECK(add_entry(&ref, e));
		T_CHECK(one.len == ref.len && !memcmp(one.p, ref.p, one.len));
	}
}

// The first key of a serialized dictionary: the bytes before its first '='.
static void first_key(const uint8_t *p, size_t n, char *out, size_t cap)
{
	const uint8_t *eq = memchr(p, '=', n);
	size_t k = eq ? (size_t)(eq - p) : 0;
	if (k >= cap)
		k = 0;
	memcpy(out, p, k);
	out[k] = 0;
}

// Two levels: level1 is the value of "top", level2 the value of level1's first key; each is
// decoded and re-encoded (escaping applies once per level).
static void check_two_levels(const struct weft_dict *outer, const json_t *c)
{
	size_t n1 = 0, n2 = 0;
	uint8_t *l1 = vec_hex(c, "level1_serialized", &n1);
	uint8_t *l2 = vec_hex(c, "level2_serialized", &n2);
	uint8_t got[BUF_MAX], v2[BUF_MAX], deep[BUF_MAX], m2[BUF_MAX], b1[BUF_MAX], b2[BUF_MAX];
	char k1[64] = "", k2[64] = "";
	struct weft_dict d1, d2, e1, e2;
	T_CHECK(l1 && l2);
	if (!l1 || !l2)
		goto done;
	long n = weft_dict_get(outer, "top", got, sizeof got);
	T_CHECK(n == (long)n1 && !memcmp(got, l1, n1));
	first_key(l1, n1, k1, sizeof k1);
	first_key(l2, n2, k2, sizeof k2);
	weft_dict_view(&d1, l1, n1);
	long mid = weft_dict_get(&d1, k1, v2, sizeof v2);
	long m2n = weft_dict_get(&d1, "m2", m2, sizeof m2);
	T_CHECK(mid == (long)n2 && !memcmp(v2, l2, n2));
	T_CHECK(m2n == 1 && m2[0] == '\\');
	weft_dict_view(&d2, l2, n2);
	long dn = weft_dict_get(&d2, k2, deep, sizeof deep);
	T_CHECK(dn == 5 && !memcmp(deep, "x=y\nz", 5));
	// and back up
	weft_dict_init(&e2, b2, sizeof b2);
	T_CHECK(dn >= 0 && weft_dict_add_bytes(&e2, k2, deep, (size_t)dn));
	T_CHECK(e2.len == n2 && !memcmp(b2, l2, n2));
	weft_dict_init(&e1, b1, sizeof b1);
	T_CHECK(weft_dict_add_bytes(&e1, k1, e2.p, e2.len));
	T_CHECK(m2n >= 0 && weft_dict_add_bytes(&e1, "m2", m2, (size_t)m2n));
	T_CHECK(e1.len == n1 && !memcmp(b1, l1, n1));
done:
	free(l1);
	free(l2);
}

static void check_case(const json_t *c, size_t idx)
{
	struct weft_dict d, view;
	static uint8_t buf[BUF_MAX];
	size_t i, n = 0;
	json_t *l;
	const json_t *lookups = json_object_get(c, "lookups");
	t_case("dictionary[%zu] %s", idx, vec_str(c, "name"));
	size_t cap = (size_t)vec_int(c, "capacity");
	T_CHECK(cap > 0 && cap <= sizeof buf);
	if (cap == 0 || cap > sizeof buf)
		return;
	bool encodes = json_array_size(json_object_get(c, "entries")) > 0; // else decode only
	if (encodes)
		build(&d, buf, cap, json_object_get(c, "entries"), c, "serialized");
	uint8_t *ser = vec_hex(c, "serialized", &n);
	T_CHECK(ser != NULL);
	if (!ser)
		return;
	weft_dict_view(&view, ser, n);
	json_array_foreach (lookups, i, l) {
		if (encodes)
			check_lookup(&d, l, "built");
		check_lookup(&view, l, "view");
	}
	check_truncations(ser, n, lookups);
	if (json_object_get(c, "inner_entries"))
		check_inner(&view, c);
	if (json_object_get(c, "level1_serialized"))
		check_two_levels(&view, c);
	free(ser);
}

int main(void)
{
	t_init("vectors/dictionary");
	json_t *j = vec_load("dictionary.json");
	size_t i;
	json_t *c;
	json_array_foreach (json_object_get(j, "cases"), i, c)
		check_case(c, i);
	json_decref(j);
	return t_done();
}
