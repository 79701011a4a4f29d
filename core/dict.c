// SPDX-License-Identifier: MPL-2.0
// Dictionary reader and writer (vl2.md §2). Reads are a bounded linear scan: lines split at
// CR or LF wherever they appear, so a line boundary never depends on escapes; a value is then
// unescaped one byte at a time through a cursor that stops at its line's end.
#include <string.h>

#include "buf.h"
#include "dict.h"
#include "hex.h"

#define HEX64_DIGITS 16

static bool is_eol(uint8_t b)
{
	return b == '\r' || b == '\n';
}

// A usable key: non-empty, no '=' and no line terminator (NUL cannot occur in a C string).
static bool key_ok(const char *key, size_t klen)
{
	if (klen == 0)
		return false;
	for (size_t i = 0; i < klen; i++)
		if (key[i] == '=' || is_eol((uint8_t)key[i]))
			return false;
	return true;
}

void weft_dict_init(struct weft_dict *d, uint8_t *buf, size_t cap)
{
	d->p = buf;
	d->w = buf;
	d->cap = cap;
	d->len = 0;
}

void weft_dict_view(struct weft_dict *d, const uint8_t *p, size_t len)
{
	const uint8_t *nul = len ? memchr(p, 0, len) : NULL;
	d->p = p;
	d->w = NULL;
	d->cap = 0;
	d->len = nul ? (size_t)(nul - p) : len;
}

// ---- writing ----

static size_t escaped_len(const uint8_t *v, size_t n)
{
	size_t e = n;
	for (size_t i = 0; i < n; i++)
		if (v[i] == 0 || v[i] == '\r' || v[i] == '\n' || v[i] == '\\' || v[i] == '=')
			e++;
	return e;
}

// Writes the escaped form of v[0..n) at out and returns the bytes written (§2.2 table).
static size_t escape(uint8_t *out, const uint8_t *v, size_t n)
{
	size_t j = 0;
	for (size_t i = 0; i < n; i++) {
		uint8_t c;
		switch (v[i]) {
		case 0: c = '0'; break;
		case '\r': c = 'r'; break;
		case '\n': c = 'n'; break;
		case '\\': c = '\\'; break;
		case '=': c = 'e'; break;
		default: out[j++] = v[i]; continue;
		}
		out[j++] = '\\';
		out[j++] = c;
	}
	return j;
}

bool weft_dict_add_bytes(struct weft_dict *d, const char *key, const void *v, size_t n)
{
	const uint8_t *val = v;
	size_t klen = strlen(key);
	if (!d->w || d->cap == 0 || !key_ok(key, klen))
		return false;
	// Both checks below keep `need` from wrapping before it is compared with the room left.
	size_t room = d->cap - 1 - d->len;
	if (n > room || klen > room)
		return false;
	size_t need = (d->len ? 1 : 0) + klen + 1 + escaped_len(val, n);
	if (need > room)
		return false;
	uint8_t *o = d->w + d->len;
	if (d->len)
		*o++ = '\n';
	memcpy(o, key, klen);
	o += klen;
	*o++ = '=';
	o += escape(o, val, n);
	d->len = (size_t)(o - d->w);
	return true;
}

bool weft_dict_add_string(struct weft_dict *d, const char *key, const char *s)
{
	return weft_dict_add_bytes(d, key, s, strlen(s));
}

bool weft_dict_add_u64(struct weft_dict *d, const char *key, uint64_t v)
{
	uint8_t be[8];
	char text[HEX64_DIGITS + 1];
	store_be64(be, v);
	weft_hex_encode(text, be, sizeof be);
	return weft_dict_add_bytes(d, key, text, HEX64_DIGITS);
}

bool weft_dict_add_i64(struct weft_dict *d, const char *key, int64_t v)
{
	uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	return weft_dict_add_u64(d, key, mag);
}

bool weft_dict_add_bool(struct weft_dict *d, const char *key, bool v)
{
	return weft_dict_add_bytes(d, key, v ? "1" : "0", 1);
}

bool weft_dict_add_address(struct weft_dict *d, const char *key, uint64_t addr)
{
	return weft_dict_add_u64(d, key, addr & 0xffffffffffULL);
}

// ---- reading ----

// Unescaping cursor over one value: p[pos..end) where end is the dictionary's length.
struct cursor {
	const uint8_t *p;
	size_t pos;
	size_t end;
};

// Next decoded byte, or -1 at the value's end (CR, LF, NUL or the end of the bytes). A
// backslash right before the end is dropped (§2.2); it never escapes a line terminator.
static int next(struct cursor *c)
{
	if (c->pos >= c->end || is_eol(c->p[c->pos]) || c->p[c->pos] == 0)
		return -1;
	uint8_t b = c->p[c->pos++];
	if (b != '\\')
		return b;
	if (c->pos >= c->end || is_eol(c->p[c->pos]) || c->p[c->pos] == 0)
		return -1;
	b = c->p[c->pos++];
	switch (b) {
	case 'r': return '\r';
	case 'n': return '\n';
	case '0': return 0;
	case 'e': return '=';
	default: return b;
	}
}

// Places c at the value of the first entry named key; false if there is none.
static bool find(const struct weft_dict *d, const char *key, struct cursor *c)
{
	size_t klen = strlen(key), i = 0, n = d->len;
	if (!key_ok(key, klen))
		return false;
	while (i < n) {
		size_t eol = i;
		while (eol < n && !is_eol(d->p[eol]))
			eol++;
		if (eol - i > klen && d->p[i + klen] == '=' && !memcmp(d->p + i, key, klen)) {
			c->p = d->p;
			c->pos = i + klen + 1;
			c->end = n;
			return true;
		}
		i = eol + 1; // empty lines (CRLF, blank) fall out of the same loop
	}
	return false;
}

long weft_dict_get(const struct weft_dict *d, const char *key, uint8_t *out, size_t out_cap)
{
	struct cursor c;
	long n = 0;
	int b;
	if (!find(d, key, &c))
		return WEFT_DICT_ABSENT;
	while ((b = next(&c)) >= 0) {
		if ((size_t)n < out_cap)
			out[n] = (uint8_t)b;
		n++;
	}
	return n;
}

bool weft_dict_get_string(const struct weft_dict *d, const char *key, char *out, size_t cap)
{
	if (cap == 0)
		return weft_dict_has(d, key);
	long n = weft_dict_get(d, key, (uint8_t *)out, cap - 1);
	if (n < 0) {
		out[0] = 0;
		return false;
	}
	out[(size_t)n < cap - 1 ? (size_t)n : cap - 1] = 0;
	return true;
}

bool weft_dict_has(const struct weft_dict *d, const char *key)
{
	struct cursor c;
	return find(d, key, &c);
}

static int hex_digit(int b)
{
	if (b >= '0' && b <= '9')
		return b - '0';
	if (b >= 'a' && b <= 'f')
		return b - 'a' + 10;
	if (b >= 'A' && b <= 'F')
		return b - 'A' + 10;
	return -1;
}

// The strtoull/strtoll base-16 grammar in the C locale: white space, an optional sign, an
// optional 0x, then hex digits up to the first other byte. *ovf is set past 64 bits.
static uint64_t parse_hex(struct cursor *c, bool *neg, bool *ovf)
{
	uint64_t mag = 0;
	int b = next(c), v;
	while (b == ' ' || (b >= '\t' && b <= '\r'))
		b = next(c);
	*neg = b == '-';
	*ovf = false;
	if (b == '+' || b == '-')
		b = next(c);
	if (b == '0') {
		b = next(c);
		if (b == 'x' || b == 'X')
			b = next(c); // "0x" then no digit still reads as 0, as strtoull does
	}
	for (; (v = hex_digit(b)) >= 0; b = next(c)) {
		if (mag > (UINT64_MAX - (uint64_t)v) / 16)
			*ovf = true;
		mag = mag * 16 + (uint64_t)v;
	}
	return mag;
}

// Finds key and checks that its value is non-empty, the integer getters' notion of present.
static bool find_nonempty(const struct weft_dict *d, const char *key, struct cursor *c)
{
	if (!find(d, key, c))
		return false;
	struct cursor peek = *c;
	return next(&peek) >= 0;
}

uint64_t weft_dict_get_u64(const struct weft_dict *d, const char *key, uint64_t dfl)
{
	struct cursor c;
	bool neg, ovf;
	if (!find_nonempty(d, key, &c))
		return dfl;
	uint64_t mag = parse_hex(&c, &neg, &ovf);
	if (ovf)
		return UINT64_MAX;
	return neg ? (uint64_t)0 - mag : mag;
}

int64_t weft_dict_get_i64(const struct weft_dict *d, const char *key, int64_t dfl)
{
	struct cursor c;
	bool neg, ovf;
	const uint64_t lim = (uint64_t)INT64_MAX + 1;
	if (!find_nonempty(d, key, &c))
		return dfl;
	uint64_t mag = parse_hex(&c, &neg, &ovf);
	if (!neg)
		return ovf || mag > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)mag;
	if (ovf || mag >= lim)
		return INT64_MIN;
	return -(int64_t)mag;
}

bool weft_dict_get_bool(const struct weft_dict *d, const char *key, bool dfl)
{
	struct cursor c;
	if (!find(d, key, &c))
		return dfl;
	int b = next(&c);
	return b == '1' || b == 't' || b == 'T';
}
