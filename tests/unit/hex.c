// SPDX-License-Identifier: MPL-2.0
// core/hex.h: lowercase encoding, strict decoding (exact length, hex digits only, either case)
// and weft_hex_u64's 1..16-digit limits. Failed parses leave their output untouched where
// the API promises it (weft_hex_u64).
#include <stdio.h>
#include <string.h>

#include "hex.h"
#include "t.h"

static void test_encode(void)
{
	const uint8_t in[8] = {0x00, 0x01, 0x7f, 0x80, 0xab, 0xcd, 0xef, 0xff};
	char out[17];

	t_case("encode: lowercase, two digits per byte, NUL-terminated");
	memset(out, 'x', sizeof out);
	weft_hex_encode(out, in, sizeof in);
	T_CHECK(!strcmp(out, "00017f80abcdefff"));

	t_case("encode: zero bytes gives the empty string");
	memset(out, 'x', sizeof out);
	weft_hex_encode(out, in, 0);
	T_CHECK(out[0] == '\0');
}

static void test_decode_ok(void)
{
	uint8_t out[8];
	const uint8_t exp[4] = {0xde, 0xad, 0xbe, 0xef};

	t_case("decode: lowercase");
	T_CHECK(weft_hex_decode(out, 4, "deadbeef", 8));
	T_CHECK_MEM(out, exp, 4);

	t_case("decode: upper case accepted");
	memset(out, 0, sizeof out);
	T_CHECK(weft_hex_decode(out, 4, "DEADBEEF", 8));
	T_CHECK_MEM(out, exp, 4);

	t_case("decode: mixed case accepted");
	memset(out, 0, sizeof out);
	T_CHECK(weft_hex_decode(out, 4, "dEaDbEeF", 8));
	T_CHECK_MEM(out, exp, 4);

	t_case("decode: every byte value round-trips through encode");
	uint8_t all[256], back[256];
	char s[513];
	for (unsigned i = 0; i < 256; i++)
		all[i] = (uint8_t)i;
	weft_hex_encode(s, all, 256);
	T_CHECK(weft_hex_decode(back, 256, s, 512));
	T_CHECK_MEM(back, all, 256);

	t_case("decode: only slen characters are read (the rest of the string is ignored)");
	memset(out, 0, sizeof out);
	T_CHECK(weft_hex_decode(out, 2, "0102zz", 4));
	T_CHECK(out[0] == 1 && out[1] == 2);

	t_case("decode: zero bytes from the empty string");
	T_CHECK(weft_hex_decode(out, 0, "", 0));
}

static void test_decode_bad(void)
{
	uint8_t out[8];

	t_case("decode rejects a string shorter than 2n (even and odd lengths)");
	for (size_t slen = 0; slen < 8; slen++)
		T_CHECK_MSG(!weft_hex_decode(out, 4, "0123456789", slen), "slen %zu", slen);

	t_case("decode rejects a string longer than 2n (even and odd lengths)");
	for (size_t slen = 9; slen <= 10; slen++)
		T_CHECK_MSG(!weft_hex_decode(out, 4, "0123456789", slen), "slen %zu", slen);
	T_CHECK(!weft_hex_decode(out, 0, "00", 2));

	t_case("decode rejects an odd number of digits");
	T_CHECK(!weft_hex_decode(out, 1, "0", 1));
	T_CHECK(!weft_hex_decode(out, 1, "012", 3));
	T_CHECK(!weft_hex_decode(out, 2, "012", 3));

	t_case("decode rejects a non-hex character at every position");
	const char bad[] = {'g', 'G', 'x', ' ', ':', '-', '\n', '\0', '/', '@', '`', (char)0xff};
	char s[9];
	for (size_t b = 0; b < sizeof bad; b++) {
		for (size_t pos = 0; pos < 8; pos++) {
			memcpy(s, "0a1b2c3d", 9);
			s[pos] = bad[b];
			T_CHECK_MSG(!weft_hex_decode(out, 4, s, 8), "char 0x%02x at %zu accepted",
			            (unsigned)(uint8_t)bad[b], pos);
		}
	}

	t_case("decode rejects a 0x prefix and surrounding whitespace");
	T_CHECK(!weft_hex_decode(out, 2, "0x12", 4));
	T_CHECK(!weft_hex_decode(out, 2, " 123", 4));
	T_CHECK(!weft_hex_decode(out, 2, "123 ", 4));
}

static void test_u64(void)
{
	uint64_t v;

	t_case("u64: single digit, both cases");
	T_CHECK(weft_hex_u64(&v, "0", 1) && v == 0);
	T_CHECK(weft_hex_u64(&v, "a", 1) && v == 10);
	T_CHECK(weft_hex_u64(&v, "F", 1) && v == 15);

	t_case("u64: 10-digit address");
	T_CHECK(weft_hex_u64(&v, "89e92ceee5", 10) && v == 0x89e92ceee5ULL);
	T_CHECK(weft_hex_u64(&v, "89E92CEEE5", 10) && v == 0x89e92ceee5ULL);

	t_case("u64: 16 digits is the maximum, UINT64_MAX parses");
	T_CHECK(weft_hex_u64(&v, "ffffffffffffffff", 16) && v == UINT64_MAX);
	T_CHECK(weft_hex_u64(&v, "FFFFFFFFFFFFFFFF", 16) && v == UINT64_MAX);
	T_CHECK(weft_hex_u64(&v, "8000000000000000", 16) && v == 0x8000000000000000ULL);
	T_CHECK(weft_hex_u64(&v, "0000000000000000", 16) && v == 0);

	t_case("u64: 17 digits rejected even with leading zeros, output untouched");
	v = 0x1234;
	T_CHECK(!weft_hex_u64(&v, "00000000000000001", 17));
	T_CHECK(!weft_hex_u64(&v, "10000000000000000", 17));
	T_CHECK(v == 0x1234);

	t_case("u64: empty input rejected, output untouched");
	v = 0x1234;
	T_CHECK(!weft_hex_u64(&v, "", 0));
	T_CHECK(!weft_hex_u64(&v, "12", 0));
	T_CHECK(v == 0x1234);

	t_case("u64: non-hex characters rejected at every position, output untouched");
	const char *bad[] = {"g", "12g4", "0x12", " 12", "12 ", "-1", "+1", "1:2", "12\n"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		v = 0x1234;
		T_CHECK_MSG(!weft_hex_u64(&v, bad[i], strlen(bad[i])), "\"%s\" accepted", bad[i]);
		T_CHECK(v == 0x1234);
	}
	char nul[3] = {'1', '\0', '2'};
	T_CHECK(!weft_hex_u64(&v, nul, 3));

	t_case("u64: only slen characters are read");
	T_CHECK(weft_hex_u64(&v, "12zz", 2) && v == 0x12);

	t_case("u64: every length 1..16 of 'f's gives 2^(4n)-1");
	for (size_t n = 1; n <= 16; n++) {
		uint64_t want = n == 16 ? UINT64_MAX : (1ULL << (4 * n)) - 1;
		T_CHECK_MSG(weft_hex_u64(&v, "ffffffffffffffff", n) && v == want, "n=%zu", n);
	}
}

int main(void)
{
	t_init("unit/hex");
	test_encode();
	test_decode_ok();
	test_decode_bad();
	test_u64();
	return t_done();
}
