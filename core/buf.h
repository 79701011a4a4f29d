// SPDX-License-Identifier: MPL-2.0
// Bounds-checked cursors over byte buffers, and big-endian load/store helpers.
// Every wire read in core/ goes through these: a reader that runs past its end sets `bad`
// and yields zeros from then on, so parsers check once at the end instead of at each field.
#ifndef WEFT_BUF_H
#define WEFT_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

static inline uint16_t load_be16(const uint8_t *p)
{
	return (uint16_t)(((unsigned)p[0] << 8) | p[1]);
}
static inline uint32_t load_be32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}
static inline uint64_t load_be40(const uint8_t *p)
{
	return ((uint64_t)p[0] << 32) | ((uint64_t)p[1] << 24) | ((uint64_t)p[2] << 16) |
	       ((uint64_t)p[3] << 8) | p[4];
}
static inline uint64_t load_be64(const uint8_t *p)
{
	return ((uint64_t)load_be32(p) << 32) | load_be32(p + 4);
}
static inline void store_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}
static inline void store_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}
static inline void store_be40(uint8_t *p, uint64_t v)
{
	p[0] = (uint8_t)(v >> 32);
	p[1] = (uint8_t)(v >> 24);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 8);
	p[4] = (uint8_t)v;
}
static inline void store_be64(uint8_t *p, uint64_t v)
{
	store_be32(p, (uint32_t)(v >> 32));
	store_be32(p + 4, (uint32_t)v);
}
// Little-endian: only the Salsa20 block counter and the key mangling length use it.
static inline void store_le64(uint8_t *p, uint64_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
	p[4] = (uint8_t)(v >> 32);
	p[5] = (uint8_t)(v >> 40);
	p[6] = (uint8_t)(v >> 48);
	p[7] = (uint8_t)(v >> 56);
}

// Reader: `pos` never passes `len`; an overrun sets `bad`.
struct weft_rbuf {
	const uint8_t *p;
	size_t len;
	size_t pos;
	bool bad;
};

static inline void rbuf_init(struct weft_rbuf *r, const uint8_t *p, size_t len)
{
	r->p = p;
	r->len = len;
	r->pos = 0;
	r->bad = false;
}
static inline size_t rbuf_left(const struct weft_rbuf *r)
{
	return r->len - r->pos;
}
// Returns a pointer to the next n bytes and advances, or NULL (and marks bad) on overrun.
static inline const uint8_t *rbuf_take(struct weft_rbuf *r, size_t n)
{
	if (r->bad || n > r->len - r->pos) {
		r->bad = true;
		return NULL;
	}
	const uint8_t *q = r->p + r->pos;
	r->pos += n;
	return q;
}
static inline bool rbuf_copy(struct weft_rbuf *r, void *out, size_t n)
{
	const uint8_t *q = rbuf_take(r, n);
	if (!q) {
		memset(out, 0, n);
		return false;
	}
	memcpy(out, q, n);
	return true;
}
static inline uint8_t rbuf_u8(struct weft_rbuf *r)
{
	const uint8_t *q = rbuf_take(r, 1);
	return q ? q[0] : 0;
}
static inline uint16_t rbuf_u16(struct weft_rbuf *r)
{
	const uint8_t *q = rbuf_take(r, 2);
	return q ? load_be16(q) : 0;
}
static inline uint32_t rbuf_u32(struct weft_rbuf *r)
{
	const uint8_t *q = rbuf_take(r, 4);
	return q ? load_be32(q) : 0;
}
static inline uint64_t rbuf_u40(struct weft_rbuf *r)
{
	const uint8_t *q = rbuf_take(r, 5);
	return q ? load_be40(q) : 0;
}
static inline uint64_t rbuf_u64(struct weft_rbuf *r)
{
	const uint8_t *q = rbuf_take(r, 8);
	return q ? load_be64(q) : 0;
}

// Writer: an overflow sets `bad` and writes nothing more.
struct weft_wbuf {
	uint8_t *p;
	size_t cap;
	size_t len;
	bool bad;
};

static inline void wbuf_init(struct weft_wbuf *w, uint8_t *p, size_t cap)
{
	w->p = p;
	w->cap = cap;
	w->len = 0;
	w->bad = false;
}
// Reserves n bytes and returns where to write them, or NULL on overflow.
static inline uint8_t *wbuf_put(struct weft_wbuf *w, size_t n)
{
	if (w->bad || n > w->cap - w->len) {
		w->bad = true;
		return NULL;
	}
	uint8_t *q = w->p + w->len;
	w->len += n;
	return q;
}
static inline void wbuf_bytes(struct weft_wbuf *w, const void *src, size_t n)
{
	uint8_t *q = wbuf_put(w, n);
	if (q && n)
		memcpy(q, src, n);
}
static inline void wbuf_u8(struct weft_wbuf *w, uint8_t v)
{
	uint8_t *q = wbuf_put(w, 1);
	if (q)
		q[0] = v;
}
static inline void wbuf_u16(struct weft_wbuf *w, uint16_t v)
{
	uint8_t *q = wbuf_put(w, 2);
	if (q)
		store_be16(q, v);
}
static inline void wbuf_u32(struct weft_wbuf *w, uint32_t v)
{
	uint8_t *q = wbuf_put(w, 4);
	if (q)
		store_be32(q, v);
}
static inline void wbuf_u40(struct weft_wbuf *w, uint64_t v)
{
	uint8_t *q = wbuf_put(w, 5);
	if (q)
		store_be40(q, v);
}
static inline void wbuf_u64(struct weft_wbuf *w, uint64_t v)
{
	uint8_t *q = wbuf_put(w, 8);
	if (q)
		store_be64(q, v);
}

// dst[0..n) ^= src[0..n), a word at a time where it can (keystreams, memory-hard hash).
static inline void weft_xor(uint8_t *dst, const uint8_t *src, size_t n)
{
	size_t i = 0;
#if defined(__GNUC__)
	// 16 bytes a step (SSE2/NEON registers; GCC and clang lower it elsewhere): the keystream
	// XOR of every AES-GMAC-SIV packet runs here.
	typedef uint64_t v16 __attribute__((vector_size(16)));
	for (; i + 32 <= n; i += 32) {
		v16 a0, a1, b0, b1;
		memcpy(&a0, dst + i, 16);
		memcpy(&a1, dst + i + 16, 16);
		memcpy(&b0, src + i, 16);
		memcpy(&b1, src + i + 16, 16);
		a0 ^= b0;
		a1 ^= b1;
		memcpy(dst + i, &a0, 16);
		memcpy(dst + i + 16, &a1, 16);
	}
#endif
	for (; i + 8 <= n; i += 8) {
		uint64_t a, b;
		memcpy(&a, dst + i, 8);
		memcpy(&b, src + i, 8);
		a ^= b;
		memcpy(dst + i, &a, 8);
	}
	for (; i < n; i++)
		dst[i] ^= src[i];
}

#ifndef likely
#define likely(x)   __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
#endif

#endif
