// SPDX-License-Identifier: MPL-2.0
// Reading ../shared/vectors (or $VECTORS) with jansson, and typed field access for tests.
#ifndef WEFT_TEST_VEC_H
#define WEFT_TEST_VEC_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

// Loads a vector file by name; exits the test with a failure if it is missing or malformed.
json_t *vec_load(const char *file);
// String field, or "" if absent.
const char *vec_str(const json_t *o, const char *key);
// Hex field decoded into a new buffer (free it); *len receives its size. NULL if absent.
uint8_t *vec_hex(const json_t *o, const char *key, size_t *len);
// Hex field that must decode to exactly n bytes into out; false otherwise.
bool vec_hex_into(const json_t *o, const char *key, uint8_t *out, size_t n);
// 16-hex-digit or 10-hex-digit field as an integer.
uint64_t vec_u64hex(const json_t *o, const char *key);
bool vec_bool(const json_t *o, const char *key);
long long vec_int(const json_t *o, const char *key);

#endif
