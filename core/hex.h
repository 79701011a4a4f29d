// SPDX-License-Identifier: MPL-2.0
// Strict hex conversion (lowercase out, either case in) for identity strings and tools.
#ifndef WEFT_HEX_H
#define WEFT_HEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

// Writes 2*n lowercase hex digits and a NUL; `out` holds 2*n+1 bytes.
void weft_hex_encode(char *out, const uint8_t *in, size_t n);
// Decodes exactly 2*n hex digits from s[0..slen) into out[0..n); false on any other input.
bool weft_hex_decode(uint8_t *out, size_t n, const char *s, size_t slen);
// Parses 1..16 hex digits as an unsigned value; false on empty, overlong or non-hex input.
bool weft_hex_u64(uint64_t *out, const char *s, size_t slen);

#endif
