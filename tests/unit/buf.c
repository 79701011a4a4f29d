// SPDX-License-Identifier: MPL-2.0
// core/buf.h: big-endian load/store helpers, and the reader/writer cursors — an overrun sets
// `bad`, yields zeros, never reads or writes past the end, and stays bad afterwards.
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "t.h"

static uint64_t rng_state = 0x0123456789abcdefULL;

static uint64_t next_u64(void)
{
	return t_splitmix64(&rng_state);
}

static void test_store_layout(void)
{
	uint8_t b[8];
	t_case("store_be16/32/40/64 write most significant byte first");
	store_be16(b, 0x0102);
	T_CHECK(b[0] == 0x01 && b[1] == 0x02);
	store_be32(b, 0x01020304u);
	T_CHECK(b[0] == 1 && b[1] == 2 && b[2] == 3 && b[3] == 4);
	store_be40(b, 0x0102030405ULL);
	T_CHECK(b[0] == 1 && b[1] == 2 && b[2] == 3 && b[3] == 4 && b[4] == 5);
	store_be64(b, 0x0102030405060708ULL);
	const uint8_t exp64[8] = {1, 2, 3, 4, 5, 6, 7, 8};
	T_CHECK_MEM(b, exp64, 8);

	t_case("store_be40 writes only the low 40 bits and touches 5 bytes");
	memset(b, 0xaa, sizeof b);
	store_be40(b, 0xffee0102030405ULL);
	const uint8_t exp40[8] = {1, 2, 3, 4, 5, 0xaa, 0xaa, 0xaa};
	T_CHECK_MEM(b, exp40, 8);

	t_case("load_be16/32/40/64 read most significant byte first");
	const uint8_t src[8] = {0x80, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0xff};
	T_CHECK(load_be16(src) == 0x8001);
	T_CHECK(load_be32(src) == 0x80010203u);
	T_CHECK(load_be40(src) == 0x8001020304ULL);
	T_CHECK(load_be64(src) == 0x80010203040506ffULL);
}

static void test_load_store_roundtrip(void)
{
	uint8_t b[8];
	const uint64_t edges[] = {0,
	                          1,
	                          0x7f,
	                          0x80,
	                          0xff,
	                          0x100,
	                          0x7fff,
	                          0x8000,
	                          0xffff,
	                          0x7fffffff,
	                          0x80000000u,
	                          0xffffffffu,
	                          0xffffffffffULL,
	                          0x8000000000000000ULL,
	                          UINT64_MAX};
	bool ok16 = true, ok32 = true, ok40 = true, ok64 = true;

	t_case("load(store(v)) == v at every width, for edge and random values");
	for (size_t i = 0; i < sizeof edges / sizeof edges[0] + 10000; i++) {
		uint64_t v = i < sizeof edges / sizeof edges[0] ? edges[i] : next_u64();
		store_be16(b, (uint16_t)v);
		ok16 &= load_be16(b) == (uint16_t)v;
		store_be32(b, (uint32_t)v);
		ok32 &= load_be32(b) == (uint32_t)v;
		store_be40(b, v);
		ok40 &= load_be40(b) == (v & 0xffffffffffULL);
		store_be64(b, v);
		ok64 &= load_be64(b) == v;
	}
	T_CHECK(ok16);
	T_CHECK(ok32);
	T_CHECK(ok40);
	T_CHECK(ok64);
}

static void test_reader_in_bounds(void)
{
	const uint8_t src[20] = {0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa,
	                         0xbb, 0xcc, 0xdd, 0xee, 0xff, 0x01, 0x02, 0x03, 0x04, 0x05};
	struct weft_rbuf r;
	uint8_t out[2];

	t_case("reader yields fields in order and ends exactly at len");
	rbuf_init(&r, src, sizeof src);
	T_CHECK(rbuf_left(&r) == 20);
	T_CHECK(rbuf_u8(&r) == 0x11);
	T_CHECK(rbuf_u16(&r) == 0x2233);
	T_CHECK(rbuf_u32(&r) == 0x44556677u);
	T_CHECK(rbuf_u40(&r) == 0x8899aabbccULL);
	T_CHECK(rbuf_copy(&r, out, 2) && out[0] == 0xdd && out[1] == 0xee);
	T_CHECK(rbuf_u16(&r) == 0xff01);
	T_CHECK(rbuf_u32(&r) == 0x02030405u);
	T_CHECK(!r.bad);
	T_CHECK(rbuf_left(&r) == 0);

	t_case("reader reads the last bytes exactly, then zero-length takes still succeed");
	rbuf_init(&r, src, sizeof src);
	T_CHECK(rbuf_take(&r, 12) == src);
	T_CHECK(rbuf_u64(&r) == 0xddeeff0102030405ULL);
	T_CHECK(rbuf_left(&r) == 0 && r.pos == r.len);
	T_CHECK(!r.bad);
	T_CHECK(rbuf_take(&r, 0) != NULL);
	T_CHECK(!r.bad);
}

// Reads one field of `width` from a reader that has `have` bytes left; the field must fail.
static void check_overrun(unsigned width, size_t have)
{
	// The source is exactly `have` bytes on the heap so ASan catches any read past it.
	uint8_t *src = malloc(have ? have : 1);
	struct weft_rbuf r;
	uint64_t got = 1;
	uint8_t out[8];
	memset(src, 0xee, have ? have : 1);
	rbuf_init(&r, src, have);
	switch (width) {
	case 1: got = rbuf_u8(&r); break;
	case 2: got = rbuf_u16(&r); break;
	case 4: got = rbuf_u32(&r); break;
	case 5: got = rbuf_u40(&r); break;
	case 8: got = rbuf_u64(&r); break;
	default:
		memset(out, 0x55, sizeof out);
		T_CHECK(!rbuf_copy(&r, out, width - 100));
		got = 0;
		for (size_t i = 0; i < width - 100; i++)
			got |= out[i];
		break;
	}
	T_CHECK_MSG(got == 0, "width %u with %zu bytes left yielded %llx", width, have,
	            (unsigned long long)got);
	T_CHECK_MSG(r.bad, "width %u with %zu bytes left did not set bad", width, have);
	T_CHECK_MSG(r.pos == 0, "width %u with %zu bytes left moved pos to %zu", width, have,
	            r.pos);
	free(src);
}

static void test_reader_overrun(void)
{
	const unsigned widths[] = {1, 2, 4, 5, 8};
	t_case("reader: every width short by 1..width bytes sets bad, yields 0, does not advance");
	for (size_t i = 0; i < sizeof widths / sizeof widths[0]; i++)
		for (size_t have = 0; have < widths[i]; have++)
			check_overrun(widths[i], have);

	t_case("reader: rbuf_copy short by any amount zero-fills the output and sets bad");
	for (unsigned n = 1; n <= 8; n++)
		for (size_t have = 0; have < n; have++)
			check_overrun(100 + n, have);

	t_case("reader: bad is sticky — later fields yield 0 even where bytes remain");
	const uint8_t src[6] = {1, 2, 3, 4, 5, 6};
	struct weft_rbuf r;
	rbuf_init(&r, src, sizeof src);
	T_CHECK(rbuf_u16(&r) == 0x0102);
	T_CHECK(rbuf_u64(&r) == 0); // 4 left, 8 asked
	T_CHECK(r.bad);
	T_CHECK(r.pos == 2);
	T_CHECK(rbuf_u8(&r) == 0);
	T_CHECK(rbuf_u16(&r) == 0);
	T_CHECK(rbuf_take(&r, 0) == NULL);
	T_CHECK(rbuf_left(&r) == 4);
	T_CHECK(r.pos <= r.len);

	t_case("reader: a huge take (SIZE_MAX) fails without wrapping the position");
	rbuf_init(&r, src, sizeof src);
	rbuf_u8(&r);
	T_CHECK(rbuf_take(&r, SIZE_MAX) == NULL);
	T_CHECK(r.bad && r.pos == 1);
	rbuf_init(&r, src, sizeof src);
	T_CHECK(rbuf_take(&r, SIZE_MAX - 2) == NULL);
	T_CHECK(r.bad && r.pos == 0);

	t_case("reader over a zero-length buffer: every read is an overrun");
	rbuf_init(&r, src, 0);
	T_CHECK(rbuf_left(&r) == 0);
	rbuf_take(&r, 0); // a zero-length take of nothing is not an overrun
	T_CHECK(!r.bad);
	T_CHECK(rbuf_u8(&r) == 0 && r.bad);

	t_case("reader never returns bytes beyond len (a longer backing array stays unread)");
	uint8_t big[16];
	memset(big, 0xab, sizeof big);
	rbuf_init(&r, big, 3);
	T_CHECK(rbuf_u32(&r) == 0);
	T_CHECK(rbuf_u64(&r) == 0);
	T_CHECK(r.bad && r.pos == 0);
}

static void test_writer(void)
{
	uint8_t b[12];
	struct weft_wbuf w;

	t_case("writer writes big-endian fields in order");
	memset(b, 0xcc, sizeof b);
	wbuf_init(&w, b, sizeof b);
	wbuf_u8(&w, 0x01);
	wbuf_u16(&w, 0x0203);
	wbuf_u40(&w, 0x0405060708ULL);
	wbuf_u32(&w, 0x090a0b0cu);
	const uint8_t exp[12] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
	T_CHECK(!w.bad);
	T_CHECK(w.len == 12);
	T_CHECK_MEM(b, exp, 12);

	t_case("writer: filling to exactly cap is fine; a zero-length put at the end too");
	wbuf_init(&w, b, 8);
	wbuf_u64(&w, 1);
	T_CHECK(!w.bad && w.len == 8);
	T_CHECK(wbuf_put(&w, 0) != NULL);
	T_CHECK(!w.bad);
	wbuf_bytes(&w, NULL, 0);
	T_CHECK(!w.bad && w.len == 8);

	t_case("writer: an overflowing field sets bad and writes none of its bytes");
	memset(b, 0xcc, sizeof b);
	wbuf_init(&w, b, 10);
	wbuf_u64(&w, 0x1111111111111111ULL);
	wbuf_u32(&w, 0x22222222u); // 2 bytes left, 4 asked
	T_CHECK(w.bad);
	T_CHECK(w.len == 8);
	T_CHECK(b[8] == 0xcc && b[9] == 0xcc);
	T_CHECK(b[10] == 0xcc && b[11] == 0xcc);

	t_case("writer: bad is sticky — later fields that would fit write nothing");
	wbuf_u8(&w, 0x33);
	wbuf_u16(&w, 0x3333);
	wbuf_bytes(&w, "x", 1);
	T_CHECK(w.bad && w.len == 8);
	T_CHECK(b[8] == 0xcc && b[9] == 0xcc);
	T_CHECK(wbuf_put(&w, 0) == NULL);

	t_case("writer: every width overflowing by 1..width bytes writes nothing past cap");
	const unsigned widths[] = {1, 2, 4, 5, 8, 3};
	bool ok = true;
	for (size_t i = 0; i < sizeof widths / sizeof widths[0]; i++) {
		for (size_t room = 0; room < widths[i]; room++) {
			uint8_t *h = malloc(room ? room : 1); // exact size: ASan sees any overwrite
			wbuf_init(&w, h, room);
			switch (widths[i]) {
			case 1: wbuf_u8(&w, 0xff); break;
			case 2: wbuf_u16(&w, 0xffff); break;
			case 4: wbuf_u32(&w, 0xffffffffu); break;
			case 5: wbuf_u40(&w, 0xffffffffffULL); break;
			case 8: wbuf_u64(&w, UINT64_MAX); break;
			default: wbuf_bytes(&w, "abc", 3); break;
			}
			ok &= w.bad && w.len == 0;
			free(h);
		}
	}
	T_CHECK(ok);

	t_case("writer: a huge put (SIZE_MAX) fails without wrapping the length");
	wbuf_init(&w, b, sizeof b);
	wbuf_u8(&w, 0);
	T_CHECK(wbuf_put(&w, SIZE_MAX) == NULL);
	T_CHECK(w.bad && w.len == 1);
}

static void test_roundtrip_cursor(void)
{
	uint8_t b[64], blob[7] = {9, 8, 7, 6, 5, 4, 3}, back[7];
	struct weft_wbuf w;
	struct weft_rbuf r;
	bool ok = true;

	t_case("writer then reader: random field sequences round-trip");
	for (int iter = 0; iter < 2000; iter++) {
		uint64_t v[6];
		for (int i = 0; i < 6; i++)
			v[i] = next_u64();
		wbuf_init(&w, b, sizeof b);
		wbuf_u8(&w, (uint8_t)v[0]);
		wbuf_u16(&w, (uint16_t)v[1]);
		wbuf_u32(&w, (uint32_t)v[2]);
		wbuf_u40(&w, v[3]);
		wbuf_bytes(&w, blob, sizeof blob);
		wbuf_u64(&w, v[4]);
		ok &= !w.bad && w.len == 1 + 2 + 4 + 5 + 7 + 8;
		rbuf_init(&r, b, w.len);
		ok &= rbuf_u8(&r) == (uint8_t)v[0];
		ok &= rbuf_u16(&r) == (uint16_t)v[1];
		ok &= rbuf_u32(&r) == (uint32_t)v[2];
		ok &= rbuf_u40(&r) == (v[3] & 0xffffffffffULL);
		ok &= rbuf_copy(&r, back, sizeof back) && !memcmp(back, blob, sizeof blob);
		ok &= rbuf_u64(&r) == v[4];
		ok &= !r.bad && rbuf_left(&r) == 0;
	}
	T_CHECK(ok);
}

// weft_xor against a byte loop, every length 0..100 and offsets that misalign both sides.
static void test_xor(void)
{
	uint8_t a[128], b[128], want[128];
	bool ok = true;
	t_case("xor: every length 0..100 at misaligned offsets equals a byte loop");
	for (size_t len = 0; len <= 100 && ok; len++)
		for (size_t off = 0; off < 3 && ok; off++) {
			for (size_t i = 0; i < sizeof a; i++) {
				a[i] = (uint8_t)next_u64();
				b[i] = (uint8_t)next_u64();
			}
			memcpy(want, a, sizeof a);
			for (size_t i = 0; i < len; i++)
				want[off + i] ^= b[2 * off + i];
			weft_xor(a + off, b + 2 * off, len);
			ok = memcmp(a, want, sizeof a) == 0;
			T_CHECK_MSG(ok, "length %zu offset %zu", len, off);
		}
}

int main(void)
{
	t_init("unit/buf");
	test_store_layout();
	test_load_store_roundtrip();
	test_reader_in_bounds();
	test_reader_overrun();
	test_writer();
	test_roundtrip_cursor();
	test_xor();
	return t_done();
}
