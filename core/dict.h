// SPDX-License-Identifier: MPL-2.0
// The key=value Dictionary of VL2 (vl2.md §2): network configs, config-request metadata, SSO
// error details. Writes go into a caller-owned buffer of fixed capacity; reads scan the bytes
// in place and allocate nothing. Every read is bounded by the length given, so a malformed or
// truncated dictionary is never read past its end.
#ifndef WEFT_DICT_H
#define WEFT_DICT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

// Reference buffer capacities (vl2.md §2.6), each counting one byte kept for a terminating NUL,
// so content is at most capacity - 1 bytes.
#define WEFT_DICT_CAP_NETCONF   484520 // 1.14 on 64-bit Linux; real configs are a few KB
#define WEFT_DICT_CAP_METADATA  1024   // NETWORK_CONFIG_REQUEST metadata
#define WEFT_DICT_CAP_AUTH_INFO 8192   // ERROR(AUTHENTICATION_REQUIRED) details, as parsed
#define WEFT_DICT_CAP_TRACE     10000  // REMOTE_TRACE payload

// weft_dict_get's answer for a key that is not there (an empty value is length 0).
#define WEFT_DICT_ABSENT (-1L)

// A dictionary over caller-owned bytes. `p` is what readers scan; `w` is the same buffer when
// the dictionary is writable, NULL for a read-only view. Invariant when writable: len < cap,
// and p[0..len) holds no NUL. The buffer is not NUL-terminated by this module.
struct weft_dict {
	const uint8_t *p;
	uint8_t *w;
	size_t cap; // bytes of buf, one of them reserved for a NUL; 0 for a view
	size_t len; // content bytes
};

// Starts an empty writable dictionary in buf[0..cap).
void weft_dict_init(struct weft_dict *d, uint8_t *buf, size_t cap);
// A read-only view of a serialized dictionary p[0..len), e.g. received in a packet. Content
// ends at the first NUL byte, if any (the serialized form is a C string in 1.14).
void weft_dict_view(struct weft_dict *d, const uint8_t *p, size_t len);

// Appending writers. Each appends "key=value" (after an LF unless first), escaping the value
// (vl2.md §2.2). Keys must be non-empty and free of '=', CR and LF. If the key is invalid, the
// dictionary is a view, or the entry would not fit in cap - 1 bytes, nothing changes and the
// result is false. An existing key is not replaced: a second entry is appended.
bool weft_dict_add_bytes(struct weft_dict *d, const char *key, const void *v, size_t n);
bool weft_dict_add_string(struct weft_dict *d, const char *key, const char *s);
// 16 lower-case hex digits, zero-padded.
bool weft_dict_add_u64(struct weft_dict *d, const char *key, uint64_t v);
// As 1.14 writes it: the hex digits of |v| with no sign (vl2.md §2.4; a reference defect that
// weft keeps for byte-identical output — no 1.14 field is negative).
bool weft_dict_add_i64(struct weft_dict *d, const char *key, int64_t v);
// "1" or "0".
bool weft_dict_add_bool(struct weft_dict *d, const char *key, bool v);
// The low 40 bits through the integer path: 16 hex digits (the netconf writer uses 10-digit
// text for `id`/`tt` and should add those with weft_dict_add_string).
bool weft_dict_add_address(struct weft_dict *d, const char *key, uint64_t addr);

// Lookups: the first entry whose key equals `key` wins (vl2.md §2.3).
// Unescapes the value into out[0..out_cap) and returns its full decoded length, or
// WEFT_DICT_ABSENT. A return above out_cap means the value was cut to out_cap bytes; out may
// be NULL when out_cap is 0, to measure.
long weft_dict_get(const struct weft_dict *d, const char *key, uint8_t *out, size_t out_cap);
// As text: at most cap - 1 bytes and a NUL (cap >= 1). False, and out = "", when absent.
bool weft_dict_get_string(const struct weft_dict *d, const char *key, char *out, size_t cap);
bool weft_dict_has(const struct weft_dict *d, const char *key);
// Hex integers read like strtoull/strtoll base 16 (leading space, sign and 0x allowed; parsing
// stops at the first other byte; out-of-range values saturate). Absent or empty gives dfl.
uint64_t weft_dict_get_u64(const struct weft_dict *d, const char *key, uint64_t dfl);
int64_t weft_dict_get_i64(const struct weft_dict *d, const char *key, int64_t dfl);
// True iff the value starts with '1', 't' or 'T'; an empty value is false; absent gives dfl.
bool weft_dict_get_bool(const struct weft_dict *d, const char *key, bool dfl);

#endif
