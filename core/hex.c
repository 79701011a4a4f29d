// SPDX-License-Identifier: MPL-2.0
// Strict hex conversion over libsodium's constant-time hex routines.
#include "hex.h"

#include <sodium.h>

void weft_hex_encode(char *out, const uint8_t *in, size_t n)
{
	sodium_bin2hex(out, 2 * n + 1, in, n);
}

bool weft_hex_decode(uint8_t *out, size_t n, const char *s, size_t slen)
{
	size_t got = 0;
	const char *end = NULL;
	if (slen != 2 * n)
		return false;
	if (sodium_hex2bin(out, n, s, slen, NULL, &got, &end) != 0)
		return false;
	return got == n && end == s + slen;
}

bool weft_hex_u64(uint64_t *out, const char *s, size_t slen)
{
	uint64_t v = 0;
	if (slen == 0 || slen > 16)
		return false;
	for (size_t i = 0; i < slen; i++) {
		char c = s[i];
		unsigned d;
		if (c >= '0' && c <= '9')
			d = (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			d = (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			d = (unsigned)(c - 'A' + 10);
		else
			return false;
		v = (v << 4) | d;
	}
	*out = v;
	return true;
}
